"""File paths as CI systems want them: relative to the repository the run happened in."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from tapcheck.checker.findings import Result


def repository_path(path: str, result: Result) -> str | None:
    """`path` relative to the run's repository root (git top level, else the working
    directory) with forward slashes; None for a file outside it."""
    if not result.root:
        return None
    absolute, root = Path(path).resolve(), Path(result.root).resolve()
    return absolute.relative_to(root).as_posix() if absolute.is_relative_to(root) else None


def display_path(path: str, result: Result) -> str:
    """Relative to the repository when inside it, else as the command line named it."""
    relative = repository_path(path, result)
    return relative if relative is not None else PurePosixPath(Path(path).as_posix()).as_posix()
