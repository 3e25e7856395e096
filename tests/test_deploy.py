"""`tapcheck deploy` against moto's server, started on a free loopback port."""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import socket
import zipfile
from datetime import UTC, datetime

import boto3
import moto_shims
import pytest
from botocore.stub import Stubber
from moto.server import ThreadedMotoServer

from tapcheck.checker.deploying.deploy import Deployer, DeployError, DeployTarget
from tapcheck.checker.deploying.packaging import package

from conftest import FIXTURES, REPO

pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse .* not supported:UserWarning")
REFERENCE = REPO / "reference"
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def moto_endpoint():
    """moto's server on a free loopback port; only loopback traffic."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(autouse=True)
def moto_as_cloudformation(monkeypatch):
    moto_shims.apply_all(monkeypatch.setattr)


@pytest.fixture
def aws_env(monkeypatch, moto_endpoint):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return moto_endpoint


def client(service, endpoint):
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint)


def code_sha256(data: bytes) -> str:
    """Lambda's CodeSha256 of a zip: base64 of its SHA-256."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def deployment_logical_ids(cloudformation, stack: str) -> list[str]:
    resources = cloudformation.describe_stack_resources(StackName=stack)["StackResources"]
    return [r["LogicalResourceId"] for r in resources if r.get("ResourceType") == "AWS::ApiGateway::Deployment"]


def deploy(run_cli, endpoint, *args):
    return run_cli("deploy", *args, "--region", REGION, "--endpoint-url", endpoint, "--timeout", "120")


def test_the_reference_stack_deploys_and_updates_through_change_sets(run_cli, aws_env, tmp_path):
    stack = "tap-stack-deploy-test"
    code, out, err = deploy(run_cli, aws_env, "--stack-name", stack)
    assert code == 0, out + err
    assert "passes tapcheck" in out
    assert "creating artifacts bucket tapcheck-artifacts-123456789012-us-east-1" in out
    assert "change set tapcheck-" in out and "(CREATE)" in out
    assert "ApplicationStateMachine" in out and "AWS::StepFunctions::StateMachine" in out
    assert f"stack {stack}: CREATE_COMPLETE" in out
    assert "outputs:" in out and "StateMachineArn = arn:aws:states:us-east-1:123456789012:stateMachine:" in out

    cloudformation = client("cloudformation", aws_env)
    (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    assert described["StackStatus"] == "CREATE_COMPLETE"
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in described["Parameters"]}
    bundle = package(REFERENCE / "handlers")
    assert parameters["CodeKey"] == f"{stack}/handlers-{bundle.sha256}.zip"

    # the uploaded code is the packaged reference/handlers
    s3 = client("s3", aws_env)
    uploaded = s3.get_object(Bucket=parameters["CodeBucket"], Key=parameters["CodeKey"])["Body"].read()
    assert uploaded == bundle.data
    names = zipfile.ZipFile(io.BytesIO(uploaded)).namelist()
    assert sorted(names) == ["common.py", "notification.py", "processing.py", "validation.py"]
    functions = client("lambda", aws_env)
    function = functions.get_function(FunctionName=f"{stack}-processing")
    assert function["Configuration"]["Handler"] == "processing.handler"
    assert function["Configuration"]["CodeSha256"] == code_sha256(bundle.data)
    bucket = parameters["CodeBucket"]
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is True
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"

    # a changed handler: a new bundle, an UPDATE change set, the stack updated
    handlers = tmp_path / "handlers"
    shutil.copytree(REFERENCE / "handlers", handlers, ignore=shutil.ignore_patterns("__pycache__"))
    with (handlers / "processing.py").open("a") as source:
        source.write("\n# changed\n")
    code, out, err = deploy(run_cli, aws_env, "--stack-name", stack, "--handlers", handlers)
    assert code == 0, out + err
    assert "(UPDATE)" in out and f"stack {stack}: UPDATE_COMPLETE" in out
    (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in described["Parameters"]}
    changed = package(handlers)
    assert changed.sha256 != bundle.sha256
    assert parameters["CodeKey"] == f"{stack}/handlers-{changed.sha256}.zip"
    uploaded = s3.get_object(Bucket=bucket, Key=parameters["CodeKey"])["Body"].read()
    assert hashlib.sha256(uploaded).hexdigest() == changed.sha256
    function = functions.get_function(FunctionName=f"{stack}-processing")
    assert function["Configuration"]["CodeSha256"] == code_sha256(changed.data)

    # a changed API: a new deployment replaces the old one, so the stage serves the change
    apigateway = client("apigateway", aws_env)
    (api,) = apigateway.get_rest_apis()["items"]
    (old_id,) = deployment_logical_ids(cloudformation, stack)
    before = {d["id"] for d in apigateway.get_deployments(restApiId=api["id"])["items"]}
    template = tmp_path / "TapStack.yml"
    text = (REFERENCE / "TapStack.yml").read_text()
    data_required = text.replace("          - timestamp\n", "          - timestamp\n          - data\n", 1)
    assert data_required != text
    template.write_text(data_required)
    code, out, err = deploy(run_cli, aws_env, template, "--stack-name", stack, "--handlers", handlers)
    assert code == 0, out + err
    (new_id,) = deployment_logical_ids(cloudformation, stack)
    assert new_id != old_id and f"API deployment ApiDeployment is deployed as {new_id}," in out
    assert f"Add      {new_id}" in out and f"Remove   {old_id}" in out and "ProcessRequestModel" in out
    assert f"stack {stack}: UPDATE_COMPLETE" in out
    assert {d["id"] for d in apigateway.get_deployments(restApiId=api["id"])["items"]} - before  # a new snapshot


def test_a_non_compliant_template_is_refused_before_any_aws_call(run_cli, monkeypatch):
    def no_aws(*args, **kwargs):
        raise AssertionError("deploy made an AWS call for a template that fails tapcheck")

    monkeypatch.setattr(boto3.session.Session, "client", no_aws)
    monkeypatch.setattr(boto3.session.Session, "__init__", no_aws)
    code, out, err = run_cli("deploy", FIXTURES / "tags" / "tap101_fail.yml", "--region", REGION)
    assert code == 1
    assert "TAP101" in out
    assert "refused" in err and "nothing was deployed" in err


def test_the_bundle_is_deterministic(tmp_path):
    copy = tmp_path / "handlers"
    shutil.copytree(REFERENCE / "handlers", copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "__pycache__").mkdir(exist_ok=True)
    (copy / "__pycache__" / "common.cpython-311.pyc").write_bytes(b"cache")
    for path in copy.iterdir():
        if path.is_file():
            path.touch()  # new modification times
            path.chmod(0o600)
    assert package(copy).data == package(REFERENCE / "handlers").data
    assert "__pycache__/common.cpython-311.pyc" not in package(copy).files


def test_a_failed_deployment_prints_the_failed_events_and_fails(monkeypatch):
    """moto's CloudFormation never rolls back, so CloudFormation's answers are stubbed here."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    deployer = Deployer(DeployTarget(stack_name="broken", region=REGION, poll_interval=0), say=lambda line: None)
    stub = Stubber(deployer.cloudformation)
    when = datetime(2026, 1, 1, tzinfo=UTC)

    def event(event_id, logical_id, status, reason=None):
        found = {
            "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/broken/1",
            "EventId": event_id,
            "StackName": "broken",
            "LogicalResourceId": logical_id,
            "ResourceType": "AWS::DynamoDB::Table" if logical_id == "Table" else "AWS::CloudFormation::Stack",
            "Timestamp": when,
            "ResourceStatus": status,
        }
        return found | ({"ResourceStatusReason": reason} if reason else {})

    old = event("0", "broken", "REVIEW_IN_PROGRESS")
    failed = event("2", "Table", "CREATE_FAILED", "Table already exists: orders")
    stack = {"StackName": "broken", "CreationTime": when, "StackStatus": "ROLLBACK_COMPLETE"}
    stub.add_response("describe_stack_events", {"StackEvents": [old]})
    stub.add_response("execute_change_set", {})
    stub.add_response("describe_stacks", {"Stacks": [stack]})
    stub.add_response(
        "describe_stack_events", {"StackEvents": [event("3", "broken", "ROLLBACK_COMPLETE"), failed, old]}
    )
    with stub, pytest.raises(DeployError) as raised:
        deployer.execute("arn:aws:cloudformation:us-east-1:123456789012:changeSet/c/1")
    assert str(raised.value) == (
        "stack broken ended in ROLLBACK_COMPLETE; failed resources:\n"
        "  Table (AWS::DynamoDB::Table): Table already exists: orders"
    )


def test_a_missing_template_or_handlers_directory_is_a_clear_error(run_cli, tmp_path, monkeypatch):
    monkeypatch.setattr(boto3.session.Session, "__init__", lambda *a, **k: pytest.fail("an AWS call"))
    code, out, err = run_cli("deploy", tmp_path / "missing.yml")
    assert code == 2 and "missing.yml" in out + err and "nothing was deployed" in err
    compliant = FIXTURES / "cli" / "compliant.yml"
    code, out, err = run_cli("deploy", compliant, "--handlers", tmp_path / "nowhere")
    assert code == 2 and err.strip() == f"tapcheck: handlers directory {tmp_path / 'nowhere'} not found"
