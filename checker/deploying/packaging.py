"""The Lambda code bundle: a deterministic zip of a handlers directory.

The same source files give the same bytes (sorted entries, fixed timestamps and
permissions, no caches), so the bundle's SHA-256 names it and an unchanged handler
never causes an update.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".mypy_cache"}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}


@dataclass(frozen=True)
class Bundle:
    data: bytes
    files: tuple[str, ...]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def bundle_files(directory: Path) -> list[Path]:
    """The files that go into the bundle, in archive order."""
    return sorted(
        path
        for path in directory.rglob("*")
        if path.is_file()
        and not SKIPPED_PARTS.intersection(path.relative_to(directory).parts)
        and not any(part.startswith(".") for part in path.relative_to(directory).parts)
        and path.suffix not in SKIPPED_SUFFIXES
    )


def package(directory: Path) -> Bundle:
    """Zip ``directory`` (its files at the archive's root, as Lambda expects)."""
    if not directory.is_dir():
        raise FileNotFoundError(f"handlers directory {directory} not found")
    files = bundle_files(directory)
    if not files:
        raise FileNotFoundError(f"handlers directory {directory} has no files")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(directory).as_posix(), FIXED_TIME)
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever system builds it
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    return Bundle(buffer.getvalue(), tuple(p.relative_to(directory).as_posix() for p in files))
