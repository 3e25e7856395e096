"""A policy: a team's own rule, written as data, run like tapcheck's rules.

It has what a built-in rule has (id, name, title, severity, area, the three parts of
its docs, a failing and a passing snippet) and the same `check(context)`: per
scenario, for every resource of its types that exists there and that its `when:`
and `where:` select, its assertion either holds, fails (a finding at the place that
fails) or cannot be told (the info finding every rule gives, naming the value).
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from textwrap import dedent

from ..findings import RuleMetadata
from ..model.intrinsics import OtherValue, Unknown, as_text
from ..model.resource_view import View
from .checks import Answer, Check, Resource

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

    def applies_to(self, resource_type: str) -> bool:
        return any(fnmatchcase(resource_type, glob) for glob in self.types)

    def check(self, context):
        applies = self.when.applies(context)
        if applies is False:
            return
        for logical_id, resource in context.resources():
            if not self.applies_to(str(resource.get("Type", ""))):
                continue
            subject = Resource(context, logical_id, resource)
            if isinstance(applies, Unknown):
                yield self._undecided(
                    context,
                    subject,
                    Answer(None, unknown=applies, what=f"whether {self.id} applies (only when {self.when.describe()})"),
                )
                continue
            if self.where is not None:
                selected = self.where.answer(subject)
                if selected.holds is False:
                    continue
                if selected.holds is None:
                    yield self._undecided(context, subject, selected)
                    continue
            answer = self.assertion.answer(subject)
            if answer.holds is None:
                yield self._undecided(context, subject, answer)
            elif answer.holds is False:
                view = answer.view
                path = view.path if view is not None else ""
                node = view.node if view is not None else context.template.resource_key(logical_id)
                message = self.message or f"{resource['Type']} {answer.reason}"
                yield context.finding(
                    self, logical_id, path, node, message, fallback=context.template.resource_key(logical_id)
                )

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
