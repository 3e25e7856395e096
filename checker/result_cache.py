"""Results cached by what they depend on, so a re-run on unchanged files is near-instant.

The key is the file's bytes and name, the configuration, and the identity of
everything that decides the findings: tapcheck's own files, the versions of the
packages whose data it uses. A result also lists the other files it read (a function's
source) with their SHA-256, and is used only while they are unchanged. Entries are
JSON under the user's cache directory.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from importlib import metadata
from pathlib import Path

from .config import cache_dir
from .findings import FileResult

CACHE_VERSION = 2


def results_dir() -> Path:
    return cache_dir() / "results"


@cache
def code_identity() -> str:
    """tapcheck's own files (so an edited checkout never reads stale results) and the
    versions of the packages whose data decides findings."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(str(CACHE_VERSION).encode())
    for path in own_files(package):
        stat = path.stat()
        digest.update(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    for distribution in ("cfn-lint", "policy_sentry", "aws-sam-translator", "botocore", "boto3"):
        try:
            digest.update(f"{distribution}={metadata.version(distribution)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{distribution}=none".encode())
    return digest.hexdigest()


def own_files(package: Path) -> list[Path]:
    """The modules and data files (.py, .yml, .json, .gz) of a package and of all its
    subpackages, at any depth (folders without an __init__.py, such as a virtualenv or
    the tests of a checkout, are not part of it)."""
    found = []
    for path in sorted(package.iterdir()):
        if path.is_dir():
            if (path / "__init__.py").is_file():
                found += own_files(path)
        elif path.suffix in (".py", ".yml", ".json", ".gz"):
            found.append(path)
    return found


def cache_key(path: Path, name: str, config) -> str | None:
    try:
        content = path.read_bytes()
    except OSError:
        return None  # an unreadable file is reported, not cached
    digest = hashlib.sha256()
    for part in (code_identity(), name, config.fingerprint()):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(content)
    return digest.hexdigest()


def inputs_unchanged(result: FileResult) -> bool:
    """Whether the other files a cached result depends on still have the same content."""
    for path, digest in result.inputs.items():
        try:
            if hashlib.sha256(Path(path).read_bytes()).hexdigest() != digest:
                return False
        except OSError:
            return False
    return True


def load(key: str) -> FileResult | None:
    try:
        return FileResult.from_dict(json.loads((results_dir() / f"{key}.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def store(key: str, result: FileResult) -> None:
    directory = results_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        temporary = directory / f"{key}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(result.to_dict()), encoding="utf-8")
        temporary.replace(directory / f"{key}.json")
    except OSError:
        pass  # an unwritable cache only costs time
