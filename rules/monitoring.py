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
    RESOURCE_TOKEN,
    Unknown,
    as_text,
    intrinsic,
    referenced_names,
    resource_token,
    written_form,
)
from tapcheck.checker.model.resource_view import View
from tapcheck.checker.model.table_tests import views_below

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
    """One metric an alarm reads, as views of the alarm's properties resolved
    symbolically (a dimension `!Ref Function` reads `{{Ref:Function}}`)."""

    alarm: str
    namespace: View
    metric: View
    dimensions: View
    """The `Dimensions` list."""
    node: object

    def dimension_values(self) -> list[tuple[str, View]]:
        """(name, value) of every dimension whose name is known."""
        found = []
        for dimension in self.dimensions.items():
            name = dimension.get("Name").text
            if name is not None:
                found.append((name, dimension.get("Value")))
        return found

    def uncertainty(self) -> Unknown | None:
        """Why it cannot be told which metric this is: a namespace, metric name or
        dimension that is unknown, or of the wrong type."""
        for part in (self.namespace, self.metric):
            if part.scalar_problem is not None:
                return part.scalar_problem
        if self.dimensions.list_problem is not None:
            return self.dimensions.list_problem
        for dimension in self.dimensions.items():
            if not isinstance(dimension.value, dict):
                return dimension.unknown or Unknown(f"{dimension.path} is not a Name/Value mapping")
            for part in (dimension.get("Name"), dimension.get("Value")):
                if part.scalar_problem is not None:
                    return part.scalar_problem
        return None


def alarm_metrics(context) -> list[AlarmMetric]:
    """Every metric every alarm reads (metric-math alarms included)."""
    return context.cached("alarm-metrics", lambda: list(_alarm_metrics(context)))


def uncertain_metrics(context) -> list[AlarmMetric]:
    """The alarm metrics of which a part is not known (`AlarmMetric.uncertainty`)."""
    return context.cached(
        "uncertain-alarm-metrics", lambda: [m for m in alarm_metrics(context) if m.uncertainty() is not None]
    )


def _alarm_metrics(context):
    for logical_id, resource in context.resources():
        if resource["Type"] != "AWS::CloudWatch::Alarm":
            continue
        properties = context.view(logical_id, symbolic=True)
        metric = properties.get("MetricName")
        if not metric.missing:
            yield AlarmMetric(
                logical_id, properties.get("Namespace"), metric, properties.get("Dimensions"), metric.node
            )
        for query in properties.get("Metrics").items():
            stat = query.get("MetricStat").get("Metric")
            if not stat.missing:
                yield AlarmMetric(
                    logical_id, stat.get("Namespace"), stat.get("MetricName"), stat.get("Dimensions"), query.node
                )


@dataclass
class Identity:
    """The values an alarm dimension may hold to name a resource."""

    keys: set[str]
    unknown_name: Unknown | None = None
    """Why the resource's own name cannot be known (then a literal may name it too)."""


def identities(context, logical_id: str, resource: dict, spec: dict) -> Identity:
    """The values an alarm dimension may hold to name this resource."""
    identity = Identity(set())
    if spec.get("ref"):
        identity.keys.add(resource_token(logical_id))
    for attribute in spec.get("attributes", ()):
        identity.keys.add(resource_token(logical_id, attribute))
    name_property = spec.get("name")
    if name_property:
        name = context.view(logical_id, symbolic=True).get(name_property)
        if name.text is not None:
            identity.keys.add(name.text)
        elif not name.missing:
            identity.unknown_name = name.scalar_problem
    return identity


def alarm_index(context) -> dict[tuple, list[str]]:
    """(namespace, metric, dimension name, dimension value) -> alarms."""

    def build():
        index: dict[tuple, list[str]] = {}
        for metric in alarm_metrics(context):
            namespace, name = metric.namespace.text, metric.metric.text
            if namespace is None or name is None:
                continue
            for dimension, value in metric.dimension_values():
                if value.text is not None:
                    index.setdefault((namespace, name, dimension, value.text), []).append(metric.alarm)
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


def might_cover(metric: AlarmMetric, spec: dict, names: list[str], identity: Identity) -> Unknown | None:
    """Why an alarm metric that is not known to cover a resource might still do so: a
    part of it that is not known (or a resource name that is not) where every known
    part matches. None when it cannot cover the resource."""
    doubts = []
    for part, wanted in ((metric.namespace, [spec["namespace"]]), (metric.metric, names)):
        if part.text is not None and part.text not in wanted or part.missing:
            return None
        doubts.append(part.scalar_problem)
    if metric.dimensions.list_problem is not None:
        return next(filter(None, doubts), metric.dimensions.list_problem)
    for dimension in metric.dimensions.items():
        name, value = dimension.get("Name"), dimension.get("Value")
        if not isinstance(dimension.value, dict):
            doubt = dimension.unknown or Unknown(f"{dimension.path} is not a Name/Value mapping")
        elif name.text is not None and name.text != spec["dimension"]:
            continue
        elif value.text in identity.keys:
            doubt = name.scalar_problem
        elif value.scalar_problem is not None or name.scalar_problem is not None:
            doubt = name.scalar_problem or value.scalar_problem
        elif identity.unknown_name is not None and not RESOURCE_TOKEN.fullmatch(value.text):
            doubt = identity.unknown_name
        else:
            continue
        reason = next(filter(None, [*doubts, doubt]), None)
        if reason is not None:
            return reason
    return None


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
            identity = identities(context, logical_id, resource, spec)
            for alternatives in spec["metrics"]:
                covered = any(
                    (spec["namespace"], metric, spec["dimension"], key) in index
                    for metric in alternatives
                    for key in identity.keys
                )
                if covered:
                    continue
                wanted = f"{spec['namespace']} {' or '.join(alternatives)}"
                # only a metric with a part not known can cover a resource of known name without surely covering it
                candidates = alarm_metrics(context) if identity.unknown_name is not None else uncertain_metrics(context)
                doubt = next(
                    (
                        (metric, reason)
                        for metric in candidates
                        if (reason := might_cover(metric, spec, alternatives, identity)) is not None
                    ),
                    None,
                )
                nested = handed_to_nested(context).get(logical_id)
                severity = "info"
                if doubt is not None:
                    metric, reason = doubt
                    message = (
                        f"cannot tell whether alarm {metric.alarm} watches {wanted} for this {resource['Type']}: "
                        f"{reason.reason}"
                    )
                elif nested is not None:
                    message = (
                        f"cannot tell whether it has an alarm on {wanted}: it is handed to {nested} "
                        f"({context.template.resources[nested]['Type']}), which may create it"
                    )
                else:
                    message, severity = f"no alarm on {wanted} for this {resource['Type']}", None
                yield context.finding(
                    self,
                    logical_id,
                    "",
                    _resource_node(context, logical_id),
                    message,
                    severity=severity,
                    fallback=resource,
                )


class AlarmWithoutAction(Rule):
    id = "TAP502"
    name = "alarm-without-action"
    area = "monitoring"
    local = True
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
            properties = context.view(logical_id)
            enabled, actions = properties.get("ActionsEnabled"), properties.get("AlarmActions")
            if enabled.text == "false":
                continue
            if actions.list_problem is not None:
                yield context.undecided(self, logical_id, actions, "whether the alarm notifies anyone")
                continue
            if any(True for _ in actions.items()):
                continue
            if enabled.scalar_problem is not None:
                yield context.undecided(
                    self, logical_id, enabled, "whether an alarm without AlarmActions is meant to be silent"
                )
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
        owners: dict[tuple, Identity] = {}  # (namespace, dimension) -> the template's resources
        for logical_id, resource in context.resources():
            spec = matrix.get(resource["Type"])
            if spec is not None:
                identity = identities(context, logical_id, resource, spec)
                owner = owners.setdefault((spec["namespace"], spec["dimension"]), Identity(set()))
                owner.keys |= identity.keys
                owner.unknown_name = owner.unknown_name or identity.unknown_name
        for metric in alarm_metrics(context):
            yield from self._metric_name(context, metric, metrics)
            namespace = metric.namespace
            if namespace.text is not None and namespace.text not in {ns for ns, _ in owners}:
                continue
            if metric.dimensions.list_problem is not None or any(
                not isinstance(d.value, dict) for d in metric.dimensions.items()
            ):
                yield context.undecided(
                    self, metric.alarm, metric.dimensions, "which resource the alarm watches", metric.uncertainty()
                )
                continue
            for name, value in metric.dimension_values():
                candidates = [ns for ns, dimension in owners if dimension == name and namespace.text in (None, ns)]
                for candidate in candidates[:1]:
                    problem = self._dimension_problem(context, name, value, owners[(candidate, name)])
                    if isinstance(problem, Unknown) or (problem and namespace.scalar_problem is not None):
                        why = problem if isinstance(problem, Unknown) else namespace.scalar_problem
                        what = f"whether dimension {name} names a resource of this template"
                        yield context.undecided(self, metric.alarm, value, what, why)
                    elif problem:
                        yield context.finding(self, metric.alarm, "Properties", metric.node, problem)

    def _metric_name(self, context, metric: AlarmMetric, metrics: dict):
        namespace, name = metric.namespace, metric.metric
        if namespace.text in metrics and name.text is not None:
            names = metrics[namespace.text]
            if name.text not in names:
                close = difflib.get_close_matches(name.text, names, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                yield context.finding(
                    self, metric.alarm, "Properties", metric.node, f"{namespace.text} has no metric {name.text!r}{hint}"
                )
        elif namespace.scalar_problem is not None and name.text is not None:
            if not any(name.text in names for names in metrics.values()):
                what = f"whether the alarm's namespace has a metric {name.text!r}"
                yield context.undecided(self, metric.alarm, namespace, what, namespace.scalar_problem)
        elif namespace.text in metrics and name.scalar_problem is not None:
            what = f"whether the alarm's metric exists in {namespace.text}"
            yield context.undecided(self, metric.alarm, name, what, name.scalar_problem)

    @staticmethod
    def _dimension_problem(context, name: str, value: View, owners: Identity) -> str | Unknown | None:
        """What is wrong with a dimension value: a message, or why it cannot be told."""
        unknown = value.scalar_problem
        if unknown is not None:
            if unknown.reason.startswith("Ref to undefined"):
                missing = unknown.reason.removeprefix("Ref to undefined ")
                return f"dimension {name} refers to {missing}, which is not in the template"
            return None if value.unknown is not None else unknown  # an import or another deploy-time value
        text = value.text
        if text is None or text in owners.keys:
            return None
        if text.startswith("{{Ref:") and text[6:-2] in context.template.parameters:
            return None
        if "{{" in text and not text.startswith("{{Ref:") and not text.startswith("{{GetAtt:"):
            return None  # built from deploy-time values: cannot be compared
        if owners.unknown_name is not None and not RESOURCE_TOKEN.fullmatch(text):
            return Unknown(f"a resource's name is not known ({owners.unknown_name.reason})")
        return f"dimension {name} = {written_form(text)!r} names no resource of this template"


class TracingDisabled(Rule):
    id = "TAP504"
    name = "tracing-disabled"
    area = "monitoring"
    local = True
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
            properties = context.view(logical_id)
            traced = resource["Type"]
            if "creates" in setting:  # a deployment's stage exists only where it is named
                created = views_below(properties, setting["creates"])
                if isinstance(created, list) and not created:
                    continue
                if isinstance(created, Unknown):
                    yield context.finding(
                        self,
                        logical_id,
                        f"Properties.{setting['creates']}",
                        _resource_node(context, logical_id),
                        f"cannot tell whether it creates a stage, whose tracing it sets: {created.reason}",
                        severity="info",
                        fallback=resource,
                    )
                    continue
                name = created[0].text
                traced = f"the stage {name or '(name not known)'} this {resource['Type']} creates"
            found = views_below(properties, path)
            if isinstance(found, list) and any(view.text == expected for view in found):
                continue
            if not isinstance(found, Unknown):
                found = next(filter(None, (view.scalar_problem for view in found)), found)
            unknown = found if isinstance(found, Unknown) else None
            if unknown is not None:
                yield context.finding(
                    self,
                    logical_id,
                    f"Properties.{path}",
                    _resource_node(context, logical_id),
                    f"cannot tell whether tracing is on: {unknown.reason}",
                    severity="info",
                    fallback=resource,
                )
                continue
            node = found[0].node if found else _resource_node(context, logical_id)
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
        group_names, unknown_names = set(), []
        minimum = self._minimum(context)
        for logical_id, resource in context.resources():
            if resource["Type"] != "AWS::Logs::LogGroup":
                continue
            properties = context.view(logical_id)
            name = context.view(logical_id, symbolic=True).get("LogGroupName")
            if name.text is not None:
                group_names.add(name.text)
            elif not name.missing:
                unknown_names.append((logical_id, name.scalar_problem))
            days = properties.get("RetentionInDays")
            where = days.node if not days.missing else _resource_node(context, logical_id)
            if days.missing:
                yield context.finding(
                    self,
                    logical_id,
                    "Properties.RetentionInDays",
                    where,
                    "log group has no RetentionInDays: logs are kept forever",
                    fallback=resource,
                )
                continue
            count = _whole_number(days.text)
            if count is None:
                if minimum:
                    unknown = days.scalar_problem or Unknown(f"{days.text!r} is not a number of days")
                    yield context.finding(
                        self,
                        logical_id,
                        "Properties.RetentionInDays",
                        where,
                        f"cannot tell whether retention meets {minimum} days: {unknown.reason}",
                        severity="info",
                        fallback=resource,
                    )
            elif minimum and count < minimum:
                yield context.finding(
                    self,
                    logical_id,
                    "Properties.RetentionInDays",
                    where,
                    f"log group keeps logs {days.text} days; the policy asks for at least {minimum}",
                    fallback=resource,
                )
        for logical_id, resource in context.resources():
            if resource["Type"] not in FUNCTION_TYPES:
                continue
            configured = views_below(context.view(logical_id), "LoggingConfig.LogGroup")
            if configured:  # set (or not readable, which still means written)
                continue
            identity = identities(context, logical_id, resource, {"ref": True, "name": "FunctionName"})
            if {f"/aws/lambda/{key}" for key in identity.keys} & group_names:
                continue
            named_groups = group_names or unknown_names  # an unknown function name may be one of them
            unknown = identity.unknown_name and named_groups and (logical_id, identity.unknown_name)
            for group, reason in ([unknown] if unknown else []) + unknown_names:
                yield context.finding(
                    self,
                    logical_id,
                    "Properties.LoggingConfig",
                    _resource_node(context, logical_id),
                    f"cannot tell whether log group {group} is this function's: {reason.reason}"
                    if group != logical_id
                    else f"cannot tell which log group is this function's: {reason.reason}",
                    severity="info",
                    fallback=resource,
                )
                break
            else:
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


def _whole_number(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


RULES = [MissingAlarm(), AlarmWithoutAction(), AlarmTargetMissing(), TracingDisabled(), LogRetention()]
