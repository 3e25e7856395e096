"""Where moto's CloudFormation differs from CloudFormation, in ways deploying the
reference stack meets; each shim makes moto do what the real service does and none
changes what tapcheck sends. `tests/test_deploy.py` applies them to the server it starts;
`python tests/moto_shims.py --port 5000` runs moto's server with them, for trying
`tapcheck deploy --endpoint-url http://127.0.0.1:5000` by hand.
"""

from __future__ import annotations

from moto.cloudformation import parsing
from moto.cloudformation.models import ChangeSet
from moto.kms.models import Key


def kms_key_tags_in_cloudformation_form(patch) -> None:
    """moto reads an AWS::KMS::Key's Tags in the KMS API's TagKey/TagValue form;
    CloudFormation writes Key/Value."""
    original = Key.create_from_cloudformation_json.__func__

    def create(cls, name, cloudformation_json, *args, **kwargs):
        properties = dict(cloudformation_json["Properties"])  # a copy: moto diffs the original on update
        properties["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in properties.get("Tags", [])]
        return original(cls, name, {**cloudformation_json, "Properties": properties}, *args, **kwargs)

    patch(Key, "create_from_cloudformation_json", classmethod(create))


def change_sets_update_outputs_and_parameters(patch) -> None:
    """moto applies an executed change set's resources but evaluates the stack's outputs
    and parameters from its old template (its code says TODO); CloudFormation updates both."""
    original = ChangeSet.apply

    def apply(self):
        original(self)
        self.stack.template = self.template
        self.stack._parse_template()
        self.stack.parameters = self.parameters
        self.stack.output_map = self.stack._create_output_map()

    patch(ChangeSet, "apply", apply)


def updates_keep_resources_moto_cannot_update(patch) -> None:
    """On a stack update moto replaces each resource it has no update for (a KMS key, a
    log group) with nothing, and later references to it fail; CloudFormation keeps it."""
    original = parsing.parse_and_update_resource

    def parse_and_update_resource(logical_id, resource_json, resources_map, *args, **kwargs):
        updated = original(logical_id, resource_json, resources_map, *args, **kwargs)
        return resources_map[logical_id] if updated is None else updated

    patch(parsing, "parse_and_update_resource", parse_and_update_resource)


def apply_all(patch=setattr) -> None:
    """Apply every shim; ``patch(owner, name, value)`` is ``setattr`` or pytest's ``monkeypatch.setattr``."""
    kms_key_tags_in_cloudformation_form(patch)
    change_sets_update_outputs_and_parameters(patch)
    updates_keep_resources_moto_cannot_update(patch)


if __name__ == "__main__":
    import argparse
    import signal

    from moto.server import ThreadedMotoServer

    parser = argparse.ArgumentParser(description="moto's server, with the shims above, on loopback")
    parser.add_argument("--port", type=int, default=5000)
    port = parser.parse_args().port
    apply_all()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    print(f"moto's server on http://127.0.0.1:{port} (Ctrl-C stops it)")
    signal.sigwait({signal.SIGINT, signal.SIGTERM})
    server.stop()
