"""What of a scenario a resource's values depend on: two scenarios that give it the
same values read it alike, so what is found about it in one holds in the other.

A resource reads the same in two scenarios when the parameters and pseudo parameters it
names (`Ref`, `Fn::Sub` variables, the region `Fn::GetAZs` implies) have the same values
and the conditions it names (`Fn::If`) the same outcomes: intrinsic resolution is pure
(see intrinsics.py). Everything else in it (literals, mappings, references to resources)
is the same in every scenario. Both are read once per template (`Template.derived`).
"""

from __future__ import annotations

from .intrinsics import SUB_VARIABLE, intrinsic


def dependencies(template, logical_id: str, resource: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(parameter and pseudo parameter names, condition names) the resource names,
    SAM `Globals` included."""
    return _read(template, logical_id, resource)[:2]


def referred(template, logical_id: str) -> tuple[str, ...]:
    """The other resources a resource refers to (`Ref`, `Fn::GetAtt`, `Fn::Sub`), and those
    they refer to, and so on, in a stable order."""
    key = ("readings: referred", logical_id)
    if key not in template.derived:
        found: dict[str, None] = {}
        pending = [logical_id]
        while pending:
            current = pending.pop()
            resource = template.resources.get(current)
            if not isinstance(resource, dict):
                continue
            for name in _read(template, current, resource)[2]:
                if name != logical_id and name not in found:
                    found[name] = None
                    pending.append(name)
        template.derived[key] = tuple(sorted(found))
    return template.derived[key]


def dependencies_with_referred(template, logical_id: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`dependencies` of the resource and of every resource it refers to, with the
    conditions that decide whether they exist (their own `Condition`, and the resource's)."""
    key = ("readings: with referred", logical_id)
    if key not in template.derived:
        names: set[str] = set()
        conditions: set[str] = set()
        for current in (logical_id, *referred(template, logical_id)):
            resource = template.resources[current]
            if not isinstance(resource, dict):
                continue
            own_names, own_conditions = dependencies(template, current, resource)
            names.update(own_names)
            conditions.update(own_conditions)
            if isinstance(resource.get("Condition"), str):
                conditions.add(resource["Condition"])
        template.derived[key] = (tuple(sorted(names)), tuple(sorted(conditions)))
    return template.derived[key]


def _read(template, logical_id: str, resource: dict) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    key = ("readings: names", logical_id)
    if key not in template.derived:
        names: set[str] = set()
        conditions: set[str] = set()
        attributes: set[str] = set()
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
                    elif name == "Fn::GetAtt":
                        target = argument.split(".", 1)[0] if isinstance(argument, str) else None
                        if isinstance(argument, list) and argument and isinstance(argument[0], str):
                            target = argument[0]
                        if target is not None:
                            attributes.add(target)
                    elif name == "Fn::Sub":
                        text = argument[0] if isinstance(argument, list) and argument else argument
                        if isinstance(text, str):
                            names.update(v.split(".", 1)[0].strip() for v in SUB_VARIABLE.findall(text))
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
        others = tuple(sorted(str(n) for n in (names | attributes) & resources.keys() if n not in template.parameters))
        names = {n for n in names if n not in resources or n in template.parameters}
        template.derived[key] = (tuple(sorted(names)), tuple(sorted(conditions)), others)
    return template.derived[key]
