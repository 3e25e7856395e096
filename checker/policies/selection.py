"""Which resources of a template a policy is about: its types (globs) matched once,
the resources grouped by type once per scenario."""

from __future__ import annotations

from fnmatch import fnmatchcase
from functools import cache


@cache
def type_matches(globs: tuple[str, ...], resource_type: str) -> bool:
    return any(fnmatchcase(resource_type, glob) for glob in globs)


def resources_of(context, globs: tuple[str, ...]) -> list[tuple[str, dict]]:
    """The resources of the scenario whose type matches one of `globs`, in template order
    (the resources are grouped by type once per scenario: a hundred policies do not each
    walk every resource)."""
    return context.cached(("policies: resources of", globs), lambda: _resources_of(context, globs))


def _resources_of(context, globs: tuple[str, ...]) -> list[tuple[str, dict, int]]:
    by_type = context.cached("policies: resources by type", lambda: _by_type(context.resources()))
    matching = [members for resource_type, members in by_type.items() if type_matches(globs, resource_type)]
    if len(matching) == 1:
        return matching[0]
    return sorted((member for members in matching for member in members), key=lambda m: m[2])


def _by_type(resources) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for index, (logical_id, resource) in enumerate(resources):
        grouped.setdefault(str(resource.get("Type", "")), []).append((logical_id, resource, index))
    return grouped
