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
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ..model.intrinsics import NO_VALUE, Unknown, intrinsic

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

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

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
            if shape == "document":
                yield from _document(context, logical_id, f"Properties.{name}", properties.get(name), "identity", None)
            else:
                for index, policy in _items(active, properties.get(name)):
                    if isinstance(policy, dict):
                        yield from _document(
                            context,
                            logical_id,
                            f"Properties.{name}[{index}].PolicyDocument",
                            policy.get("PolicyDocument"),
                            "identity",
                            None,
                        )
        elif resource_type in RESOURCE_POLICY_TYPES:
            name, service = RESOURCE_POLICY_TYPES[resource_type]
            yield from _document(context, logical_id, f"Properties.{name}", properties.get(name), "resource", service)
        elif resource_type in SAM_POLICY_TYPES:
            for index, policy in _sam_policies(active, properties.get("Policies")):
                if isinstance(policy, dict) and "Statement" in policy:
                    yield from _document(context, logical_id, f"Properties.Policies[{index}]", policy, "identity", None)


def _document(context, resource, path, node, kind, service) -> Iterator[PolicyDocument]:
    node = context.resolver.active(node)
    if node is None or node is NO_VALUE or isinstance(node, Unknown):
        return
    if isinstance(node, str) or intrinsic(node) is not None:
        # written as a JSON string (Logs resource policies) or built by an intrinsic;
        # deploy-time values (${AWS::Region}) stay in the text as tokens
        value = context.resolver.symbolic.resolve(node)
        try:
            value = json.loads(value) if isinstance(value, str) else value
        except ValueError:
            return
        if isinstance(value, dict):
            yield PolicyDocument(resource, path, kind, service, _Located(value, node))
    elif isinstance(node, dict):
        yield PolicyDocument(resource, path, kind, service, node)


class _Located(dict):
    """A document parsed from a string: its values carry the string's location."""

    def __init__(self, data: dict, origin) -> None:
        super().__init__(data)
        self.start_mark = getattr(origin, "start_mark", None)


def statements(context, document: PolicyDocument) -> list[Statement]:
    return context.cached(("statements", id(document.node)), lambda: list(_statements(context, document)))


def _statements(context, document: PolicyDocument) -> Iterator[Statement]:
    resolver = context.resolver
    body = resolver.active(document.node.get("Statement"))
    listed = [(None, body)] if isinstance(body, dict) else list(_items(resolver.active, body))
    for index, node in listed:
        if not isinstance(node, dict):
            continue
        path = f"{document.path}.Statement" + ("" if index is None else f"[{index}]")
        located = node if hasattr(node, "start_mark") else document.node
        statement = Statement(document, path, located, resolver.resolve(node.get("Effect")))
        for name in ("Action", "NotAction", "Resource", "NotResource"):
            if name in node:
                written = resolver.active(node[name])
                statement.written[name] = written
                statement.fields[name] = _as_list(resolver.resolve(node[name]))
        statement.principal = resolver.resolve(node["Principal"]) if "Principal" in node else None
        statement.not_principal = resolver.resolve(node["NotPrincipal"]) if "NotPrincipal" in node else None
        statement.condition = resolver.resolve(node["Condition"]) if "Condition" in node else None
        yield statement


def managed_policies(context) -> list[ManagedPolicy]:
    """Managed policies attached by ARN (IAM) or by name (SAM `Policies`)."""
    return context.cached("managed-policies", lambda: _managed_policies(context))


def _managed_policies(context) -> list[ManagedPolicy]:
    found = []
    active, resolve = context.resolver.active, context.resolver.resolve
    for logical_id, resource in context.resources():
        properties = active(resource.get("Properties"))
        if not isinstance(properties, dict):
            continue
        if resource["Type"] in MANAGED_POLICY_TYPES:
            for index, arn in _items(active, properties.get("ManagedPolicyArns")):
                found.append(ManagedPolicy(logical_id, f"Properties.ManagedPolicyArns[{index}]", arn, resolve(arn)))
        elif resource["Type"] in SAM_POLICY_TYPES:
            for index, policy in _sam_policies(active, properties.get("Policies")):
                if isinstance(policy, str) or intrinsic(policy) is not None:
                    found.append(ManagedPolicy(logical_id, f"Properties.Policies[{index}]", policy, resolve(policy)))
    return found


def _sam_policies(active, node) -> Iterator[tuple[int, object]]:
    """SAM `Policies` items other than policy templates (which SAM scopes itself)."""
    node = active(node)
    items = _items(active, node) if isinstance(node, list) else [(0, node)]
    templates = sam_policy_templates()
    for index, item in items:
        if isinstance(item, dict) and len(item) == 1 and next(iter(item)) in templates:
            continue
        yield index, item


def _items(active, node) -> Iterator[tuple[int, object]]:
    node = active(node)
    if not isinstance(node, list):
        return
    for index, item in enumerate(node):
        item = active(item)
        if item is not NO_VALUE and not isinstance(item, Unknown):
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
