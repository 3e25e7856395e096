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
    assert set(found) == {"ConditionalTable", "PlainQueue", "Topic", "Bucket", "Logs", "Database", "Function"}
    assert found["ConditionalTable"].scenarios == ["only when Environment=development"]
    assert (
        found["ConditionalTable"].message
        == "AWS::DynamoDB::Table is not encrypted at rest (set SSESpecification.SSEEnabled)"
    )
    assert found["PlainQueue"].path == "Properties.SqsManagedSseEnabled" and found["PlainQueue"].line == 21
    assert found["Logs"].severity == "warning" and found["Function"].severity == "info"
    assert found["Database"].severity == "error" and found["Bucket"].scenarios == []


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


def test_tap201_sam_types_and_globals():
    found = by_resource(findings(ENCRYPTION / "tap201_sam.yml", "TAP201"))
    assert set(found) == {"PlainTable", "PlainFunction"}
    assert found["PlainTable"].severity == "error"
    assert found["PlainFunction"].severity == "info" and "KmsKeyArn" in found["PlainFunction"].message
