"""The checkov engine (opt-in, `pip install 'tapcheck[checkov]'`): checkov's
CloudFormation checks, run in-process without any download or platform call, reported
as findings under checkov's ids.

checkov pins old versions of boto3, networkx and packaging, so it is never a hard
dependency: asking for the engine without it installed is a usage error.
"""

from __future__ import annotations

import importlib.util
import logging
import re
from dataclasses import replace
from functools import cache
from importlib import metadata

from ..findings import Finding, RuleMetadata, engine_failure

ENGINE = "checkov"
INSTALL_HINT = "pip install 'tapcheck[checkov]'"
SEVERITIES = {"CRITICAL": "error", "HIGH": "error", "MEDIUM": "warning", "LOW": "info", "INFO": "info"}
COVERED_BY_TAPCHECK = {
    # checkov check: the tapcheck rule that reports the same concern for the same resource
    "CKV_AWS_7": "TAP204",  # KMS key rotation
    "CKV_AWS_26": "TAP201",  # SNS topic encryption
    "CKV_AWS_119": "TAP202",  # DynamoDB table with a customer-managed key
    "CKV_AWS_158": "TAP201",  # log group encryption
    "CKV_AWS_173": "TAP201",  # Lambda environment variable encryption
    "CKV_AWS_66": "TAP505",  # log group retention
    "CKV_AWS_50": "TAP504",  # Lambda X-Ray tracing
    "CKV_AWS_73": "TAP504",  # API Gateway X-Ray tracing
    "CKV_AWS_24": "TAP309",  # SSH open to the world
    "CKV_AWS_25": "TAP309",  # RDP open to the world
    "CKV_AWS_277": "TAP309",  # all ports open to the world
    "CKV_AWS_59": "TAP310",  # API methods without authorization
}


def available() -> bool:
    return importlib.util.find_spec("checkov") is not None


def version() -> str:
    try:
        return metadata.version("checkov")
    except metadata.PackageNotFoundError:
        return "not installed"


def checkov_findings(template) -> list[Finding]:
    from checkov.cloudformation.runner import Runner  # imported only when asked for: 2 s
    from checkov.runner_filter import RunnerFilter

    logging.getLogger("checkov").setLevel(logging.ERROR)
    runner_filter = RunnerFilter(framework=["cloudformation"], download_external_modules=False)
    try:
        report = Runner().run(root_folder=None, files=[template.path], runner_filter=runner_filter)
    except Exception as err:  # like cfn-lint, checkov fails on some malformed templates
        return [engine_failure(ENGINE, "CKV_ENGINE_FAILURE", template, err)]
    return [_finding(template, record) for record in report.failed_checks]


def all_rule_metadata() -> list[RuleMetadata]:
    """Every CloudFormation check checkov has, resource and graph checks, by id."""
    return list(_described().values())


@cache
def _described() -> dict[str, RuleMetadata]:
    """checkov's checks by id, loaded once per process."""
    from checkov.cloudformation.checks.resource.registry import cfn_registry
    from checkov.cloudformation.runner import Runner
    from checkov.common.checks_infra.registry import get_graph_checks_registry

    logging.getLogger("checkov").setLevel(logging.ERROR)
    Runner()  # loads the resource checks into their registry
    graph = get_graph_checks_registry("cloudformation")
    graph.load_checks()
    checks = {check.id: check for found in cfn_registry.checks.values() for check in found}
    checks.update({check.id: check for check in graph.checks})
    types: dict[str, set[str]] = {}
    for resource_type, found in cfn_registry.checks.items():
        for check in found:
            types.setdefault(check.id, set()).add(resource_type)
    return {check_id: _metadata(check, sorted(types.get(check_id, ()))) for check_id, check in sorted(checks.items())}


def _metadata(check, resource_types: list[str]) -> RuleMetadata:
    severity = getattr(check.severity, "name", None) if check.severity else None
    name = check.name or check.id
    return RuleMetadata(
        id=check.id,
        name=_slug(name),
        title=name,
        severity=SEVERITIES.get(severity, "error"),
        area=ENGINE,
        description=f"{name}, on {', '.join(resource_types)}."
        if resource_types
        else f"{name}: a graph check, of resources and the connections between them.",
        docs="",
        engine=ENGINE,
        docs_url=check.guideline or "",
        tags=tuple(getattr(c, "name", str(c)).lower() for c in (getattr(check, "categories", None) or ())),
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _finding(template, record) -> Finding:
    resource = str(record.resource).split(".", 1)[1] if "." in str(record.resource) else None
    lines = record.file_line_range or [1, 1]
    severity = getattr(record.severity, "name", None) if record.severity else None
    return Finding(
        rule_id=record.check_id,
        name=_slug(record.check_name or record.check_id),
        severity=SEVERITIES.get(severity, "error"),
        area=ENGINE,
        file=template.path,
        resource=resource,
        path="",
        line=max(1, int(lines[0])),
        column=1,
        message=record.check_name or record.check_id,
        engine=ENGINE,
        fix=f"see {record.guideline}" if record.guideline else "",
        docs_url=record.guideline or "",
    )


def rule_metadata(findings: list[Finding]) -> list[RuleMetadata]:
    """checkov's checks that have findings, as its registries describe them (name, resource
    types, categories), with the severity and guideline of their findings."""
    if not any(finding.engine == ENGINE for finding in findings):
        return []
    known = _described()
    infos = {}
    for finding in findings:
        if finding.engine == ENGINE and finding.rule_id not in infos:
            described = known.get(finding.rule_id) or RuleMetadata(  # not a check: CKV_ENGINE_FAILURE
                id=finding.rule_id,
                name=finding.name,
                title=finding.message,
                severity=finding.severity,
                area=ENGINE,
                description=finding.message,
                docs="",
                engine=ENGINE,
            )
            infos[finding.rule_id] = replace(
                described, severity=finding.severity, docs_url=finding.docs_url or described.docs_url
            )
    return list(infos.values())


def drop_covered(engine_findings: list[Finding], own: list[Finding]) -> list[Finding]:
    """Leave out checkov findings that a tapcheck finding on the same resource makes."""
    reported = {(f.rule_id, f.resource) for f in own}
    return [
        f
        for f in engine_findings
        if f.rule_id not in COVERED_BY_TAPCHECK or (COVERED_BY_TAPCHECK[f.rule_id], f.resource) not in reported
    ]
