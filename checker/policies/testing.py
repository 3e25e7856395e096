"""`tapcheck policies test`: each policy on its own snippets, as cfn-guard's `test` does.

A policy behaves when its failing snippet gives it a finding (at its severity, not
the info that says a value is not known) and its passing snippet gives it none. A
snippet is a template, or only its `Resources` section; it runs in every scenario of
its own parameters, as a checked template does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from textwrap import dedent, indent

from ..config import Config
from ..context import ScenarioContext
from ..findings import Finding
from ..model.intrinsics import Resolver
from ..model.loader import parse_yaml
from ..model.scenarios import build_scenarios
from ..model.structure import TemplateError, validate_structure
from ..model.template import Template
from .policy import Policy


@dataclass
class Behaviour:
    policy: Policy
    problems: list[str] = field(default_factory=list)
    """What is wrong: empty when the policy behaves."""

    @property
    def behaves(self) -> bool:
        return not self.problems


def try_policy(policy: Policy) -> Behaviour:
    behaviour = Behaviour(policy)
    failing = _findings(policy, policy.failing, "failing", behaviour.problems)
    if failing is not None and not any(f.severity != "info" for f in failing):
        undecided = [f for f in failing if f.severity == "info"]
        said = f" (only: {undecided[0].message})" if undecided else ""
        behaviour.problems.append(f"its failing snippet gives no finding{said}")
    passing = _findings(policy, policy.passing, "passing", behaviour.problems)
    for finding in passing or []:
        behaviour.problems.append(f"its passing snippet gives a finding at line {finding.line}: {finding.message}")
    return behaviour


def _findings(policy: Policy, snippet: str, which: str, problems: list[str]) -> list[Finding] | None:
    text = dedent(snippet).strip() + "\n"
    offset = 0
    try:
        data = parse_yaml(text)
        if not (isinstance(data, dict) and "Resources" in data):
            text, offset = "Resources:\n" + indent(text, "  "), 1
            data = parse_yaml(text)
        validate_structure(data)
    except TemplateError as err:
        where = f" line {err.line - offset}" if err.line else ""
        problems.append(f"its {which} snippet is not a template:{where} {err.message}")
        return None
    template = Template(path=f"{policy.id} {which} snippet", text=text, data=data)
    config = Config(engines=("tapcheck",), policies=(policy,))
    space = build_scenarios(template, {}, config.max_scenarios, config.policy_parameters())
    found: dict[tuple, Finding] = {}
    for scenario in space.scenarios:
        resolver = Resolver(template, scenario.parameters, scenario.pseudo, scenario.outcomes)
        context = ScenarioContext(template, config, scenario=scenario, resolver=resolver)
        for finding in policy.check(context):
            finding.line -= offset
            found.setdefault((finding.line, finding.message), finding)
    return list(found.values())
