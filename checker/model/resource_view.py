"""A resource as a rule sees it in one scenario.

`View` is one place in a resource: the node as written there (for locations) and
its value resolved for the scenario, with SAM `Globals` merged into the properties.
Following a key or iterating a list never raises, whatever the template holds: a
value that cannot be known is an `Unknown` with its reason (`view.unknown`), a value
of the wrong type is one too, so a rule has one way to say, at info, what it could
not decide (`ScenarioContext.undecided`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .intrinsics import NO_VALUE, Resolver, Unknown, as_text, intrinsic
from .template import Template, key_node


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()
"""The value of a key that is not set (or removed with `AWS::NoValue`)."""


class View:
    __slots__ = ("_resolver", "written", "path", "anchor", "_value")

    def __init__(self, resolver: Resolver, written: Any, path: str, anchor: Any, value: Any = None) -> None:
        self._resolver = resolver
        self.written = written
        """The node as written here; None below a value that was computed (`FindInMap`)."""
        self.path = path
        """Where this is inside the resource: `Properties.DefaultActions[0].Type`."""
        self.anchor = anchor
        """The nearest written node, for locations."""
        self._value = value

    @property
    def value(self) -> Any:
        """The resolved value: a mapping, list or scalar, an `Unknown`, or `MISSING`."""
        if self._value is None:
            value = self._resolver.resolve(self.written) if self.written is not None else MISSING
            self._value = MISSING if value is NO_VALUE or value is None else value
        return self._value

    @property
    def missing(self) -> bool:
        return self.value is MISSING

    @property
    def unknown(self) -> Unknown | None:
        """Why the value cannot be known here, or None when it is."""
        return self.value if isinstance(self.value, Unknown) else None

    @property
    def text(self) -> str | None:
        """The value as CloudFormation's text, None unless it is a known scalar."""
        return as_text(self.value)

    @property
    def node(self) -> Any:
        """What a finding about this value points at: its key, a list element itself."""
        return self.anchor

    def get(self, key: str) -> View:
        """The value under `key` (a `MISSING` view when not set)."""
        path = f"{self.path}.{key}" if self.path else key
        written = self._active()
        if isinstance(written, dict) and intrinsic(written) is None:
            if key not in written:
                return View(self._resolver, None, path, self.node, MISSING)
            child = written[key]
            return View(self._resolver, child, path, key_node(written, key) if child is not None else self.node)
        value = self.value
        if isinstance(value, Unknown):
            return View(self._resolver, None, path, self.node, value)
        if isinstance(value, dict):
            return View(self._resolver, None, path, self.node, value.get(key, MISSING))
        if value is MISSING:
            return View(self._resolver, None, path, self.node, MISSING)
        return View(self._resolver, None, path, self.node, Unknown(f"{self.path} is not a mapping"))

    def items(self) -> Iterator[View]:
        """The elements of a list (none when the list is unknown or not a list: see
        `list_problem`)."""
        written = self._active()
        if isinstance(written, list):
            for index, item in enumerate(written):
                chosen = self._resolver.active(item)
                if chosen is NO_VALUE:
                    continue
                element = item if isinstance(chosen, Unknown) else chosen  # the branch the scenario takes
                anchor = element if _marked(element) else self.node
                view = View(self._resolver, element, f"{self.path}[{index}]", anchor)
                if not view.missing:
                    yield view
            return
        value = self.value
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield View(self._resolver, None, f"{self.path}[{index}]", self.node, item)

    @property
    def scalar_problem(self) -> Unknown | None:
        """Why the value cannot be read as text: it is unknown, or a list or mapping."""
        if self.unknown is not None:
            return self.unknown
        if self.missing or self.text is not None:
            return None
        return Unknown(f"{self.path} is not a single value")

    @property
    def list_problem(self) -> Unknown | None:
        """Why the elements cannot be listed: the list is unknown or is not a list."""
        value = self.value
        if isinstance(value, Unknown):
            return value
        if value is MISSING or isinstance(value, list):
            return None
        return Unknown(f"{self.path} is not a list")

    def _active(self) -> Any:
        if self.written is None:
            return None
        active = self._resolver.active(self.written)
        return None if isinstance(active, Unknown) or active is NO_VALUE else active


def resource_view(template: Template, resolver: Resolver, logical_id: str) -> View:
    """The `Properties` of a resource in the resolver's scenario, SAM `Globals` merged."""
    resource = template.resources.get(logical_id)
    anchor = template.resource_key(logical_id)
    if not isinstance(resource, dict):
        return View(resolver, None, "Properties", anchor, MISSING)
    properties = template.properties_of(resource)
    written = properties if properties is not None else None
    anchor = properties if _marked(properties) else anchor
    return View(resolver, written, "Properties", anchor, None if written is not None else MISSING)


def _marked(node) -> bool:
    return getattr(node, "start_mark", None) is not None
