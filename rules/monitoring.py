"""Monitoring rules (TAP5xx): alarms that cover what matters and tell someone, tracing,
and log retention.

The alarm matrix and each namespace's metric names are a data table next to this
module (`monitoring.yml`), overridable from `.tapcheck.yml`. Alarms are indexed once
per scenario by (namespace, metric, dimension value), so coverage stays linear in the
number of resources.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

from tapcheck.checker.aws.resource_schemas import FUNCTION_TYPES
from tapcheck.checker.data_tables import data_table
from tapcheck.checker.model.intrinsics import (
    Unknown,
    as_text,
    intrinsic,
    referenced_names,
    resource_token,
    written_form,
)
from tapcheck.checker.model.table_tests import lookup
from tapcheck.checker.model.template import key_node

from .base import Rule

ALARM_TYPES = ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")
NESTED_TYPES = ("AWS::CloudFormation::Stack", "AWS::Serverless::Application")
"""Stacks that can create alarms tapcheck cannot see."""


@cache
def default_tables() -> dict:
    return data_table(__package__, "monitoring.yml")


def alarm_matrix(config) -> dict:
    matrix = {**default_tables()["alarms"], **config.alarm_matrix}
    return {k: v for k, v in matrix.items() if v is not None}


def known_metrics() -> dict[str, list[str]]:
    return default_tables()["metrics"]


def tracing_settings() -> dict[str, dict]:
    """Resource type -> the property `path` and the `value` that switch X-Ray tracing on."""
    return default_tables()["tracing"]


@dataclass
class AlarmMetric:
    alarm: str
    namespace: object
    metric: object
    dimensions: dict
    node: object


def alarm_metrics(context) -> list[AlarmMetric]:
    """Every metric every alarm reads (metric-math alarms included), its dimension
    values resolved symbolically (`{{Ref:Function}}`)."""
    return context.cached("alarm-metrics", lambda: list(_alarm_metrics(context)))


def _alarm_metrics(context):
    symbolic = context.resolver.symbolic
    for logical_id, resource in context.resources():
        if resource["Type"] != "AWS::CloudWatch::Alarm":
            continue
        written = context.resolver.active(resource.get("Properties"))
        if not isinstance(written, dict):
            continue
        properties = symbolic.resolve(written)
        if not isinstance(properties, dict):
            continue
        if "MetricName" in properties:
            yield AlarmMetric(
                logical_id,
                properties.get("Namespace"),
                properties["MetricName"],
                _dimensions(properties.get("Dimensions")),
                key_node(written, "MetricName"),
            )
        queries = properties.get("Metrics")
        for index, query in enumerate(queries if isinstance(queries, list) else []):
            stat = query.get("MetricStat") if isinstance(query, dict) else None
            metric = stat.get("Metric") if isinstance(stat, dict) else None
            if isinstance(metric, dict):
                yield AlarmMetric(
                    logical_id,
                    metric.get("Namespace"),
                    metric.get("MetricName"),
                    _dimensions(metric.get("Dimensions")),
                    _query_node(written, index),
                )


def _dimensions(value) -> dict:
    if not isinstance(value, list):
        return {}
    return {d.get("Name"): d.get("Value") for d in value if isinstance(d, dict) and isinstance(d.get("Name"), str)}


def _query_node(written: dict, index: int):
    queries = written.get("Metrics")
    if isinstance(queries, list) and index < len(queries):
        return queries[index]
    return key_node(written, "Metrics")


def identities(context, logical_id: str, resource: dict, spec: dict) -> set[str]:
    """The values an alarm dimension may hold to name this resource."""
    found = set()
    if spec.get("ref"):
        found.add(resource_token(logical_id))
    for attribute in spec.get("attributes", ()):
        found.add(resource_token(logical_id, attribute))
    name_property = spec.get("name")
    properties = resource.get("Properties")
    if name_property and isinstance(properties, dict) and name_property in properties:
        name = context.resolver.symbolic.resolve(properties[name_property])
        if isinstance(name, str):
            found.add(name)
    return found


def alarm_index(context) -> dict[tuple, list[str]]:
    """(namespace, metric, dimension name, dimension value) -> alarms."""

    def build():
        index: dict[tuple, list[str]] = {}
        for metric in alarm_metrics(context):
            for name, value in metric.dimensions.items():
                if all(isinstance(v, str) for v in (metric.namespace, metric.metric, value)):
                    index.setdefault((metric.namespace, metric.metric, name, value), []).append(metric.alarm)
        return index

    return context.cached("alarm-index", build)


def handed_to_nested(context) -> dict[str, str]:
    """Resources handed to a nested stack or application (`Ref`, `GetAtt` or `Sub` in
    its `Parameters`): logical id -> the nested stack's."""

    def build():
        handed = {}
        for logical_id, resource in context.resources():
            if resource["Type"] not in NESTED_TYPES:
                continue
            parameters = (context.template.properties_of(resource) or {}).get("Parameters")
            for name in [*referenced_names(parameters), *_get_att_targets(parameters)]:
                handed.setdefault(name, logical_id)
        return handed

    return context.cached("handed-to-nested", build)


def _get_att_targets(node):
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            call = intrinsic(item)
            if call and call[0] == "Fn::GetAtt":
                target = call[1][0] if isinstance(call[1], list) and call[1] else str(call[1]).split(".", 1)[0]
                if isinstance(target, str):
                    yield target
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _resource_node(context, logical_id):
    return context.template.resource_key(logical_id)


class MissingAlarm(Rule):
    id = "TAP501"
    name = "missing-alarm"
    area = "monitoring"
    severity = "error"
    title = "A monitored resource has no alarm on a required metric"
    what = """
        Each monitored resource has an alarm on each required metric, per the alarm
        matrix (`rules/monitoring.yml`): Lambda functions on `Errors` and `Throttles`;
        DynamoDB tables on `ThrottledRequests` (or `ReadThrottleEvents` /
        `WriteThrottleEvents`) and `SystemErrors`; REST APIs on `5XXError`; state
        machines on `ExecutionsFailed`; SQS queues on `ApproximateAgeOfOldestMessage`.
        An alarm covers a resource when its namespace and metric match and its
        dimension resolves to that resource: `Ref`, `GetAtt`, a `Sub` equal to the
        resource's resolved name, or the equal literal (an API's `ApiName` matches the
        REST API's `Name`). Metric-math alarms cover every metric they read. A resource
        handed (`Ref`, `GetAtt`, `Sub`) to a nested `AWS::CloudFormation::Stack` or
        `AWS::Serverless::Application` may get its alarms there, out of sight: `info`.
    """
    why = "Without an alarm, a failing function or a throttled table is found by its users, not by you."
    fix = """
        Add an `AWS::CloudWatch::Alarm` on the metric with the resource as its dimension,
        and an `AlarmActions` target.
    """
    hint = "add an alarm on the metric for this resource"
    failing = """
        Function:
          Type: AWS::Lambda::Function   # no alarm refers to it
    """
    passing = """
        FunctionErrors:
          Type: AWS::CloudWatch::Alarm
          Properties:
            Namespace: AWS/Lambda
            MetricName: Errors
            Dimensions: [{Name: FunctionName, Value: !Ref Function}]
            AlarmActions: [!Ref AlertTopic]
            ...
    """

    def check(self, context):
        matrix = alarm_matrix(context.config)
        index = alarm_index(context)
        for logical_id, resource in context.resources():
            spec = matrix.get(resource["Type"])
            if spec is None:
                continue
            keys = identities(context, logical_id, resource, spec)
            for alternatives in spec["metrics"]:
                covered = any(
                    (spec["namespace"], metric, spec["dimension"], key) in index
                    for metric in alternatives
                    for key in keys
                )
                if not covered:
                    metric = f"{spec['namespace']} {' or '.join(alternatives)}"
                    nested = handed_to_nested(context).get(logical_id)
                    if nested is not None:
                        message = (
                            f"cannot tell whether it has an alarm on {metric}: it is handed to {nested} "
                            f"({context.template.resources[nested]['Type']}), which may create it"
                        )
                    else:
                        message = f"no alarm on {metric} for this {resource['Type']}"
                    yield context.finding(
                        self,
                        logical_id,
                        "",
                        _resource_node(context, logical_id),
                        message,
                        severity="info" if nested is not None else None,
                        fallback=resource,
                    )


class AlarmWithoutAction(Rule):
    id = "TAP502"
    name = "alarm-without-action"
    area = "monitoring"
    severity = "error"
    title = "An alarm notifies nobody"
    what = "An alarm (or composite alarm) with no `AlarmActions`, unless `ActionsEnabled` is `false` on purpose."
    why = "An alarm that changes state in silence is a dashboard, not an alarm: nobody is told."
    fix = "Add `AlarmActions` with an SNS topic (or another action) that reaches the team."
    hint = "add AlarmActions (e.g. an SNS topic)"
    failing = """
        Errors:
          Type: AWS::CloudWatch::Alarm
          Properties:
            MetricName: Errors
            ...
    """
    passing = """
        Errors:
          Type: AWS::CloudWatch::Alarm
          Properties:
            MetricName: Errors
            AlarmActions: [!Ref AlertTopic]
            ...
    """

    def check(self, context):
        for logical_id, resource in context.resources():
            if resource["Type"] not in ALARM_TYPES:
                continue
            properties = context.resolver.resolve(resource.get("Properties") or {})
            if not isinstance(properties, dict):
                continue
            if as_text(properties.get("ActionsEnabled")) == "false":
                continue
            actions = properties.get("AlarmActions")
            if isinstance(actions, Unknown) or (isinstance(actions, list) and actions):
                continue
            yield context.finding(
                self,
                logical_id,
                "Properties.AlarmActions",
                _resource_node(context, logical_id),
                "alarm has no AlarmActions: nobody is told when it fires",
                fallback=resource,
            )


class AlarmTargetMissing(Rule):
    id = "TAP503"
    name = "alarm-target-missing"
    area = "monitoring"
    severity = "warning"
    title = "An alarm watches a resource or metric that does not exist"
    what = """
        An alarm whose dimension names a resource that is not in the template (and is
        not a parameter or an import), or whose metric name does not exist in its AWS
        namespace (`AWS/Lambda` has `Errors`, not `Error`), for the namespaces of the
        alarm matrix.
    """
    why = "Such an alarm stays in INSUFFICIENT_DATA forever: it looks like coverage and is none."
    fix = "Correct the metric name, or point the dimension at the resource (`!Ref Function`)."
    hint = "fix the metric name or the dimension value"
    failing = """
        MetricName: Error
        Namespace: AWS/Lambda
        Dimensions: [{Name: FunctionName, Value: !Ref Function}]
    """
    passing = """
        MetricName: Errors
        Namespace: AWS/Lambda
        Dimensions: [{Name: FunctionName, Value: !Ref Function}]
    """

    def check(self, context):
        matrix = alarm_matrix(context.config)
        metrics = known_metrics()
        dimension_owners = {}  # (namespace, dimension) -> identities of the template's resources
        for logical_id, resource in context.resources():
            spec = matrix.get(resource["Type"])
            if spec is not None:
                owners = dimension_owners.setdefault((spec["namespace"], spec["dimension"]), set())
                owners |= identities(context, logical_id, resource, spec)
        watched = {(s["namespace"], s["dimension"]) for s in matrix.values()}
        for metric in alarm_metrics(context):
            path = "Properties"
            if isinstance(metric.namespace, str) and isinstance(metric.metric, str) and metric.namespace in metrics:
                names = metrics[metric.namespace]
                if metric.metric not in names:
                    close = difflib.get_close_matches(metric.metric, names, n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    yield context.finding(
                        self,
                        metric.alarm,
                        path,
                        metric.node,
                        f"{metric.namespace} has no metric {metric.metric!r}{hint}",
                    )
            for name, value in metric.dimensions.items():
                if (metric.namespace, name) not in watched:
                    continue
                problem = self._dimension_problem(
                    context, name, value, dimension_owners.get((metric.namespace, name), set())
                )
                if problem:
                    yield context.finding(self, metric.alarm, path, metric.node, problem)

    @staticmethod
    def _dimension_problem(context, name: str, value, owners: set[str]) -> str | None:
        if isinstance(value, Unknown):
            if value.reason.startswith("Ref to undefined"):
                missing = value.reason.removeprefix("Ref to undefined ")
                return f"dimension {name} refers to {missing}, which is not in the template"
            return None  # an import or another deploy-time value
        if not isinstance(value, str) or value in owners:
            return None
        if value.startswith("{{Ref:") and value[6:-2] in context.template.parameters:
            return None
        if "{{" in value and not value.startswith("{{Ref:") and not value.startswith("{{GetAtt:"):
            return None  # built from deploy-time values: cannot be compared
        return f"dimension {name} = {written_form(value)!r} names no resource of this template"


class TracingDisabled(Rule):
    id = "TAP504"
    name = "tracing-disabled"
    area = "monitoring"
    severity = "warning"
    title = "X-Ray tracing is off"
    what = """
        A Lambda function without `TracingConfig.Mode: Active` (SAM: `Tracing: Active`,
        `Globals` included), an API Gateway stage without `TracingEnabled: true` (also
        the stage an `AWS::ApiGateway::Deployment` creates with `StageName`, traced by
        `StageDescription.TracingEnabled: true`), a state machine without
        `TracingConfiguration.Enabled: true`.
    """
    why = "Without traces, a slow or failing request through API, workflow and functions cannot be followed."
    fix = "Switch tracing on (and grant the function `xray:PutTraceSegments`, which SAM and the managed policies do)."
    hint = "switch on X-Ray tracing"
    failing = """
        Function:
          Type: AWS::Lambda::Function
          Properties: {...}
    """
    passing = """
        Function:
          Type: AWS::Lambda::Function
          Properties:
            TracingConfig:
              Mode: Active
    """

    def check(self, context):
        for logical_id, resource in context.resources():
            setting = tracing_settings().get(resource["Type"])
            if setting is None:
                continue
            path, expected = setting["path"], as_text(setting["value"])
            properties = context.template.properties_of(resource) or {}
            traced = resource["Type"]
            if "creates" in setting:  # a deployment's stage exists only where it is named
                created = lookup(context.resolver, properties, setting["creates"])
                if not isinstance(created, list) or not created:
                    continue
                name = as_text(created[0][1])
                traced = f"the stage {name or '(name not known)'} this {resource['Type']} creates"
            found = lookup(context.resolver, properties, path)
            if isinstance(found, list) and any(as_text(value) == expected for _, value in found):
                continue
            if isinstance(found, list):
                found = next((value for _, value in found if isinstance(value, Unknown)), found)
            if isinstance(found, Unknown):
                yield context.finding(
                    self,
                    logical_id,
                    f"Properties.{path}",
                    _resource_node(context, logical_id),
                    f"cannot tell whether tracing is on: {found.reason}",
                    severity="info",
                    fallback=resource,
                )
                continue
            node = found[0][0] if found else _resource_node(context, logical_id)
            yield context.finding(
                self,
                logical_id,
                f"Properties.{path}",
                node,
                f"{traced} has tracing off (set {path}: {expected})",
                fallback=resource,
            )


class LogRetention(Rule):
    id = "TAP505"
    name = "log-retention"
    area = "monitoring"
    severity = "warning"
    title = "Logs are kept forever, or not as long as the policy asks"
    what = """
        A Lambda function without an explicit log group (an `AWS::Logs::LogGroup`
        named `/aws/lambda/<its name>`, resolved, or one set in
        `LoggingConfig.LogGroup`); a log group without `RetentionInDays`; a log group
        that keeps logs for fewer days than the policy's minimum in the scenario
        (default: 90 days where `Environment` is `production`; configurable as
        `monitoring.log-retention`).
    """
    why = """
        A log group Lambda creates on its own keeps logs forever and costs money
        forever; one kept too briefly loses the evidence an incident needs.
    """
    fix = "Declare the log group with `RetentionInDays` (from a mapping per environment)."
    hint = "declare the log group with RetentionInDays meeting the policy"
    failing = """
        Function:
          Type: AWS::Lambda::Function   # Lambda creates /aws/lambda/... itself, kept forever
    """
    passing = """
        FunctionLogs:
          Type: AWS::Logs::LogGroup
          Properties:
            LogGroupName: !Sub /aws/lambda/${Function}
            RetentionInDays: !FindInMap [Environments, !Ref Environment, LogRetention]
    """

    def check(self, context):
        symbolic = context.resolver.symbolic
        group_names = set()
        minimum = self._minimum(context)
        for logical_id, resource in context.resources():
            if resource["Type"] != "AWS::Logs::LogGroup":
                continue
            properties = resource.get("Properties") or {}
            name = symbolic.resolve(properties.get("LogGroupName"))
            if isinstance(name, str):
                group_names.add(name)
            days = context.resolver.resolve(properties.get("RetentionInDays"))
            where = (
                key_node(properties, "RetentionInDays")
                if "RetentionInDays" in properties
                else _resource_node(context, logical_id)
            )
            if days is None:
                yield context.finding(
                    self,
                    logical_id,
                    "Properties.RetentionInDays",
                    where,
                    "log group has no RetentionInDays: logs are kept forever",
                    fallback=resource,
                )
            elif isinstance(days, Unknown):
                if minimum:
                    yield context.finding(
                        self,
                        logical_id,
                        "Properties.RetentionInDays",
                        where,
                        f"cannot tell whether retention meets {minimum} days: {days.reason}",
                        severity="info",
                        fallback=resource,
                    )
            elif minimum and int(as_text(days) or 0) < minimum:
                yield context.finding(
                    self,
                    logical_id,
                    "Properties.RetentionInDays",
                    where,
                    f"log group keeps logs {days} days; the policy asks for at least {minimum}",
                    fallback=resource,
                )
        for logical_id, resource in context.resources():
            if resource["Type"] not in FUNCTION_TYPES:
                continue
            properties = context.template.properties_of(resource) or {}
            configured = lookup(context.resolver, properties, "LoggingConfig.LogGroup")
            if configured:  # set (or not resolvable, which still means set)
                continue
            names = {
                f"/aws/lambda/{key}"
                for key in identities(context, logical_id, resource, {"ref": True, "name": "FunctionName"})
            }
            if not names & group_names:
                yield context.finding(
                    self,
                    logical_id,
                    "Properties.LoggingConfig",
                    _resource_node(context, logical_id),
                    "function has no explicit log group: Lambda creates /aws/lambda/<name> and keeps its logs forever",
                    fallback=resource,
                )

    @staticmethod
    def _minimum(context) -> int | None:
        policy = context.config.log_retention
        value = as_text(context.scenario.parameters.get(policy["parameter"]))
        days = policy["minimum-days"].get(value) if value is not None else None
        return int(days) if days is not None else policy.get("default-days")


RULES = [MissingAlarm(), AlarmWithoutAction(), AlarmTargetMissing(), TracingDisabled(), LogRetention()]
