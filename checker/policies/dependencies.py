"""What of a scenario a resource's values depend on, so that a policy's answer is worked
out once for every set of scenarios that read the resource alike.

A resource reads the same in two scenarios when the parameters and pseudo parameters it
names (`Ref`, `Fn::Sub` variables, the region `Fn::GetAZs` implies) have the same values
and the conditions it names (`Fn::If`) the same outcomes: intrinsic resolution is pure
(see checker/model/intrinsics.py). Everything else in it (literals, mappings, references
to resources) is the same in every scenario.
"""

from __future__ import annotations

from ..model.intrinsics import SUB_VARIABLE, intrinsic
from .selection import resources_of, type_matches


def scenario_key(context, logical_id: str, resource: dict) -> tuple:
    """The values, in this scenario, of what the resource depends on: equal keys, equal
    readings of the resource. `()` when it reads the same in every scenario."""

    def compute() -> tuple:
        names, conditions = dependencies(context.template, logical_id, resource)
        scenario = context.scenario
        values = [repr(_value(scenario, name)) for name in names]
        return (*values, *(repr(context.resolver.condition(name)) for name in conditions))

    return context.cached(("policies: scenario key", logical_id), compute)


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
    (`scenario_key`): equal keys, equal policy answers about them. `()` when they
    are `invariant`."""
    if invariant(context.template, globs):
        return ()
    return context.cached(
        ("policies: group key", globs),
        lambda: tuple(
            (logical_id, scenario_key(context, logical_id, resource))
            for logical_id, resource, _ in resources_of(context, globs)
        ),
    )


def dependencies(template, logical_id: str, resource: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(parameter and pseudo parameter names, condition names) the resource names,
    SAM `Globals` included; read once per template."""
    key = ("policies: dependencies", logical_id)
    if key not in template.derived:
        names: set[str] = set()
        conditions: set[str] = set()
        resources = template.resources
        stack = [template.properties_of(resource), *(v for k, v in resource.items() if k not in ("Type", "Properties"))]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                call = intrinsic(item)
                if call is not None:
                    name, argument = call
                    if name == "Ref" and isinstance(argument, str):
                        names.add(argument)
                    elif name == "Fn::If" and isinstance(argument, list) and argument:
                        conditions.add(str(argument[0]))
                    elif name == "Fn::GetAZs":
                        names.add("AWS::Region")
                    elif name == "Fn::Sub":
                        text = argument[0] if isinstance(argument, list) and argument else argument
                        if isinstance(text, str):
                            names.update(v.split(".", 1)[0].strip() for v in SUB_VARIABLE.findall(text))
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
        names = {n for n in names if n not in resources or n in template.parameters}
        template.derived[key] = (tuple(sorted(names)), tuple(sorted(conditions)))
    return template.derived[key]


def _value(scenario, name: str):
    if scenario is None:
        return None
    return scenario.parameters[name] if name in scenario.parameters else scenario.pseudo.get(name)
