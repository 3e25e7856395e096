"""What the maintained resource schemas say about a resource type.

Plain CloudFormation types come from the provider schemas that cfn-lint bundles;
SAM types (`AWS::Serverless::*`) from the model of aws-sam-translator, the library
that performs the SAM transform. Each type is looked up once per process.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from functools import cache

SCHEMA_REGION = "us-east-1"
FUNCTION_TYPES = ("AWS::Lambda::Function", "AWS::Serverless::Function")
"""The types of a Lambda function: CloudFormation's own and SAM's."""


@dataclass(frozen=True)
class TagSupport:
    """Where a resource type keeps its tags and in which shape."""

    path: tuple[str, ...]
    """Property path below `Properties`; `*` stands for every item of a list."""
    style: str
    """`list` (`[{Key: k, Value: v}, ...]`) or `map` (`{k: v}`)."""

    @property
    def dotted(self) -> str:
        return ".".join(("Properties", *self.path))


@cache
def tag_support(resource_type: str) -> TagSupport | None:
    """How `resource_type` is tagged, or None when it cannot carry tags."""
    if resource_type.startswith("AWS::Serverless::"):
        return _sam_tag_support(resource_type)
    schema = provider_schema(resource_type)
    if schema is None:
        return None
    tagging = schema.get("tagging") or {}
    if tagging.get("taggable", True) is False:
        return None
    pointer = tagging.get("tagProperty", "/properties/Tags")
    parts = pointer.strip("/").split("/")
    if len(parts) < 2 or parts[0] != "properties":
        return None
    definition = schema.get("properties", {}).get(parts[1])
    if definition is None:
        return None
    for part in parts[2:]:  # nested tag locations such as TagSpecifications/*/Tags
        definition = _deref(schema, definition)
        definition = definition.get("items", {}) if part == "*" else definition.get("properties", {}).get(part, {})
    definition = _deref(schema, definition)
    kinds = definition.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    style = "list" if "array" in kinds else "map"
    return TagSupport(tuple(parts[1:]), style)


@cache
def _sam_tag_support(resource_type: str) -> TagSupport | None:
    return TagSupport(("Tags",), "map") if "Tags" in sam_property_types(resource_type) else None


def sam_property_types(resource_type: str) -> dict:
    return _sam_models().get(resource_type, {})


@cache
def _sam_models() -> dict[str, dict]:
    # Imported on first use: SAM's model costs ~0.3 s to import, and most templates
    # have no SAM resources.
    from samtranslator.model import sam_resources

    models = {}
    for _, cls in inspect.getmembers(sam_resources, inspect.isclass):
        resource_type = getattr(cls, "resource_type", None)
        if isinstance(resource_type, str) and resource_type.startswith("AWS::Serverless::"):
            models[resource_type] = cls.property_types
    return models


@cache
def sam_global_properties(resource_type: str) -> frozenset[str]:
    """Properties SAM's `Globals` section may set for `resource_type`."""
    from samtranslator.plugins.globals.globals import Globals  # see _sam_models

    return frozenset(Globals.supported_properties.get(resource_type, ()))


@cache
def provider_schema(resource_type: str) -> dict | None:
    """The CloudFormation provider schema of a type, or None for unknown/custom types."""
    if resource_type.startswith("Custom::") or resource_type == "AWS::CloudFormation::CustomResource":
        return None
    # imported on first use: importing cfn-lint costs ~0.6 s, which a run answered
    # from the result cache does not need to pay
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER, ResourceNotFoundError

    try:
        return PROVIDER_SCHEMA_MANAGER.get_resource_schema(SCHEMA_REGION, resource_type).schema
    except ResourceNotFoundError:
        return None


def _deref(schema: dict, definition: dict) -> dict:
    seen = 0
    while isinstance(definition, dict) and "$ref" in definition and seen < 20:
        name = definition["$ref"].rsplit("/", 1)[-1]
        definition = schema.get("definitions", {}).get(name, {})
        seen += 1
    return definition if isinstance(definition, dict) else {}
