"""Reading a resource's properties by path, and the small condition language the
policy tables use (`all`/`any` of `present`, `equals`, `not-equals` tests)."""

from __future__ import annotations

from .intrinsics import Unknown, as_text
from .resource_view import View


def views_at(resolver, node, path: str) -> list[View] | Unknown:
    """A view of every value at `path` below `node` (`*` for every element of a list);
    an Unknown when the path itself cannot be followed: an `Fn::If` on an unknown
    condition above it, or a value of the wrong type (a list where a mapping belongs, a
    mapping where a list belongs). Values that are set but unknown (`!Ref Key`) are
    views of an Unknown."""
    return views_below(View(resolver, node, "", node), path)


def views_below(start: View, path: str) -> list[View] | Unknown:
    """`views_at` from a view."""
    views = [start]
    parts = path.split(".")
    for depth, part in enumerate(parts):
        following = []
        for view in views:
            if part == "*":
                problem = view.list_problem
                if problem is not None:
                    return problem
                following.extend(view.items())
                continue
            child = view.get(part)
            if child.unknown is not None and depth < len(parts) - 1:
                return child.unknown
            if not child.missing:
                following.append(child)
        views = following
    return views


def lookup(resolver, node, path: str) -> list[tuple[object, object]] | Unknown:
    """(node to point at, resolved value) for every value at `path` below `node`, or why
    the path cannot be followed (see `views_at`)."""
    views = views_at(resolver, node, path)
    return views if isinstance(views, Unknown) else [(view.node, view.value) for view in views]


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
    if None in values:  # a list or a mapping where a single value belongs
        return Unknown(f"{test['path']} is not a single value")
    if "equals" in test:
        return bool(values) and all(v == as_text(test["equals"]) for v in values)
    if "not-equals" in test:
        return all(v != as_text(test["not-equals"]) for v in values)
    raise ValueError(f"table test without present/equals/not-equals: {test}")
