"""What the maintained resource schemas say about a resource type.

Plain CloudFormation types come from the provider schemas that cfn-lint bundles (its
data files, read without importing cfn-lint);
SAM types (`AWS::Serverless::*`) from the model of aws-sam-translator, the library
that performs the SAM transform. Each type is looked up once per process.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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
    located = _schema_files()
    if located is None or resource_type.endswith("::MODULE"):
        return _schema_from_cfn_lint(resource_type)
    resources, hashes = located
    schema_hash = hashes.get(resource_type)
    if schema_hash is None:
        return None
    try:
        return json.loads((resources / f"{schema_hash}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _schema_from_cfn_lint(resource_type)


@cache
def known_resource_types() -> tuple[str, ...]:
    """Every resource type cfn-lint has a schema for (SAM's too), sorted; empty when its
    data is laid out as `_schema_files` does not know."""
    located = _schema_files()
    return tuple(sorted(located[1])) if located else ()


@cache
def _schema_files() -> tuple[Path, dict[str, str]] | None:
    """cfn-lint's schema files of SCHEMA_REGION: its folder of schemas (one file per
    content hash) and the hash of each type, read without importing cfn-lint (whose
    package imports all of it, ~0.6 s); None when its data is laid out as this does not
    know. cfn-lint 1.5x keeps the hashes in a JSON file per region (and SAM's in
    sam.json), earlier 1.x in a Python module holding one dict literal. These are the
    schemas cfn-lint ships; a newer set that `cfn-lint --update-specs` downloaded to its
    cache is not read."""
    spec = importlib.util.find_spec("cfnlint")  # a top-level package: located, not executed
    if spec is None or not spec.submodule_search_locations:
        return None
    schemas = Path(spec.submodule_search_locations[0]) / "data" / "schemas"
    providers = schemas / "providers"
    try:
        as_json = providers / f"{SCHEMA_REGION}.json"
        if as_json.is_file():
            hashes = json.loads(as_json.read_text(encoding="utf-8"))
            sam = providers / "sam.json"  # SAM's types, the same in every region
            if sam.is_file():
                hashes.update(json.loads(sam.read_text(encoding="utf-8")))
        else:
            module = (providers / f"{SCHEMA_REGION.replace('-', '_')}.py").read_text(encoding="utf-8")
            hashes = dict(re.findall(r'^\s*"([^"]+)": "([0-9a-f]+)",$', module, re.MULTILINE))
    except (OSError, ValueError):
        return None
    if not hashes or not (schemas / "resources").is_dir():
        return None
    return schemas / "resources", hashes


def _schema_from_cfn_lint(resource_type: str) -> dict | None:
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
