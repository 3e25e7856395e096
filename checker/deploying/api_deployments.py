"""Redeploy a REST API whenever its definition changes.

CloudFormation creates an `AWS::ApiGateway::Deployment` once: a later change to a method,
model or validator of its API updates those resources, but the stage keeps serving the
snapshot the deployment took. As SAM does for `AWS::Serverless::Api`, `tapcheck deploy`
gives each deployment a logical ID that ends with a hash of its API's definition, so a
changed API is a new deployment, the stage moves to it and the old one is deleted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from ..model.intrinsics import SUB_VARIABLE
from ..model.loader import load_template

DEFINITION_TYPES = {
    "AWS::ApiGateway::Authorizer",
    "AWS::ApiGateway::DocumentationPart",
    "AWS::ApiGateway::GatewayResponse",
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Model",
    "AWS::ApiGateway::RequestValidator",
    "AWS::ApiGateway::Resource",
}
"""Parts of a REST API that a deployment takes a snapshot of (besides the RestApi itself)."""
HASH_LENGTH = 10


def deployable(template: Path, say: Callable[[str], None]) -> tuple[str, str]:
    """The name and text of what is deployed: the template, its API deployments named after
    their APIs (each rename said)."""
    loaded = load_template(template)
    data, renames = fingerprint_deployments(loaded.data)
    if not renames:
        return template.name, loaded.text
    for old, new in renames.items():
        say(f"API deployment {old} is deployed as {new}, after its API's definition: a changed API is redeployed")
    return template.stem + ".json", json.dumps(data, indent=1)


def fingerprint_deployments(data: dict) -> tuple[dict, dict[str, str]]:
    """The template with each API deployment renamed after its API's definition, and the renames.

    Deployments that create their own stage (`StageName`) are left alone: a second
    deployment would try to create the same stage again.
    """
    resources = data.get("Resources")
    if not isinstance(resources, dict):
        return data, {}
    renames = {}
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::ApiGateway::Deployment":
            continue
        properties = resource.get("Properties")
        if not isinstance(properties, dict) or "StageName" in properties:
            continue
        api = properties.get("RestApiId")
        if not (isinstance(api, dict) and set(api) == {"Ref"} and api["Ref"] in resources):
            continue
        digest = hashlib.sha256(canonical(definition(resources, api["Ref"], resource))).hexdigest()
        new_id = logical_id + digest[:HASH_LENGTH].upper()
        if new_id not in resources:
            renames[logical_id] = new_id
    if not renames:
        return data, {}
    renamed = renamed_references(data, renames)
    renamed["Resources"] = {renames.get(key, key): value for key, value in renamed["Resources"].items()}
    for resource in renamed["Resources"].values():
        depends_on = resource.get("DependsOn") if isinstance(resource, dict) else None
        if isinstance(depends_on, str):
            resource["DependsOn"] = renames.get(depends_on, depends_on)
        elif isinstance(depends_on, list):
            resource["DependsOn"] = [renames.get(name, name) for name in depends_on]
    return renamed, renames


def definition(resources: dict, api: str, deployment: dict) -> list:
    """The RestApi, every resource of its definition, and the deployment's own settings."""
    parts = [[api, resources[api]]]
    for logical_id, resource in sorted(resources.items()):
        if (
            isinstance(resource, dict)
            and resource.get("Type") in DEFINITION_TYPES
            and isinstance(resource.get("Properties"), dict)
            and resource["Properties"].get("RestApiId") == {"Ref": api}
        ):
            parts.append([logical_id, resource])
    parts.append(["deployment", deployment.get("Properties")])
    return parts


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode()


def renamed_references(node, renames: dict[str, str]):
    """A copy of `node` whose Ref, GetAtt and Sub references follow `renames`."""
    if isinstance(node, list):
        return [renamed_references(item, renames) for item in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        ((key, value),) = node.items()
        if key == "Ref" and isinstance(value, str):
            return {key: renames.get(value, value)}
        if key == "Fn::GetAtt":
            return {key: renamed_get_att(value, renames)}
        if key == "Fn::Sub":
            return {key: renamed_sub(value, renames)}
    return {key: renamed_references(value, renames) for key, value in node.items()}


def renamed_get_att(value, renames: dict[str, str]):
    if isinstance(value, list) and value and isinstance(value[0], str):
        return [renames.get(value[0], value[0]), *renamed_references(value[1:], renames)]
    if isinstance(value, str):
        resource, dot, attribute = value.partition(".")
        return renames.get(resource, resource) + dot + attribute
    return renamed_references(value, renames)


def renamed_sub(value, renames: dict[str, str]):
    """`${Old}` and `${Old.Attribute}` renamed, except names the Sub defines itself."""
    text, variables = (value[0], value[1]) if isinstance(value, list) and len(value) == 2 else (value, {})
    if not isinstance(text, str):
        return renamed_references(value, renames)
    local = set(variables) if isinstance(variables, dict) else set()

    def rename(match):
        resource, dot, attribute = match.group(1).partition(".")
        if resource in local or resource not in renames:
            return match.group(0)
        return "${" + renames[resource] + dot + attribute + "}"

    renamed_text = SUB_VARIABLE.sub(rename, text)
    if isinstance(value, list):
        return [renamed_text, renamed_references(variables, renames)]
    return renamed_text
