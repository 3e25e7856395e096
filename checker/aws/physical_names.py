"""Which properties of a resource are its physical name, and what that name is.

From the resource schemas: the create-only properties that name the resource itself,
that is `Name`, the type's own name plus `Name` or `Identifier` (`TableName` for a
Table, `QueueName` for a Queue, `DBInstanceIdentifier` for a DBInstance,
`ClusterIdentifier` for a Redshift Cluster), or a single-property primary identifier;
not create-only `...Name`
properties that refer to something else (a VPC endpoint's `ServiceName`, an alias's
`FunctionName`). Plus a short table of exceptions either way (an API's `Name` is not
create-only but names it; a stage's `StageName` is scoped to its API).
"""

from __future__ import annotations

from functools import cache

from ..model.intrinsics import Resolver, SymbolicResolver, Unknown, as_text
from .resource_schemas import provider_schema

ADDED = {
    "AWS::ApiGateway::RestApi": ("Name",),
    "AWS::ApiGateway::UsagePlan": ("UsagePlanName",),
    "AWS::EC2::SecurityGroup": ("GroupName",),
    "AWS::ApiGatewayV2::Api": ("Name",),
    "AWS::Serverless::Function": ("FunctionName",),
    "AWS::Serverless::SimpleTable": ("TableName",),
    "AWS::Serverless::StateMachine": ("Name",),
    "AWS::Serverless::Api": ("Name",),
    "AWS::Serverless::LayerVersion": ("LayerName",),
    "AWS::ElastiCache::ReplicationGroup": ("ReplicationGroupId",),
}
"""Properties that name a resource although the schema does not mark them create-only."""
EXCLUDED = {
    "AWS::ApiGateway::Stage": ("StageName",),
    "AWS::ApiGatewayV2::Stage": ("StageName",),
    "AWS::ApiGateway::Deployment": ("StageName",),
    "AWS::Lambda::Alias": ("Name",),
    "AWS::ApiGateway::Model": ("Name",),
    "AWS::ApiGateway::RequestValidator": ("Name",),
}
"""Create-only `...Name` properties that are not account-wide names (scoped to a parent resource)."""


@cache
def name_properties(resource_type: str) -> tuple[str, ...]:
    schema = provider_schema(resource_type) or {}
    kind = resource_type.rsplit("::", 1)[-1]
    own = {"Name", kind + "Name", kind + "Identifier"}  # DBInstanceIdentifier, ClusterIdentifier
    identifier = schema.get("primaryIdentifier", [])
    if len(identifier) == 1:  # a composite identifier names the parent too
        own.add(identifier[0].rsplit("/", 1)[-1])
    found = [
        pointer.rsplit("/", 1)[-1]
        for pointer in schema.get("createOnlyProperties", [])
        if pointer.count("/") == 2 and pointer.endswith(("Name", "Identifier")) and pointer.rsplit("/", 1)[-1] in own
    ]
    found += [p for p in ADDED.get(resource_type, ()) if p not in found]
    return tuple(p for p in found if p not in EXCLUDED.get(resource_type, ()))


def explicit_names(template, resource: dict) -> list[tuple[str, object]]:
    """(property, written value) of every physical name the resource sets."""
    properties = resource.get("Properties")
    if not isinstance(properties, dict):
        return []
    return [(name, properties[name]) for name in name_properties(resource["Type"]) if name in properties]


class NameResolver(SymbolicResolver):
    """Resolves names as they will be at deployment, for length and character checks:
    references to other resources become those resources' own names (explicit, or
    the `stack-LogicalId-RANDOM` form CloudFormation generates), deploy-time pseudo
    parameters become placeholders of realistic length."""

    PLACEHOLDERS = {"AWS::AccountId": "123456789012", "AWS::Region": "ap-southeast-2"}
    _resolving: frozenset[str] = frozenset()
    _ref = Resolver._ref  # a parameter without a value stays unknown: no guessing

    def _resource_ref(self, logical_id: str):
        if logical_id in self._resolving:
            return Unknown(f"the name of {logical_id} refers to itself")
        resource = self.template.resources[logical_id]
        for _, written in explicit_names(self.template, resource):
            inner = self.variant(NameResolver)
            inner._resolving = self._resolving | {logical_id}
            return inner.resolve(written)
        stack = as_text(self.pseudo.get("AWS::StackName")) or "stack"
        return f"{stack}-{logical_id}-ABCDEFGHIJ12"

    def _attribute(self, logical_id: str, attribute):
        return Unknown(f"GetAtt {logical_id}.{attribute}")
