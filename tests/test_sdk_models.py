"""The SDK data that code analysis reads from botocore's and boto3's data files, without
importing botocore's session, is what botocore's own loader gives, for every service."""

from __future__ import annotations

import botocore.session
from botocore.exceptions import DataNotFoundError

from tapcheck.checker.aws import sdk_models

from conftest import imported_by, under


def test_every_service_reads_as_botocore_reads_it():
    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    services = session.get_available_services()
    assert len(services) > 300
    differ = []
    for service in services:
        model = session.get_service_model(service)
        ours = sdk_models.service_model(service)
        metadata = ours["metadata"]
        if (
            list(ours["operations"]) != list(model.operation_names)
            # botocore's signing name falls back to the endpoint prefix, as iam_prefix does
            or metadata.get("signingName", metadata.get("endpointPrefix")) != model.signing_name
            or metadata.get("endpointPrefix") != model.endpoint_prefix
        ):
            differ.append(service)
        try:
            waiters = session.get_waiter_model(service)
        except DataNotFoundError:
            waiters = None
        our_waiters = sdk_models.waiter_model(service)
        if (waiters is None) != (our_waiters is None) or (
            waiters is not None
            and {n: waiters.get_waiter(n).operation for n in waiters.waiter_names}
            != {n: w["operation"] for n, w in our_waiters["waiters"].items()}
        ):
            differ.append(f"{service} waiters")
    boto3_data = str(sdk_models.search_paths()[-1])
    loader.search_paths.append(boto3_data)
    for service in loader.list_available_services("resources-1"):
        if sdk_models.resource_model(service) != loader.load_service_model(service, "resources-1"):
            differ.append(f"{service} resources")
    assert differ == []
    assert sdk_models.service_model("no-such-service") is None
    assert sdk_models.resource_model("lambda") is None  # boto3 has no resource model for it


def test_reading_a_model_does_not_import_botocores_session():
    modules = imported_by(
        "from tapcheck.checker.aws.sdk_models import service_model\n"
        "assert 'GetItem' in service_model('dynamodb')['operations']"
    )
    assert under(modules, "botocore") == []
