"""Checking files: load each template, run the rules in every scenario, merge the
findings across scenarios, apply suppressions."""

from __future__ import annotations

from pathlib import Path

from tapcheck import __version__
from tapcheck.rules import ALL_RULES, RULES_BY_ID, known_rule

from .config import Config
from .context import FileContext, ScenarioContext
from .discovery import Candidate, find_candidates
from .findings import FileError, FileResult, Finding, Result
from .intrinsics import Resolver
from .loader import load_template
from .scenarios import build_scenarios
from .suppressions import apply_suppressions, read_suppressions
from .template import Template


def run(arguments: list[str], config: Config) -> Result:
    """Check every file the command-line arguments name or lead to."""
    results = []
    for candidate in find_candidates(arguments):
        result = check_candidate(candidate, config)
        if result is not None:
            results.append(result)
    return Result(results, engines=list(config.engines), version=__version__, fail_on=config.fail_on)


def check_candidate(candidate: Candidate, config: Config) -> FileResult | None:
    """The result for one file; None for a file found in a directory that turns out
    not to be a template."""
    name = str(candidate.path)
    loaded = load_template(candidate.path, name, skip_non_templates=not candidate.explicit)
    if loaded is None:
        return None
    if isinstance(loaded, FileError):
        return FileResult(name, "error", error=loaded)
    try:
        return check_template(loaded, config)
    except Exception as err:  # a bug of ours must not hide the other files' results
        message = f"internal error while checking ({type(err).__name__}: {err}); please report it"
        return FileResult(name, "error", error=FileError(name, message))


def check_template(template: Template, config: Config) -> FileResult:
    rules = [rule for rule in ALL_RULES if rule.id not in config.disabled_rules]
    scenario_set = build_scenarios(template, config.params, config.max_scenarios, config.policy_parameters())
    pseudo = {"AWS::StackName": config.stack_name}
    merged: dict[tuple, Finding] = {}
    holds_in: dict[tuple, list[str]] = {}
    for scenario in scenario_set.scenarios:
        context = ScenarioContext(
            template,
            config,
            scenario=scenario,
            resolver=Resolver(template, scenario.parameters, pseudo),
        )
        for rule in rules:
            if not rule.per_scenario:
                continue
            for finding in rule.check(context):
                key = (
                    finding.rule_id,
                    finding.resource,
                    finding.path,
                    finding.line,
                    finding.column,
                    finding.message,
                    finding.severity,
                )
                merged.setdefault(key, finding)
                labels = holds_in.setdefault(key, [])
                if scenario.label not in labels:
                    labels.append(scenario.label)
    every = len(scenario_set.scenarios)
    for key, finding in merged.items():
        labels = holds_in[key]
        finding.scenarios = [] if len(labels) == every else labels

    suppressions = read_suppressions(template)
    kept, suppressed = apply_suppressions(list(merged.values()), suppressions, config.suppressions)
    file_context = FileContext(template, config, suppressions, known_rule)
    file_findings = [f for rule in rules if not rule.per_scenario for f in rule.check(file_context)]
    more_kept, more_suppressed = apply_suppressions(file_findings, [], config.suppressions)
    kept += more_kept
    suppressed += more_suppressed

    for finding in kept + suppressed:
        default = RULES_BY_ID[finding.rule_id].severity
        if finding.severity == default and finding.rule_id in config.severities:
            finding.severity = config.severities[finding.rule_id]
        finding.snippet = template.snippet(finding.line)
    notes = []
    if template.for_each_loops:
        notes.append(
            f"{', '.join(template.for_each_loops)}: Fn::ForEach loops are not expanded, "
            "so the resources they create were not checked"
        )
    if scenario_set.sampled:
        notes.append(
            f"checked {every} of {scenario_set.total} parameter combinations "
            "(sampled; raise scenarios.max in .tapcheck.yml to check all)"
        )
    return FileResult(
        template.path,
        "checked",
        scenarios=every,
        findings=sorted(kept, key=Finding.sort_key),
        suppressed=sorted(suppressed, key=Finding.sort_key),
        notes=notes,
    )


def check_file(path: str | Path, config: Config | None = None) -> FileResult:
    """Check one named file (the in-process API the tests and other tools use)."""
    return check_candidate(Candidate(Path(path), explicit=True), config or Config())
