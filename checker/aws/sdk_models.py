"""botocore's service data and boto3's resource models, read from their data files.

What code analysis needs of an SDK service (its operations, signing name and endpoint
prefix, its waiters, boto3's resource model) is read as botocore's loader reads it: the
latest API version that has the file in any search path (`AWS_DATA_PATH`,
`~/.aws/models`, botocore's data, then boto3's), from the first search path holding it,
`.json` before `.json.gz`. botocore's session is not imported: it brings botocore's
client, docs and HTTP stack (~0.1 s). The `sdk-extras` files that botocore merges into
a model change only shapes, paginators and `serviceId`, none of which is read here.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
from functools import cache
from pathlib import Path

_EXTENSIONS = (".json", ".json.gz")


@cache
def search_paths() -> tuple[Path, ...]:
    extra = [os.path.expanduser(os.path.expandvars(p)) for p in os.environ.get("AWS_DATA_PATH", "").split(os.pathsep)]
    paths = [Path(p) for p in extra if p] + [Path.home() / ".aws" / "models"]
    for package in ("botocore", "boto3"):
        spec = importlib.util.find_spec(package)  # located, not imported
        if spec is not None and spec.submodule_search_locations:
            paths.append(Path(spec.submodule_search_locations[0]) / "data")
    return tuple(paths)


def _file(stem: Path) -> Path | None:
    return next((path for path in (stem.with_name(stem.name + ext) for ext in _EXTENSIONS) if path.is_file()), None)


@cache
def _model(service: str, type_name: str) -> dict | None:
    """A service's data of one type (`service-2`, `waiters-2`, `resources-1`); None when
    no search path has it."""
    paths = [base for base in search_paths() if (base / service).is_dir()]
    versions = {v for base in paths for v in os.listdir(base / service) if _file(base / service / v / type_name)}
    if not versions:
        return None
    latest = max(versions)
    found = next(f for f in (_file(base / service / latest / type_name) for base in paths) if f)
    opener = gzip.open if found.suffix == ".gz" else open
    with opener(found, "rb") as handle:
        return json.loads(handle.read().decode("utf-8"))


def service_model(service: str) -> dict | None:
    """botocore's service model (`service-2`) of an SDK service name; None if unknown."""
    return _model(service, "service-2")


def waiter_model(service: str) -> dict | None:
    """botocore's waiters (`waiters-2`) of a service; None if it has none."""
    return _model(service, "waiters-2")


def resource_model(service: str) -> dict | None:
    """boto3's resource model (`resources-1`) of a service; None if it has none."""
    return _model(service, "resources-1")
