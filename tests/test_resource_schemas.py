"""The resource schemas tapcheck reads from cfn-lint's data files, without importing
cfn-lint, are the ones cfn-lint's own schema manager gives, for every type it knows."""

from __future__ import annotations

from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from tapcheck.checker.aws.resource_schemas import SCHEMA_REGION, provider_schema

from conftest import imported_by, under


def test_every_schema_is_cfn_lints():
    types = PROVIDER_SCHEMA_MANAGER.get_resource_types(SCHEMA_REGION)
    assert len(types) > 1000
    differ = [
        name
        for name in types
        if name != "AWS::CloudFormation::CustomResource"  # a custom resource has no schema to tapcheck
        and provider_schema(name) != PROVIDER_SCHEMA_MANAGER.get_resource_schema(SCHEMA_REGION, name).schema
    ]
    assert differ == []
    assert provider_schema("AWS::No::Such") is None and provider_schema("Custom::Thing") is None


def test_reading_a_schema_does_not_import_cfn_lint():
    modules = imported_by(
        "from tapcheck.checker.aws.resource_schemas import provider_schema\n"
        "assert provider_schema('AWS::S3::Bucket')['typeName'] == 'AWS::S3::Bucket'"
    )
    assert under(modules, "cfnlint") == []
