"""The findings of local rules (see `Rule.local`), kept per reading of a resource: a
resource that reads in a scenario as it did in an earlier one is not checked again, its
findings of then stand (checker/model/readings.py says what a resource reads)."""

from __future__ import annotations

from collections.abc import Iterator

from .context import ScenarioContext
from .findings import Finding


class LocalFindings:
    """The findings of local rules that read resources the same way: only the resource
    itself, or (`with_referred`) also the resources it refers to."""

    def __init__(self, rules: list, with_referred: bool) -> None:
        self.rules = rules
        self.with_referred = with_referred
        self._numbers: dict[tuple, int] = {}  # (resource, shared choices, reading) -> its number
        self._found: dict[int, list[tuple[tuple, Finding]]] = {}  # reading number -> (merge key, finding)

    def of(self, context: ScenarioContext, shared: tuple) -> Iterator[tuple[tuple, Finding]]:
        """The rules' findings in this scenario, with their merge keys; `shared` are the
        scenario's values of the policy's parameters, which any rule may read."""
        if not self.rules:
            return
        reading = context.reading_with_referred if self.with_referred else context.reading
        numbers = {
            logical_id: self._numbers.setdefault((logical_id, shared, reading(logical_id)), len(self._numbers))
            for logical_id, _ in context.resources()
        }
        new = frozenset(logical_id for logical_id, number in numbers.items() if number not in self._found)
        if new:
            for logical_id in new:
                self._found[numbers[logical_id]] = []
            narrowed = context.narrowed(new)
            for rule in self.rules:
                for finding in rule.check(narrowed):
                    self._found[numbers[finding.resource]].append((finding.merge_key(), finding))
        for number in numbers.values():
            yield from self._found[number]
