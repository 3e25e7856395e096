"""Where tapcheck keeps its caches, and the identity of its own code they are keyed on.

Kept apart from the configuration so that a command that only reads a cache (`tapcheck
rules`) imports neither YAML nor the checking machinery.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    """Where tapcheck keeps what it caches (results, the IAM index, the rule catalogue):
    `$XDG_CACHE_HOME/tapcheck`, by default `~/.cache/tapcheck`."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tapcheck"


@cache
def own_code_identity(package: Path = PACKAGE) -> str:
    """A digest of tapcheck's own files by name, size and modification time, so that an
    edited checkout never reads what its earlier code cached."""
    digest = hashlib.sha256()
    for path in own_files(package):
        stat = path.stat()
        digest.update(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def own_files(package: Path) -> list[Path]:
    """The modules and data files (.py, .yml, .json) of a package and of all its
    subpackages, at any depth (folders without an __init__.py, such as a virtualenv or
    the tests of a checkout, are not part of it)."""
    found = []
    for path in sorted(package.iterdir()):
        if path.is_dir():
            if (path / "__init__.py").is_file():
                found += own_files(path)
        elif path.suffix in (".py", ".yml", ".json"):
            found.append(path)
    return found


def write_atomically(path: Path, text: str) -> None:
    """Write a cache entry so that a concurrent reader sees the old file or the new one;
    an unwritable cache only costs time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass
