"""Keys that say how a policy's resources read in a scenario, so that a policy's answer
is worked out once for every set of scenarios that read them alike (what a resource
reads alike means: checker/model/readings.py)."""

from __future__ import annotations

from ..model.readings import dependencies
from .selection import resources_of, type_matches


def invariant(template, globs: tuple[str, ...]) -> bool:
    """Whether every resource of these types exists and reads alike in every scenario
    (no `Condition`, no parameter, pseudo parameter or condition named in it)."""
    key = ("policies: invariant", globs)
    if key not in template.derived:
        template.derived[key] = all(
            "Condition" not in resource and dependencies(template, str(logical_id), resource) == ((), ())
            for logical_id, resource in template.resources.items()
            if isinstance(resource, dict) and type_matches(globs, str(resource.get("Type", "")))
        )
    return template.derived[key]


def conditions_key(context, globs: tuple[str, ...]) -> tuple:
    """The outcomes, in this scenario, of the conditions the resources of these types
    name (their own `Condition`, their `Fn::If`s): what decides which of them exist and
    which branches they take, so which resources they refer to."""
    template = context.template
    key = ("policies: conditions of", globs)
    if key not in template.derived:
        names: set[str] = set()
        for logical_id, resource in template.resources.items():
            if isinstance(resource, dict) and type_matches(globs, str(resource.get("Type", ""))):
                names.update(dependencies(template, str(logical_id), resource)[1])
                if "Condition" in resource:
                    names.add(str(resource["Condition"]))
        template.derived[key] = tuple(sorted(names))
    names = template.derived[key]
    if not names:
        return ()
    return context.cached(key, lambda: tuple(repr(context.resolver.condition(name)) for name in names))


def group_key(context, globs: tuple[str, ...]) -> tuple:
    """Which resources of these types exist in this scenario and how each reads
    (`ScenarioContext.reading`): equal keys, equal policy answers about them. `()` when they
    are `invariant`."""
    if invariant(context.template, globs):
        return ()
    return context.cached(
        ("policies: group key", globs),
        lambda: tuple((logical_id, context.reading(logical_id)) for logical_id, _, _ in resources_of(context, globs)),
    )
