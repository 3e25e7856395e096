"""Where moto's CloudFormation differs from CloudFormation, in ways the deploy tests meet.

Each shim makes moto do what the real service does; none changes what tapcheck sends.
"""

from __future__ import annotations

from moto.cloudformation import parsing
from moto.cloudformation.models import ChangeSet
from moto.kms.models import Key


def kms_key_tags_in_cloudformation_form(monkeypatch) -> None:
    """moto reads an AWS::KMS::Key's Tags in the KMS API's TagKey/TagValue form;
    CloudFormation writes Key/Value."""
    original = Key.create_from_cloudformation_json.__func__

    def create(cls, name, cloudformation_json, *args, **kwargs):
        properties = dict(cloudformation_json["Properties"])  # a copy: moto diffs the original on update
        properties["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in properties.get("Tags", [])]
        return original(cls, name, {**cloudformation_json, "Properties": properties}, *args, **kwargs)

    monkeypatch.setattr(Key, "create_from_cloudformation_json", classmethod(create))


def change_sets_update_outputs_and_parameters(monkeypatch) -> None:
    """moto applies an executed change set's resources but evaluates the stack's outputs
    and parameters from its old template (its code says TODO); CloudFormation updates both."""
    original = ChangeSet.apply

    def apply(self):
        original(self)
        self.stack.template = self.template
        self.stack._parse_template()
        self.stack.parameters = self.parameters
        self.stack.output_map = self.stack._create_output_map()

    monkeypatch.setattr(ChangeSet, "apply", apply)


def updates_keep_resources_moto_cannot_update(monkeypatch) -> None:
    """On a stack update moto replaces each resource it has no update for (a KMS key, a
    log group) with nothing, and later references to it fail; CloudFormation keeps it."""
    original = parsing.parse_and_update_resource

    def parse_and_update_resource(logical_id, resource_json, resources_map, *args, **kwargs):
        updated = original(logical_id, resource_json, resources_map, *args, **kwargs)
        return resources_map[logical_id] if updated is None else updated

    monkeypatch.setattr(parsing, "parse_and_update_resource", parse_and_update_resource)


def apply_all(monkeypatch) -> None:
    kms_key_tags_in_cloudformation_form(monkeypatch)
    change_sets_update_outputs_and_parameters(monkeypatch)
    updates_keep_resources_moto_cannot_update(monkeypatch)
