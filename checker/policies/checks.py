"""What a policy asserts about a resource, and its answer in one scenario.

A check is a test of the values a path reaches (`exists`, `equals`, `matches`, ...),
a combination of checks (`all-of`, `any-of`, `not`), or the one relation across
resources: `referenced-by` (another resource of a type refers to this one by `Ref`,
`Fn::GetAtt` or `Fn::Sub`). Its answer has three values, as the built-in rules' have:
it holds, it fails (with where and why), or it cannot be told (with the unknown value
and its reason), which a policy reports as the shared info finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..model.intrinsics import NO_VALUE, SUB_VARIABLE, Unknown, as_text, intrinsic
from ..model.resource_view import MISSING, View
from .dependencies import conditions_key
from .paths import Path, Selection, select
from .selection import resources_of

COMPARISONS: dict[str, tuple[str, Callable[[float, float], bool]]] = {
    "at-least": ("at least", lambda value, limit: value >= limit),
    "at-most": ("at most", lambda value, limit: value <= limit),
    "greater-than": ("greater than", lambda value, limit: value > limit),
    "less-than": ("less than", lambda value, limit: value < limit),
}
TESTS = ("exists", "absent", "equals", "one-of", "not-one-of", "matches", *COMPARISONS, "length")


@dataclass(frozen=True)
class Answer:
    holds: bool | None
    """True, False, or None when it cannot be told."""
    view: View | None = None
    """Where it fails or what is not known (None: the resource as a whole)."""
    reason: str = ""
    """Why it fails: `Properties.MultiAZ is false, not true`."""
    unknown: Unknown | None = None
    what: str = ""
    """What cannot be told: `whether Properties.MultiAZ equals true`."""


HOLDS = Answer(True)


@dataclass(frozen=True)
class Test:
    path: Path
    test: str
    """One of TESTS."""
    argument: Any

    def describe(self) -> str:
        argument = self.argument
        if self.test in ("exists", "absent"):
            return f"{self.path} {'is set' if (self.test == 'exists') == argument else 'is not set'}"
        if self.test in ("one-of", "not-one-of"):
            return f"{self.path} is {'not ' if self.test == 'not-one-of' else ''}one of {_listed(argument)}"
        if self.test == "length":
            bounds = " and ".join(f"{COMPARISONS[k][0]} {_number(v)}" for k, v in argument.items())
            return f"{self.path} has {bounds} items"
        if self.test in COMPARISONS:
            return f"{self.path} is {COMPARISONS[self.test][0]} {_number(argument)}"
        if self.test == "matches":
            return f"{self.path} matches {argument}"
        return f"{self.path} equals {_shown(argument)}"

    def answer(self, resource: Resource) -> Answer:
        selection = resource.select(self.path)
        if selection.problem is not None:
            return Answer(None, selection.at, unknown=selection.problem, what=f"whether {self.describe()}")
        undecided = None
        for view in selection.views:
            answer = self._one(view, resource)
            if answer.holds is False:
                return answer
            if answer.holds is None and undecided is None:
                undecided = answer
        return undecided or HOLDS

    def _one(self, view: View, resource: Resource) -> Answer:
        if self.test in ("exists", "absent") and _written_here(view, resource.context.resolver):
            view = View(None, None, view.path, view.node, True)  # set, whatever its value
        if view.unknown is not None:
            return Answer(None, view, unknown=view.unknown, what=f"whether {self.describe()}")
        test, argument, where = self.test, self.argument, view.path
        if test in ("exists", "absent"):
            wanted = argument if test == "exists" else not argument
            if view.missing == wanted:
                return Answer(False, view, f"{where} is {'not ' if wanted else ''}set")
            return HOLDS
        if view.missing:
            if test == "not-one-of":
                return HOLDS
            return Answer(False, view, f"{where} is not set (it must be {self._expected()})")
        if test == "length":
            value = view.value
            if not isinstance(value, list | dict | str):
                return Answer(False, view, f"{where} is {_shown(value)}, which has no length")
            for bound, limit in argument.items():
                name, compare = COMPARISONS[bound]
                if not compare(len(value), limit):
                    return Answer(False, view, f"{where} has {len(value)} items, not {name} {_number(limit)}")
            return HOLDS
        text = view.text
        if text is None:  # a list or mapping where one value belongs: unknown, as in tapcheck's rules
            return Answer(None, view, unknown=view.scalar_problem, what=f"whether {self.describe()}")
        if test == "equals" and text != as_text(argument):
            return Answer(False, view, f"{where} is {_shown(text)}, not {_shown(argument)}")
        if test == "one-of" and text not in [as_text(v) for v in argument]:
            return Answer(False, view, f"{where} is {_shown(text)}, not one of {_listed(argument)}")
        if test == "not-one-of" and text in [as_text(v) for v in argument]:
            return Answer(False, view, f"{where} is {_shown(text)}, which it must not be")
        if test == "matches" and _pattern(argument).search(text) is None:
            return Answer(False, view, f"{where} is {_shown(text)}, which does not match {argument}")
        if test in COMPARISONS:
            name, compare = COMPARISONS[test]
            try:
                number = float(text)
            except ValueError:
                return Answer(False, view, f"{where} is {_shown(text)}, not a number")
            if not compare(number, argument):
                return Answer(False, view, f"{where} is {text}, not {name} {_number(argument)}")
        return HOLDS

    def _expected(self) -> str:
        """What the test wants of the value, after "it must be"."""
        if self.test == "equals":
            return _shown(self.argument)
        if self.test == "matches":
            return f"text matching {self.argument}"
        if self.test == "length":
            return "a list"
        return self.describe().removeprefix(f"{self.path} is ")


@dataclass(frozen=True)
class AllOf:
    checks: tuple

    def describe(self) -> str:
        return " and ".join(check.describe() for check in self.checks)

    def answer(self, resource: Resource) -> Answer:
        undecided = None
        for check in self.checks:
            answer = check.answer(resource)
            if answer.holds is False:
                return answer
            undecided = undecided or (answer if answer.holds is None else None)
        return undecided or HOLDS


@dataclass(frozen=True)
class AnyOf:
    checks: tuple

    def describe(self) -> str:
        return "one of: " + "; ".join(check.describe() for check in self.checks)

    def answer(self, resource: Resource) -> Answer:
        answers = []
        for check in self.checks:
            answer = check.answer(resource)
            if answer.holds:
                return HOLDS
            answers.append(answer)
        undecided = next((a for a in answers if a.holds is None), None)
        if undecided is not None:
            return undecided
        return Answer(False, answers[0].view, ", and ".join(a.reason for a in answers))


@dataclass(frozen=True)
class Not:
    check: Any

    def describe(self) -> str:
        return f"not ({self.check.describe()})"

    def answer(self, resource: Resource) -> Answer:
        answer = self.check.answer(resource)
        if answer.holds is None:
            return Answer(None, answer.view, unknown=answer.unknown, what=f"whether {self.describe()}")
        if answer.holds is False:
            return HOLDS
        view = _deepest(resource, self.check)
        return Answer(False, view, f"{self.check.describe()}, which it must not")


@dataclass(frozen=True)
class ReferencedBy:
    types: tuple[str, ...]
    path: Path | None = None

    def describe(self) -> str:
        below = f" in {self.path}" if self.path else ""
        return f"a resource of type {' or '.join(self.types)} refers to it{below}"

    def answer(self, resource: Resource) -> Answer:
        certain, possible = resource.referrers(self)
        if certain:
            return HOLDS
        what = f"whether {self.describe()}"
        if possible:
            return Answer(None, None, unknown=possible[0], what=what)
        below = f" in {self.path}" if self.path else ""
        kinds = " or ".join(self.types)
        return Answer(False, None, f"no {kinds} refers to it{below} (by Ref, Fn::GetAtt or Fn::Sub)")


Check = Test | AllOf | AnyOf | Not | ReferencedBy


class Resource:
    """One resource of a template in one scenario, as checks read it."""

    def __init__(self, context, logical_id: str, resource: dict) -> None:
        self.context = context
        self.logical_id = logical_id
        self.resource = resource

    def select(self, path: Path) -> Selection:
        views = self.context.cached(
            ("policies: roots", self.logical_id), lambda: roots(self.context, self.logical_id, self.resource)
        )
        return select(views, path)

    def referrers(self, relation: ReferencedBy) -> tuple[list[str], list[Unknown]]:
        """Resources of the relation's types that refer to this one, and the reasons
        why others might (a reference in a branch the scenario leaves undecided)."""
        found = referrers_map(self.context, relation)
        certain, possible = found.get(self.logical_id, ([], []))
        return certain, possible


def relations(check) -> tuple[ReferencedBy, ...]:
    """The relations a check reads (its answer depends on other resources through them)."""
    if isinstance(check, ReferencedBy):
        return (check,)
    if isinstance(check, Not):
        return relations(check.check)
    if isinstance(check, AllOf | AnyOf):
        return tuple(relation for c in check.checks for relation in relations(c))
    return ()


def referrers_map(context, relation: ReferencedBy) -> dict:
    """`references` in this scenario: the same object for every scenario that has the
    same referring resources, read alike."""
    return context.cached(("policy-references", relation), lambda: references(context, relation))


def roots(context, logical_id: str, resource: dict) -> dict[str, View]:
    """The view of each path root: `Properties` as rules read it (SAM `Globals` merged),
    the other attributes as written. What is not set is reported at the resource's
    logical id, as the built-in rules do."""
    anchor = context.template.resource_key(logical_id)
    whole = View(context.resolver, resource, "", anchor)
    views = {name: whole.get(name) for name in ("Metadata", "DeletionPolicy", "UpdateReplacePolicy", "Condition")}
    properties = context.template.properties_of(resource)
    views["Properties"] = View(
        context.resolver, properties, "Properties", anchor, None if properties is not None else MISSING
    )
    return views


def references(context, relation: ReferencedBy) -> dict[str, tuple[list[str], list[Unknown]]]:
    """For every logical id: which resources of the relation's types refer to it, and
    what leaves other references undecided. Kept for the whole template when it cannot
    differ between scenarios (the referring resources always exist, their places are
    written, not computed, and no reference is in an `Fn::If` branch)."""
    referrers = resources_of(context, relation.types)
    key = ("policies: referrers", relation, conditions_key(context, relation.types))
    derived = context.template.derived
    if key in derived:
        return derived[key]
    found: dict[str, tuple[list[str], list[Unknown]]] = {}
    for logical_id, resource, _ in referrers:
        if relation.path is None:
            places = [context.view(logical_id)]
        else:
            selection = select(roots(context, logical_id, resource), relation.path)
            places = selection.views
            if selection.problem is not None:
                places.append(selection.at)
        for place in places:
            for target, undecided in _references_at(context, place):
                if target == logical_id:
                    continue
                certain, possible = found.setdefault(target, ([], []))
                if undecided is None:
                    certain.append(logical_id)
                else:
                    possible.append(Unknown(f"{logical_id} refers to it only where {undecided.reason}"))
    derived[key] = found
    return found


def _references_at(context, place: View) -> list[tuple[str, Unknown | None]]:
    """The logical ids a place refers to in the scenario, each with why the reference
    might not be there (an `Fn::If` the scenario leaves undecided), or None when it is."""
    key = ("policies: references", id(place.written))
    derived = context.template.derived
    if key not in derived:
        derived[key] = _referenced(place.written)
    found = []
    for target, branches in derived[key]:
        undecided = None
        for condition, taken in branches:
            outcome = context.resolver.condition(condition)
            if isinstance(outcome, Unknown):
                undecided = undecided or outcome
            elif outcome != taken:
                break
        else:
            found.append((target, undecided))
    return found


def _referenced(node) -> list[tuple[str, tuple[tuple[str, bool], ...]]]:
    """Every logical id `node` refers to by `Ref`, `Fn::GetAtt` or `Fn::Sub`, with the
    `Fn::If` branches it is written in ((condition, branch taken), ...): read once per
    template, the branches are decided per scenario."""
    found: list[tuple[str, tuple[tuple[str, bool], ...]]] = []
    stack: list[tuple[Any, tuple]] = [(node, ())]
    while stack:
        item, branches = stack.pop()
        call = intrinsic(item)
        if call is not None:
            name, argument = call
            if name == "Fn::If" and isinstance(argument, list) and len(argument) == 3 and isinstance(argument[0], str):
                stack.append((argument[1], (*branches, (argument[0], True))))
                stack.append((argument[2], (*branches, (argument[0], False))))
                continue
            if name == "Ref" and isinstance(argument, str):
                found.append((argument, branches))
            elif name == "Fn::GetAtt":
                target = argument[0] if isinstance(argument, list) and argument else argument
                if isinstance(target, str):
                    found.append((target.split(".", 1)[0], branches))
            elif name == "Fn::Sub":
                text = argument[0] if isinstance(argument, list) and argument else argument
                if isinstance(text, str):
                    for variable in SUB_VARIABLE.findall(text):
                        if not variable.startswith("!"):
                            found.append((variable.split(".", 1)[0].strip(), branches))
        if isinstance(item, dict):
            stack.extend((value, branches) for value in item.values())
        elif isinstance(item, list):
            stack.extend((value, branches) for value in item)
    return found


def _written_here(view: View, resolver) -> bool:
    """Whether a value is written at the view's place in this scenario (known or not)."""
    if view.written is None:
        return False
    active = resolver.active(view.written)
    return not isinstance(active, Unknown) and active is not NO_VALUE


def _deepest(resource: Resource, check) -> View | None:
    """Where a check that holds points (for a `not` that fails): its first path's place."""
    while not isinstance(check, Test):
        if isinstance(check, Not):
            check = check.check
        elif isinstance(check, AllOf | AnyOf):
            check = check.checks[0]
        else:
            return None
    views = resource.select(check.path).views
    return views[0] if views else None


@cache
def _pattern(text: str) -> re.Pattern:
    return re.compile(text)


def _shown(value) -> str:
    """A value as a message shows it: text as CloudFormation sees it, quoted when it has spaces."""
    text = as_text(value)
    if text is None:
        return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else "not set"
    return f'"{text}"' if isinstance(value, str) and (not text or " " in text) else text


def _listed(values) -> str:
    return ", ".join(_shown(v) for v in values)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
