"""Property paths of policies: `Properties.BlockDeviceMappings[*].Ebs.Encrypted`.

A path names a place in a resource: `Properties` (SAM `Globals` merged, as every rule
reads it) or another resource attribute (`DeletionPolicy`, `Metadata`, ...), then keys,
`[N]` for one list item, `[*]` for every item of a list and `*` for every value of a
mapping. Selecting it in a scenario gives the views it reaches, or why the places
cannot be listed; checking it against a resource type's schema gives what is wrong
with it, with the names the schema has instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import get_close_matches

from ..aws.resource_schemas import provider_schema
from ..model.intrinsics import Unknown
from ..model.resource_view import MISSING, View

EACH_ITEM = "[*]"
EACH_VALUE = "*"
ROOTS = ("Properties", "Metadata", "DeletionPolicy", "UpdateReplacePolicy", "Condition")
_SEGMENT = re.compile(r"\.?([^.\[\]]+)|\[(\*|\d+)\]")


@dataclass(frozen=True)
class Path:
    text: str
    segments: tuple[str | int, ...]
    """Keys (str), list indexes (int), EACH_ITEM and EACH_VALUE."""

    @property
    def root(self) -> str:
        return str(self.segments[0])

    def __str__(self) -> str:
        return self.text


def parse_path(text: str) -> Path:
    """The segments of a path the pack schema has already checked the shape of."""
    segments: list[str | int] = []
    for key, index in _SEGMENT.findall(text):
        if key:
            segments.append(key)
        else:
            segments.append(EACH_ITEM if index == "*" else int(index))
    return Path(text, tuple(segments))


@dataclass
class Selection:
    views: list[View]
    """Every place the path reaches (none when a wildcard meets an empty or missing list)."""
    problem: Unknown | None = None
    """Why the places cannot all be listed (a list or mapping that is not known)."""
    at: View | None = None
    """Where that problem is."""


def select(resource_views: dict[str, View], path: Path) -> Selection:
    """The views `path` reaches; `resource_views` holds each root's view."""
    views = [resource_views[path.root]]
    for segment in path.segments[1:]:
        following: list[View] = []
        for view in views:
            problem = _follow(view, segment, following)
            if problem is not None:
                return Selection(following, problem, view)
        views = following
    return Selection(views)


def _follow(view: View, segment: str | int, into: list[View]) -> Unknown | None:
    if isinstance(segment, int) or segment == EACH_ITEM:
        if view.list_problem is not None:
            return view.list_problem
        items = list(view.items())
        if segment == EACH_ITEM:
            into.extend(items)
        else:
            missing = View(None, None, f"{view.path}[{segment}]", view.node, MISSING)
            into.append(items[segment] if segment < len(items) else missing)
        return None
    if segment == EACH_VALUE:
        value = view.value
        if isinstance(value, Unknown):
            return value
        if value is MISSING:
            return None
        if not isinstance(value, dict):
            return Unknown(f"{view.path} is not a mapping")
        into.extend(view.get(str(key)) for key in value)
        return None
    into.append(view.get(segment))
    return None


# --- against the resource type's schema ---------------------------------------------


def schema_problem(path: Path, resource_type: str) -> str | None:
    """What is wrong with a `Properties` path for `resource_type` by its schema (say
    `AWS::RDS::DBInstance has no property MultiAz; did you mean MultiAZ?`); None when
    the schema allows it, or says nothing about that place (free-form JSON such as a
    policy document, an unknown type)."""
    if path.root != "Properties":
        return None
    schema = provider_schema(resource_type)
    if schema is None:
        return None
    definition: dict = {"properties": schema.get("properties", {})}
    walked = "Properties"
    for segment in path.segments[1:]:
        definition = _resolved(schema, definition)
        if isinstance(segment, int) or segment == EACH_ITEM:
            kinds = _kinds(definition)
            if kinds and "array" not in kinds:
                return f"{resource_type} {walked} is not a list (so {path} cannot be)"
            definition = definition.get("items", {})
            walked += "[*]" if segment == EACH_ITEM else f"[{segment}]"
            continue
        properties = dict(_properties(schema, definition))
        free = _open(schema, definition)
        if segment == EACH_VALUE:
            if properties and not free:
                return f"{resource_type} {walked} has fixed keys ({', '.join(sorted(properties))}), not any key"
            definition = free if isinstance(free, dict) else {}
        elif segment in properties:
            definition = properties[segment]
        elif free or not properties:
            return None  # keys the schema does not list are allowed here
        else:
            where = f"property {segment}" if walked == "Properties" else f"key {segment} in {walked}"
            close = get_close_matches(segment, list(properties), n=1, cutoff=0.6)
            close = close or [name for name in properties if name.lower() == segment.lower()]
            suggestion = f"; did you mean {close[0]}?" if close else f" (it has {', '.join(sorted(properties))})"
            return f"{resource_type} has no {where}{suggestion}"
        walked += f".{segment}"
    return None


def _resolved(schema: dict, definition) -> dict:
    for _ in range(20):
        if not isinstance(definition, dict) or "$ref" not in definition:
            break
        definition = schema.get("definitions", {}).get(definition["$ref"].rsplit("/", 1)[-1], {})
    return definition if isinstance(definition, dict) else {}


def _alternatives(schema: dict, definition: dict) -> Iterator[dict]:
    yield definition
    for keyword in ("oneOf", "anyOf", "allOf"):
        for alternative in definition.get(keyword, ()):
            yield from _alternatives(schema, _resolved(schema, alternative))


def _properties(schema: dict, definition: dict) -> Iterator[tuple[str, dict]]:
    for alternative in _alternatives(schema, definition):
        yield from alternative.get("properties", {}).items()


def _open(schema: dict, definition: dict):
    """What any key of the mapping holds when it takes keys it does not list: a
    definition (or True), else None."""
    for alternative in _alternatives(schema, definition):
        if alternative.get("patternProperties"):
            return next(iter(alternative["patternProperties"].values()))
        extra = alternative.get("additionalProperties")
        if extra not in (None, False) and not alternative.get("properties"):
            return extra if isinstance(extra, dict) else True
    return None


def _kinds(definition: dict) -> set[str]:
    kinds = definition.get("type")
    kinds = set(kinds) if isinstance(kinds, list) else {kinds} if kinds else set()
    if not kinds and ("properties" in definition or "patternProperties" in definition):
        kinds.add("object")
    if not kinds and "items" in definition:
        kinds.add("array")
    return kinds
