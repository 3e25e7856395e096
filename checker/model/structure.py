"""What a parsed document needs to be checked as a template, and the error that says why
it cannot be.

Below both the loader (which validates what it parses) and the `Fn::ForEach` expansion
(which validates what a loop creates, and whose loop arithmetic the validation uses).
"""

from __future__ import annotations

from .template import FOR_EACH_PREFIX, line_of

MAX_CREATED_RESOURCES = 2000
"""`Fn::ForEach` loops that would create more resources than this are refused before they
are expanded (CloudFormation allows 500; a few nested loops can stand for millions)."""


class TemplateError(Exception):
    """The file cannot be checked; carries the message and the 1-based line if known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def validate_structure(data) -> None:
    """The minimum a file needs to be checked as a template."""
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a string" if isinstance(data, str) else "a scalar"
        raise TemplateError(f"not a CloudFormation template: the document is {kind}, not a mapping")
    if "Resources" not in data:
        raise TemplateError("not a CloudFormation template: no Resources section")
    resources = data["Resources"]
    if not isinstance(resources, dict):
        raise TemplateError("Resources must be a mapping", line_of(resources, data))
    for logical_id, resource in resources.items():
        if str(logical_id).startswith(FOR_EACH_PREFIX):
            continue
        where = line_of(logical_id, resources)
        if not isinstance(resource, dict):
            raise TemplateError(f"resource {logical_id} must be a mapping", where)
        if "Type" not in resource:
            raise TemplateError(f"resource {logical_id} has no Type", where)
        resource_type = resource["Type"]
        if isinstance(resource_type, dict) and len(resource_type) == 1:
            (tag,) = resource_type
            raise TemplateError(
                f"resource {logical_id} has Type {str(tag).removeprefix('Fn::')!r}, not a resource "
                "type name: a pre-processor's tag (check the processed template instead)",
                where,
            )
        if not isinstance(resource_type, str):
            raise TemplateError(f"resource {logical_id} has a Type that is not a string", where)
        properties = resource.get("Properties")
        if properties is not None and not isinstance(properties, dict):
            raise TemplateError(f"resource {logical_id} has Properties that are not a mapping", where)
    created = created_resources(resources, data.get("Parameters"))
    if created > MAX_CREATED_RESOURCES:
        loop = next((key for key in resources if str(key).startswith(FOR_EACH_PREFIX)), resources)
        raise TemplateError(
            f"the Fn::ForEach loops would create {created:,} resources (CloudFormation allows 500); "
            "refused before expanding them",
            line_of(loop, resources),
        )


def created_resources(resources: dict, parameters) -> int:
    """How many resources a Resources mapping stands for once its loops are expanded (a
    collection known only at deployment counts once)."""
    parameters = parameters if isinstance(parameters, dict) else {}
    total = 0
    for key, value in resources.items():
        if is_loop(key, value):
            values = collection_values(value[1], parameters)
            body = value[2]
            each = created_resources(body, parameters) if isinstance(body, dict) else 1
            total += (len(values) if values is not None else 1) * each
        else:
            total += 1
    return total


def collection_values(collection, parameters: dict) -> list | None:
    """A loop's collection: written as a list, or a parameter's default; None when it is
    known only at deployment."""
    if isinstance(collection, list):
        return collection
    name = collection.get("Ref") if isinstance(collection, dict) else None
    parameter = parameters.get(name) if isinstance(name, str) else None
    if isinstance(parameter, dict) and "Default" in parameter:
        default = parameter["Default"]
        return default if isinstance(default, list) else str(default).split(",")
    return None


def is_loop(key, value) -> bool:
    return str(key).startswith(FOR_EACH_PREFIX) and isinstance(value, list) and len(value) == 3
