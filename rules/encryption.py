"""Encryption rules (TAP2xx): at rest, with whose key, in transit, key rotation.

What counts as encrypted at rest for each resource type is a data table next to
this module (`encryption.yml`), which `.tapcheck.yml` can extend or override.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from functools import cache

from tapcheck.checker.aws.policy_documents import is_public, policy_documents, statements
from tapcheck.checker.data_tables import data_table
from tapcheck.checker.model.intrinsics import Unknown, as_text, resource_token
from tapcheck.checker.model.table_tests import holds, lookup
from tapcheck.checker.model.template import key_node

from .base import Rule

AWS_KEY = re.compile(r"(^|:)alias/aws/")
TRANSPORT_TYPES = (
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ApiGateway::DomainName",
    "AWS::ApiGatewayV2::DomainName",
    "AWS::CloudFront::Distribution",
)


@cache
def default_table() -> dict:
    return data_table(__package__, "encryption.yml")


def encryption_table(config) -> dict:
    """The default table with the user's per-type overrides (None removes a type)."""
    table = {**default_table(), **config.encryption_types}
    return {k: v for k, v in table.items() if v is not None}


def _encrypted_resources(context):
    """(logical id, resource, table entry, properties, encrypted?) for table types."""
    table = encryption_table(context.config)
    for logical_id, resource in context.resources():
        entry = table.get(resource["Type"])
        if entry is None:
            continue
        properties = context.template.properties_of(resource) or {}
        if holds(context.resolver, properties, entry.get("applies")) is not True:
            continue
        yield logical_id, resource, entry, properties, holds(context.resolver, properties, entry.get("encrypted"))


def _deciding_path(resolver, properties, entry: dict) -> str:
    """The property to point at: the first one of the test that is written, else the
    first one the table names."""
    spec = entry.get("encrypted") or {}
    paths = [test["path"] for test in spec.get("all") or spec.get("any") or []]
    for path in paths:
        found = lookup(resolver, properties, path)
        if isinstance(found, list) and found:
            return path
    return paths[0] if paths else ""


class UnencryptedAtRest(Rule):
    id = "TAP201"
    name = "unencrypted-at-rest"
    area = "encryption"
    severity = "error"
    title = "A data store is not encrypted at rest"
    what = """
        Data stores have encryption at rest switched on, per the encryption table
        (`rules/encryption.yml`): S3 buckets (`BucketEncryption`), DynamoDB tables
        (`SSESpecification.SSEEnabled`), SNS topics (`KmsMasterKeyId`), SQS queues
        (not `SqsManagedSseEnabled: false` without a KMS key), log groups (`KmsKeyId`,
        warning), Kinesis streams, EFS file systems, RDS instances and clusters, EBS
        volumes, ElastiCache replication groups, OpenSearch domains, state machines
        (info) and Lambda functions with environment variables (`KmsKeyArn`, info),
        SAM types included. Encryption switched on only in some scenarios
        (`!If [IsProd, ..., !Ref AWS::NoValue]`) is reported for the others.
    """
    why = """
        Encryption at rest limits what a leaked snapshot, backup or disk exposes, and
        most compliance regimes require it to be explicit in the template.
    """
    fix = "Switch on the property the message names (and prefer a customer-managed KMS key)."
    hint = "switch on encryption at rest (see the property in the message)"
    failing = """
        Table:
          Type: AWS::DynamoDB::Table
          Properties:
            SSESpecification:
              SSEEnabled: !If [IsProduction, true, false]
    """
    passing = """
        Table:
          Type: AWS::DynamoDB::Table
          Properties:
            SSESpecification:
              SSEEnabled: true
              SSEType: KMS
              KMSMasterKeyId: !Ref TableKey
    """

    def check(self, context):
        for logical_id, resource, entry, properties, encrypted in _encrypted_resources(context):
            if encrypted is True:
                continue
            path = _deciding_path(context.resolver, properties, entry)
            found = lookup(context.resolver, properties, path)
            node = found[0][0] if isinstance(found, list) and found else context.template.resource_key(logical_id)
            source = next(
                (p for p in entry.get("inherited-from", []) if not context.view(logical_id).get(p).missing), None
            )
            if source is not None:
                yield context.finding(
                    self,
                    logical_id,
                    f"Properties.{source}",
                    context.view(logical_id).get(source).node,
                    f"{resource['Type']} is created from {source} and inherits its encryption, "
                    "which cannot be checked here",
                    severity="info",
                    fallback=resource,
                )
            elif isinstance(encrypted, Unknown):
                yield context.finding(
                    self,
                    logical_id,
                    f"Properties.{path}",
                    node,
                    f"cannot tell whether {resource['Type']} is encrypted at rest: {encrypted.reason}",
                    severity="info",
                    fallback=resource,
                )
            else:
                yield context.finding(
                    self,
                    logical_id,
                    f"Properties.{path}",
                    node,
                    f"{resource['Type']} is not encrypted at rest (set {path})",
                    severity=entry.get("severity", self.severity),
                    fallback=resource,
                )


class AwsManagedKey(Rule):
    id = "TAP202"
    name = "aws-managed-key"
    area = "encryption"
    severity = "warning"
    title = "Encryption uses an AWS-owned or AWS-managed key"
    what = """
        Where the policy asks for customer-managed keys (default: in the scenarios
        where the `Environment` parameter is `production`; configurable as
        `encryption.customer-managed-keys`), encrypted data stores name a KMS key of
        their own: not an `alias/aws/*` key, not SSE-S3 (`AES256`), not DynamoDB or
        SNS/SQS encryption without a key.
    """
    why = """
        With AWS's keys you cannot restrict or audit who may decrypt in the key
        policy, cannot disable the key in an incident, and cannot share encrypted
        snapshots across accounts.
    """
    fix = "Create an `AWS::KMS::Key` (with rotation) and reference it from the resource."
    hint = "reference a customer-managed AWS::KMS::Key"
    failing = """
        SSESpecification:
          SSEEnabled: true
          SSEType: KMS
          KMSMasterKeyId: alias/aws/dynamodb
    """
    passing = """
        SSESpecification:
          SSEEnabled: true
          SSEType: KMS
          KMSMasterKeyId: !Ref TableKey
    """

    def check(self, context):
        if not _customer_keys_required(context):
            return
        for logical_id, resource, entry, properties, encrypted in _encrypted_resources(context):
            if encrypted is not True or "key" not in entry:
                continue
            found = lookup(context.resolver, properties, entry["key"])
            if isinstance(found, Unknown):
                continue
            # a Ref or GetAtt (Unknown here) names a key of the stack's own or passed in
            aws_keys = [(n, v) for n, v in found if isinstance(v, str) and AWS_KEY.search(v)]
            path = f"Properties.{entry['key']}"
            if aws_keys:
                node, value = aws_keys[0]
                yield context.finding(
                    self,
                    logical_id,
                    path,
                    node,
                    f"{resource['Type']} uses the AWS-managed key {value}",
                    fallback=resource,
                )
            elif not found:
                yield context.finding(
                    self,
                    logical_id,
                    path,
                    context.template.resource_key(logical_id),
                    f"{resource['Type']} is encrypted with an AWS-owned or AWS-managed key (no KMS key set)",
                    fallback=resource,
                )


def _customer_keys_required(context) -> bool:
    when = context.config.customer_managed_keys
    if when in ("always", "never"):
        return when == "always"
    for parameter, values in when.items():
        value = as_text(context.scenario.parameters.get(parameter))
        if value is None or value not in [str(v) for v in values]:
            return False
    return True


class UnencryptedInTransit(Rule):
    id = "TAP203"
    name = "unencrypted-in-transit"
    area = "encryption"
    severity = "error"
    title = "Data can travel unencrypted"
    what = """
        S3 buckets without a bucket policy that denies requests with
        `aws:SecureTransport = false` to everyone, for `s3:*`, on both the bucket and
        its objects (the policy is found by `Ref` or name); ELBv2 listeners on HTTP
        whose default actions do not redirect to HTTPS; API Gateway custom domain
        names that allow TLS 1.0; CloudFront distributions whose cache behaviours
        allow plain HTTP (`ViewerProtocolPolicy: allow-all`).
    """
    why = """
        Credentials, tokens and data sent over plain HTTP or old TLS can be read and
        altered on the way.
    """
    fix = """
        Add the deny-insecure-transport statement to the bucket policy; redirect HTTP
        listeners to HTTPS; set `SecurityPolicy: TLS_1_2`; use `redirect-to-https` or
        `https-only` viewer protocol policies.
    """
    hint = "require TLS (deny aws:SecureTransport=false, redirect to HTTPS, TLS_1_2)"
    failing = """
        Bucket:
          Type: AWS::S3::Bucket   # and no bucket policy denying insecure transport
    """
    passing = """
        BucketPolicy:
          Type: AWS::S3::BucketPolicy
          Properties:
            Bucket: !Ref Bucket
            PolicyDocument:
              Statement:
                - Effect: Deny
                  Principal: '*'
                  Action: s3:*
                  Resource: [!GetAtt Bucket.Arn, !Sub '${Bucket.Arn}/*']
                  Condition:
                    Bool:
                      aws:SecureTransport: false
    """

    def check(self, context):
        yield from self._buckets(context)
        for logical_id, resource in context.resources():
            if resource["Type"] not in TRANSPORT_TYPES:
                continue
            properties = context.view(logical_id)
            problem = self._problem(resource["Type"], properties)
            if isinstance(problem, tuple):
                unknown, view = problem
                yield context.undecided(self, logical_id, view, "whether it requires TLS", unknown)
            elif problem:
                yield context.finding(self, logical_id, "Properties", properties.node, problem, fallback=resource)

    @staticmethod
    def _problem(resource_type: str, properties) -> str | tuple | None:
        """What lets plain HTTP or old TLS through; (why, where) when that cannot be known."""
        if resource_type == "AWS::ElasticLoadBalancingV2::Listener":
            protocol = properties.get("Protocol")
            if protocol.unknown is not None:
                return protocol.unknown, protocol
            if protocol.text != "HTTP":
                return None
            actions = properties.get("DefaultActions")
            for action in actions.items():
                redirect = action.get("RedirectConfig").get("Protocol")
                if action.get("Type").text == "redirect" and redirect.text == "HTTPS":
                    return None
                unknown = action.get("Type").unknown or redirect.unknown or action.unknown
                if unknown is not None:
                    return unknown, action
            if actions.list_problem is not None:
                return actions.list_problem, actions
            return "HTTP listener does not redirect to HTTPS"
        if resource_type == "AWS::ApiGateway::DomainName":
            policy = properties.get("SecurityPolicy")
            if policy.unknown is not None:
                return policy.unknown, policy
            return (
                "custom domain allows TLS 1.0 (set SecurityPolicy: TLS_1_2)"
                if policy.text in (None, "TLS_1_0")
                else None
            )
        if resource_type == "AWS::ApiGatewayV2::DomainName":
            configurations = properties.get("DomainNameConfigurations")
            for configuration in configurations.items():
                policy = configuration.get("SecurityPolicy")
                if policy.unknown is not None:
                    return policy.unknown, policy
                if policy.text == "TLS_1_0":
                    return "custom domain allows TLS 1.0 (set SecurityPolicy: TLS_1_2)"
            return (configurations.list_problem, configurations) if configurations.list_problem else None
        if resource_type == "AWS::CloudFront::Distribution":
            config = properties.get("DistributionConfig")
            behaviours = config.get("CacheBehaviors")
            undecided = None
            for behaviour in (config.get("DefaultCacheBehavior"), *behaviours.items()):
                policy = behaviour.get("ViewerProtocolPolicy")
                if policy.text == "allow-all":
                    return "distribution allows plain HTTP (ViewerProtocolPolicy: allow-all)"
                if undecided is None and (policy.unknown or behaviour.unknown) is not None:
                    undecided = (policy.unknown or behaviour.unknown, policy)
            if undecided is None and behaviours.list_problem is not None:
                undecided = (behaviours.list_problem, behaviours)
            return undecided
        return None

    def _buckets(self, context):
        symbolic = context.resolver.symbolic
        policies, unresolved = {}, False  # bucket name or token -> its policies' documents
        for document in policy_documents(context):
            if document.service == "s3":
                owner = context.template.resources[document.resource]
                bucket = symbolic.resolve((owner.get("Properties") or {}).get("Bucket"))
                if isinstance(bucket, str):
                    policies.setdefault(bucket, []).append(document)
                else:
                    unresolved = True
        for logical_id, resource in context.resources():
            if resource["Type"] != "AWS::S3::Bucket":
                continue
            names = {resource_token(logical_id)}
            name = context.resolver.resolve((resource.get("Properties") or {}).get("BucketName"))
            if isinstance(name, str):
                names.add(name)
            mine = [doc for name in names for doc in policies.get(name, [])]
            if any(
                self._denies_insecure(context, s, names, logical_id) for doc in mine for s in statements(context, doc)
            ):
                continue
            node = context.template.resource_key(logical_id)
            if not mine and unresolved:
                yield context.finding(
                    self,
                    logical_id,
                    "Properties",
                    node,
                    "cannot tell whether a bucket policy denies insecure transport: "
                    "a bucket policy's Bucket is not resolvable",
                    severity="info",
                    fallback=resource,
                )
                continue
            yield context.finding(
                self,
                logical_id,
                "Properties",
                node,
                "no bucket policy denies requests without TLS (aws:SecureTransport = false) "
                "on the bucket and its objects",
                fallback=resource,
            )

    @staticmethod
    def _denies_insecure(context, statement, names: set[str], logical_id: str) -> bool:
        if statement.effect != "Deny" or not is_public(statement.principal):
            return False
        if not any(a in ("*", "s3:*") for a in statement.values("Action")):
            return False
        condition = statement.condition if isinstance(statement.condition, dict) else {}
        insecure = False
        for operator, tests in condition.items():
            if operator in ("Bool", "BoolIfExists") and isinstance(tests, dict):
                for key, value in tests.items():
                    if str(key).lower() == "aws:securetransport" and as_text(value) == "false":
                        insecure = True
        if not insecure:
            return False
        written = statement.node.get("Resource") if isinstance(statement.node, dict) else None
        patterns = context.resolver.symbolic.resolve(written)
        patterns = [p for p in (patterns if isinstance(patterns, list) else [patterns]) if isinstance(p, str)]
        arns = {f"arn:aws:s3:::{n}" for n in names} | {resource_token(logical_id, "Arn")}
        covers_bucket = any(fnmatchcase(arn, p) for p in patterns for arn in arns)
        covers_objects = any(fnmatchcase(f"{arn}/*", p) for p in patterns for arn in arns)
        return covers_bucket and covers_objects


class KmsKeyRotationOff(Rule):
    id = "TAP204"
    name = "kms-key-rotation-off"
    area = "encryption"
    severity = "warning"
    title = "A symmetric KMS key is not rotated"
    what = """
        A symmetric encryption `AWS::KMS::Key` (no `KeySpec`, or
        `SYMMETRIC_DEFAULT`, and `KeyUsage` `ENCRYPT_DECRYPT`) with key material
        generated by KMS, without `EnableKeyRotation: true`.
    """
    why = "Rotation limits how much data one key version protects and is required by most benchmarks."
    fix = "Set `EnableKeyRotation: true`."
    hint = "set EnableKeyRotation: true"
    failing = """
        Key:
          Type: AWS::KMS::Key
          Properties:
            KeyPolicy: {...}
    """
    passing = """
        Key:
          Type: AWS::KMS::Key
          Properties:
            EnableKeyRotation: true
            KeyPolicy: {...}
    """

    def check(self, context):
        for logical_id, resource in context.resources():
            if resource["Type"] != "AWS::KMS::Key":
                continue
            properties = context.resolver.resolve(resource.get("Properties") or {})
            if not isinstance(properties, dict):
                continue
            symmetric = properties.get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
            encryption = properties.get("KeyUsage", "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT"
            generated = properties.get("Origin", "AWS_KMS") == "AWS_KMS"
            rotation = properties.get("EnableKeyRotation")
            if not (symmetric and encryption and generated) or as_text(rotation) == "true":
                continue
            written = resource.get("Properties") or {}
            node = (
                key_node(written, "EnableKeyRotation")
                if "EnableKeyRotation" in written
                else context.template.resource_key(logical_id)
            )
            if isinstance(rotation, Unknown):
                yield context.finding(
                    self,
                    logical_id,
                    "Properties.EnableKeyRotation",
                    node,
                    f"cannot tell whether key rotation is on: {rotation.reason}",
                    severity="info",
                    fallback=resource,
                )
            else:
                yield context.finding(
                    self,
                    logical_id,
                    "Properties.EnableKeyRotation",
                    node,
                    "symmetric KMS key without EnableKeyRotation: true",
                    fallback=resource,
                )


RULES = [UnencryptedAtRest(), AwsManagedKey(), UnencryptedInTransit(), KmsKeyRotationOff()]
