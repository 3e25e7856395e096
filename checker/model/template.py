"""A parsed template and where its parts are in the source file."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .intrinsics import intrinsic

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
FOR_EACH_PREFIX = "Fn::ForEach::"
"""Keys of `AWS::LanguageExtensions` loops in Resources; they are not resources."""


def location(node, fallback=None) -> tuple[int, int]:
    """1-based (line, column) of a decoded node, or of `fallback` when it has no mark;
    (1, 1) when neither has one.

    Scalars other than strings (numbers, booleans) carry no mark; the caller passes
    the enclosing node as the fallback.
    """
    mark = _mark(node, fallback)
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def line_of(node, fallback=None) -> int | None:
    """1-based line of a decoded node, or of `fallback` when it has no mark; None when
    neither has one."""
    mark = _mark(node, fallback)
    return mark.line + 1 if mark is not None else None


def _mark(node, fallback):
    return getattr(node, "start_mark", None) or getattr(fallback, "start_mark", None)


def key_node(mapping, key: str):
    """The key `key` as written inside `mapping` (for locations); `mapping` if absent."""
    if isinstance(mapping, dict):
        for candidate in mapping:
            if candidate == key:
                return candidate
    return mapping


@dataclass
class Template:
    path: str
    text: str
    data: dict
    lines: list[str] = field(init=False, repr=False)
    inputs: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    """Other files read to check this one (path -> SHA-256), for the result cache."""
    derived: dict = field(default_factory=dict, init=False, repr=False)
    """Data derived once per template and shared by every scenario (e.g. code analysis)."""

    def __post_init__(self) -> None:
        self.lines = self.text.splitlines()

    def section(self, name: str) -> dict:
        value = self.data.get(name)
        return value if isinstance(value, dict) else {}

    @cached_property
    def resources(self) -> dict:
        """The resources by logical id, `Fn::ForEach` loops left out."""
        return {
            key: value for key, value in self.section("Resources").items() if not str(key).startswith(FOR_EACH_PREFIX)
        }

    def resource_key(self, logical_id: str):
        """The logical id as written (for locations), found in constant time."""
        return self._resource_keys.get(logical_id, self.resources)

    @cached_property
    def _resource_keys(self) -> dict:
        return {str(key): key for key in self.resources}

    @cached_property
    def for_each_loops(self) -> list[str]:
        return [str(key) for key in self.section("Resources") if str(key).startswith(FOR_EACH_PREFIX)]

    @property
    def parameters(self) -> dict:
        return self.section("Parameters")

    @property
    def conditions(self) -> dict:
        return self.section("Conditions")

    @property
    def mappings(self) -> dict:
        return self.section("Mappings")

    @property
    def metadata(self) -> dict:
        return self.section("Metadata")

    @cached_property
    def is_sam(self) -> bool:
        transform = self.data.get("Transform")
        names = transform if isinstance(transform, list) else [transform]
        return SAM_TRANSFORM in names

    def globals_for(self, resource_type: str) -> dict:
        """The SAM `Globals` section that applies to a resource type (`Function`, ...)."""
        if not self.is_sam:
            return {}
        section = self.section("Globals").get(resource_type.rsplit("::", 1)[-1])
        return section if isinstance(section, dict) else {}

    def properties_of(self, resource: dict):
        """A resource's `Properties`, with SAM `Globals` merged in underneath (the
        resource's own values win, mappings are merged key by key, as SAM does)."""
        properties = resource.get("Properties")
        resource_type = resource.get("Type", "")
        if not resource_type.startswith("AWS::Serverless::"):
            return properties
        defaults = self.globals_for(resource_type)
        if not defaults:
            return properties
        return merge_globals(defaults, properties if isinstance(properties, dict) else {})

    def snippet(self, line: int, context: int = 1) -> str:
        """Source lines around `line`, numbered, `line` itself marked with `>`, for reports."""
        start = max(1, line - context)
        end = min(len(self.lines), line + context)
        width = len(str(end))
        return "\n".join(
            f"{'>' if n == line else ' '} {n:>{width}} | {self.lines[n - 1]}" for n in range(start, end + 1)
        )


def merge_globals(defaults: dict, own: dict) -> dict:
    """What a SAM resource gets from a `Globals` section (`defaults`) under its own values
    (`own`), as SAM merges them: the resource's value wins, except that two mappings that
    are not intrinsic function calls merge key by key. The one place Globals are merged."""
    merged = dict(defaults)
    for key, value in own.items():
        base = merged.get(key)
        plain = all(isinstance(node, dict) and intrinsic(node) is None for node in (value, base))
        merged[key] = merge_globals(base, value) if plain else value
    return merged
