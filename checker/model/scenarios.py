"""The scenarios a template is checked in: one per combination of parameter values.

Parameters with `AllowedValues` that the template uses (or that the policy depends
on, like `Environment`) span the scenarios;
a parameter with only a `Default` takes that value; one with neither is unknown.
Values pinned by the user (`--param`, config) replace all of that. Past the cap the
scenarios are sampled deterministically, every allowed value still appearing at least
once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import product
from math import prod
from typing import Any

from .intrinsics import Unknown, as_text, referenced_names
from .template import Template


@dataclass(frozen=True)
class Scenario:
    varying: tuple[tuple[str, str], ...]
    """The parameters that differ between this template's scenarios, with their values."""
    parameters: dict[str, Any]
    """Every parameter's value in this scenario (an `Unknown` where none is known)."""

    @property
    def label(self) -> str:
        return ", ".join(f"{name}={value}" for name, value in self.varying)

    def __hash__(self) -> int:
        return hash(self.varying)


@dataclass
class ScenarioSet:
    scenarios: list[Scenario]
    total: int
    """How many combinations there are; more than len(scenarios) when sampled."""

    @property
    def sampled(self) -> bool:
        return self.total > len(self.scenarios)


def parameter_value(name: str, definition, raw) -> Any:
    """A parameter's value as `Ref` returns it: list types split on commas."""
    text = as_text(raw)
    if text is None:
        return Unknown(f"parameter {name} has no usable value")
    kind = definition.get("Type", "String") if isinstance(definition, dict) else "String"
    if isinstance(kind, str) and (kind == "CommaDelimitedList" or kind.startswith("List<")):
        return [part.strip() for part in text.split(",")]
    return text


def build_scenarios(
    template: Template, pins: dict[str, str], cap: int, policy_parameters: set[str] = frozenset()
) -> ScenarioSet:
    """The scenarios of `template`. `policy_parameters` vary even when the template
    does not use them, because the policy's expectations depend on them."""
    used = set(referenced_names(template.resources)) | set(referenced_names(template.conditions)) | policy_parameters
    fixed: dict[str, Any] = {}
    choices: dict[str, list[str]] = {}
    for name, definition in template.parameters.items():
        name = str(name)
        definition = definition if isinstance(definition, dict) else {}
        allowed = definition.get("AllowedValues")
        if name in pins:
            fixed[name] = parameter_value(name, definition, pins[name])
        elif name in used and isinstance(allowed, list) and len(allowed) > 1:
            values = [text for text in map(as_text, allowed) if text is not None]
            choices[name] = list(dict.fromkeys(values))
        elif isinstance(allowed, list) and len(allowed) == 1:
            fixed[name] = parameter_value(name, definition, allowed[0])
        elif "Default" in definition:
            fixed[name] = parameter_value(name, definition, definition["Default"])
        else:
            fixed[name] = Unknown(f"parameter {name} has no default")

    names = sorted(choices)
    total = prod(len(choices[n]) for n in names)
    if total <= cap:
        combinations = list(product(*(choices[n] for n in names)))
    else:
        combinations = _sample(names, choices, total, cap)
    scenarios = []
    for combination in combinations:
        varying = tuple(zip(names, combination, strict=True))
        parameters = dict(fixed)
        for name, value in varying:
            parameters[name] = parameter_value(name, template.parameters[name], value)
        scenarios.append(Scenario(varying, parameters))
    return ScenarioSet(scenarios, total)


def _sample(names: list[str], choices: dict[str, list[str]], total: int, cap: int) -> list[tuple]:
    """`cap` distinct combinations: first the diagonal, so each value appears, then a
    seeded random pick of the rest."""
    widest = max(len(choices[n]) for n in names)
    picked: dict[tuple, None] = {}
    for i in range(widest):
        picked[tuple(choices[n][i % len(choices[n])] for n in names)] = None
    rng = random.Random(0)
    while len(picked) < cap:
        index = rng.randrange(total)
        combination = []
        for n in names:
            index, digit = divmod(index, len(choices[n]))
            combination.append(choices[n][digit])
        picked[tuple(combination)] = None
    return list(picked)[:cap]
