"""The resource schemas tapcheck reads from cfn-lint's data files, without importing
cfn-lint, are the ones cfn-lint's own schema manager gives, for every type it knows."""

from __future__ import annotations

import subprocess
import sys

from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from tapcheck.checker.aws.resource_schemas import SCHEMA_REGION, provider_schema


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
    program = (
        "import sys\n"
        "from tapcheck.checker.aws.resource_schemas import provider_schema\n"
        "assert provider_schema('AWS::S3::Bucket')['typeName'] == 'AWS::S3::Bucket'\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'cfnlint'))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"
