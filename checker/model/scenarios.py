"""The scenarios a template is checked in: the ways it can be deployed.

A *variable* is something a deployment chooses: a parameter's value (its
`AllowedValues`; else the literals the conditions compare it with plus "any other
value"), or the outcome of a condition that cannot be evaluated before deployment.
Parameters no condition and no checked value depends on keep their `Default`. Values
pinned by the user (`--param`, config) replace all of that.

Variables that meet (in one condition, one resource or resources that refer to each
other, one rule of the template's `Rules`) form a *group*; groups are combined
independently, so every combination within a group is checked without multiplying
all groups together: scenario k takes each group's k-th combination. Parameters the
policy depends on (say `Environment`) are shared by every group. Combinations the
template's `Rules` refuse are left out; past the cap (per group), each value still
appears once and the rest is sampled, and the space says what was left out.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from itertools import combinations, product
from math import prod
from typing import Any

from .intrinsics import PSEUDO_PARAMETERS, OtherValue, Resolver, Unknown, as_text, intrinsic, referenced_names
from .rules_section import deployable, rule_parameters
from .template import Template


class _Other:
    """The choice "any value other than the literals the conditions name"."""

    def __repr__(self) -> str:
        return "OTHER"


OTHER = _Other()

PROBE_LIMIT = 256
"""Combinations of its parameters a condition is tried with to see whether it can be decided."""


@dataclass(frozen=True)
class Variable:
    name: str
    kind: str
    """`parameter` (pseudo parameters included) or `condition`."""
    choices: tuple
    """Literal values (and `OTHER`) for a parameter, True and False for a condition."""


@dataclass(frozen=True)
class Scenario:
    index: int
    choices: dict[str, Any]
    """The choice of every variable in this scenario."""
    parameters: dict[str, Any]
    """Every parameter's value (an `Unknown` where none is known)."""
    pseudo: dict[str, Any]
    """Values of pseudo parameters that vary between scenarios."""
    outcomes: dict[str, bool]
    """Outcomes of the conditions that cannot be evaluated statically."""

    @property
    def label(self) -> str:
        """Every variable's choice, for debugging and tests (findings use `Label`)."""
        return ", ".join(f"{name}={_shown(choice)}" for name, choice in sorted(self.choices.items()))

    def __hash__(self) -> int:
        return self.index


@dataclass(frozen=True)
class Label:
    """The set of scenarios a finding holds in, said briefly and machine-readably."""

    text: str
    """One line: `only when Environment=production`."""
    any_of: list
    """The same as a disjunction of conjunctions of clauses (see the README)."""


@dataclass
class ScenarioSpace:
    variables: dict[str, Variable]
    groups: list[tuple[str, ...]]
    """The variables of each group (shared variables not included)."""
    shared: tuple[str, ...]
    resource_group: dict[str, int]
    """Which group a resource's findings depend on."""
    scenarios: list[Scenario]
    notes: list[str] = field(default_factory=list)
    """What was left out, said for the report."""

    @property
    def sampled(self) -> bool:
        return any(note.startswith("checked ") for note in self.notes)

    def describe(self, holding: set[int], resource: str | None, conditions: list[dict]) -> Label | None:
        """The shortest label for the scenarios (by index) a finding of `resource` holds
        in; None when it holds in all. `conditions` gives each scenario's condition values."""
        if len(holding) == len(self.scenarios):
            return None
        group = self.resource_group.get(resource) if resource is not None else None
        scope = list(self.shared) + (list(self.groups[group]) if group is not None else [])
        if not _consistent(self.scenarios, holding, scope):
            scope = list(self.variables)
        best = None
        for size in range(1, min(3, len(scope)) + 1):
            for names in combinations(scope, size):
                if _consistent(self.scenarios, holding, names):
                    candidate = self._label(names, holding)
                    if best is None or len(candidate.text) < len(best.text):
                        best = candidate
            if best is not None:
                break
        if best is None or " and " in best.text:
            named = _by_condition(holding, conditions, len(self.scenarios))
            if named is not None and (best is None or len(named.text) <= len(best.text)):
                best = named
        if best is None:
            best = self._label(_reduced(self.scenarios, holding, scope), holding)
        return best

    def _label(self, names: tuple[str, ...], holding: set[int]) -> Label:
        inside, outside = set(), set()
        for scenario in self.scenarios:
            key = tuple(scenario.choices[n] for n in names)
            (inside if scenario.index in holding else outside).add(key)
        if len(names) == 1:
            (name,) = names
            text, clause = _phrase(self.variables[name], {k[0] for k in inside}, {k[0] for k in inside | outside})
            return Label(f"only when {text}", [[clause]])
        terms = [[_clause(self.variables[n], {v}) for n, v in zip(names, key, strict=True)] for key in _ordered(inside)]
        text = " or ".join(_term_text(self.variables, names, key, len(inside) > 1) for key in _ordered(inside))
        if len(text) > 160:
            text = f"{len(inside)} of {len(inside | outside)} combinations of {', '.join(names)}"
        return Label(f"only when {text}", terms)


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
    template: Template,
    pins: dict[str, str],
    cap: int,
    policy_parameters: set[str] = frozenset(),
    pseudo: dict[str, str] | None = None,
) -> ScenarioSpace:
    """The scenario space of `template`. `policy_parameters` vary even when the template
    does not use them, because the policy's expectations depend on them; `pseudo` gives
    the pseudo parameters whose value is known (the stack name from the config)."""
    builder = _Builder(template, pins, pseudo or {}, policy_parameters)
    return builder.space(cap)


class _Builder:
    def __init__(self, template: Template, pins: dict[str, str], pseudo: dict[str, str], policy: set[str]) -> None:
        self.template = template
        self.definitions = {str(k): (v if isinstance(v, dict) else {}) for k, v in template.parameters.items()}
        self.known_pseudo = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", **pseudo}
        self.pins = pins
        self.literals = _condition_literals(template)
        self.fixed: dict[str, Any] = {}
        self.variables: dict[str, Variable] = {}
        used = set(referenced_names(template.resources)) | set(referenced_names(template.conditions))
        for name, definition in self.definitions.items():
            self._parameter(name, definition, name in used or name in policy)
        for name in sorted(self.literals.keys() & PSEUDO_PARAMETERS - set(pseudo)):
            if name not in ("AWS::NoValue", "AWS::NotificationARNs"):
                self.variables[name] = Variable(name, "parameter", (*sorted(self.literals[name]), OTHER))
        self.shared = tuple(sorted(n for n in policy if n in self.variables))
        self.condition_deps: dict[str, set[str]] = {}
        for name in self.template.conditions:
            self._condition(str(name))

    # --- variables ------------------------------------------------------------------
    def _parameter(self, name: str, definition: dict, used: bool) -> None:
        allowed = definition.get("AllowedValues")
        if name in self.pins:
            self.fixed[name] = parameter_value(name, definition, self.pins[name])
        elif used and isinstance(allowed, list) and len(allowed) > 1:
            values = [text for text in map(as_text, allowed) if text is not None]
            self.variables[name] = Variable(name, "parameter", tuple(dict.fromkeys(values)))
        elif isinstance(allowed, list) and len(allowed) == 1:
            self.fixed[name] = parameter_value(name, definition, allowed[0])
        elif self.literals.get(name):
            self.variables[name] = Variable(name, "parameter", (*sorted(self.literals[name]), OTHER))
        elif "Default" in definition:
            self.fixed[name] = parameter_value(name, definition, definition["Default"])
        else:
            self.fixed[name] = Unknown(f"parameter {name} has no default")

    def value(self, name: str, choice) -> Any:
        """What `Ref name` gives for a choice of the variable `name`."""
        definition = self.definitions.get(name, {})
        if choice is not OTHER:
            return parameter_value(name, definition, choice)
        default = definition.get("Default", self.known_pseudo.get(name))
        if default is not None and as_text(default) not in self.literals.get(name, ()):
            return parameter_value(name, definition, default)
        return OtherValue(name, frozenset(self.literals.get(name, ())))

    def resolver(self, choices: dict[str, Any], exact: bool = False) -> Resolver:
        """A resolver for a (partial) choice of variables; with `exact`, "any other value"
        stays abstract instead of taking the default (for the `Rules` section)."""
        parameters, pseudo, outcomes = dict(self.fixed), dict(self.known_pseudo), {}
        for name, choice in choices.items():
            variable = self.variables[name]
            if variable.kind == "condition":
                outcomes[name] = choice
                continue
            if exact and choice is OTHER:
                value = OtherValue(name, frozenset(self.literals.get(name, ())))
            else:
                value = self.value(name, choice)
            (pseudo if name in PSEUDO_PARAMETERS else parameters)[name] = value
        for name, variable in self.variables.items():  # variables not chosen: unknown
            if variable.kind == "parameter" and name not in choices:
                target = pseudo if name in PSEUDO_PARAMETERS else parameters
                target.setdefault(name, Unknown(f"{name} is not chosen here"))
        return Resolver(self.template, parameters, pseudo, outcomes)

    def _condition(self, name: str) -> set[str]:
        """The variables a condition depends on; a condition that cannot be decided from
        them becomes a variable of its own."""
        if name in self.condition_deps:
            return self.condition_deps[name]
        self.condition_deps[name] = set()  # a condition that refers to itself stays undecided
        definition = self.template.conditions.get(name)
        deps = {n for n in referenced_names(definition) if n in self.variables}
        for referenced in _referenced_conditions(definition):
            deps |= self._condition(referenced)
        names = sorted(deps)
        domains = [self.variables[n].choices for n in names]
        decided = True
        for index, combination in enumerate(product(*domains)):
            if index >= PROBE_LIMIT:
                break
            if isinstance(self.resolver(dict(zip(names, combination, strict=True))).condition(name), Unknown):
                decided = False
                break
        if not decided:
            self.variables[name] = Variable(name, "condition", (True, False))
            deps = deps | {name}
        self.condition_deps[name] = deps
        return deps

    # --- groups ---------------------------------------------------------------------
    def groups(self) -> tuple[list[tuple[str, ...]], dict[str, int]]:
        parent: dict[tuple, tuple] = {}

        def find(node):
            parent.setdefault(node, node)
            while parent[node] != node:
                parent[node] = parent[parent[node]]
                node = parent[node]
            return node

        def union(a, b):
            parent[find(a)] = find(b)

        shared = set(self.shared)
        for name in self.variables:
            find(("v", name))
        for name, deps in self.condition_deps.items():
            for dep in deps - shared:
                union(("c", name), ("v", dep))
        resources = {str(k) for k in self.template.resources}
        for logical_id, resource in self.template.resources.items():
            node = ("r", str(logical_id))
            find(node)
            for referenced in set(referenced_names(resource)):
                if referenced in self.variables and referenced not in shared:
                    union(node, ("v", referenced))
                elif referenced in resources:
                    union(node, ("r", referenced))
            for condition in _used_conditions(resource):
                union(node, ("c", condition))
        for rule in self.template.section("Rules").values():
            names = [n for n in rule_parameters(rule) if n in self.variables and n not in shared]
            for a, b in zip(names, names[1:], strict=False):
                union(("v", a), ("v", b))
        members: dict[tuple, list[str]] = {}
        for node in list(parent):
            if node[0] == "v" and node[1] not in shared:
                members.setdefault(find(node), []).append(node[1])
        roots = sorted(members, key=lambda root: sorted(members[root]))
        groups = [tuple(sorted(members[root])) for root in roots]
        index = {root: i for i, root in enumerate(roots)}
        resource_group = {node[1]: index[find(node)] for node in parent if node[0] == "r" and find(node) in index}
        return groups, resource_group

    # --- the space --------------------------------------------------------------------
    def space(self, cap: int) -> ScenarioSpace:
        groups, resource_group = self.groups()
        rules = self.template.section("Rules")
        notes: list[str] = []
        shared_combos = self._combinations(self.shared, {}, cap, rules, notes)
        scenarios: list[Scenario] = []
        for shared in shared_combos:
            per_group = [self._combinations(group, shared, cap, rules, notes) for group in groups]
            if any(not combos for combos in per_group):
                continue  # the template's Rules refuse every combination of some group
            for k in range(max((len(c) for c in per_group), default=1)):
                choices = dict(shared)
                for combos in per_group:
                    choices.update(combos[k % len(combos)])
                scenarios.append(self._scenario(len(scenarios), choices))
        if not scenarios:
            notes.append("the template's Rules refuse every combination of parameter values; checked without them")
            return self._without_rules(cap, groups, resource_group, notes)
        return ScenarioSpace(self.variables, groups, self.shared, resource_group, scenarios, list(dict.fromkeys(notes)))

    def _without_rules(self, cap, groups, resource_group, notes) -> ScenarioSpace:
        scenarios = []
        for shared in self._combinations(self.shared, {}, cap, {}, notes):
            per_group = [self._combinations(group, shared, cap, {}, notes) for group in groups]
            for k in range(max((len(c) for c in per_group), default=1)):
                choices = dict(shared)
                for combos in per_group:
                    choices.update(combos[k % len(combos)])
                scenarios.append(self._scenario(len(scenarios), choices))
        return ScenarioSpace(self.variables, groups, self.shared, resource_group, scenarios, list(dict.fromkeys(notes)))

    def _scenario(self, index: int, choices: dict[str, Any]) -> Scenario:
        resolver = self.resolver(choices)
        return Scenario(index, choices, resolver.parameters, dict(resolver.pseudo), resolver.outcomes)

    def _combinations(self, names: tuple[str, ...], base: dict, cap: int, rules: dict, notes: list[str]) -> list[dict]:
        """The deployable combinations of `names` (with `base` chosen), at most `cap`."""
        domains = [self.variables[n].choices for n in names]
        total = prod(len(d) for d in domains)

        def admitted(combination) -> dict | None:
            choices = {**base, **dict(zip(names, combination, strict=True))}
            return choices if not rules or deployable(rules, self.resolver(choices, exact=True)) else None

        if total <= cap:
            kept = [c for c in map(admitted, product(*domains)) if c is not None]
            return [{n: c[n] for n in names} for c in kept]
        picked: dict[tuple, dict] = {}
        widest = max(len(d) for d in domains)
        candidates = [tuple(d[i % len(d)] for d in domains) for i in range(widest)]
        rng = random.Random(0)
        attempts = 0
        while len(picked) < cap and attempts < cap * 50:
            if candidates:
                combination = candidates.pop(0)
            else:
                index, combination = rng.randrange(total), []
                for domain in domains:
                    index, digit = divmod(index, len(domain))
                    combination.append(domain[digit])
                combination = tuple(combination)
            attempts += 1
            if combination not in picked:
                choices = admitted(combination)
                if choices is not None:
                    picked[combination] = {n: choices[n] for n in names}
        shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        notes.append(
            f"checked {len(picked)} of {total:,} combinations of {shown} (each value at least once; "
            "raise scenarios.max in .tapcheck.yml to check all)"
        )
        return list(picked.values())


# --- reading the template -------------------------------------------------------------
def _condition_literals(template: Template) -> dict[str, set[str]]:
    """For each parameter, the literals conditions compare a `Ref` to it with."""
    literals: dict[str, set[str]] = {}
    stack = list(template.conditions.values())
    while stack:
        node = stack.pop()
        call = intrinsic(node)
        if call and call[0] == "Fn::Equals" and isinstance(call[1], list) and len(call[1]) == 2:
            for ref, other in (call[1], call[1][::-1]):
                name = _ref_name(ref)
                text = as_text(other)
                if name is not None and text is not None:
                    literals.setdefault(name, set()).add(text)
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return literals


def _ref_name(node) -> str | None:
    call = intrinsic(node)
    return call[1] if call and call[0] == "Ref" and isinstance(call[1], str) else None


def _referenced_conditions(node) -> set[str]:
    """Names used as `{Condition: name}` inside a condition."""
    found, stack = set(), [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if set(item) == {"Condition"} and isinstance(item["Condition"], str):
                found.add(item["Condition"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _used_conditions(resource) -> set[str]:
    """The conditions a resource's existence or its values depend on."""
    found = set()
    if isinstance(resource, dict) and isinstance(resource.get("Condition"), str):
        found.add(resource["Condition"])
    stack = [resource]
    while stack:
        item = stack.pop()
        call = intrinsic(item)
        if call and call[0] == "Fn::If" and isinstance(call[1], list) and call[1] and isinstance(call[1][0], str):
            found.add(call[1][0])
        if isinstance(item, dict):
            if "Condition" in item and isinstance(item["Condition"], str) and len(item) == 1:
                found.add(item["Condition"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


# --- labels -----------------------------------------------------------------------------
def _consistent(scenarios: list[Scenario], holding: set[int], names) -> bool:
    """Whether the choices of `names` alone decide whether a scenario is in `holding`."""
    seen: dict[tuple, bool] = {}
    for scenario in scenarios:
        key = tuple(scenario.choices[n] for n in names)
        inside = scenario.index in holding
        if seen.setdefault(key, inside) != inside:
            return False
    return True


def _reduced(scenarios: list[Scenario], holding: set[int], names: list[str]) -> tuple[str, ...]:
    """`names` without every variable that can be dropped while the rest still decide."""
    kept = list(names)
    for name in list(kept):
        rest = [n for n in kept if n != name]
        if rest and _consistent(scenarios, holding, rest):
            kept = rest
    return tuple(kept)


def _by_condition(holding: set[int], conditions: list[dict], count: int) -> Label | None:
    """A label naming one condition of the template, when its value decides it."""
    if not conditions:
        return None
    for name in sorted(conditions[0]):
        values = [scenario.get(name) for scenario in conditions]
        if any(not isinstance(v, bool) for v in values):
            continue
        for wanted in (True, False):
            if {i for i, v in enumerate(values) if v is wanted} == holding:
                text = f"condition {name} is {'true' if wanted else 'false'}"
                return Label(f"only when {text}", [[{"condition": name, "is": wanted}]])
    return None


def _phrase(variable: Variable, inside: set, domain: set) -> tuple[str, dict]:
    """How a set of choices of one variable is said, and its clause."""
    clause = _clause(variable, inside, domain)
    if variable.kind == "condition":
        return f"condition {variable.name} is {'true' if True in inside else 'false'}", clause
    name = variable.name
    outside = domain - inside
    if OTHER in inside:
        excluded = sorted(v for v in outside)
        if excluded == [""]:
            return f"{name} is not empty", clause
        return f"{name} is not {' or '.join(_quoted(v) for v in excluded)}", clause
    values = sorted(inside)
    positive = f"{name}={_shown(values[0])}" if len(values) == 1 else f"{name} is {' or '.join(map(_shown, values))}"
    if len(values) > 6:
        positive = f"{name} is one of {len(values)} values ({', '.join(map(_shown, values[:3]))}, ...)"
    if values == [""]:
        positive = f"{name} is empty"
    if len(outside) == 1 and OTHER not in outside:
        negative = f"{name} is not {_quoted(next(iter(outside)))}"
        if len(negative) < len(positive) and len(values) > 1:
            return negative, clause
    return positive, clause


def _clause(variable: Variable, inside: set, domain: set | None = None) -> dict:
    if variable.kind == "condition":
        return {"condition": variable.name, "is": True in inside}
    if OTHER in inside:
        domain = domain if domain is not None else set(variable.choices)
        return {"parameter": variable.name, "not_in": sorted(v for v in domain - inside)}
    return {"parameter": variable.name, "in": sorted(inside)}


def _term_text(variables: dict[str, Variable], names, key, wrap: bool) -> str:
    parts = [_phrase(variables[n], {v}, set(variables[n].choices))[0] for n, v in zip(names, key, strict=True)]
    text = " and ".join(parts)
    return f"({text})" if wrap and len(parts) > 1 else text


def _ordered(keys: set[tuple]) -> list[tuple]:
    return sorted(keys, key=lambda key: tuple(_shown(v) for v in key))


def _shown(choice) -> str:
    if choice is OTHER:
        return "(any other value)"
    if isinstance(choice, bool):
        return "true" if choice else "false"
    text = str(choice)
    return _quoted(text) if not text or any(c.isspace() for c in text) else text


def _quoted(value) -> str:
    return f'"{value}"'
