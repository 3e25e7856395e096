"""`tapcheck deploy`: check a template, package its handlers, deploy it through a change set.

Order matters: the template is checked before any AWS call, so a non-compliant template
never reaches an account. Then the handlers are zipped deterministically and uploaded to
an artifacts bucket (created encrypted, versioned and private when missing), and the
stack is created or updated through a change set that is shown before it is executed.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath

from .packaging import Bundle

TEMPLATE_BODY_LIMIT = 51_200
"""Bytes CloudFormation accepts inline; larger templates go through S3."""
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
STABLE_STATUSES = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"}
FAILED_STATUSES = {
    "CREATE_FAILED",
    "ROLLBACK_COMPLETE",
    "ROLLBACK_FAILED",
    "DELETE_COMPLETE",
    "DELETE_FAILED",
    "UPDATE_ROLLBACK_COMPLETE",
    "UPDATE_ROLLBACK_FAILED",
    "UPDATE_FAILED",
    "IMPORT_ROLLBACK_COMPLETE",
    "IMPORT_ROLLBACK_FAILED",
}


class DeployError(Exception):
    """The deployment did not happen or did not succeed; the message says why."""


@dataclass
class DeployTarget:
    stack_name: str
    region: str | None = None
    endpoint_url: str | None = None
    artifacts_bucket: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    timeout: float = 3600.0
    poll_interval: float = 5.0


class Deployer:
    """One deployment of one stack; ``say`` prints progress."""

    def __init__(self, target: DeployTarget, say: Callable[[str], None]):
        import boto3  # imported here: checking templates never needs it

        self.target = target
        self.say = say
        session = boto3.session.Session(region_name=target.region)
        if session.region_name is None:
            raise DeployError("no AWS region: pass --region or set AWS_REGION / AWS_DEFAULT_REGION")
        self.region = session.region_name
        self.cloudformation = session.client("cloudformation", endpoint_url=target.endpoint_url)
        self.s3 = session.client("s3", endpoint_url=target.endpoint_url)
        self.sts = session.client("sts", endpoint_url=target.endpoint_url)

    def deploy(self, template_name: str, body: str, bundle: Bundle | None) -> dict[str, str]:
        """Upload, create and execute the change set, wait; the stack's outputs."""
        account = self.sts.get_caller_identity()["Account"]
        bucket = self.target.artifacts_bucket or f"tapcheck-artifacts-{account}-{self.region}"
        self.ensure_bucket(bucket)
        params = dict(self.target.params)
        if bundle is not None:
            key = f"{self.target.stack_name}/handlers-{bundle.sha256}.zip"
            self.upload(bucket, key, bundle.data, f"handlers ({len(bundle.files)} files, sha256 {bundle.sha256[:12]})")
            params = {"CodeBucket": bucket, "CodeKey": key, **params}
        data = body.encode("utf-8")
        source = {"TemplateBody": body}
        if len(data) > TEMPLATE_BODY_LIMIT:
            name = PurePosixPath(template_name)
            key = f"{self.target.stack_name}/{name.stem}-{hashlib.sha256(data).hexdigest()}{name.suffix}"
            self.upload(bucket, key, data, f"template ({len(data)} bytes, over the {TEMPLATE_BODY_LIMIT} inline limit)")
            source = {"TemplateURL": self.object_url(bucket, key)}
        stack = self.existing_stack()
        if stack is None or stack["StackStatus"] == "REVIEW_IN_PROGRESS":
            change_set_type = "CREATE"
        elif stack["StackStatus"] == "ROLLBACK_COMPLETE":
            raise DeployError(
                f"stack {self.target.stack_name} is in ROLLBACK_COMPLETE (its creation failed): "
                "delete it before deploying again"
            )
        else:
            change_set_type = "UPDATE"
        declared = self.declared_parameters(source)
        unknown = sorted(set(params) - set(declared))
        if unknown:
            raise DeployError(f"the template has no parameter(s) {', '.join(unknown)}")
        previous = (
            {p["ParameterKey"] for p in (stack or {}).get("Parameters", [])} if change_set_type == "UPDATE" else set()
        )
        parameters = [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(params.items())]
        parameters += [
            {"ParameterKey": k, "UsePreviousValue": True} for k in sorted(declared) if k not in params and k in previous
        ]
        change_set = self.create_change_set(change_set_type, source, parameters)
        if change_set is None:
            return self.outputs()
        self.execute(change_set)
        return self.outputs()

    # -- artifacts --------------------------------------------------------------------

    def ensure_bucket(self, bucket: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.s3.head_bucket(Bucket=bucket)
            return
        except ClientError as error:
            if error.response["Error"]["Code"] not in ("404", "NoSuchBucket", "NotFound"):
                raise DeployError(f"artifacts bucket {bucket} is not usable: {error}") from None
        self.say(f"creating artifacts bucket {bucket}")
        options = (
            {} if self.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": self.region}}
        )
        self.s3.create_bucket(Bucket=bucket, **options)
        self.s3.put_public_access_block(
            Bucket=bucket,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        self.s3.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]
            },
        )
        self.s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})

    def upload(self, bucket: str, key: str, data: bytes, what: str) -> None:
        self.say(f"uploading {what} to s3://{bucket}/{key}")
        self.s3.put_object(Bucket=bucket, Key=key, Body=data, ServerSideEncryption="AES256")

    def object_url(self, bucket: str, key: str) -> str:
        suffix = "amazonaws.com.cn" if self.region.startswith("cn-") else "amazonaws.com"
        return f"https://{bucket}.s3.{self.region}.{suffix}/{key}"

    # -- CloudFormation ---------------------------------------------------------------

    def existing_stack(self) -> dict | None:
        from botocore.exceptions import ClientError

        try:
            (stack,) = self.cloudformation.describe_stacks(StackName=self.target.stack_name)["Stacks"]
        except ClientError as error:
            if "does not exist" in str(error):
                return None
            raise
        return stack

    def declared_parameters(self, source: dict) -> set[str]:
        summary = self.cloudformation.get_template_summary(**source)
        return {p["ParameterKey"] for p in summary.get("Parameters", [])}

    def create_change_set(self, change_set_type: str, source: dict, parameters: list[dict]) -> str | None:
        """The change set's id, or None when it has nothing to change."""
        name = "tapcheck-" + datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        self.say(f"creating change set {name} ({change_set_type}) for stack {self.target.stack_name}")
        created = self.cloudformation.create_change_set(
            StackName=self.target.stack_name,
            ChangeSetName=name,
            ChangeSetType=change_set_type,
            Parameters=parameters,
            Capabilities=CAPABILITIES,
            **source,
        )
        change_set = self.wait_for_change_set(created["Id"])
        if change_set["Status"] == "FAILED":
            reason = change_set.get("StatusReason", "")
            if "didn't contain changes" in reason or "No updates" in reason:
                self.say("no changes: the stack is up to date")
                self.cloudformation.delete_change_set(ChangeSetName=created["Id"])
                return None
            raise DeployError(f"change set {name} failed: {reason}")
        self.show_changes(change_set)
        return created["Id"]

    def wait_for_change_set(self, change_set_id: str) -> dict:
        deadline = time.monotonic() + self.target.timeout
        while True:
            change_set = self.cloudformation.describe_change_set(ChangeSetName=change_set_id)
            if change_set["Status"] in ("CREATE_COMPLETE", "FAILED"):
                return change_set
            if time.monotonic() > deadline:
                raise DeployError(f"change set still {change_set['Status']} after {self.target.timeout:.0f} s")
            time.sleep(self.target.poll_interval)

    def show_changes(self, change_set: dict) -> None:
        changes = [c["ResourceChange"] for c in change_set.get("Changes", []) if "ResourceChange" in c]
        self.say(f"{len(changes)} change(s):")
        for change in changes:
            replacement = change.get("Replacement")
            note = (
                "  (replacement)"
                if replacement == "True"
                else "  (may be replaced)"
                if replacement == "Conditional"
                else ""
            )
            self.say(
                f"  {change.get('Action', '?'):<8} {change['LogicalResourceId']:<40} {change['ResourceType']}{note}"
            )

    def execute(self, change_set_id: str) -> None:
        seen = self.newest_event()  # where this deployment's events start
        self.cloudformation.execute_change_set(ChangeSetName=change_set_id)
        self.say("executing the change set")
        deadline = time.monotonic() + self.target.timeout
        this_deployment: list[dict] = []
        while True:
            stack = self.existing_stack()
            status = stack["StackStatus"] if stack else "DELETE_COMPLETE"
            fresh = self.new_events(seen)
            seen.update(e["EventId"] for e in fresh)
            this_deployment += fresh
            for event in fresh:
                reason = f" {event['ResourceStatusReason']}" if event.get("ResourceStatusReason") else ""
                self.say(f"  {event['ResourceStatus']:<20} {event['LogicalResourceId']}{reason}")
            if status in STABLE_STATUSES:
                self.say(f"stack {self.target.stack_name}: {status}")
                return
            if status in FAILED_STATUSES:
                failed = [
                    f"  {e['LogicalResourceId']} ({e.get('ResourceType', '?')}): "
                    f"{e.get('ResourceStatusReason', 'no reason given')}"
                    for e in this_deployment
                    if e["ResourceStatus"].endswith("FAILED")
                ]
                detail = "\n".join(failed) if failed else "  (CloudFormation reported no failed resource)"
                raise DeployError(f"stack {self.target.stack_name} ended in {status}; failed resources:\n{detail}")
            if time.monotonic() > deadline:
                raise DeployError(f"stack still {status} after {self.target.timeout:.0f} s")
            time.sleep(self.target.poll_interval)

    def newest_event(self) -> set[str]:
        events = self.cloudformation.describe_stack_events(StackName=self.target.stack_name)["StackEvents"]
        return {events[0]["EventId"]} if events else set()

    def new_events(self, seen: set[str]) -> list[dict]:
        """The stack's events newer than any in ``seen``, oldest first (read newest first, only as far as needed)."""
        fresh = []
        for page in self.cloudformation.get_paginator("describe_stack_events").paginate(
            StackName=self.target.stack_name
        ):
            for event in page["StackEvents"]:
                if event["EventId"] in seen:
                    return fresh[::-1]
                fresh.append(event)
        return fresh[::-1]

    def outputs(self) -> dict[str, str]:
        stack = self.existing_stack() or {}
        return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
