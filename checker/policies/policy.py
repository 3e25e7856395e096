"""A policy: a team's own rule, written as data, run like tapcheck's rules.

It has what a built-in rule has (id, name, title, severity, area, the three parts of
its docs, a failing and a passing snippet) and the same `check(context)`: per
scenario, for every resource of its types that exists there and that its `when:`
and `where:` select, its assertion either holds, fails (a finding at the place that
fails) or cannot be told (the info finding every rule gives, naming the value).
"""

from __future__ import annotations

from dataclasses import dataclass
from textwrap import dedent

from ..findings import RuleMetadata
from ..model.intrinsics import OtherValue, Unknown, as_text
from ..model.resource_view import View
from .checks import (
    HOLDS,
    Answer,
    Check,
    Resource,
    referrers_map,
    relations,
)
from .dependencies import group_key
from .selection import resources_of, type_matches

POLICY_TAG = "policy"
"""The tag every policy's metadata carries (reports and `tapcheck rules` show it)."""


@dataclass(frozen=True)
class When:
    """The scenarios a policy applies in: parameters with one of their values, a condition true."""

    parameters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    condition: str | None = None

    def applies(self, context) -> bool | Unknown:
        undecided = None
        for name, values in self.parameters:
            value = context.scenario.parameters.get(name) if context.scenario else None
            if value is None or (isinstance(value, OtherValue) and not set(values) - value.excluded):
                return False  # the template has no such parameter, or it has another value
            if isinstance(value, Unknown):
                undecided = undecided or value
            elif as_text(value) not in values:
                return False
        if self.condition is not None:
            if self.condition not in context.template.conditions:
                return False
            outcome = context.resolver.condition(self.condition)
            if outcome is False:
                return False
            undecided = undecided or (outcome if isinstance(outcome, Unknown) else None)
        return undecided if undecided is not None else True

    def describe(self) -> str:
        parts = [f"{name} is {' or '.join(values)}" for name, values in self.parameters]
        if self.condition:
            parts.append(f"condition {self.condition} is true")
        return " and ".join(parts)


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    title: str
    severity: str
    area: str
    what: str
    why: str
    fix: str
    hint: str
    failing: str
    passing: str
    types: tuple[str, ...]
    """Resource types or globs (`AWS::RDS::*`)."""
    assertion: Check
    when: When = When()
    where: Check | None = None
    """Which of those resources it is about; None for all."""
    message: str | None = None
    """The finding's message; None to say which part of the assertion fails."""
    pack: str = ""
    """The pack it comes from: a directory, a config file, an installed package."""
    source: str = ""
    """`file:line` where it is written."""

    per_scenario = True
    local = False  # a policy keeps its answers per reading itself (see `check`)

    def applies_to(self, resource_type: str) -> bool:
        return type_matches(self.types, resource_type)

    def __post_init__(self) -> None:
        checks = (self.assertion, self.where) if self.where is not None else (self.assertion,)
        object.__setattr__(self, "_relations", tuple(r for check in checks for r in relations(check)))
        object.__setattr__(self, "_findings_key", ("policies: findings", self.id, self.source))
        object.__setattr__(self, "_always", self.when == When())

    def check(self, context) -> list:
        applies = True if self._always else self.when.applies(context)
        if applies is False:
            return []
        if applies is not True:
            return list(self._findings(context, applies))
        # Scenarios in which its resources exist and read alike (and the resources its
        # relations read too) have the same findings: worked out once for each such
        # reading, per template.
        derived = context.template.derived
        referred = tuple(id(referrers_map(context, relation)) for relation in self._relations)
        key = (self._findings_key, group_key(context, self.types), referred)
        found = derived.get(key)
        if found is None:
            found = derived[key] = []
            for logical_id, resource, _ in resources_of(context, self.types):
                one = (self._findings_key, logical_id, context.reading(logical_id), referred)
                if one not in derived:
                    subject = Resource(context, logical_id, resource)
                    derived[one] = self._finding(context, subject, self._answer(subject))
                if derived[one] is not None:
                    found.append(derived[one])
        return found

    def _findings(self, context, applies):
        for logical_id, resource, _ in resources_of(context, self.types):
            subject = Resource(context, logical_id, resource)
            if isinstance(applies, Unknown):
                what = f"whether {self.id} applies (only when {self.when.describe()})"
                finding = self._finding(context, subject, Answer(None, unknown=applies, what=what))
            else:
                finding = self._finding(context, subject, self._answer(subject))
            if finding is not None:
                yield finding

    def _answer(self, subject: Resource) -> Answer | None:
        """The assertion's answer for a resource; None when `where` leaves it out."""
        answer = self.where.answer(subject) if self.where is not None else HOLDS
        if answer.holds is False:
            return None
        return self.assertion.answer(subject) if answer.holds else answer

    def _finding(self, context, subject: Resource, answer: Answer | None):
        if answer is None or answer.holds:
            return None
        if answer.holds is None:
            return self._undecided(context, subject, answer)
        view = answer.view
        anchor = context.template.resource_key(subject.logical_id)
        message = self.message or f"{subject.resource['Type']} {answer.reason}"
        where, node = (view.path, view.node) if view is not None else ("", anchor)
        return context.finding(self, subject.logical_id, where, node, message, fallback=anchor)

    def _undecided(self, context, subject: Resource, answer: Answer):
        view = answer.view or View(None, None, "", context.template.resource_key(subject.logical_id), answer.unknown)
        return context.undecided(self, subject.logical_id, view, answer.what, answer.unknown)

    def metadata(self) -> RuleMetadata:
        tags = (self.area, POLICY_TAG) + ((self.pack,) if self.pack else ())
        return RuleMetadata(
            self.id,
            self.name,
            self.title,
            self.severity,
            self.area,
            " ".join(self.what.split()),
            self.docs(),
            tags=tags,
        )

    def docs(self) -> str:
        """The policy's documentation as Markdown, in the same parts as a built-in rule's."""
        scope = f"Resources: {', '.join(self.types)}"
        if self.when != When():
            scope += f"; only when {self.when.describe()}"
        origin = f"\n\nPolicy from {self.pack} ({self.source})" if self.pack else ""
        return (
            f"# {self.id} {self.name}\n\n"
            f"{self.title} (area: {self.area}, default severity: {self.severity}){origin}\n\n"
            f"## What it checks\n{dedent(self.what).strip()}\n\n{scope}\n\n"
            f"## Why it matters\n{dedent(self.why).strip()}\n\n"
            f"## How to fix\n{dedent(self.fix).strip()}\n\n"
            f"### Fails\n```yaml\n{dedent(self.failing).strip()}\n```\n\n"
            f"### Passes\n```yaml\n{dedent(self.passing).strip()}\n```\n"
        )


def policies_for(template, policies) -> list[Policy]:
    """The policies about some resource type the template has (the others have nothing
    to check in any of its scenarios)."""
    types = {str(resource.get("Type", "")) for resource in template.resources.values() if isinstance(resource, dict)}
    return [policy for policy in policies if any(policy.applies_to(resource_type) for resource_type in types)]
