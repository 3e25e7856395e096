"""What a rule sees when it runs: a template, and for most rules one scenario of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .config import Config
from .findings import Finding
from .model.intrinsics import Resolver, Unknown
from .model.readings import dependencies, dependencies_with_referred
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
    only: frozenset[str] | None = None
    """When set, `resources()` lists only these (see `Rule.local`)."""
    _cache: dict = field(default_factory=dict, repr=False)

    def narrowed(self, logical_ids: frozenset[str]) -> ScenarioContext:
        """The same scenario with only these resources listed (derived data of its own)."""
        return ScenarioContext(
            self.template, self.config, self.suppressions, self.engine_of, self.scenario, self.resolver, logical_ids
        )

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
                if (self.only is None or logical_id in self.only)
                and self.resolver.resource_exists(resource) is not False
            ],
        )

    def reading(self, logical_id: str) -> tuple:
        """The values, in this scenario, of what a resource names (see
        checker/model/readings.py): equal readings, equal values of the resource. `()`
        when it reads the same in every scenario."""
        resource = self.template.resources[logical_id]
        return self._reading(dependencies(self.template, logical_id, resource))

    def reading_with_referred(self, logical_id: str) -> tuple:
        """`reading` of the resource and of the resources it refers to, with whether they exist."""
        return self._reading(dependencies_with_referred(self.template, logical_id))

    def _reading(self, dependencies: tuple[tuple[str, ...], tuple[str, ...]]) -> tuple:
        names, conditions = dependencies
        if not names and not conditions:
            return ()
        values = self.cached("reading: values", dict)
        for name in names:
            if name not in values:
                values[name] = repr(self._value(name))
        outcomes = self.cached("reading: outcomes", dict)
        for name in conditions:
            if name not in outcomes:
                outcomes[name] = repr(self.resolver.condition(name))
        return (*(values[name] for name in names), *(outcomes[name] for name in conditions))

    def _value(self, name: str):
        scenario = self.scenario
        if scenario is None:
            return None
        return scenario.parameters[name] if name in scenario.parameters else scenario.pseudo.get(name)

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
