"""Reading a resource's properties by path, and the small condition language the
policy tables use (`all`/`any` of `present`, `equals`, `not-equals` tests)."""

from __future__ import annotations

from .intrinsics import NO_VALUE, Unknown, as_text
from .template import key_node


def lookup(resolver, node, path: str) -> list[tuple[object, object]] | Unknown:
    """(written node, resolved value) for every value at `path` below `node`; an
    Unknown when the path itself cannot be followed (an `Fn::If` on an unknown
    condition above it). Values that are set but unknown (`!Ref Key`) are Unknowns."""
    found = [(node, node)]
    for part in path.split("."):
        following = []
        for _, current in found:
            current = resolver.active(current)
            if isinstance(current, Unknown):
                return current
            if part == "*":
                if isinstance(current, list):
                    following.extend((item, item) for item in current)
            elif isinstance(current, dict) and part in current:
                following.append((key_node(current, part), current[part]))
        found = following
    values = []
    for written, value in found:
        resolved = resolver.resolve(value)
        if resolved is NO_VALUE or resolved is None:
            continue
        values.append((written, resolved))  # an Unknown value is still a value that is set
    return values


def holds(resolver, node, spec: dict | None) -> bool | Unknown:
    """Whether a table condition (`all`/`any` of tests) holds for a resource."""
    if not spec:
        return True
    tests = spec.get("all") or spec.get("any") or []
    results = [_test(resolver, node, test) for test in tests]
    if "any" in spec:
        if True in results:
            return True
        return next((r for r in results if isinstance(r, Unknown)), False)
    if False in results:
        return False
    return next((r for r in results if isinstance(r, Unknown)), True)


def _test(resolver, node, test: dict) -> bool | Unknown:
    found = lookup(resolver, node, test["path"])
    if isinstance(found, Unknown):
        return found
    if "present" in test:  # an empty string is not a value (`KmsKeyId: ''` names no key)
        present = any(as_text(value) != "" for _, value in found)
        return present == bool(test["present"])
    unknown = next((value for _, value in found if isinstance(value, Unknown)), None)
    if unknown is not None:
        return unknown
    values = [as_text(value) for _, value in found]
    if "equals" in test:
        return bool(values) and all(v == as_text(test["equals"]) for v in values)
    if "not-equals" in test:
        return all(v != as_text(test["not-equals"]) for v in values)
    raise ValueError(f"table test without present/equals/not-equals: {test}")
