"""What every rule is: metadata and docs as class attributes, and a check.

Metadata and docs are written once, on the rule class; `tapcheck rules`, `tapcheck
explain`, and every report are generated from them.
"""

from __future__ import annotations

from collections.abc import Iterable
from textwrap import dedent
from typing import TYPE_CHECKING, ClassVar

from tapcheck.checker.findings import RuleMetadata

if TYPE_CHECKING:
    from tapcheck.checker.context import ScenarioContext
    from tapcheck.checker.findings import Finding


class Rule:
    id: ClassVar[str]
    name: ClassVar[str]
    """kebab-case, e.g. `missing-required-tags`."""
    area: ClassVar[str]
    severity: ClassVar[str]
    title: ClassVar[str]
    what: ClassVar[str]
    """What it checks."""
    why: ClassVar[str]
    """Why it matters."""
    fix: ClassVar[str]
    """How to fix, as prose."""
    hint: ClassVar[str]
    """The fix in one line, shown beside each finding."""
    failing: ClassVar[str]
    """A template snippet the rule reports."""
    passing: ClassVar[str]
    """The same snippet, fixed."""

    per_scenario: ClassVar[bool] = True
    """False for rules that run once per file, after the others (suppression rules)."""

    local: ClassVar[bool] = False
    """True when what the rule finds about a resource depends only on that resource as
    it reads in the scenario (`ScenarioContext.reading`), on the configuration and the
    policy's parameters, and every finding names the resource it is about: the runner
    then checks each resource once per reading, not once per scenario
    (`tests/test_rule_locality.py` holds every such rule to it)."""

    reads_referred: ClassVar[bool] = False
    """For a local rule that also reads the properties of the resources a resource
    refers to (a route's API, the names a name is built from)."""

    def check(self, context: ScenarioContext) -> Iterable[Finding]:
        raise NotImplementedError

    @classmethod
    def metadata(cls) -> RuleMetadata:
        description = " ".join(cls.what.split())
        return RuleMetadata(
            cls.id, cls.name, cls.title, cls.severity, cls.area, description, cls.docs(), tags=(cls.area,)
        )

    @classmethod
    def docs(cls) -> str:
        """The rule's documentation as Markdown."""
        return (
            f"# {cls.id} {cls.name}\n\n"
            f"{cls.title} (area: {cls.area}, default severity: {cls.severity})\n\n"
            f"## What it checks\n{dedent(cls.what).strip()}\n\n"
            f"## Why it matters\n{dedent(cls.why).strip()}\n\n"
            f"## How to fix\n{dedent(cls.fix).strip()}\n\n"
            f"### Fails\n```yaml\n{dedent(cls.failing).strip()}\n```\n\n"
            f"### Passes\n```yaml\n{dedent(cls.passing).strip()}\n```\n"
        )
