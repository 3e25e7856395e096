"""`tapcheck fix`: safe, mechanical fixes of findings, written back in the file's own style.

Fixable: missing required tags (TAP101: the policy's value, or `!Ref Environment` when
the tag must equal that parameter), a physical name without the suffix parameter
(TAP401: appended, and the parameter added when the template has none), tracing off
(TAP504), log retention (TAP505: a log group's `RetentionInDays`), and a
`DeletionPolicy` without its `UpdateReplacePolicy` or the reverse (cfn-lint's W3011).
Everything else needs a decision and is listed, not changed.

YAML is edited as text, at the positions the parser reports, so comments, key order,
quoting, short-form tags and indentation stay exactly as written; only the inserted or
replaced lines differ. JSON is edited as data and written back with its indentation.
"""

from __future__ import annotations

import json
import re
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

MAX_PASSES = 4
PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./ @:-]*")
YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


class Unfixable(Exception):
    """This finding cannot be fixed mechanically here (the message says why)."""


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


def fix_file(path: Path, config: Config, rules: set[str], skip: frozenset[str] = frozenset()) -> FixResult:
    """The fixes of one file; resources in `skip` are left alone (those whose fixes
    cfn-lint objects to are skipped on a second try)."""
    original = path.read_text(encoding="utf-8")
    name = str(path)
    config = replace(config, engines=tuple(e for e in config.engines if e != "checkov") or ("tapcheck",))
    try:
        template = _template(name, original)
    except TemplateError as err:
        return FixResult(name, original, error=f"{name}:{err.line or 1}: {err.message}")
    before = check_template(template, config).findings
    text, notes, unfixable = original, [], {}
    for _ in range(MAX_PASSES):
        findings = check_template(template, config).findings
        operations, seen = [], set()
        for finding in _in_order(findings, rules):
            if finding.resource in skip:
                unfixable[_identity(finding)] = "cfn-lint objects to the fixed resource"
                continue
            try:
                planned = _fixes_for(template, finding, config, findings, skip)
                for operation in planned:
                    _check_writable(template, operation)
                for operation in planned:
                    key = (operation[0], id(operation[1]), str(operation[2]) if operation[0] != "replace" else "")
                    if key not in seen:  # the same fix found in several scenarios
                        seen.add(key)
                        operations.append(operation)
            except Unfixable as why:
                unfixable[_identity(finding)] = str(why)
        if not operations:
            break
        try:
            text = _apply(template, operations)
        except Unfixable as why:
            return FixResult(name, original, error=f"cannot fix {name}: {why}")
        try:
            template = _template(name, text)
        except TemplateError as err:  # a bug of ours: never write such a file
            return FixResult(name, original, error=f"the fixes would break {name} ({err.message}); nothing written")
    after = check_template(template, config).findings
    remaining = {_identity(f) for f in after}
    fixed = [f for f in before if _identity(f) not in remaining and f.rule_id in rules]
    new_engine = {(f.rule_id, f.resource) for f in after if f.engine != "tapcheck"} - {
        (f.rule_id, f.resource) for f in before if f.engine != "tapcheck"
    }
    if new_engine and None not in {resource for _, resource in new_engine} and not skip:
        return fix_file(path, config, rules, frozenset(resource for _, resource in new_engine))
    if new_engine:
        listed = ", ".join(f"{rule} on {resource}" for rule, resource in sorted(new_engine, key=str))
        return FixResult(name, original, error=f"the fixes would make cfn-lint report {listed}; nothing written")
    manual, unselected = [], Counter()
    for finding in after:
        if finding.rule_id in FIXABLE and finding.rule_id not in rules:
            unselected[finding.rule_id] += 1
            continue
        reason = unfixable.get(_identity(finding))
        if reason and finding.rule_id in rules:
            finding = replace(finding, message=f"{finding.message} (not fixed: {reason})")
        manual.append(finding)
    traced = [f.resource for f in fixed if f.rule_id == "TAP504"]
    if any(template.resources.get(resource, {}).get("Type") in FUNCTION_TYPES for resource in traced):
        notes.append("tracing is now on: each function's role needs xray:PutTraceSegments and xray:PutTelemetryRecords")
    if unselected:
        listed = ", ".join(f"{rule} x{count}" for rule, count in sorted(unselected.items()))
        notes.append(f"not asked for with --rules, so not fixed: {listed}")
    return FixResult(name, text, fixed, manual, notes)


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


@dataclass
class _Edit:
    start: int
    end: int
    text: str


def _fixes_for(template: Template, finding: Finding, config: Config, findings: list[Finding], skip=frozenset()) -> list:
    """Operations: ("insert", mapping, key, value), ("set", mapping, key, value), ("replace", node,
    value), ("item", list, value), ("top", section, value)."""
    data = template.data
    if finding.rule_id == "TAP401" and finding.resource is None:
        parameters = data.get("Parameters")
        definition = {"Type": "String", "Default": "", "Description": "Appended to every physical name"}
        if isinstance(parameters, dict):
            operation = ("insert", parameters, config.suffix_parameter, definition)
        else:
            operation = ("top", "Parameters", {config.suffix_parameter: definition})
        trial = _template(template.path, _apply(template, [operation]))
        own = replace(config, engines=("tapcheck",))
        named = [f for f in check_template(trial, own).findings if f.rule_id == "TAP401" and f.severity != "info"]
        if not [f for f in named if f.resource in trial.resources and f.resource not in skip]:
            raise Unfixable(
                "no explicit name can take the suffix (they are computed), so the parameter would be unused"
            )
        return [operation]
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


# -- writing the changes --------------------------------------------------------------------


def _is_json(template: Template) -> bool:
    return template.text.lstrip().startswith("{")


def _check_writable(template: Template, operation) -> None:
    """Raise Unfixable when the operation cannot be written into this file."""
    if _is_json(template):
        if operation[0] != "top" and _path_to(template.data, operation[1]) is None:
            raise Unfixable("cannot find the place in the JSON")
    else:
        _yaml_edit(template, operation)


def _apply(template: Template, operations: list) -> str:
    if _is_json(template):
        return _apply_json(template, operations)
    edits = [_yaml_edit(template, operation) for operation in operations]
    text = template.text
    # from the end backwards; of edits at one place the last first, so they end up in order
    for _, edit in sorted(enumerate(edits), key=lambda pair: (pair[1].start, pair[1].end, pair[0]), reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


def _yaml_edit(template: Template, operation) -> _Edit:
    text = template.text
    kind = operation[0]
    if kind == "top":
        _, key, value = operation
        resources = next(k for k in template.data if k == "Resources")
        start = _line_start(text, resources.start_mark.index)
        return _Edit(start, start, "\n".join(_render_entry(key, value, _unit(text))) + "\n\n")
    if kind == "insert":
        _, mapping, key, value = operation
        if not mapping or _is_flow(text, mapping):
            raise Unfixable("a flow-style mapping")
        first = next(iter(mapping))
        column = first.start_mark.column
        start = first.start_mark.index
        lines = _render_entry(key, value, _unit(text))
        body = "\n".join(lines[:1] + [" " * column + line for line in lines[1:]])
        return _Edit(start, start, body + "\n" + " " * column)
    if kind == "item":
        _, sequence, value = operation
        if _is_flow(text, sequence):
            raise Unfixable("a flow-style list")
        first = sequence[0]
        dash = text.rfind("-", _line_start(text, first.start_mark.index), first.start_mark.index)
        dash_column = dash - _line_start(text, dash)
        lines = _render_value(value, _unit(text))
        item = "- " + lines[0] + "".join("\n" + " " * (dash_column + 2) + line for line in lines[1:])
        return _Edit(dash, dash, item + "\n" + " " * dash_column)
    if kind == "set":
        _, mapping, key, value = operation
        node = mapping[key]
        if not hasattr(node, "start_mark"):  # a number or boolean: find it after its key
            written = next(k for k in mapping if k == key)
            start = text.index(":", written.end_mark.index) + 1
            while text[start] in " \t":
                start += 1
            end = start
            while end < len(text) and text[end] not in "\r\n#,}":
                end += 1
            return _Edit(start, len(text[start:end].rstrip()) + start, _render_value(value, _unit(text))[0])
        operation = ("replace", node, value)
    _, node, value = operation
    start, end = node.start_mark.index, node.end_mark.index
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    rendered = _render_value(value, _unit(text))
    if len(rendered) != 1:
        raise Unfixable("a multi-line value")
    return _Edit(start, end, rendered[0])


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _is_flow(text: str, node) -> bool:
    return text[node.start_mark.index : node.start_mark.index + 1] in ("{", "[")


def _unit(text: str) -> int:
    """The file's indentation step (the smallest indentation of any line)."""
    indents = [len(line) - len(line.lstrip(" ")) for line in text.splitlines() if line.strip() and line[0] == " "]
    return min(indents, default=2) or 2


def _render_entry(key: str, value, unit: int) -> list[str]:
    """`key: value` as YAML lines (the first unindented, the others relative to it)."""
    lines = _render_value(value, unit)
    if isinstance(value, dict) and intrinsic(value) is None or isinstance(value, list):
        return [f"{key}:"] + [" " * unit + line for line in lines]
    return [f"{key}: {lines[0]}"]


def _render_value(value, unit: int) -> list[str]:
    call = intrinsic(value) if isinstance(value, dict) else None
    if call is not None:
        return [_short_form(call)]
    if isinstance(value, dict):
        lines = []
        for key, inner in value.items():
            lines += _render_entry(str(key), inner, unit)
        return lines
    if isinstance(value, list):
        lines = []
        for item in value:
            inner = _render_value(item, unit)
            lines += ["- " + inner[0]] + ["  " + line for line in inner[1:]]
        return lines
    return [_scalar(value)]


def _short_form(call) -> str:
    name, argument = call
    tag = "!" + name.removeprefix("Fn::")
    if isinstance(argument, str):
        return f"{tag} {_scalar(argument, quote=name == 'Fn::Sub')}"
    return f"{tag} {_flow(argument)}"


def _flow(value) -> str:
    call = intrinsic(value) if isinstance(value, dict) else None
    if call is not None:
        return _short_form(call)
    if isinstance(value, list):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_flow(inner)}" for key, inner in value.items()) + "}"
    return _scalar(value, quote=True)


def _scalar(value, quote: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if not quote and PLAIN.fullmatch(text) and text.lower() not in YAML_WORDS and not text.endswith(":"):
        return text
    return "'" + text.replace("'", "''") + "'"


def _apply_json(template: Template, operations: list) -> str:
    text = template.text
    data = json.loads(text)
    for operation in operations:
        _apply_to_data(template, data, operation)
    indent = next((len(line) - len(line.lstrip(" ")) for line in text.splitlines()[1:] if line.startswith(" ")), 2)
    return json.dumps(data, indent=indent, ensure_ascii=False) + ("\n" if text.endswith("\n") else "")


def _apply_to_data(template: Template, data: dict, operation) -> None:
    """Apply an operation found on the parsed template to the same place in plain JSON data."""
    kind = operation[0]
    if kind == "top":
        _, key, value = operation
        data[key] = value
        return
    path = _path_to(template.data, operation[1])
    if path is None:
        raise Unfixable("cannot find the place in the JSON")
    container = data
    for step in path[:-1] if kind == "replace" else path:
        container = container[step]
    if kind in ("insert", "set"):
        container[operation[2]] = operation[3]
    elif kind == "item":
        container.append(operation[2])
    else:
        container[path[-1]] = operation[2]


def _path_to(root, target, path=()):
    if root is target:
        return path
    if isinstance(root, dict):
        items = root.items()
    elif isinstance(root, list):
        items = enumerate(root)
    else:
        return None
    for key, value in items:
        found = _path_to(value, target, (*path, str(key) if isinstance(root, dict) else key))
        if found is not None:
            return found
    return None


def diff(path: str, before: str, after: str) -> str:
    import difflib

    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), path, path))
