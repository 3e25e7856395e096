"""Naming rules (TAP4xx): physical names carry the environment suffix and are valid
names for their service once resolved.

Which properties are physical names comes from the resource schemas
(`tapcheck.checker.aws.physical_names`); each service's length and character rules are a
data table next to this module (`naming.yml`).
"""

from __future__ import annotations

import re
from functools import cache

from tapcheck.checker.aws.physical_names import NameResolver, explicit_names
from tapcheck.checker.aws.resource_tags import resource_tags, written_tag_keys
from tapcheck.checker.data_tables import data_table
from tapcheck.checker.model.intrinsics import SymbolicResolver, Unknown, as_text, resource_token, written_form
from tapcheck.checker.model.resource_view import resource_view
from tapcheck.checker.model.template import key_node

from .base import Rule

MAX_LISTED = 8
TOKEN = re.compile(r"\{\{(?:Ref|GetAtt):([A-Za-z0-9]+)(?:\.[^}]*)?\}\}")


@cache
def name_rules() -> dict:
    return data_table(__package__, "naming.yml")


def _named(context):
    """(logical id, path, written node, location) of every explicit physical name,
    the `Name` tag included."""
    for logical_id, resource in context.resources():
        properties = resource.get("Properties") or {}
        for name, written in explicit_names(context.template, resource):
            yield logical_id, f"Properties.{name}", written, key_node(properties, name)
        tags = resource_tags(context, resource)
        if tags is not None:
            for entry in tags.entries:
                if entry.key == "Name" and entry.value_node is not None:
                    yield logical_id, f"{tags.support.dotted}.Name", entry.value_node, entry.node


class MissingNameSuffix(Rule):
    id = "TAP401"
    name = "missing-name-suffix"
    area = "naming"
    severity = "error"
    title = "A physical name does not include the environment suffix"
    what = """
        Every explicit physical name (table, function, role, bucket, state machine,
        alarm, log group, API, usage plan, topic, queue, the identifiers the schemas
        mark create-only such as RDS `DBInstanceIdentifier`/`DBClusterIdentifier`,
        Redshift `ClusterIdentifier`, ElastiCache `ReplicationGroupId`, ... and the
        `Name` tag)
        includes the environment-suffix parameter (default `EnvironmentSuffix`,
        configurable as `naming.suffix-parameter`): directly (`${EnvironmentSuffix}`
        in a `Sub`, a `Ref` in a `Join`), or through another resource whose own name
        includes it (`/aws/lambda/${ProcessingLambda}`), transitively. A template with
        explicit names and no such parameter is reported once, at `Parameters`, listing
        the names (`Table TableName, Queue QueueName, ...`) of every resource, whichever
        conditions create it.
    """
    why = """
        Two deployments of the stack (a developer's and CI's, or two environments in
        one account) collide on every fixed name: the second deployment fails, or
        worse, both write to one table.
    """
    fix = "Append the suffix: `!Sub '${AWS::StackName}-orders${EnvironmentSuffix}'`, or drop the explicit name."
    hint = "include ${EnvironmentSuffix} in the name (or let CloudFormation generate it)"
    failing = """
        Table:
          Type: AWS::DynamoDB::Table
          Properties:
            TableName: orders
    """
    passing = """
        Table:
          Type: AWS::DynamoDB::Table
          Properties:
            TableName: !Sub orders${EnvironmentSuffix}
    """

    def check(self, context):
        suffix = context.config.suffix_parameter
        if suffix not in context.template.parameters:
            yield from self._no_suffix_parameter(context, suffix)
            return
        named = list(_named(context))
        token = resource_token(suffix)
        resolver = context.cached(
            ("suffix-resolver", suffix), lambda: context.resolver.variant(SymbolicResolver, parameters={suffix: token})
        )
        for logical_id, path, written, where in named:
            value = resolver.resolve(written)
            verdict = self._includes(context, resolver, value, token, {logical_id})
            if verdict is True:
                continue
            shown = written_form(as_text(value)) if as_text(value) is not None else None
            if isinstance(verdict, Unknown):
                yield context.finding(
                    self,
                    logical_id,
                    path,
                    written,
                    f"cannot tell whether the name includes {suffix}: {verdict.reason}",
                    severity="info",
                    fallback=where,
                )
            else:
                yield context.finding(
                    self,
                    logical_id,
                    path,
                    written,
                    f"name {shown!r} does not include {suffix}",
                    fallback=where,
                )

    def _no_suffix_parameter(self, context, suffix: str) -> list:
        """One finding for the template, the same in every scenario (worked out once):
        the names and `Name` tags written for every resource, whichever conditions
        create it or choose its tags."""
        key = ("TAP401: no suffix parameter", suffix)
        if key not in context.template.derived:
            context.template.derived[key] = list(self._without_suffix_parameter(context, suffix))
        return context.template.derived[key]

    def _without_suffix_parameter(self, context, suffix: str):
        resources = context.template.resources.items()
        names = [
            f"{logical_id} {name}"
            for logical_id, resource in resources
            for name, _ in explicit_names(context.template, resource)
        ]
        names += [
            f"{logical_id} Name tag"
            for logical_id, resource in resources
            if "Name" in written_tag_keys(context.template, resource)
        ]
        if not names:
            return
        data = context.template.data
        shown = ", ".join(names[:MAX_LISTED]) + (
            f" (+{len(names) - MAX_LISTED} more)" if len(names) > MAX_LISTED else ""
        )
        yield context.finding(
            self,
            None,
            "Parameters",
            key_node(data, "Parameters") if "Parameters" in data else data,
            f"the template sets {len(names)} explicit physical name(s) but has no {suffix} parameter "
            f"to keep them apart between deployments: {shown}",
        )

    def _includes(self, context, resolver, value, token: str, seen: set[str]) -> bool | Unknown:
        if isinstance(value, Unknown):
            return value
        text = as_text(value)
        if text is None:
            return Unknown("the name is not a string")
        if token in text:
            return True
        for referenced in TOKEN.findall(text):
            resource = context.template.resources.get(referenced)
            if resource is None or referenced in seen:
                continue
            for _, written in explicit_names(context.template, resource):
                inner = self._includes(context, resolver, resolver.resolve(written), token, seen | {referenced})
                if inner is True:
                    return True
        return False


class InvalidPhysicalName(Rule):
    id = "TAP402"
    name = "invalid-physical-name"
    area = "naming"
    local = True
    reads_referred = True
    severity = "error"
    title = "A physical name breaks its service's length or character rules"
    what = """
        Each explicit name, resolved in every scenario (each allowed value of the
        suffix parameter, its default otherwise) with the stack name from
        `--stack-name`/config (default `tap-stack-production`) and placeholder
        account and region values of realistic length, meets its service's rules
        (`rules/naming.yml`): S3 3-63 lowercase characters; IAM role 64; Lambda
        function 64; DynamoDB 3-255 `[A-Za-z0-9_.-]`; state machine 80; log group 512
        `[.\\-_/#A-Za-z0-9]`; alarm 255; SNS topic 256; SQS queue 80 (and `.fifo`
        exactly for FIFO queues); API Gateway 1024; RDS instance and cluster
        identifiers 1-63, starting with a letter, no `--` and no trailing hyphen.
        References to other resources count with those resources' names. When
        cfn-lint runs, its check of the same
        name against the property's pattern or length (`W1030`-`W1034` for a resolved
        `Ref`/`Sub`/`Join`/`Split`/`FindInMap`, `E3031`/`E3033` as written) is left
        out and this finding names it ("cfn-lint W1032 says the same").
    """
    why = "CloudFormation only finds out at deployment, after creating half the stack, and rolls it all back."
    fix = "Shorten the fixed part of the name, or use characters the service allows."
    hint = "shorten the name or fix its characters"
    failing = """
        Function:
          Type: AWS::Lambda::Function
          Properties:
            FunctionName: !Sub ${AWS::StackName}-order-processing-and-notification${EnvironmentSuffix}
    """
    passing = """
        Function:
          Type: AWS::Lambda::Function
          Properties:
            FunctionName: !Sub ${AWS::StackName}-orders${EnvironmentSuffix}
    """

    def check(self, context):
        table = name_rules()
        resolver = context.cached(
            "name-resolver", lambda: context.resolver.variant(NameResolver, pseudo=NameResolver.PLACEHOLDERS)
        )
        for logical_id, resource in context.resources():
            spec = table.get(resource["Type"])
            if spec is None:
                continue
            properties = resource_view(context.template, resolver, logical_id)  # names as deployed
            name = properties.get(spec["property"])
            if name.missing:
                continue
            unknown = name.scalar_problem
            if unknown is not None:
                yield context.finding(
                    self,
                    logical_id,
                    name.path,
                    name.written,
                    f"cannot check the name: {unknown.reason}",
                    severity="info",
                    fallback=name.node,
                )
                continue
            for problem, severity in self._problems(spec, name.text, properties):
                yield context.finding(
                    self, logical_id, name.path, name.written, problem, severity=severity, fallback=name.node
                )

    @staticmethod
    def _problems(spec: dict, name: str, properties) -> list[tuple[str, str | None]]:
        problems = []
        shown = f"name {name!r} ({len(name)} characters)"
        if not spec["min"] <= len(name) <= spec["max"]:
            problems.append((f"{shown}: {spec['what']} allow {spec['min']}-{spec['max']} characters", None))
        if "pattern" in spec and not re.match(spec["pattern"], name):
            problems.append((f"name {name!r}: {spec['what']} allow {spec['characters']}", None))
        if "fifo" in spec:
            fifo = properties.get(spec["fifo"])
            if fifo.scalar_problem is not None:
                reason = fifo.scalar_problem.reason
                problems.append((f"cannot tell whether {name!r} must end in .fifo: {reason}", "info"))
            elif (fifo.text == "true") != name.endswith(".fifo"):
                problems.append(
                    (
                        f"name {name!r}: FIFO {spec['what']} must end in .fifo"
                        if fifo.text == "true"
                        else f"name {name!r}: only FIFO {spec['what']} end in .fifo",
                        None,
                    )
                )
        return problems


RULES = [MissingNameSuffix(), InvalidPhysicalName()]
