"""The cfn-lint engine: cfn-lint's rules, run in-process, reported as findings under
cfn-lint's rule ids.

A YAML template's data is what tapcheck parsed (a copy: cfn-lint may transform it): its
marks are libyaml's, as those of cfn-lint's own decoder, and copying is several times
faster than parsing again. A JSON template is parsed again by cfn-lint's decoder, whose
marks cfn-lint's locations are made for (tapcheck's own put strings and columns where
they are written)."""

from __future__ import annotations

import copy
import re
from functools import cache

from cfnlint.config import ConfigMixIn
from cfnlint.decode import cfn_json
from cfnlint.runner import Runner

from ..findings import ENGINE_RULE_IDS, Finding, RuleMetadata, engine_failure
from ..model.json_decoder import parsed_as_json

ENGINE = "cfn-lint"
SEVERITIES = {"E": "error", "W": "warning", "I": "info"}
NAME_CHECKS = ("W1030", "W1031", "W1032", "W1033", "W1034", "E3031", "E3033")
"""cfn-lint's checks of a value (resolved from Ref, Sub, Join, Split or FindInMap, or as
written) against its property's pattern or length: on a physical name, TAP402's concern."""
COVERED_BY_TAPCHECK = {
    # cfn-lint rule: the tapcheck rule that says the same thing about the same node; the
    # tapcheck finding is kept (it names the exact key, action or name) and names the
    # cfn-lint rule, whose finding is left out
    "E3024": "TAP103",
    "W3037": "TAP306",
    **dict.fromkeys(NAME_CHECKS, "TAP402"),
}
INDEX = re.compile(r"\.(\d+)(?=\.|$)")


@cache
def _runner(regions: tuple[str, ...], ignored: tuple[str, ...]) -> Runner:
    """cfn-lint's rules load once per process (about 0.4 s)."""
    return Runner(ConfigMixIn(cli_args=[], regions=list(regions), ignore_checks=list(ignored)))


def _configured_runner(config) -> Runner:
    ignored = tuple(sorted(r for r in config.disabled_rules if ENGINE_RULE_IDS[ENGINE].match(r)))
    return _runner(tuple(config.regions), ignored)


def cfn_lint_findings(template, config) -> list[Finding]:
    runner = _configured_runner(config)
    try:
        data = cfn_json.loads(template.text) if parsed_as_json(template.data) else copy.deepcopy(template.data)
        return [_finding(template, match) for match in runner.validate_template(data)]
    except Exception as err:  # cfn-lint fails on some malformed templates (a list as Metadata)
        return [engine_failure(ENGINE, "E0002", template, err)]


def _finding(template, match) -> Finding:
    rule = match.rule
    path = [str(p) for p in (getattr(match, "path", None) or [])]  # some matches have no path
    resource = path[1] if len(path) > 1 and path[0] == "Resources" else None
    inner = path[2:] if resource else path
    return Finding(
        rule_id=rule.id,
        name=_slug(rule.shortdesc or rule.id),
        severity=SEVERITIES.get(rule.id[:1], "warning"),
        area=ENGINE,
        file=template.path,
        resource=resource,
        path=".".join(inner),
        line=max(1, int(match.linenumber or 1)),
        column=max(1, int(match.columnnumber or 1)),
        message=match.message,
        engine=ENGINE,
        fix=f"see {rule.source_url}" if getattr(rule, "source_url", "") else "",
        docs_url=getattr(rule, "source_url", "") or "",
    )


def rule_metadata(findings: list[Finding], config) -> list[RuleMetadata]:
    """cfn-lint's own metadata (shortdesc, description, source_url, tags) of the rules
    that have findings."""
    rules = _configured_runner(config).rules
    infos = {}
    for finding in findings:
        if finding.engine == ENGINE and finding.rule_id not in infos:
            infos[finding.rule_id] = _metadata(finding.rule_id, rules.get(finding.rule_id), finding.name)
    return list(infos.values())


def all_rule_metadata() -> list[RuleMetadata]:
    """Every rule cfn-lint has, by id (`tapcheck rules --engines cfn-lint`, `tapcheck explain E3012`)."""
    rules = _runner(("us-east-1",), ()).rules
    ordered = sorted(rules.values(), key=lambda rule: rule.id)
    return [_metadata(rule.id, rule, _slug(rule.shortdesc or rule.id)) for rule in ordered]


def _metadata(rule_id: str, rule, name: str) -> RuleMetadata:
    return RuleMetadata(
        id=rule_id,
        name=name,
        title=getattr(rule, "shortdesc", "") or name,
        severity=SEVERITIES.get(rule_id[:1], "warning"),
        area=ENGINE,
        description=getattr(rule, "description", "") or "",
        docs="",
        engine=ENGINE,
        docs_url=getattr(rule, "source_url", "") or "",
        tags=tuple(getattr(rule, "tags", ()) or ()),
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def drop_covered(engine_findings: list[Finding], own: list[Finding]) -> list[Finding]:
    """Leave out cfn-lint findings that a tapcheck finding already makes, and name them
    in that finding's message."""
    kept, also = [], {}
    for finding in engine_findings:
        rule = COVERED_BY_TAPCHECK.get(finding.rule_id)
        covering = [f for f in own if f.rule_id == rule and f.resource == finding.resource and _same(finding, f)]
        for covered in covering:
            also.setdefault(id(covered), (covered, {}))[1].setdefault(finding.rule_id)
        if not covering:
            kept.append(finding)
    for covered, ids in also.values():
        covered.message += f" ({ENGINE} {', '.join(ids)} says the same)"
    return kept


def _same(engine: Finding, own: Finding) -> bool:
    """Whether a cfn-lint finding and the tapcheck finding of its covering rule are
    about the same thing."""
    if own.rule_id == "TAP103":
        return own.message.startswith("duplicate tag key")
    if not _within(INDEX.sub(r"[\1]", engine.path), own.path):
        return False
    if own.rule_id == "TAP306":
        return engine.message.startswith(_unknown_action_quote(own.message))
    return own.severity != "info"  # TAP402 names a name it could resolve


def _within(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((prefix + ".", prefix + "["))


def _unknown_action_quote(message: str) -> str:
    """How W3037 quotes what TAP306 reports: the action when it has no service prefix,
    the service when no service has it, the action name otherwise (lower case)."""
    action = message[1 : message.find("'", 1)] if message.startswith("'") else ""
    service, _, name = action.partition(":")
    if " is not of the form " in message:
        return f"{action!r} is not a valid action"
    if " no AWS service has the prefix " in message:
        return f"{service.lower()!r} is not one of "
    return f"{name.lower()!r} is not one of "
