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
from functools import cache
from importlib import metadata
from pathlib import Path

from .caches import cache_dir, own_code_identity, write_atomically
from .findings import FileResult

CACHE_VERSION = 2


def results_dir() -> Path:
    return cache_dir() / "results"


@cache
def code_identity() -> str:
    """tapcheck's own files (so an edited checkout never reads stale results) and the
    versions of the packages whose data decides findings."""
    digest = hashlib.sha256(f"{CACHE_VERSION}:{own_code_identity()}".encode())
    for distribution in ("cfn-lint", "policy_sentry", "aws-sam-translator", "botocore", "boto3"):
        try:
            digest.update(f"{distribution}={metadata.version(distribution)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{distribution}=none".encode())
    return digest.hexdigest()


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
    write_atomically(results_dir() / f"{key}.json", json.dumps(result.to_dict()))
