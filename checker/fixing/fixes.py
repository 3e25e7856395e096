"""`tapcheck fix`: safe, mechanical fixes of findings, planned from one check of the file.

Fixable: missing required tags (TAP101: the policy's value, or `!Ref Environment` when
the tag must equal that parameter), a physical name without the suffix parameter
(TAP401: appended, and the parameter added when the template has none), tracing off
(TAP504), log retention (TAP505: a log group's `RetentionInDays`), and a
`DeletionPolicy` without its `UpdateReplacePolicy` or the reverse (cfn-lint's W3011).
Everything else needs a decision and is listed, not changed.

A file is checked once; every fix is planned from those findings and written in one go
(`edits`, in the file's own style); the result is loaded and checked once more, to tell
what was fixed and that cfn-lint reports nothing new. Where it does, the resources it
objects to are left alone and the rest is written and checked again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from tapcheck.rules.monitoring import tracing_settings

from ..aws.resource_schemas import FUNCTION_TYPES, provider_schema, tag_support
from ..code_analysis.function_permissions import references
from ..config import Config
from ..findings import Finding
from ..model.intrinsics import intrinsic
from ..model.loader import parse
from ..model.structure import TemplateError, validate_structure
from ..model.template import Template
from ..runner import check_template
from . import FIXABLE
from .edits import Unfixable, apply, check_writable


@dataclass
class FixResult:
    path: str
    text: str
    """The file's text after the fixes (the original when nothing changed)."""
    fixed: list[Finding] = field(default_factory=list)
    manual: list[Finding] = field(default_factory=list)
    """Findings left for a human, with why when a fixable one could not be fixed."""
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.fixed)


def fix_file(path: Path, config: Config, rules: set[str]) -> FixResult:
    """The fixes of one file: checked once, planned, written, and checked once more (a second
    time when cfn-lint objects to a fixed resource, with that resource left alone)."""
    original = path.read_text(encoding="utf-8")
    name = str(path)
    config = replace(config, engines=tuple(e for e in config.engines if e != "checkov") or ("tapcheck",))
    try:
        template = _template(name, original)
    except TemplateError as err:
        return FixResult(name, original, error=f"{name}:{err.line or 1}: {err.message}")
    before = check_template(template, config).findings
    skip: frozenset[str] = frozenset()
    while True:
        operations, unfixable = _plan(template, before, config, rules, skip)
        if not operations:
            text, fixed_template, after = original, template, before
            break
        try:
            text = apply(template, operations)
        except Unfixable as why:
            return FixResult(name, original, error=f"cannot fix {name}: {why}")
        try:
            fixed_template = _template(name, text)
        except TemplateError as err:  # a bug of ours: never write such a file
            return FixResult(name, original, error=f"the fixes would break {name} ({err.message}); nothing written")
        after = check_template(fixed_template, config).findings
        new_engine = {(f.rule_id, f.resource) for f in after if f.engine != "tapcheck"} - {
            (f.rule_id, f.resource) for f in before if f.engine != "tapcheck"
        }
        if not new_engine:
            break
        if None in {resource for _, resource in new_engine} or skip:
            listed = ", ".join(f"{rule} on {resource}" for rule, resource in sorted(new_engine, key=str))
            return FixResult(name, original, error=f"the fixes would make cfn-lint report {listed}; nothing written")
        skip = frozenset(resource for _, resource in new_engine)
    _why_left(fixed_template, after, config, rules, skip, unfixable)
    remaining = {_identity(f) for f in after}
    fixed = [f for f in before if _identity(f) not in remaining and f.rule_id in rules]
    manual, unselected, notes = [], Counter(), []
    for finding in after:
        if finding.rule_id in FIXABLE and finding.rule_id not in rules:
            unselected[finding.rule_id] += 1
            continue
        reason = unfixable.get(_identity(finding))
        if reason and finding.rule_id in rules:
            finding = replace(finding, message=f"{finding.message} (not fixed: {reason})")
        manual.append(finding)
    traced = [f.resource for f in fixed if f.rule_id == "TAP504"]
    if any(fixed_template.resources.get(resource, {}).get("Type") in FUNCTION_TYPES for resource in traced):
        notes.append("tracing is now on: each function's role needs xray:PutTraceSegments and xray:PutTelemetryRecords")
    if unselected:
        listed = ", ".join(f"{rule} x{count}" for rule, count in sorted(unselected.items()))
        notes.append(f"not asked for with --rules, so not fixed: {listed}")
    return FixResult(name, text, fixed, manual, notes)


def _plan(
    template: Template, findings: list[Finding], config: Config, rules: set[str], skip: frozenset[str]
) -> tuple[list, dict[tuple, str]]:
    """The operations that fix the fixable findings, in order, and why the others cannot be
    fixed (by finding). Resources in `skip` are left alone. When the template lacks the
    suffix parameter, its names are found by a trial: TAP401 alone on the template with the
    parameter added."""
    operations, unfixable = [], {}
    chosen = _in_order(findings, rules)
    missing = [f for f in chosen if f.rule_id == "TAP401" and f.resource is None]  # one per count of names
    if missing:
        chosen = chosen[len(missing) :]
        try:
            operation, named = _suffix_parameter(template, config, skip)
            check_writable(template, operation)
            operations.append(operation)
            findings = findings + named
            chosen = _in_order(chosen + named, rules)
        except Unfixable as why:
            unfixable.update((_identity(finding), str(why)) for finding in missing)
    for finding in chosen:
        if finding.resource in skip:
            unfixable[_identity(finding)] = "cfn-lint objects to the fixed resource"
            continue
        try:
            planned = _fixes_for(template, finding, config, findings)
            for operation in planned:
                check_writable(template, operation)
        except Unfixable as why:
            unfixable[_identity(finding)] = str(why)
            continue
        operations += planned
    return operations, unfixable


def _why_left(
    template: Template, findings: list[Finding], config: Config, rules: set[str], skip: frozenset[str], unfixable: dict
) -> None:
    """Add to `unfixable` why the fixable findings still reported after the fixes are left: a
    fix can leave a finding of its own (a required tag the policy has no value for is still
    missing), planned again on the fixed template to say why."""
    for finding in _in_order(findings, rules):
        key = _identity(finding)
        if key in unfixable:
            continue
        if finding.resource in skip:
            unfixable[key] = "cfn-lint objects to the fixed resource"
        elif finding.resource is None:  # the suffix parameter is still missing, for the reason said before
            said = [
                why for (rule, resource, *_), why in unfixable.items() if (rule, resource) == (finding.rule_id, None)
            ]
            if said:
                unfixable[key] = said[0]
        else:
            try:
                planned = _fixes_for(template, finding, config, findings)
                for operation in planned:
                    check_writable(template, operation)
            except Unfixable as why:
                unfixable[key] = str(why)
                continue
            if planned:
                unfixable[key] = "fixable once the other fixes are written: run tapcheck fix again"


def _suffix_parameter(template: Template, config: Config, skip: frozenset[str]) -> tuple[tuple, list[Finding]]:
    """The operation that adds the suffix parameter, and TAP401's findings once it is there
    (the names that lack it): raises Unfixable when no name could take it."""
    parameters = template.data.get("Parameters")
    definition = {"Type": "String", "Default": "", "Description": "Appended to every physical name"}
    if isinstance(parameters, dict):
        operation = ("insert", parameters, config.suffix_parameter, definition)
    else:
        operation = ("top", "Parameters", {config.suffix_parameter: definition})
    trial = _template(template.path, apply(template, [operation]))
    named = check_template(trial, replace(config, engines=("tapcheck",), select=("TAP401",))).findings
    if not [f for f in named if f.severity != "info" and f.resource in trial.resources and f.resource not in skip]:
        raise Unfixable("no explicit name can take the suffix (they are computed), so the parameter would be unused")
    return operation, [f for f in named if f.rule_id == "TAP401"]


def _template(name: str, text: str) -> Template:
    data = parse(text)
    validate_structure(data)
    return Template(path=name, text=text, data=data)


def _identity(finding: Finding) -> tuple:
    return finding.rule_id, finding.resource, finding.path, finding.message


def _in_order(findings: list[Finding], rules: set[str]) -> list[Finding]:
    """The fixable findings, TAP401's template-level one (the missing parameter) first."""
    chosen = [f for f in findings if f.rule_id in rules and f.rule_id in FIXABLE and f.severity != "info"]
    return sorted(chosen, key=lambda f: (f.rule_id != "TAP401" or f.resource is not None, f.rule_id))


# -- what to change -----------------------------------------------------------------------


def _fixes_for(template: Template, finding: Finding, config: Config, findings: list[Finding]) -> list:
    """The operations (see `edits`) that fix a finding on a resource."""
    resource = template.resources.get(finding.resource) if finding.resource else None
    if not isinstance(resource, dict):
        loop_made = template.for_each_loops and finding.resource
        raise Unfixable("created by an Fn::ForEach loop: edit the loop's body" if loop_made else "not a resource")
    properties = resource.get("Properties")
    if finding.rule_id == "W3011":
        present = [k for k in ("DeletionPolicy", "UpdateReplacePolicy") if k in resource]
        if len(present) != 1 or not isinstance(resource[present[0]], str):
            raise Unfixable("set both policies by hand")
        other = "UpdateReplacePolicy" if present[0] == "DeletionPolicy" else "DeletionPolicy"
        return [("insert", resource, other, str(resource[present[0]]))]
    if finding.rule_id == "TAP101":
        return _tag_fixes(template, finding.resource, resource, config)
    if finding.rule_id == "TAP401":
        return _suffix_fixes(template, finding, resource, config, findings)
    if finding.rule_id == "TAP504":
        setting = tracing_settings().get(resource["Type"])
        if setting is None:
            raise Unfixable(f"no tracing setting known for {resource['Type']}")
        return [_set(resource, properties, tuple(setting["path"].split(".")), setting["value"])]
    if finding.rule_id == "TAP505":
        if resource["Type"] != "AWS::Logs::LogGroup":
            raise Unfixable("declare the function's log group by hand")
        if isinstance(properties, dict) and "RetentionInDays" in properties:
            if intrinsic(properties["RetentionInDays"]) is not None:
                raise Unfixable("RetentionInDays is computed")
        return [_set(resource, properties, ("RetentionInDays",), _retention_days(config))]
    raise Unfixable("no mechanical fix")


def _set(resource: dict, properties, path: tuple[str, ...], value):
    """Set Properties.path to value: replace what is there, or insert what is missing."""
    if not isinstance(properties, dict):
        return ("insert", resource, "Properties", _nest(path, value))
    node = properties
    for depth, key in enumerate(path):
        if key not in node:
            return ("insert", node, key, _nest(path[depth + 1 :], value))
        if depth == len(path) - 1:
            return ("set", node, key, value)
        node = node[key]
        if not isinstance(node, dict) or intrinsic(node) is not None:
            raise Unfixable(f"{key} is computed")
    raise Unfixable("nothing to set")


def _nest(path: tuple[str, ...], value):
    for key in reversed(path):
        value = {key: value}
    return value


def _retention_days(config: Config) -> int:
    wanted = max([int(v) for v in config.log_retention.get("minimum-days", {}).values()] or [30])
    accepted = sorted(provider_schema("AWS::Logs::LogGroup")["properties"]["RetentionInDays"]["enum"])
    for days in accepted:
        if days >= wanted:
            return days
    raise Unfixable(f"CloudWatch Logs keeps logs at most {accepted[-1]} days; the policy asks {wanted}")


def _tag_fixes(template: Template, logical_id: str, resource: dict, config: Config) -> list:
    support = tag_support(resource["Type"])
    if support is None or len(support.path) != 1:
        raise Unfixable("tags of this type are nested; add them by hand")
    if resource["Type"] == "AWS::AutoScaling::AutoScalingGroup":
        raise Unfixable("auto scaling group tags need PropagateAtLaunch; add them by hand")
    properties = resource.get("Properties")
    written = properties.get(support.path[0]) if isinstance(properties, dict) else None
    present = _literal_tag_keys(written, support.style)
    additions, undecided = [], []
    for key, policy in config.required_tags.items():
        if key in present or key in config.stack_tags:
            continue
        if policy.parameter and policy.parameter in template.parameters:
            additions.append((key, {"Ref": policy.parameter}))
        elif policy.allowed:
            additions.append((key, policy.allowed[0]))
        else:
            undecided.append(key)
    if not additions:
        raise Unfixable(f"no policy value for {', '.join(undecided) or 'the missing tags'}")
    if written is None:
        entries = (
            [{"Key": key, "Value": value} for key, value in additions] if support.style == "list" else dict(additions)
        )
        target = properties if isinstance(properties, dict) else None
        if target is None:
            return [("insert", resource, "Properties", {support.path[0]: entries})]
        return [("insert", target, support.path[0], entries)]
    if support.style == "list" and isinstance(written, list) and intrinsic(written) is None:
        return [("item", written, {"Key": key, "Value": value}) for key, value in additions]
    if support.style == "map" and isinstance(written, dict) and intrinsic(written) is None:
        return [("insert", written, key, value) for key, value in additions]
    raise Unfixable("the tags are computed (an intrinsic function); add them by hand")


def _literal_tag_keys(written, style: str) -> set[str]:
    if style == "list" and isinstance(written, list):
        return {str(item["Key"]) for item in written if isinstance(item, dict) and isinstance(item.get("Key"), str)}
    if style == "map" and isinstance(written, dict):
        return {str(key) for key in written}
    return set()


def _suffix_fixes(template: Template, finding: Finding, resource: dict, config: Config, findings) -> list:
    suffix = config.suffix_parameter
    properties = resource.get("Properties")
    if not isinstance(properties, dict):
        raise Unfixable("no properties")
    if finding.path.endswith(".Name") and not finding.path.startswith("Properties.Name"):
        node = _name_tag_value(resource, properties)
    else:
        node = properties.get(finding.path.removeprefix("Properties."))
    if node is None:
        raise Unfixable("name not found")
    others = {f.resource for f in findings if f.rule_id == "TAP401" and f.resource and f.resource != finding.resource}
    if others & references(node):
        return []  # it names another resource that lacks the suffix: fixed when that one is
    return [("replace", node, _with_suffix(node, suffix))]


def _name_tag_value(resource: dict, properties: dict):
    support = tag_support(resource["Type"])
    tags = properties.get(support.path[0]) if support else None
    if isinstance(tags, list):
        for item in tags:
            if isinstance(item, dict) and item.get("Key") == "Name":
                return item.get("Value")
    if isinstance(tags, dict):
        return tags.get("Name")
    return None


def _with_suffix(node, suffix: str):
    call = intrinsic(node)
    reference = "${" + suffix + "}"
    if call is None:
        if not isinstance(node, str):
            raise Unfixable("the name is not text")
        return {"Fn::Sub": str(node).replace("${", "${!") + reference}
    name, argument = call
    if name == "Fn::Sub":
        if isinstance(argument, str):
            return {"Fn::Sub": str(argument) + reference}
        if isinstance(argument, list) and argument and isinstance(argument[0], str):
            return {"Fn::Sub": [str(argument[0]) + reference, argument[1]]}
    if name == "Ref":
        return {"Fn::Sub": "${" + str(argument) + "}" + reference}
    return {"Fn::Join": ["", [node, {"Ref": suffix}]]}
