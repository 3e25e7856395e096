"""Tag rules (TAP1xx): required tags, their values, and well-formed tag sets.

Which types carry tags, and where, comes from the resource schemas
(`tapcheck.checker.aws.resource_schemas`); which tags are required, and their allowed
values, from the configuration.
"""

from __future__ import annotations

from tapcheck.checker.aws.resource_tags import ResourceTags, TagEntry, resource_tags
from tapcheck.checker.model.intrinsics import Unknown, as_text, intrinsic
from tapcheck.checker.model.template import line_of

from .base import Rule

MAX_KEY_LENGTH = 128
MAX_VALUE_LENGTH = 256
RESERVED_PREFIX = "aws:"


def _where(resource_id: str, context, tags: ResourceTags):
    """The node to point at: the tags property if written, else the resource."""
    if tags.node is not None:
        return tags.node, None
    return context.template.resource_key(resource_id), context.template.resources


class MissingRequiredTags(Rule):
    id = "TAP101"
    name = "missing-required-tags"
    area = "tags"
    local = True
    severity = "error"
    title = "A taggable resource lacks a required tag"
    what = """
        Every resource whose type can carry tags (per the CloudFormation resource
        schemas, and aws-sam-translator for SAM types) carries every required tag key:
        by default `project`, `team-number` and `Environment`. Tags set only in some
        `Fn::If` branch are missing in the scenarios that take the other branch. Tags
        the stack applies at deploy time (`tags.stack-tags` in `.tapcheck.yml`) count
        as present; SAM `Globals` tags count for the resources they apply to.
    """
    why = """
        Cost allocation, ownership, access control (ABAC) and incident response all key
        on tags. An untagged resource is billed to nobody and owned by nobody.
    """
    fix = """
        Add the missing keys to the resource's tags property, or declare them as stack
        tags in `.tapcheck.yml` when your deployment applies them to the whole stack.
    """
    hint = "add the missing tag keys to the resource's Tags"
    failing = """
        Queue:
          Type: AWS::SQS::Queue
          Properties:
            Tags:
              - Key: project
                Value: iac-rlhf-amazon
    """
    passing = """
        Queue:
          Type: AWS::SQS::Queue
          Properties:
            Tags:
              - Key: project
                Value: iac-rlhf-amazon
              - Key: team-number
                Value: '2'
              - Key: Environment
                Value: !Ref Environment
    """

    def check(self, context):
        required = list(context.config.required_tags)
        stack_keys = set(context.config.stack_tags)
        for resource_id, resource in context.resources():
            tags = resource_tags(context, resource)
            if tags is None:
                continue
            present = tags.keys() | stack_keys
            missing = [key for key in required if key not in present]
            if not missing:
                continue
            node, fallback = _where(resource_id, context, tags)
            uncertainty = tags.uncertainty()
            if uncertainty is not None:
                yield context.finding(
                    self,
                    resource_id,
                    tags.support.dotted,
                    node,
                    f"cannot tell whether required tag(s) {_names(missing)} are set: {uncertainty.reason}",
                    severity="info",
                    fallback=fallback,
                )
                continue
            message = f"{resource['Type']} is missing required tag(s) {_names(missing)}"
            lowered = {key.lower(): key for key in tags.keys()}
            near = [f"{lowered[k.lower()]!r}" for k in missing if k.lower() in lowered]
            if near:
                message += f" (found {', '.join(near)}: tag keys are case-sensitive)"
            yield context.finding(self, resource_id, tags.support.dotted, node, message, fallback=fallback)


class TagValueNotAllowed(Rule):
    id = "TAP102"
    name = "tag-value-not-allowed"
    area = "tags"
    local = True
    severity = "error"
    title = "A required tag has a value the policy does not allow"
    what = """
        Each required tag's value, resolved in every scenario, is one of the allowed
        values from the configuration. Defaults: `project` = `iac-rlhf-amazon`,
        `team-number` = `2`, and `Environment` = the value of the template's
        `Environment` parameter, so a hard-coded `production` in a template deployed
        as `development` is reported for the development scenario. A value that
        cannot be resolved before deployment is reported at info severity.
    """
    why = """
        A tag with the wrong value is worse than a missing one: reports, budgets and
        access policies silently put the resource in the wrong place.
    """
    fix = """
        Use the allowed value, or refer to the parameter the policy names
        (`Value: !Ref Environment`) instead of a literal.
    """
    hint = "use an allowed value (or !Ref the parameter the policy names)"
    failing = """
        Table:
          Type: AWS::DynamoDB::Table
          Properties:
            Tags:
              - Key: Environment
                Value: production   # wrong when deployed as development
    """
    passing = """
        Table:
          Type: AWS::DynamoDB::Table
          Properties:
            Tags:
              - Key: Environment
                Value: !Ref Environment
    """

    def check(self, context):
        policies = context.config.required_tags
        for resource_id, resource in context.resources():
            tags = resource_tags(context, resource)
            if tags is None:
                continue
            for entry in tags.entries:
                policy = policies.get(entry.key) if isinstance(entry.key, str) else None
                if policy is None:
                    continue
                problem = self._problem(context, entry, policy)
                if problem is not None:
                    message, severity = problem
                    yield context.finding(
                        self,
                        resource_id,
                        tags.support.dotted,
                        entry.value_node,
                        message,
                        severity=severity,
                        fallback=entry.node,
                    )

    def _problem(self, context, entry: TagEntry, policy) -> tuple[str, str] | None:
        value = as_text(entry.value)
        if policy.parameter is not None:
            if policy.parameter not in context.template.parameters:
                return None
            if intrinsic(entry.value_node) == ("Ref", policy.parameter):
                return None
            expected = as_text(context.scenario.parameters.get(policy.parameter))
            if expected is None or value is None:
                unknown = entry.value if value is None else context.scenario.parameters.get(policy.parameter)
                return (
                    f"cannot tell whether tag {entry.key!r} equals parameter {policy.parameter}: {_reason(unknown)}",
                    "info",
                )
            if value != expected:
                return (
                    f"tag {entry.key!r} is {value!r}, not the value of parameter {policy.parameter}",
                    self.severity,
                )
            return None
        if policy.allowed is None:
            return None
        if value is None:
            return f"cannot resolve the value of tag {entry.key!r}: {_reason(entry.value)}", "info"
        if value not in policy.allowed:
            allowed = ", ".join(repr(v) for v in policy.allowed)
            return f"tag {entry.key!r} is {value!r}; allowed: {allowed}", self.severity
        return None


class MalformedTags(Rule):
    id = "TAP103"
    name = "malformed-tags"
    area = "tags"
    local = True
    severity = "error"
    title = "A tag set has duplicate, empty, over-long or reserved keys"
    what = """
        Within one resource's tags: no key appears twice, no key is empty, keys are
        at most 128 and values at most 256 characters, and no key starts with the
        reserved `aws:` prefix (in any letter case). Checked on the resolved tags of
        every scenario.
    """
    why = """
        CloudFormation rejects these at deployment (or, for duplicate keys, keeps only
        one of the values), so the stack fails or is tagged differently than written.
    """
    fix = """
        Remove the duplicate, give the key a name, shorten it, or use a prefix of your
        own instead of `aws:`.
    """
    hint = "make each tag key unique, non-empty, short enough and not aws:-prefixed"
    failing = """
        Bucket:
          Type: AWS::S3::Bucket
          Properties:
            Tags:
              - Key: project
                Value: a
              - Key: project
                Value: b
    """
    passing = """
        Bucket:
          Type: AWS::S3::Bucket
          Properties:
            Tags:
              - Key: project
                Value: a
    """

    def check(self, context):
        for resource_id, resource in context.resources():
            tags = resource_tags(context, resource)
            if tags is None:
                continue
            path = tags.support.dotted
            first_seen: dict[str, TagEntry] = {}
            for entry in tags.entries:
                if not isinstance(entry.key, str):
                    continue
                key = entry.key
                for message in self._problems(key, entry.value):
                    yield context.finding(self, resource_id, path, entry.node, message, fallback=tags.node)
                if key in first_seen:
                    line = line_of(first_seen[key].node) or "?"
                    yield context.finding(
                        self,
                        resource_id,
                        path,
                        entry.node,
                        f"duplicate tag key {key!r} (first set at line {line})",
                        fallback=tags.node,
                    )
                first_seen.setdefault(key, entry)

    @staticmethod
    def _problems(key: str, value) -> list[str]:
        problems = []
        if not key.strip():
            problems.append("empty tag key")
        if len(key) > MAX_KEY_LENGTH:
            problems.append(f"tag key {key[:20]!r}... is {len(key)} characters (limit {MAX_KEY_LENGTH})")
        if key.lower().startswith(RESERVED_PREFIX):
            problems.append(f"tag key {key!r} uses the reserved prefix 'aws:'")
        text = as_text(value)
        if text is not None and len(text) > MAX_VALUE_LENGTH:
            problems.append(f"value of tag {key!r} is {len(text)} characters (limit {MAX_VALUE_LENGTH})")
        return problems


def _names(keys: list[str]) -> str:
    return ", ".join(repr(k) for k in keys)


def _reason(value) -> str:
    return value.reason if isinstance(value, Unknown) else "not a string"


RULES = [MissingRequiredTags(), TagValueNotAllowed(), MalformedTags()]
