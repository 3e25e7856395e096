"""Suppression rules (TAP0xx): every suppression says why, and suppresses something.

They run once per file, after the other rules' findings have been matched against
the template's suppressions.
"""

from __future__ import annotations

from .base import Rule

SUPPRESS_PATH = "Metadata.tapcheck.suppress"


class SuppressionWithoutReason(Rule):
    id = "TAP001"
    name = "suppression-without-reason"
    area = "suppressions"
    severity = "error"
    title = "A suppression does not say why"
    what = """
        Every entry of `Metadata.tapcheck.suppress` (on a resource or at template
        level) is a mapping with the rule `id` (or `rule`) and a non-empty `reason`. An entry
        without a reason is not applied: the finding it meant to hide stays reported.
    """
    why = """
        A suppression is a decision to accept a risk. Without the reason, the next
        reader cannot tell a considered exception from a silenced alarm.
    """
    fix = "Add a `reason` that says why the finding is acceptable here."
    hint = "give the suppression a reason"
    failing = """
        Role:
          Type: AWS::IAM::Role
          Metadata:
            tapcheck:
              suppress:
                - id: TAP302
    """
    passing = """
        Role:
          Type: AWS::IAM::Role
          Metadata:
            tapcheck:
              suppress:
                - id: TAP302
                  reason: ec2:DescribeInstances cannot be scoped to a resource
    """
    per_scenario = False

    def check(self, context):
        for suppression in context.suppressions:
            if suppression.problem is not None:
                finding = context.finding(
                    self, suppression.resource, SUPPRESS_PATH, suppression.node, suppression.problem
                )
                finding.fix = suppression.hint  # what is wrong varies: a missing reason, id, or shape
                yield finding


class UnusedSuppression(Rule):
    id = "TAP002"
    name = "unused-suppression"
    area = "suppressions"
    severity = "warning"
    title = "A suppression suppresses nothing"
    what = """
        Every valid suppression in the template matches at least one finding in at
        least one scenario. A suppression of a rule id that does not exist, or of a
        rule that no longer fires, is reported.
    """
    why = """
        Stale suppressions hide the next real finding of the same rule on the same
        resource, and they make the template look riskier than it is.
    """
    fix = "Remove the suppression, or correct its rule id."
    hint = "remove the stale suppression"
    failing = """
        Bucket:
          Type: AWS::S3::Bucket   # fully tagged: TAP101 does not fire
          Metadata:
            tapcheck:
              suppress:
                - id: TAP101
                  reason: tagged by the platform team
    """
    passing = """
        Bucket:
          Type: AWS::S3::Bucket
    """
    per_scenario = False

    def check(self, context):
        for suppression in context.suppressions:
            if suppression.problem is not None or suppression.used:
                continue
            rule_id = suppression.rule_id
            if not context.config.enabled(rule_id):
                continue  # switched off, left out by --ignore or not --select-ed: it could not be used
            engine = context.engine_of(rule_id)
            if engine is None:
                message = f"suppression of {rule_id} suppresses nothing: no rule has that id"
            elif engine not in context.config.engines:
                message = f"suppression of {rule_id} suppresses nothing: the {engine} engine did not run"
            else:
                message = f"suppression of {rule_id} suppresses nothing: the rule reports no finding here"
            yield context.finding(self, suppression.resource, SUPPRESS_PATH, suppression.node, message)


RULES = [SuppressionWithoutReason(), UnusedSuppression()]
