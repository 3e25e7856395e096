"""What a rule sees when it runs: a template, and for most rules one scenario of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .config import Config
from .findings import Finding
from .model.intrinsics import Resolver, Unknown
from .model.resource_view import View, resource_view
from .model.scenarios import Scenario
from .model.template import Template, location
from .suppressions import Suppression


@dataclass
class FileContext:
    """A template as a whole: for rules that run once per file."""

    template: Template
    config: Config
    suppressions: list[Suppression] = field(default_factory=list)
    engine_of: Callable[[str], str | None] = lambda rule_id: None
    """Which engine a rule id belongs to (None for ids no engine has)."""

    def finding(
        self,
        rule,
        resource: str | None,
        path: str,
        node,
        message: str,
        *,
        severity: str | None = None,
        fallback=None,
    ) -> Finding:
        """A finding of `rule` located at `node` (or `fallback` if `node` has no mark)."""
        line, column = location(node, fallback)
        return Finding(
            rule_id=rule.id,
            name=rule.name,
            severity=severity or rule.severity,
            area=rule.area,
            file=self.template.path,
            resource=resource,
            path=path,
            line=line,
            column=column,
            message=message,
            fix=rule.hint,
        )


@dataclass
class ScenarioContext(FileContext):
    """A template in one scenario, with the resolver for that scenario."""

    scenario: Scenario | None = None
    resolver: Resolver | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    def cached(self, key, compute: Callable[[], Any]) -> Any:
        """Derived data (say, a resource's resolved tags) computed once per scenario
        and shared by the rules that need it."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def resources(self) -> list[tuple[str, dict]]:
        """(logical id, resource) for every resource that exists in this scenario."""
        return self.cached(
            "resources",
            lambda: [
                (str(logical_id), resource)
                for logical_id, resource in self.template.resources.items()
                if self.resolver.resource_exists(resource) is not False
            ],
        )

    def view(self, logical_id: str, symbolic: bool = False) -> View:
        """A resource's properties as they stand in this scenario (see `View`); with
        `symbolic`, references to the template's resources and to parameters without a
        value read as tokens that name them (`{{Ref:Function}}`, see `SymbolicResolver`)."""
        resolver = self.resolver.symbolic if symbolic else self.resolver
        return self.cached(("view", logical_id, symbolic), lambda: resource_view(self.template, resolver, logical_id))

    def undecided(self, rule, logical_id: str, view: View, what: str, unknown: Unknown | None = None) -> Finding:
        """The info finding every rule gives when the value it is about cannot be known:
        `cannot tell <what>: <why>`, at that value."""
        reason = (unknown or view.unknown or view.list_problem or Unknown("the value is not known")).reason
        return self.finding(
            rule,
            logical_id,
            view.path,
            view.node,
            f"cannot tell {what}: {reason}",
            severity="info",
            fallback=self.template.resource_key(logical_id),
        )
