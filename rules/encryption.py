"""Encryption rules (TAP2xx): at rest, with whose key, in transit, key rotation.

What counts as encrypted at rest for each resource type is a data table next to
this module (`encryption.yml`), which `.tapcheck.yml` can extend or override.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache

from tapcheck.checker.aws.policy_documents import is_public, policy_documents, statements
from tapcheck.checker.data_tables import data_table
from tapcheck.checker.model.intrinsics import Unknown, as_text, resource_token
from tapcheck.checker.model.resource_view import View
from tapcheck.checker.model.table_tests import holds, lookup
from tapcheck.checker.policies.loading import builtin_policy

from .base import Rule

AWS_KEY = re.compile(r"(^|:)alias/aws/")
TRANSPORT_TYPES = (
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ApiGateway::DomainName",
    "AWS::ApiGatewayV2::DomainName",
    "AWS::CloudFront::Distribution",
    "AWS::OpenSearchService::Domain",
    "AWS::Elasticsearch::Domain",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::MSK::Cluster",
)
ELB_POLICY_VERSION = re.compile(r"^ELBSecurityPolicy-(?:TLS13|TLS|FS)-1-(\d)-")
"""The oldest TLS version of an ELB security policy, as AWS names them:
`ELBSecurityPolicy-TLS13-1-2-2021-06` accepts TLS 1.2 and 1.3, `-TLS-1-1-2017-01` 1.1 up."""
ELB_POLICIES_FROM_TLS_1_0 = ("ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-2015-05", "ELBSecurityPolicy-FS-2018-06")
"""ELB's older policies, whose names do not say it: they accept TLS 1.0."""
CLOUDFRONT_PROTOCOLS = (
    "SSLv3",
    "TLSv1",
    "TLSv1_2016",
    "TLSv1.1_2016",
    "TLSv1.2_2018",
    "TLSv1.2_2019",
    "TLSv1.2_2021",
    "TLSv1.2_2025",
    "TLSv1.3_2025",
)
"""CloudFront's viewer security policies, oldest first."""
CLOUDFRONT_MINIMUM = "TLSv1.2_2021"


@cache
def default_table() -> dict:
    return data_table(__package__, "encryption.yml")


def encryption_table(config) -> dict:
    """The default table with the user's per-type overrides (None removes a type)."""
    table = {**default_table(), **config.encryption_types}
    return {k: v for k, v in table.items() if v is not None}


@dataclass
class Store:
    """One data store of the encryption table: a resource, or one item of it (`each`)."""

    logical_id: str
    resource: dict
    entry: dict
    view: View
    """The store's properties (or, when they cannot be followed, where they stop)."""
    encrypted: bool | Unknown | str
    """Whether the table's test holds; `always` when AWS always encrypts it."""
    stopped: Unknown | None = None
    """Why the items of `each` could not be listed (the view is where they stop)."""

    @property
    def node(self):
        """The store's properties as written (as computed, below a `FindInMap`)."""
        return self.view.written if self.view.written is not None else self.view.value

    @property
    def what(self) -> str:
        item = self.view.path.removeprefix("Properties").lstrip(".")
        return f"{self.resource['Type']} {item}" if item else self.resource["Type"]

    def at(self, path: str) -> str:
        return f"{self.view.path}.{path}"


def _stores(context):
    """Every data store of the encryption table that exists in this scenario."""
    table = encryption_table(context.config)
    for logical_id, resource in context.resources():
        entry = table.get(resource["Type"])
        if entry is None:
            continue
        properties = context.template.properties_of(resource) or {}
        if holds(context.resolver, properties, entry.get("applies")) is not True:
            continue
        views, unknown = _each(context.view(logical_id), entry.get("each"))
        if unknown is not None:
            yield Store(logical_id, resource, entry, unknown[1], unknown[0], stopped=unknown[0])
        for view in views:
            store = Store(logical_id, resource, entry, view, "always")
            if entry["encrypted"] != "always":
                store.encrypted = holds(context.resolver, store.node, entry["encrypted"])
            yield store


def _each(view: View, path: str | None) -> tuple[list[View], tuple[Unknown, View] | None]:
    """The views at `path` below `view` (`*` for every list item; `view` itself without a
    path), and why and where the path could not be followed, if it could not."""
    views, unknown = [view], None
    for part in path.split(".") if path else ():
        following = []
        for current in views:
            if part == "*":
                if unknown is None and current.list_problem is not None:
                    unknown = (current.list_problem, current)
                following.extend(current.items())
                continue
            child = current.get(part)
            if child.unknown is not None:
                unknown = unknown or (child.unknown, child)
            elif not child.missing:
                following.append(child)
        views = following
    return views, unknown


def _deciding_path(resolver, node, entry: dict) -> str:
    """The property to point at: the first one of the test that is written, else the
    first one the table names."""
    spec = entry.get("encrypted") or {}
    paths = [test["path"] for test in spec.get("all") or spec.get("any") or []]
    for path in paths:
        found = lookup(resolver, node, path)
        if isinstance(found, list) and found:
            return path
    return paths[0] if paths else ""


def _anchor(context, store: Store):
    """Where a finding about the whole store points: the resource, or the item."""
    return store.view.node if store.view.path != "Properties" else context.template.resource_key(store.logical_id)


class UnencryptedAtRest(Rule):
    id = "TAP201"
    name = "unencrypted-at-rest"
    area = "encryption"
    severity = "error"
    title = "A data store is not encrypted at rest"
    what = """
        Data stores that can be left unencrypted have encryption at rest switched on,
        per the encryption table (`rules/encryption.yml`): SNS topics
        (`KmsMasterKeyId`), SQS queues (`SqsManagedSseEnabled: false` without a KMS
        key), Kinesis streams, Firehose delivery streams (unless a Kinesis stream or
        MSK is their source), EFS file systems, RDS instances and clusters, DocumentDB
        and Neptune clusters, Redshift clusters, DAX clusters, EBS volumes and the EBS
        block devices of instances, launch templates and launch configurations,
        ElastiCache replication groups and OpenSearch/Elasticsearch domains. An empty
        string is no key. Encryption switched on only in some scenarios
        (`!If [IsProd, ..., !Ref AWS::NoValue]`) is reported for the others.

        A store created from another one (an RDS read replica or clone, a cluster or
        volume restored from a snapshot) inherits that one's encryption: info, since
        it cannot be seen from here. An Aurora instance is governed by its cluster.
        S3 buckets, DynamoDB tables, CloudWatch log groups, Lambda environment
        variables, Step Functions state machines and MSK clusters are always
        encrypted by AWS; for them only the key is a question (TAP202).
    """
    why = """
        Encryption at rest limits what a leaked snapshot, backup or disk exposes, and
        most compliance regimes require it to be explicit in the template.
    """
    fix = "Switch on the property the message names (and prefer a customer-managed KMS key)."
    hint = "switch on encryption at rest (see the property in the message)"
    failing = """
        Volume:
          Type: AWS::EC2::Volume
          Properties:
            AvailabilityZone: !Select [0, !GetAZs '']
            Size: 100
            Encrypted: !If [IsProduction, true, false]
    """
    passing = """
        Volume:
          Type: AWS::EC2::Volume
          Properties:
            AvailabilityZone: !Select [0, !GetAZs '']
            Size: 100
            Encrypted: true
            KmsKeyId: !Ref VolumeKey
    """

    def check(self, context):
        for store in _stores(context):
            if store.encrypted is True or store.encrypted == "always":
                continue
            if store.stopped is not None:
                yield context.undecided(
                    self, store.logical_id, store.view, "whether it is encrypted at rest", store.stopped
                )
                continue
            path = _deciding_path(context.resolver, store.node, store.entry)
            found = lookup(context.resolver, store.node, path)
            node = found[0][0] if isinstance(found, list) and found else _anchor(context, store)
            source = next((p for p in store.entry.get("inherited-from", []) if _set(store.view.get(p))), None)
            if source is not None:
                yield context.finding(
                    self,
                    store.logical_id,
                    store.at(source),
                    store.view.get(source).node,
                    f"{store.what} is created from {source} and inherits its encryption, which cannot be checked here",
                    severity="info",
                    fallback=store.resource,
                )
            elif isinstance(store.encrypted, Unknown):
                yield context.finding(
                    self,
                    store.logical_id,
                    store.at(path),
                    node,
                    f"cannot tell whether {store.what} is encrypted at rest: {store.encrypted.reason}",
                    severity="info",
                    fallback=store.resource,
                )
            else:
                yield context.finding(
                    self,
                    store.logical_id,
                    store.at(path),
                    node,
                    f"{store.what} is not encrypted at rest (set {path})",
                    severity=store.entry.get("severity", self.severity),
                    fallback=store.resource,
                )


def _set(view: View) -> bool:
    """Whether a property is set to something (an empty string is nothing)."""
    return not view.missing and view.text != ""


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
        their own: not an `alias/aws/*` key, not SSE-S3 (`AES256`), not DynamoDB,
        SQS, Step Functions or Firehose encryption with an AWS-owned key, not a
        log group or Lambda environment without `KmsKeyId`/`KmsKeyArn`. An empty
        string is no key. Not asked where the service cannot use a customer-managed
        key: an S3 bucket that receives Elastic Load Balancing access logs
        (`access_logs.s3.bucket`, `AccessLoggingPolicy.S3BucketName`) must use SSE-S3,
        and DAX clusters and launch configurations take no key.
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
        log_buckets = _elb_log_buckets(context)
        for store in _stores(context):
            if store.encrypted not in (True, "always") or "key" not in store.entry:
                continue
            if store.resource["Type"] == "AWS::S3::Bucket" and _bucket_names(context, store.logical_id) & log_buckets:
                continue
            found = lookup(context.resolver, store.node, store.entry["key"])
            if isinstance(found, Unknown):
                continue
            found = [(n, v) for n, v in found if as_text(v) != ""]
            # a Ref or GetAtt (Unknown here) names a key of the stack's own or passed in
            aws_keys = [(n, v) for n, v in found if isinstance(v, str) and AWS_KEY.search(v)]
            path = store.at(store.entry["key"])
            if aws_keys:
                node, value = aws_keys[0]
                yield context.finding(
                    self,
                    store.logical_id,
                    path,
                    node,
                    f"{store.what} uses the AWS-managed key {value}",
                    fallback=store.resource,
                )
            elif not found:
                yield context.finding(
                    self,
                    store.logical_id,
                    path,
                    _anchor(context, store),
                    f"{store.what} is encrypted with an AWS-owned or AWS-managed key (no KMS key set)",
                    fallback=store.resource,
                )


def _bucket_names(context, logical_id: str) -> set[str]:
    """How a bucket can be named: its `Ref` token, and its BucketName when known."""
    names = {resource_token(logical_id)}
    properties = context.template.resources[logical_id].get("Properties") or {}
    name = context.resolver.resolve(properties.get("BucketName") if isinstance(properties, dict) else None)
    if isinstance(name, str):
        names.add(name)
    return names


def _elb_log_buckets(context) -> set[str]:
    """The buckets load balancers write access or connection logs to (by name or token)."""
    symbolic = context.resolver.symbolic
    buckets = set()
    for logical_id, resource in context.resources():
        view = context.view(logical_id)
        if resource["Type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer":
            for attribute in view.get("LoadBalancerAttributes").items():
                if attribute.get("Key").text in ("access_logs.s3.bucket", "connection_logs.s3.bucket"):
                    buckets.add(symbolic.resolve(attribute.get("Value").written))
        elif resource["Type"] == "AWS::ElasticLoadBalancing::LoadBalancer":
            buckets.add(symbolic.resolve(view.get("AccessLoggingPolicy").get("S3BucketName").written))
    return {b for b in buckets if isinstance(b, str)}


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
        its objects (the policy is found by `Ref` or name; one that denies only some
        actions says which); ELBv2 listeners on HTTP whose default actions do not
        redirect to HTTPS, and HTTPS/TLS listeners whose `SslPolicy` accepts TLS
        older than 1.2 (the oldest version as the policy's name gives it,
        `ELBSecurityPolicy-TLS13-1-2-2021-06` is 1.2; `ELBSecurityPolicy-2016-08`
        accepts 1.0; no `SslPolicy` is info: AWS picks the default); API Gateway custom
        domain names that allow TLS 1.0; CloudFront distributions whose cache
        behaviours allow plain HTTP (`ViewerProtocolPolicy: allow-all`) or whose own
        certificate's `MinimumProtocolVersion` is older than `TLSv1.2_2021` (`TLSv1`
        when not set; the default `*.cloudfront.net` certificate cannot be given
        another); OpenSearch/Elasticsearch domains without
        `DomainEndpointOptions.EnforceHTTPS: true` or with a `TLSSecurityPolicy` that
        accepts TLS 1.0 (the default); ElastiCache replication groups without
        `TransitEncryptionEnabled: true`, or with `TransitEncryptionMode: preferred`;
        MSK clusters whose `ClientBroker` is `TLS_PLAINTEXT` or `PLAINTEXT`, or with
        `InCluster: false`.
    """
    why = """
        Credentials, tokens and data sent over plain HTTP or old TLS can be read and
        altered on the way.
    """
    fix = """
        Add the deny-insecure-transport statement (for `s3:*`) to the bucket policy;
        redirect HTTP listeners to HTTPS and give HTTPS listeners
        `SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06`; set `SecurityPolicy: TLS_1_2`;
        use `redirect-to-https` or `https-only` viewer protocol policies and
        `MinimumProtocolVersion: TLSv1.2_2021`; set `EnforceHTTPS: true` and
        `TLSSecurityPolicy: Policy-Min-TLS-1-2-2019-07` on search domains,
        `TransitEncryptionEnabled: true` (mode `required`) on ElastiCache, and
        `ClientBroker: TLS` on MSK.
    """
    hint = "require TLS (deny aws:SecureTransport=false, redirect to HTTPS, TLS_1_2)"
    failing = """
        Bucket:
          Type: AWS::S3::Bucket   # and no bucket policy denying insecure transport
        Listener:
          Type: AWS::ElasticLoadBalancingV2::Listener
          Properties:
            Protocol: HTTPS
            SslPolicy: ELBSecurityPolicy-2016-08   # accepts TLS 1.0
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
        Listener:
          Type: AWS::ElasticLoadBalancingV2::Listener
          Properties:
            Protocol: HTTPS
            SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
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
            if protocol.scalar_problem is not None:
                return protocol.scalar_problem, protocol
            if protocol.text in ("HTTPS", "TLS"):
                return _listener_tls(properties.get("SslPolicy"))
            if protocol.text != "HTTP":
                return None
            actions = properties.get("DefaultActions")
            for action in actions.items():
                redirect = action.get("RedirectConfig").get("Protocol")
                if action.get("Type").text == "redirect" and redirect.text == "HTTPS":
                    return None
                unknown = action.get("Type").scalar_problem or redirect.scalar_problem or action.unknown
                if unknown is not None:
                    return unknown, action
            if actions.list_problem is not None:
                return actions.list_problem, actions
            return "HTTP listener does not redirect to HTTPS"
        if resource_type == "AWS::ApiGateway::DomainName":
            policy = properties.get("SecurityPolicy")
            if policy.scalar_problem is not None:
                return policy.scalar_problem, policy
            return (
                "custom domain allows TLS 1.0 (set SecurityPolicy: TLS_1_2)"
                if policy.text in (None, "TLS_1_0")
                else None
            )
        if resource_type == "AWS::ApiGatewayV2::DomainName":
            configurations = properties.get("DomainNameConfigurations")
            for configuration in configurations.items():
                policy = configuration.get("SecurityPolicy")
                if policy.scalar_problem is not None:
                    return policy.scalar_problem, policy
                if policy.text == "TLS_1_0":
                    return "custom domain allows TLS 1.0 (set SecurityPolicy: TLS_1_2)"
            return (configurations.list_problem, configurations) if configurations.list_problem else None
        if resource_type in ("AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"):
            return _domain_transport(properties.get("DomainEndpointOptions"))
        if resource_type == "AWS::ElastiCache::ReplicationGroup":
            enabled, mode = properties.get("TransitEncryptionEnabled"), properties.get("TransitEncryptionMode")
            if enabled.scalar_problem is not None:
                return enabled.scalar_problem, enabled
            if enabled.text != "true":
                return "replication group is not encrypted in transit (set TransitEncryptionEnabled: true)"
            if mode.scalar_problem is not None:
                return mode.scalar_problem, mode
            if mode.text == "preferred":
                return "replication group also accepts unencrypted connections (TransitEncryptionMode: preferred)"
            return None
        if resource_type == "AWS::MSK::Cluster":
            transit = properties.get("EncryptionInfo").get("EncryptionInTransit")
            client, cluster = transit.get("ClientBroker"), transit.get("InCluster")
            for view in (client, cluster):
                if view.scalar_problem is not None:
                    return view.scalar_problem, view
            if client.text in ("TLS_PLAINTEXT", "PLAINTEXT"):
                return f"cluster accepts plaintext from clients (ClientBroker: {client.text}; set TLS)"
            if cluster.text == "false":
                return "brokers talk to each other unencrypted (InCluster: false)"
            return None
        if resource_type == "AWS::CloudFront::Distribution":
            config = properties.get("DistributionConfig")
            behaviours = config.get("CacheBehaviors")
            undecided = None
            for behaviour in (config.get("DefaultCacheBehavior"), *behaviours.items()):
                policy = behaviour.get("ViewerProtocolPolicy")
                if policy.text == "allow-all":
                    return "distribution allows plain HTTP (ViewerProtocolPolicy: allow-all)"
                if undecided is None and (policy.scalar_problem or behaviour.unknown) is not None:
                    undecided = (policy.scalar_problem or behaviour.unknown, policy)
            if undecided is None and behaviours.list_problem is not None:
                undecided = (behaviours.list_problem, behaviours)
            # plain HTTP first: with it allowed, the oldest TLS version is the lesser concern
            old_tls = _cloudfront_tls(config.get("ViewerCertificate"))
            if isinstance(old_tls, str) or undecided is None:
                return old_tls
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
            names = _bucket_names(context, logical_id)
            mine = [doc for name in names for doc in policies.get(name, [])]
            denied = [
                actions
                for doc in mine
                for s in statements(context, doc)
                if (actions := self._insecure_denied(context, s, names, logical_id))
            ]
            if any(a in ("*", "s3:*") for actions in denied for a in actions):
                continue
            node = context.template.resource_key(logical_id)
            unread = next(filter(None, (_unread(context, doc) for doc in mine)), None)
            if unread is not None:
                yield context.finding(
                    self,
                    logical_id,
                    "Properties",
                    node,
                    f"cannot tell whether a bucket policy denies insecure transport: {unread.reason}",
                    severity="info",
                    fallback=resource,
                )
                continue
            if denied:
                actions = sorted({a for listed in denied for a in listed})
                shown = ", ".join(actions[:5]) + (f" (+{len(actions) - 5} more)" if len(actions) > 5 else "")
                yield context.finding(
                    self,
                    logical_id,
                    "Properties",
                    node,
                    f"the bucket policy denies requests without TLS only for {shown}: other actions "
                    "are allowed over plain HTTP (deny s3:*)",
                    fallback=resource,
                )
                continue
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
    def _insecure_denied(context, statement, names: set[str], logical_id: str) -> list[str]:
        """The actions a statement denies to everyone without TLS on both the bucket and
        its objects (`s3:*` when all); empty when it is no such statement."""
        if statement.effect != "Deny" or not is_public(statement.principal):
            return []
        actions = [a for a in statement.values("Action") if isinstance(a, str)]
        if not actions:
            return []
        condition = statement.condition if isinstance(statement.condition, dict) else {}
        insecure = False
        for operator, tests in condition.items():
            if operator in ("Bool", "BoolIfExists") and isinstance(tests, dict):
                for key, value in tests.items():
                    values = value if isinstance(value, list) else [value]  # IAM takes one value or a list
                    if str(key).lower() == "aws:securetransport" and "false" in map(as_text, values):
                        insecure = True
        if not insecure:
            return []
        written = statement.node.get("Resource") if isinstance(statement.node, dict) else None
        patterns = context.resolver.symbolic.resolve(written)
        patterns = [p for p in (patterns if isinstance(patterns, list) else [patterns]) if isinstance(p, str)]
        arns = {f"arn:aws:s3:::{n}" for n in names} | {resource_token(logical_id, "Arn")}
        covers_bucket = any(fnmatchcase(arn, p) for p in patterns for arn in arns)
        covers_objects = any(fnmatchcase(f"{arn}/*", p) for p in patterns for arn in arns)
        return actions if covers_bucket and covers_objects else []


def _listener_tls(policy: View) -> str | tuple | None:
    """An HTTPS/TLS listener whose security policy accepts TLS older than 1.2."""
    if policy.scalar_problem is not None:
        return policy.scalar_problem, policy
    if policy.missing:
        return Unknown("SslPolicy is not set, and the default ELB picks may accept TLS 1.0"), policy
    name = policy.text or ""
    version = ELB_POLICY_VERSION.match(name)
    oldest = "1.0" if name in ELB_POLICIES_FROM_TLS_1_0 else f"1.{version.group(1)}" if version else None
    if oldest is None:
        return Unknown(f"{name!r} is not an ELB security policy tapcheck knows"), policy
    if oldest >= "1.2":
        return None
    if not _literal(policy):  # one finding for every value a parameter gives it
        return "listener accepts TLS older than 1.2 (its SslPolicy; use ELBSecurityPolicy-TLS13-1-2-2021-06)"
    return f"listener accepts TLS {oldest} (SslPolicy {name}; use ELBSecurityPolicy-TLS13-1-2-2021-06)"


def _literal(view: View) -> bool:
    """Whether a value is written as itself (not chosen by a parameter, a mapping, a condition)."""
    return isinstance(view.written, str)


def _cloudfront_tls(certificate: View) -> str | tuple | None:
    """A distribution with its own certificate whose viewer policy is older than
    TLSv1.2_2021 (with the default *.cloudfront.net certificate the policy cannot be set)."""
    default = certificate.get("CloudFrontDefaultCertificate")
    if default.scalar_problem is not None:
        return default.scalar_problem, default
    if certificate.missing or default.text == "true":
        return None
    minimum = certificate.get("MinimumProtocolVersion")
    if minimum.scalar_problem is not None:
        return minimum.scalar_problem, minimum
    version = minimum.text or "TLSv1"  # CloudFront's default for a custom certificate
    if version not in CLOUDFRONT_PROTOCOLS:
        return Unknown(f"{version!r} is not a CloudFront security policy tapcheck knows"), minimum
    if CLOUDFRONT_PROTOCOLS.index(version) < CLOUDFRONT_PROTOCOLS.index(CLOUDFRONT_MINIMUM):
        if minimum.missing:
            shown = f"MinimumProtocolVersion {version}, the default"
        else:  # named only when written: one finding for every old value a parameter gives it
            shown = f"MinimumProtocolVersion {version}" if _literal(minimum) else "its MinimumProtocolVersion"
        return f"distribution accepts viewer protocols older than {CLOUDFRONT_MINIMUM} ({shown})"
    return None


def _domain_transport(options: View) -> str | tuple | None:
    """An OpenSearch/Elasticsearch domain that accepts plain HTTP or TLS older than 1.2."""
    enforce, policy = options.get("EnforceHTTPS"), options.get("TLSSecurityPolicy")
    for view in (enforce, policy):
        if view.scalar_problem is not None:
            return view.scalar_problem, view
    problems = []
    if enforce.text != "true":
        problems.append("plain HTTP (set DomainEndpointOptions.EnforceHTTPS: true)")
    if policy.missing or (policy.text or "").startswith("Policy-Min-TLS-1-0-"):
        shown = policy.text or "Policy-Min-TLS-1-0-2019-07, the default"
        problems.append(f"TLS 1.0 (TLSSecurityPolicy {shown}; use Policy-Min-TLS-1-2-2019-07)")
    return f"domain accepts {' and '.join(problems)}" if problems else None


def _unread(context, document) -> Unknown | None:
    """Why a policy document, or one of its statements that may deny, cannot be read."""
    if document.unknown is not None:
        return document.unknown
    for statement in statements(context, document):
        if statement.unknown is not None:
            return statement.unknown
        if statement.effect != "Deny" and "Effect" not in statement.doubts:
            continue  # only a Deny denies insecure transport
        doubt = next(iter(statement.doubts.values()), None) or _unknown_transport_test(statement.condition)
        if doubt is not None:
            return doubt
        if statement.branch is not None:
            return statement.branch[2]
    return None


def _unknown_transport_test(condition) -> Unknown | None:
    """An `aws:SecureTransport` test whose value cannot be known."""
    for tests in condition.values() if isinstance(condition, dict) else ():
        for key, value in tests.items() if isinstance(tests, dict) else ():
            values = value if isinstance(value, list) else [value]
            if str(key).lower() == "aws:securetransport":
                unknown = next((v for v in values if isinstance(v, Unknown)), None)
                if unknown is not None:
                    return unknown
    return None


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
        return rotation_policy(self).check(context)


@cache
def rotation_policy(rule: Rule):
    """TAP204 as data, in the policy-pack language (encryption_policies.yml)."""
    return builtin_policy(rule, __package__, "encryption_policies.yml")


RULES = [UnencryptedAtRest(), AwsManagedKey(), UnencryptedInTransit(), KmsKeyRotationOff()]
