"""TAP201-TAP204 on their fixtures: conditional encryption, AWS-owned keys per
scenario, bucket policies found by Ref and by name, table overrides from config."""

from __future__ import annotations

from tapcheck.checker.config import Config

from conftest import FIXTURES, findings

ENCRYPTION = FIXTURES / "encryption"


def by_resource(found):
    return {f.resource: f for f in found}


def test_tap201_data_stores_without_encryption():
    found = by_resource(findings(ENCRYPTION / "tap201.yml", "TAP201"))
    # the table, bucket, log group and function environment are always encrypted (TAP202's question)
    assert set(found) == {"PlainQueue", "Topic", "Database"}
    assert found["PlainQueue"].path == "Properties.SqsManagedSseEnabled" and found["PlainQueue"].line == 21
    assert found["Database"].severity == "error" and found["Database"].scenarios == []


def test_tap201_stores_that_can_be_left_unencrypted():
    found = findings(ENCRYPTION / "tap201_stores.yml", "TAP201")
    errors = {f.resource: f for f in found if f.severity == "error"}
    info = {f.resource: f for f in found if f.severity == "info"}
    assert set(errors) == {
        "Volume", "Instance", "LaunchTemplate", "LaunchConfiguration", "Warehouse", "Documents", "Graph",
        "Accelerator", "Delivery", "EmptyKeyTopic", "Database",
    }  # fmt: skip
    assert set(info) == {"UnknownVolume", "RestoredVolume", "Replica"}
    assert len(found) == len(errors) + len(info)  # one finding per store: the encrypted device is not one
    device = errors["Instance"]
    assert device.path == "Properties.BlockDeviceMappings[0].Ebs.Encrypted" and device.line == 22
    assert device.message == "AWS::EC2::Instance BlockDeviceMappings[0].Ebs is not encrypted at rest (set Encrypted)"
    assert errors["EmptyKeyTopic"].message == "AWS::SNS::Topic is not encrypted at rest (set KmsMasterKeyId)"
    assert info["UnknownVolume"].message.startswith("cannot tell whether AWS::EC2::Volume is encrypted at rest: ")
    assert "EncryptVolumes" in info["UnknownVolume"].message
    assert "inherits its encryption" in info["Replica"].message and info["Replica"].path.endswith("Identifier")
    assert info["RestoredVolume"].path == "Properties.SnapshotId"


def test_tap201_always_encrypted_and_inheriting_stores_pass():
    assert findings(ENCRYPTION / "tap201_stores_pass.yml", "TAP201") == []


def test_tap201_table_is_overridable_from_config():
    config = Config(
        encryption_types={
            "AWS::Logs::LogGroup": None,
            "AWS::SNS::Topic": {
                "severity": "warning",
                "encrypted": {"all": [{"path": "KmsMasterKeyId", "present": True}]},
            },
        }
    )
    found = by_resource(findings(ENCRYPTION / "tap201.yml", "TAP201", config))
    assert "Logs" not in found and found["Topic"].severity == "warning"


def test_tap202_aws_keys_only_in_production():
    found = by_resource(findings(ENCRYPTION / "tap202.yml", "TAP202"))
    assert set(found) == {"ManagedKeyTable", "S3ManagedBucket", "Topic"}
    assert all(f.scenarios == ["only when Environment=production"] for f in found.values())
    assert found["ManagedKeyTable"].message == "AWS::DynamoDB::Table uses the AWS-managed key alias/aws/dynamodb"
    assert "no KMS key set" in found["S3ManagedBucket"].message


def test_tap202_policy_is_configurable():
    assert findings(ENCRYPTION / "tap202.yml", "TAP202", Config(customer_managed_keys="never")) == []
    always = findings(ENCRYPTION / "tap202.yml", "TAP202", Config(customer_managed_keys="always"))
    assert {f.resource for f in always} == {"ManagedKeyTable", "S3ManagedBucket", "Topic"}
    assert all(f.scenarios == [] for f in always)


def test_tap203_transport_encryption():
    found = by_resource(findings(ENCRYPTION / "tap203.yml", "TAP203"))
    assert set(found) == {"BucketWithoutPolicy", "HalfCoveredBucket", "HttpListener", "OldTlsDomain", "Distribution"}
    assert found["HalfCoveredBucket"].message.startswith("no bucket policy denies requests without TLS")
    assert found["HttpListener"].message == "HTTP listener does not redirect to HTTPS"
    assert found["OldTlsDomain"].message == "custom domain allows TLS 1.0 (set SecurityPolicy: TLS_1_2)"
    assert found["Distribution"].message == "distribution allows plain HTTP (ViewerProtocolPolicy: allow-all)"


def test_tap204_rotation_for_symmetric_keys_only():
    found = by_resource(findings(ENCRYPTION / "tap204.yml", "TAP204"))
    assert set(found) == {"UnrotatedKey", "DisabledRotationKey"}
    assert found["DisabledRotationKey"].line == 10  # points at EnableKeyRotation: false


def test_tap201_tap202_sam_types_and_globals():
    assert findings(ENCRYPTION / "tap201_sam.yml", "TAP201") == []  # always encrypted
    found = by_resource(findings(ENCRYPTION / "tap201_sam.yml", "TAP202", Config(customer_managed_keys="always")))
    assert set(found) == {"PlainFunction"}  # environment variables from Globals, no key of its own
    assert "no KMS key set" in found["PlainFunction"].message


def test_tap202_not_for_buckets_receiving_elb_access_logs():
    found = by_resource(findings(ENCRYPTION / "tap202_elb_logs.yml", "TAP202"))
    assert set(found) == {"DataBucket", "EmptyKeyFunction"}  # an empty KmsKeyArn is no key
    assert found["EmptyKeyFunction"].message.endswith("(no KMS key set)")


def test_tap202_store_that_always_encrypts_with_an_aws_key():
    found = by_resource(
        findings(ENCRYPTION / "tap201_stores_pass.yml", "TAP202", Config(customer_managed_keys="always"))
    )
    assert {"Bucket", "Table", "Logs", "Function", "Workflow", "Kafka", "Topic"} <= set(found)
    assert "Accelerator" not in found  # DAX takes no customer-managed key


def test_tap203_tls_versions_search_domains_caches_kafka_and_partial_denies():
    found = findings(ENCRYPTION / "tap203_tls.yml", "TAP203")
    (chosen,) = [f for f in found if f.resource == "ChosenDistribution"]
    assert chosen.scenarios == [] and chosen.message == (
        "distribution accepts viewer protocols older than TLSv1.2_2021 (its MinimumProtocolVersion)"
    )
    found = sorted((f.resource, f.severity, f.message) for f in found if f is not chosen)
    assert found == [
        (
            "Bucket",
            "error",
            "the bucket policy denies requests without TLS only for s3:GetObject, s3:PutObject: other actions "
            "are allowed over plain HTTP (deny s3:*)",
        ),
        (
            "DefaultPolicyListener",
            "info",
            "cannot tell whether it requires TLS: SslPolicy is not set, and the default ELB picks may accept TLS 1.0",
        ),
        (
            "OldDistribution",
            "error",
            "distribution accepts viewer protocols older than TLSv1.2_2021 (MinimumProtocolVersion TLSv1.2_2019)",
        ),
        (
            "OldListener",
            "error",
            "listener accepts TLS 1.1 (SslPolicy ELBSecurityPolicy-TLS-1-1-2017-01; "
            "use ELBSecurityPolicy-TLS13-1-2-2021-06)",
        ),
        (
            "OpenSearch",
            "error",
            "domain accepts plain HTTP (set DomainEndpointOptions.EnforceHTTPS: true) and TLS 1.0 "
            "(TLSSecurityPolicy Policy-Min-TLS-1-0-2019-07, the default; use Policy-Min-TLS-1-2-2019-07)",
        ),
        ("PlainCache", "error", "replication group is not encrypted in transit (set TransitEncryptionEnabled: true)"),
        (
            "PlaintextKafka",
            "error",
            "cluster accepts plaintext from clients (ClientBroker: TLS_PLAINTEXT; set TLS)",
        ),
        (
            "PreferredCache",
            "error",
            "replication group also accepts unencrypted connections (TransitEncryptionMode: preferred)",
        ),
    ]
