"""Checking files: load each template, run the rules in every scenario, merge the
findings across scenarios, apply suppressions."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from functools import partial
from importlib import metadata
from pathlib import Path

from tapcheck import __version__
from tapcheck.rules import ALL_RULES, RULES_BY_ID, engine_of

from . import result_cache
from .config import Config
from .context import FileContext, ScenarioContext
from .discovery import Candidate, find_candidates
from .engines import checkov as checkov_engine
from .findings import FileError, FileResult, Finding, Result
from .forked import in_background
from .local_findings import LocalFindings
from .model.for_each import expand_for_each
from .model.intrinsics import Resolver
from .model.scenarios import Label, ScenarioSpace, build_scenarios
from .model.template import Template
from .policies.policy import policies_for
from .repository import repository
from .suppressions import apply_suppressions, read_suppressions


def run(
    arguments: list[str], config: Config, *, jobs: int = 1, use_cache: bool = False, skip_non_templates: bool = False
) -> Result:
    """Check every file the command-line arguments name or lead to, in `jobs`
    processes, in a stable order. With `skip_non_templates`, named files that are
    not templates are left out, as files found in directories are."""
    candidates = find_candidates(arguments, skip_non_templates, config.exclude)
    # one file and more than one core: its engines run side by side (see forked.py)
    fork = jobs > 1 and len(candidates) == 1
    check = partial(check_cached if use_cache else check_candidate, config=config, fork=fork)
    if jobs > 1 and len(candidates) > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(candidates))) as pool:
            checked = list(pool.map(check, candidates, chunksize=max(1, len(candidates) // (jobs * 8))))
    else:
        checked = [check(candidate) for candidate in candidates]
    results = [result for result in checked if result is not None]
    versions = {"tapcheck": __version__, "cfn-lint": metadata.version("cfn-lint")}
    if "checkov" in config.engines:
        versions["checkov"] = checkov_engine.version()
    rules = {rule.id: rule.metadata() for rule in own_rules(config)} if "tapcheck" in config.engines else {}
    for result in results:
        rules.update((info.id, info) for info in result.rules)
    root, revision = repository(Path.cwd())
    return Result(
        results,
        engines=list(config.engines),
        version=__version__,
        fail_on=config.fail_on,
        versions={engine: versions[engine] for engine in config.engines},
        rules=list(rules.values()),
        root=str(root),
        revision=revision,
        date=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def own_rules(config: Config) -> list:
    """tapcheck's rules and the policies the configuration brings (see checker/policies)."""
    return [*ALL_RULES, *config.policies]


def check_cached(candidate: Candidate, config: Config, fork: bool = False) -> FileResult | None:
    """`check_candidate`, answered from the result cache when nothing it depends on
    has changed."""
    key = result_cache.cache_key(candidate.path, str(candidate.path), config)
    if key is not None:
        cached = result_cache.load(key)
        if cached is not None and result_cache.inputs_unchanged(cached):
            return cached if cached.status != "skipped" else None
    result = check_candidate(candidate, config, fork)
    if key is not None:
        result_cache.store(key, result if result is not None else FileResult(str(candidate.path), "skipped"))
    return result


def check_candidate(candidate: Candidate, config: Config, fork: bool = False) -> FileResult | None:
    """The result for one file; None for a file found in a directory that turns out
    not to be a template. With `fork`, tapcheck's rules run in a child process while
    cfn-lint runs in this one."""
    # cfn-lint's decoder (and engine) are imported only when a file is really
    # checked: a run answered from the result cache needs neither (~0.6 s of imports)
    from .model.loader import load_template

    name = str(candidate.path)
    loaded = load_template(candidate.path, name, skip_non_templates=not candidate.explicit)
    if loaded is None:
        return None
    if isinstance(loaded, FileError):
        return FileResult(name, "error", error=loaded)
    try:
        return check_template(loaded, config, fork)
    except Exception as err:  # a bug of ours must not hide the other files' results
        message = f"internal error while checking ({type(err).__name__}: {err}); please report it"
        return FileResult(name, "error", error=FileError(name, message))


def check_template(template: Template, config: Config, fork: bool = False) -> FileResult:
    # tapcheck's rules read the template with its loops expanded; cfn-lint and checkov as written
    written = template
    template, loop_note = expand_for_each(written)
    space = build_scenarios(
        template, config.params, config.max_scenarios, config.policy_parameters(), {"AWS::StackName": config.stack_name}
    )
    checks_own, checks_cfn_lint = "tapcheck" in config.engines, "cfn-lint" in config.engines
    side_by_side = fork and checks_own and checks_cfn_lint
    own_rules = in_background(_own_rules, template, config, space, fork=side_by_side)
    engine = []
    if checks_cfn_lint:
        from .engines import cfn_lint as cfn_lint_engine  # imported late: see check_candidate

        cfn_lint = cfn_lint_engine.cfn_lint_findings(written, config)
    own, inputs = own_rules.result() if checks_own else ([], {})
    template.inputs.update(inputs)
    if checks_cfn_lint:
        engine += cfn_lint_engine.drop_covered(cfn_lint, own)
    if "checkov" in config.engines:
        engine += checkov_engine.drop_covered(checkov_engine.checkov_findings(written), own)
    engine = [f for f in engine if config.enabled(f.rule_id)]  # --select/--ignore prefixes
    suppressions = read_suppressions(template)
    kept, suppressed = apply_suppressions(own + engine, suppressions, config.suppressions)
    policy_ids = {policy.id for policy in config.policies}
    file_context = FileContext(
        template, config, suppressions, lambda rule_id: "tapcheck" if rule_id in policy_ids else engine_of(rule_id)
    )
    rules = [rule for rule in ALL_RULES if config.enabled(rule.id) and not rule.per_scenario]
    file_findings = [f for rule in rules for f in rule.check(file_context)] if "tapcheck" in config.engines else []
    more_kept, more_suppressed = apply_suppressions(file_findings, [], config.suppressions)
    kept += more_kept
    suppressed += more_suppressed

    policies = {policy.id: policy for policy in config.policies}
    for finding in kept + suppressed:
        rule = RULES_BY_ID.get(finding.rule_id) or policies.get(finding.rule_id)
        default = rule.severity if rule else finding.severity
        if finding.severity == default and finding.rule_id in config.severities:
            finding.severity = config.severities[finding.rule_id]
        finding.snippet = template.snippet(finding.line)
    engine_rules = cfn_lint_engine.rule_metadata(kept + suppressed, config) if checks_cfn_lint else []
    if "checkov" in config.engines:
        engine_rules += checkov_engine.rule_metadata(kept + suppressed)
    notes = ([loop_note] if loop_note else []) + space.notes
    return FileResult(
        template.path,
        "checked",
        scenarios=len(space.scenarios),
        findings=sorted(kept, key=Finding.sort_key),
        suppressed=sorted(suppressed, key=Finding.sort_key),
        notes=notes,
        inputs=dict(template.inputs),
        rules=engine_rules,
        parameters={str(name): _allowed_values(spec) for name, spec in template.parameters.items()},
    )


def _allowed_values(spec) -> list[str] | None:
    allowed = spec.get("AllowedValues") if isinstance(spec, dict) else None
    return [str(value) for value in allowed] if isinstance(allowed, list) else None


def _own_rules(template: Template, config: Config, space: ScenarioSpace) -> tuple[list[Finding], dict[str, str]]:
    """tapcheck's findings and the files they read besides the template (handler code, for
    the result cache), which a forked child has to send back with them."""
    return _own_findings(template, config, space), dict(template.inputs)


def _own_findings(template: Template, config: Config, space: ScenarioSpace) -> list[Finding]:
    """tapcheck's rules in every scenario, merged: a finding that holds in every
    scenario carries no label, the others the shortest description of where they hold.
    Local rules check each resource once per reading (see checker/local_findings.py)."""
    policies = policies_for(template, config.policies)
    rules = [rule for rule in [*ALL_RULES, *policies] if config.enabled(rule.id) and rule.per_scenario]
    local = [
        LocalFindings([rule for rule in rules if rule.local and rule.reads_referred == referred], referred)
        for referred in (False, True)
    ]
    merged: dict[tuple, Finding] = {}
    holds_in: dict[tuple, set[int]] = {}
    conditions: list[dict] = []
    for scenario in space.scenarios:
        resolver = Resolver(template, scenario.parameters, scenario.pseudo, scenario.outcomes)
        context = ScenarioContext(template, config, scenario=scenario, resolver=resolver)
        shared = tuple(repr(scenario.choices[name]) for name in space.shared)
        found = [pair for findings in local for pair in findings.of(context, shared)]
        found += ((finding.merge_key(), finding) for rule in rules if not rule.local for finding in rule.check(context))
        for key, finding in found:
            merged.setdefault(key, finding)
            holds_in.setdefault(key, set()).add(scenario.index)
        conditions.append({str(name): resolver.condition(str(name)) for name in template.conditions})
    labels: dict[tuple, Label | None] = {}
    for key, finding in merged.items():
        # a label depends on the resource only through its group
        pattern = (frozenset(holds_in[key]), space.resource_group.get(finding.resource))
        if pattern not in labels:
            labels[pattern] = space.describe(holds_in[key], finding.resource, conditions)
        label = labels[pattern]
        finding.scenarios = [label.text] if label else []
        finding.when = label.any_of if label else []
    return list(merged.values())


def check_file(path: str | Path, config: Config | None = None) -> FileResult:
    """Check one named file (the in-process API the tests and other tools use)."""
    return check_candidate(Candidate(Path(path), explicit=True), config or Config())
