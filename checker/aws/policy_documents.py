"""Every IAM policy a template writes, read the same way for every rule that needs it.

Identity policies (role, user and group inline policies, `AWS::IAM::Policy` and
`ManagedPolicy`, SAM `Policies`) and resource policies (S3, SQS, SNS, KMS key policy,
VPC endpoint, Logs resource policy, OpenSearch/Elasticsearch access policy, ECR
repository policy, role trust policy), with their statements resolved in one scenario.
`Statement` may be one mapping or a list; `Action`, `Resource` and the principals may
be a string or a list; `Fn::If` may choose any of them.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ..model.intrinsics import NO_VALUE, RESOURCE_TOKEN, SUB_VARIABLE, Unknown, intrinsic
from ..model.template import key_node

IDENTITY_POLICY_TYPES = {
    # resource type: property holding a list of {PolicyName, PolicyDocument}, or a document
    "AWS::IAM::Role": ("Policies", "list"),
    "AWS::IAM::User": ("Policies", "list"),
    "AWS::IAM::Group": ("Policies", "list"),
    "AWS::IAM::Policy": ("PolicyDocument", "document"),
    "AWS::IAM::ManagedPolicy": ("PolicyDocument", "document"),
    "AWS::IAM::RolePolicy": ("PolicyDocument", "document"),
    "AWS::IAM::UserPolicy": ("PolicyDocument", "document"),
    "AWS::IAM::GroupPolicy": ("PolicyDocument", "document"),
}
RESOURCE_POLICY_TYPES = {
    "AWS::S3::BucketPolicy": ("PolicyDocument", "s3"),
    "AWS::SQS::QueuePolicy": ("PolicyDocument", "sqs"),
    "AWS::SNS::TopicPolicy": ("PolicyDocument", "sns"),
    "AWS::KMS::Key": ("KeyPolicy", "kms"),
    "AWS::EC2::VPCEndpoint": ("PolicyDocument", "vpce"),
    "AWS::Logs::ResourcePolicy": ("PolicyDocument", "logs"),
    "AWS::OpenSearchService::Domain": ("AccessPolicies", "es"),
    "AWS::Elasticsearch::Domain": ("AccessPolicies", "es"),
    "AWS::ECR::Repository": ("RepositoryPolicyText", "ecr"),
}
TRUST_POLICY_TYPES = {"AWS::IAM::Role": "AssumeRolePolicyDocument"}
"""A role's trust policy is a resource policy of the role: who may assume it (`sts`)."""
MANAGED_POLICY_TYPES = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")
SAM_POLICY_TYPES = ("AWS::Serverless::Function", "AWS::Serverless::StateMachine")


@dataclass
class PolicyDocument:
    resource: str
    path: str
    kind: str
    """`identity` or `resource`."""
    service: str | None
    """For resource policies, whose: `s3`, `sqs`, `sns`, `kms`, `vpce`, `logs`, `es`,
    `ecr`, `sts` (a role's trust policy)."""
    node: object
    unknown: Unknown | None = None
    """Why the document (or the list of policies it is in) cannot be read, if it cannot."""
    managed: str | None = None
    """The AWS managed policy whose document this is (see `managed_policies`)."""


@dataclass
class Statement:
    document: PolicyDocument
    path: str
    node: object
    effect: object
    fields: dict = field(default_factory=dict)
    """Resolved `Action`, `NotAction`, `Resource`, ... as written (lists of values)."""
    written: dict = field(default_factory=dict)
    """The nodes of those fields as written, for locations."""
    principal: object = None
    not_principal: object = None
    condition: object = None
    unknown: Unknown | None = None
    """Why the statement cannot be read at all, if it cannot."""
    doubts: dict = field(default_factory=dict)
    """Why a field (`Effect`, `Action`, `Resource`, `Principal`, `Condition`) cannot be
    read: it is unknown, or of the wrong type. A reference to one of the template's
    resources is not a doubt: it names that resource."""
    branch: tuple | None = None
    """(condition, outcome, why undecided) for a statement under an `Fn::If` whose
    condition this scenario cannot decide: both branches are read."""

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    @property
    def may_allow(self) -> bool:
        """An Allow, or a statement whose Effect cannot be read."""
        return self.allows or "Effect" in self.doubts

    def values(self, name: str) -> list:
        return self.fields.get(name, [])

    def node_of(self, name: str, value=None):
        """Where a field (or one of its values) is written; the statement otherwise."""
        written = self.written.get(name)
        if isinstance(written, list) and value is not None:
            for item in written:
                if item == value and hasattr(item, "start_mark"):
                    return item
        if isinstance(written, str) and hasattr(written, "start_mark"):
            return written
        return self.node


@dataclass
class ManagedPolicy:
    resource: str
    path: str
    node: object
    arn: object
    """The resolved ARN or SAM policy name; an Unknown when not resolvable."""


def is_public(principal) -> bool:
    """A statement's Principal that stands for anyone: `*`, or `*` among its AWS principals."""
    if principal == "*":
        return True
    if isinstance(principal, dict):
        entries = principal.get("AWS", [])
        entries = entries if isinstance(entries, list) else [entries]
        return "*" in entries
    return False


def policy_documents(context) -> list[PolicyDocument]:
    """Every policy document in the scenario; those that cannot be read carry `unknown`."""
    return context.cached("policy-documents", lambda: list(_documents(context)))


def _documents(context) -> Iterator[PolicyDocument]:
    active = context.resolver.active
    for logical_id, resource in context.resources():
        resource_type = resource["Type"]
        properties = active(resource.get("Properties"))
        if not isinstance(properties, dict):
            continue
        if resource_type in TRUST_POLICY_TYPES:
            name = TRUST_POLICY_TYPES[resource_type]
            yield from _document(context, logical_id, f"Properties.{name}", properties.get(name), "resource", "sts")
        if resource_type in IDENTITY_POLICY_TYPES:
            name, shape = IDENTITY_POLICY_TYPES[resource_type]
            path = f"Properties.{name}"
            if shape == "document":
                yield from _document(context, logical_id, path, properties.get(name), "identity", None)
                continue
            for index, policy in _items(context, properties.get(name), path):
                where = f"{path}[{index}]" if index is not None else path
                if isinstance(policy, Unknown):
                    yield PolicyDocument(logical_id, where, "identity", None, properties, policy)
                elif not isinstance(policy, dict):
                    problem = Unknown(f"{where} is not a PolicyName/PolicyDocument mapping")
                    yield PolicyDocument(logical_id, where, "identity", None, properties, problem)
                else:
                    where = f"{where}.PolicyDocument"
                    yield from _document(context, logical_id, where, policy.get("PolicyDocument"), "identity", None)
        elif resource_type in RESOURCE_POLICY_TYPES:
            name, service = RESOURCE_POLICY_TYPES[resource_type]
            yield from _document(context, logical_id, f"Properties.{name}", properties.get(name), "resource", service)
        elif resource_type in SAM_POLICY_TYPES:
            for index, policy in _sam_policies(context, properties.get("Policies")):
                where = f"Properties.Policies[{index}]" if index is not None else "Properties.Policies"
                if isinstance(policy, Unknown):
                    yield PolicyDocument(logical_id, where, "identity", None, properties, policy)
                elif isinstance(policy, dict) and "Statement" in policy:
                    yield from _document(context, logical_id, where, policy, "identity", None)


def _document(context, resource, path, node, kind, service) -> Iterator[PolicyDocument]:
    written = node
    node = context.resolver.active(node)
    if node is None or node is NO_VALUE:
        return
    if isinstance(node, Unknown):
        yield PolicyDocument(resource, path, kind, service, written, node)
    elif isinstance(node, str) or intrinsic(node) is not None:
        # written as a JSON string (Logs resource policies) or built by an intrinsic;
        # deploy-time values (${AWS::Region}) stay in the text as tokens
        value = context.resolver.symbolic.resolve(node)
        try:
            value = json.loads(value) if isinstance(value, str) else value
        except ValueError:
            value = Unknown(f"{path} is not a JSON policy document")
        if isinstance(value, dict):
            yield PolicyDocument(resource, path, kind, service, _Located(value, node))
        else:
            problem = value if isinstance(value, Unknown) else Unknown(f"{path} is not a policy document")
            yield PolicyDocument(resource, path, kind, service, node, problem)
    elif isinstance(node, dict):
        yield PolicyDocument(resource, path, kind, service, node)
    else:
        yield PolicyDocument(resource, path, kind, service, node, Unknown(f"{path} is not a policy document"))


class _Located(dict):
    """A document parsed from a string: its values carry the string's location."""

    def __init__(self, data: dict, origin) -> None:
        super().__init__(data)
        self.start_mark = getattr(origin, "start_mark", None)


def statements(context, document: PolicyDocument) -> list[Statement]:
    """The statements of a document (none when the document cannot be read); a statement
    that cannot be read has `unknown` set."""
    if document.unknown is not None:
        return []
    return context.cached(("statements", id(document.node)), lambda: list(_statements(context, document)))


def _statements(context, document: PolicyDocument) -> Iterator[Statement]:
    resolver = context.resolver
    base = f"{document.path}.Statement"
    written = document.node.get("Statement")
    body = resolver.active(written)
    if isinstance(body, dict) and intrinsic(body) is not None:
        body = resolver.resolve(body)  # a Ref to a list parameter, a FindInMap
    if body is None or body is NO_VALUE:
        return
    if isinstance(body, Unknown) or not isinstance(body, (dict, list)):
        problem = body if isinstance(body, Unknown) else Unknown(f"{base} is not a list of statements")
        yield Statement(document, base, document.node, None, unknown=problem)
        return
    listed = [(base, body)] if isinstance(body, dict) else [(f"{base}[{i}]", item) for i, item in enumerate(body)]
    for path, item in listed:
        chosen = resolver.active(item)
        if chosen is NO_VALUE:
            continue
        call = intrinsic(item)
        if isinstance(chosen, Unknown) and call and call[0] == "Fn::If" and _two_branches(call[1]):
            condition = call[1][0]
            for index, outcome in ((1, True), (2, False)):
                branch = resolver.active(call[1][index])
                if branch is not NO_VALUE:
                    yield _statement(
                        context, document, f"{path}.Fn::If[{index}]", branch, (str(condition), outcome, chosen)
                    )
            continue
        yield _statement(context, document, path, chosen)


BRANCH = re.compile(r"^(?P<base>.*)\.Fn::If\[(?P<index>[12])\]$")


def settle_branches(context, findings) -> Iterator:
    """A rule's findings, with those on the two branches of an undecided `Fn::If` made
    one: a finding both branches give stands as it is, at the `Fn::If`; one that only
    one branch gives is an info that names the condition."""
    branches = None  # read only for a finding on a branch: most scenarios have none
    pending: dict[tuple, dict] = {}
    for finding in findings:
        match = BRANCH.match(finding.path)
        if match is not None:
            branches = branches if branches is not None else _branches(context)
            if (finding.resource, finding.path) in branches:
                key = (finding.rule_id, finding.resource, match["base"], finding.severity, finding.message)
                pending.setdefault(key, {})[(finding.resource, finding.path)] = finding
                continue
        yield finding
    for (_, _, base, severity, message), found in pending.items():
        where, finding = next(iter(found.items()))
        finding.path = base
        if len(found) == 1 and severity != "info":
            condition, outcome, why = branches[where]
            finding.severity = "info"
            finding.message = (
                f"{message}, only where condition {condition} is {'true' if outcome else 'false'} "
                f"(which cannot be decided: {why.reason})"
            )
        yield finding


def _branches(context) -> dict[tuple, tuple]:
    """(resource, statement path) -> (condition, outcome, why undecided) of the statements
    read on a branch of an undecided `Fn::If`, in this scenario."""

    def build() -> dict[tuple, tuple]:
        return {
            (document.resource, statement.path): statement.branch
            for document in policy_documents(context)
            for statement in statements(context, document)
            if statement.branch is not None
        }

    return context.cached(("branches",), build)


def _two_branches(argument) -> bool:
    return isinstance(argument, list) and len(argument) == 3 and isinstance(argument[0], str)


def _statement(context, document, path, node, branch=None) -> Statement:
    resolver = context.resolver
    if isinstance(node, dict) and intrinsic(node) is not None:
        node = resolver.resolve(node)
    if not isinstance(node, dict):
        problem = node if isinstance(node, Unknown) else Unknown(f"{path} is not a statement")
        return Statement(document, path, document.node, None, unknown=problem, branch=branch)
    located = node if hasattr(node, "start_mark") else document.node
    statement = Statement(document, path, located, resolver.resolve(node.get("Effect")), branch=branch)
    if not isinstance(statement.effect, str):
        statement.doubts["Effect"] = _doubt(statement.effect, f"{path}.Effect")
    for name in ("Action", "NotAction", "Resource", "NotResource"):
        if name in node:
            statement.written[name] = resolver.active(node[name])
            statement.fields[name] = _as_list(resolver.resolve(node[name]))
            doubt = _open(context, node[name], f"{path}.{name}")
            if doubt is not None:
                statement.doubts[name] = doubt
    statement.principal = resolver.resolve(node["Principal"]) if "Principal" in node else None
    statement.not_principal = resolver.resolve(node["NotPrincipal"]) if "NotPrincipal" in node else None
    statement.condition = resolver.resolve(node["Condition"]) if "Condition" in node else None
    principal = resolver.active(node.get("Principal"))
    where = f"{path}.Principal"
    if isinstance(principal, dict) and intrinsic(principal) is None:
        doubt = _open(context, principal.get("AWS"), f"{where}.AWS")
    elif isinstance(principal, list):
        doubt = Unknown(f"{where} is neither '*' nor a mapping of principals")
    else:
        doubt = _open(context, principal, where)
    if doubt is not None:
        statement.doubts["Principal"] = doubt
    condition = statement.condition
    if condition is not None and not isinstance(condition, dict):
        statement.doubts["Condition"] = _doubt(condition, f"{path}.Condition")
    elif condition is not None:
        blocks = (f"{path}.Condition.{op}" for op, tests in condition.items() if not isinstance(tests, dict))
        if (block := next(blocks, None)) is not None:
            statement.doubts["Condition"] = Unknown(f"{block} is not a mapping of condition keys")
    return statement


OPAQUE = ("Ref", "Fn::ImportValue", "Fn::Select", "Fn::Split", "Fn::If")
"""Intrinsics whose unknown value may be anything (`*` included); an unknown `Join`, `Sub`
or `GetAtt` builds a value around its literal text, or names a resource."""


def _open(context, node, where: str, listed: bool = False) -> Unknown | None:
    """Why a policy field (a value or a list of values) may hold anything: a value that
    cannot be known and could be `*` (a parameter, an import, an undecided `Fn::If`), or
    a value of the wrong type. None when every value is known, or is built around text
    of its own."""
    resolver = context.resolver
    active = resolver.active(node)
    if isinstance(active, Unknown):
        return active
    if active is None or active is NO_VALUE or isinstance(active, (str, int, float)):
        return None
    if isinstance(active, list) and not listed:
        return next(filter(None, (_open(context, v, f"{where}[{i}]", True) for i, v in enumerate(active))), None)
    call = intrinsic(active)
    if call is None:  # a list in a list, a mapping
        return Unknown(f"{where} is not a single value")
    value = resolver.resolve(active)
    if isinstance(value, list):
        return next((v for v in value if isinstance(v, Unknown)), None)
    if not isinstance(value, Unknown):
        return None if isinstance(value, (str, int, float)) else Unknown(f"{where} is not a single value")
    name, argument = call
    if name == "Ref" and argument in context.template.resources:
        return None  # names one of the template's resources
    if name == "Fn::Sub" and isinstance(argument, str) and SUB_VARIABLE.fullmatch(argument):
        return value  # "${Parameter}" alone
    if name == "Fn::FindInMap":
        return value if _mapping_has_wildcard(context.template, argument) else None
    return value if name in OPAQUE else None


def _doubt(value, where: str) -> Unknown:
    if isinstance(value, Unknown):
        return value
    return Unknown(f"{where} is not a single value" if value is not None else f"{where} is not set")


def _mapping_has_wildcard(template, argument) -> bool:
    """Whether the mapping a `Fn::FindInMap` reads may give `*`: it holds a value with
    a `*`, or something other than text (or is not there)."""
    name = argument[0] if isinstance(argument, list) and argument else None
    mapping = template.mappings.get(name) if isinstance(name, str) else None
    if not isinstance(mapping, dict):
        return True
    stack = [mapping]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and "*" in item or not isinstance(item, (str, int, float)):
            return True
    return False


def managed_policies(context) -> list[ManagedPolicy]:
    """Managed policies attached by ARN (IAM) or by name (SAM `Policies`)."""
    return context.cached("managed-policies", lambda: _managed_policies(context))


def _managed_policies(context) -> list[ManagedPolicy]:
    found = []
    active, resolve, symbolic = context.resolver.active, context.resolver.resolve, context.resolver.symbolic
    for logical_id, resource in context.resources():
        properties = active(resource.get("Properties"))
        if not isinstance(properties, dict):
            continue
        if resource["Type"] in MANAGED_POLICY_TYPES:
            path = "Properties.ManagedPolicyArns"
            for index, arn in _items(context, properties.get("ManagedPolicyArns"), path):
                where = f"{path}[{index}]" if index is not None else path
                value = arn if isinstance(arn, Unknown) else resolve(arn)
                if isinstance(value, Unknown) and RESOURCE_TOKEN.fullmatch(str(symbolic.resolve(arn))):
                    value = symbolic.resolve(arn)  # the template's own managed policy: its document is read
                node = arn if hasattr(arn, "start_mark") else key_node(properties, "ManagedPolicyArns")
                found.append(ManagedPolicy(logical_id, where, node, value))
        elif resource["Type"] in SAM_POLICY_TYPES:
            for index, policy in _sam_policies(context, properties.get("Policies")):
                if isinstance(policy, str) or intrinsic(policy) is not None:
                    found.append(ManagedPolicy(logical_id, f"Properties.Policies[{index}]", policy, resolve(policy)))
    return found


def _sam_policies(context, node) -> Iterator[tuple[int | None, object]]:
    """SAM `Policies` items other than policy templates (which SAM scopes itself); an
    Unknown for an item (or the whole list) that cannot be read."""
    active = context.resolver.active(node)
    if isinstance(active, list):
        items = _items(context, node, "Properties.Policies")
    else:  # one policy: a name, an ARN, a document or a template
        items = [(0, active)] if active is not None and active is not NO_VALUE else []
    templates = sam_policy_templates()
    for index, item in items:
        if isinstance(item, dict) and len(item) == 1 and next(iter(item)) in templates:
            continue
        yield index, item


def _items(context, node, path: str) -> Iterator[tuple[int | None, object]]:
    """(index, item) of a list as the scenario has it; an item whose `Fn::If` cannot be
    decided is an Unknown, and so is the list when it cannot be read (index None)."""
    resolver = context.resolver
    listed = resolver.active(node)
    if listed is None or listed is NO_VALUE:
        return
    if isinstance(listed, dict) and intrinsic(listed) is not None:
        listed = resolver.resolve(listed)
    if isinstance(listed, Unknown) or not isinstance(listed, list):
        yield None, listed if isinstance(listed, Unknown) else Unknown(f"{path} is not a list")
        return
    for index, item in enumerate(listed):
        item = resolver.active(item)
        if item is not NO_VALUE:
            yield index, item


def _as_list(value) -> list:
    if value is None or value is NO_VALUE:
        return []
    return value if isinstance(value, list) else [value]


@cache
def sam_policy_template_data() -> dict:
    """SAM's policy templates by name, from aws-sam-translator's own data."""
    spec = importlib.util.find_spec("samtranslator")
    path = Path(spec.origin).parent / "policy_templates_data" / "policy_templates.json"
    return json.loads(path.read_text(encoding="utf-8"))["Templates"]


@cache
def sam_policy_templates() -> frozenset[str]:
    """Names of SAM's policy templates."""
    return frozenset(sam_policy_template_data())
