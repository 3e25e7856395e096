"""The tags a resource carries in one scenario: read from where its type keeps them
(per the resource schemas), SAM `Globals` included, intrinsics resolved."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.intrinsics import NO_VALUE, Unknown, as_text, intrinsic
from ..model.table_tests import views_at
from ..model.template import line_of, merge_globals
from .resource_schemas import TagSupport, sam_global_properties, tag_support


@dataclass
class TagEntry:
    key: str | Unknown
    value: object
    value_node: object
    node: object
    """Where the tag is written, for locations."""


@dataclass
class ResourceTags:
    support: TagSupport
    node: object | None
    """The key of the tags property as written (None when the resource sets no tags)."""
    entries: list[TagEntry] = field(default_factory=list)
    undecided: Unknown | None = None
    """Set when the tag set as a whole cannot be resolved in this scenario."""

    def keys(self) -> set[str]:
        return {e.key for e in self.entries if isinstance(e.key, str)}

    def uncertainty(self) -> Unknown | None:
        """Why some tag keys are not known, if they are not."""
        if self.undecided is not None:
            return self.undecided
        return next((e.key for e in self.entries if isinstance(e.key, Unknown)), None)


def resource_tags(context, resource: dict) -> ResourceTags | None:
    """The tags a resource carries in the context's scenario; None if it is not taggable."""
    return context.cached(("tags", id(resource)), lambda: _resource_tags(context, resource))


def _resource_tags(context, resource: dict) -> ResourceTags | None:
    resource_type = resource["Type"]
    support = tag_support(resource_type)
    if support is None:
        return None
    resolver = context.resolver
    found = views_at(resolver, resource.get("Properties"), ".".join(support.path))
    if isinstance(found, Unknown):  # the path to the tags cannot be followed
        return ResourceTags(support, None, undecided=found)
    tags = ResourceTags(support, found[0].node if found else None)
    for view in found:
        _collect(resolver, support.style, view.written if view.written is not None else view.value, tags)
    if resource_type.startswith("AWS::Serverless::") and "Tags" in sam_global_properties(resource_type):
        global_tags = context.template.globals_for(resource_type).get("Tags")
        if global_tags is not None:
            # SAM's tags are a mapping: the tags of this scenario merge by key, under the resource's own
            inherited = ResourceTags(support, None)
            _collect(resolver, support.style, global_tags, inherited)
            merged = merge_globals({e.key: e for e in inherited.entries}, {e.key: e for e in tags.entries})
            tags.entries = list(merged.values())
            tags.undecided = tags.undecided or inherited.undecided
    return tags


def _collect(resolver, style: str, node, tags: ResourceTags) -> None:
    """Add the tags written at `node` to `tags`, resolving intrinsics."""
    written = node
    node = resolver.active(node)
    if node is NO_VALUE or node is None:
        return
    if isinstance(node, Unknown):
        tags.undecided = node
        return
    if intrinsic(node) is not None:  # e.g. Tags: !Ref SomeParameter
        value = resolver.resolve(node)
        if isinstance(value, Unknown):
            tags.undecided = value
            return
        node = value
    if style == "map" and isinstance(node, dict):
        for key, value_node in node.items():
            value = resolver.resolve(value_node)
            if value is not NO_VALUE:
                tags.entries.append(TagEntry(str(key), value, value_node, key))
    elif style == "list" and isinstance(node, list):
        for item in node:
            item_node = item
            item = resolver.active(item)
            if item is NO_VALUE:
                continue
            if isinstance(item, Unknown):
                tags.entries.append(TagEntry(item, None, None, item_node))
                continue
            if intrinsic(item) is not None:  # a tag computed by an intrinsic (`Fn::FindInMap`)
                item = resolver.resolve(item)
            if not isinstance(item, dict):
                reason = item if isinstance(item, Unknown) else Unknown(_not_a_tag(item_node))
                tags.entries.append(TagEntry(reason, None, None, item_node))
                continue
            key = resolver.resolve(item.get("Key"))
            key_text = as_text(key)
            tags.entries.append(
                TagEntry(
                    key_text if key_text is not None else _unknown(key, "tag key"),
                    resolver.resolve(item.get("Value")),
                    item.get("Value"),
                    item if item.get("Key") is None else item_node,
                )
            )
    else:
        tags.undecided = Unknown(f"tags written at line {line_of(written) or '?'} are not a {style}")


def _not_a_tag(node) -> str:
    return f"the tag at line {line_of(node) or '?'} is not a Key/Value mapping"


def _unknown(value, what: str) -> Unknown:
    return value if isinstance(value, Unknown) else Unknown(f"{what} is not a string")


def written_tag_keys(template, resource: dict) -> set[str]:
    """Every tag key written as a literal for the resource, in either branch of each
    `Fn::If` (SAM `Globals` included): the keys it may carry in some scenario, read once
    for all of them."""
    support = tag_support(resource["Type"])
    if support is None:
        return set()
    keys: set[str] = set()
    for tag_set in _written_at(resource.get("Properties"), support.path):
        _written_keys(tag_set, support.style, keys)
    if resource["Type"].startswith("AWS::Serverless::") and "Tags" in sam_global_properties(resource["Type"]):
        _written_keys(template.globals_for(resource["Type"]).get("Tags"), support.style, keys)
    return keys


def _branches(node) -> list | None:
    """The two branches of an `Fn::If`, or None when `node` is not one."""
    call = intrinsic(node)
    if call is not None and call[0] == "Fn::If" and isinstance(call[1], list) and len(call[1]) == 3:
        return call[1][1:]
    return None


def _written_at(node, path: tuple[str, ...]):
    """The nodes written at `path` below `node`, through both branches of each `Fn::If`."""
    branches = _branches(node)
    if branches is not None:
        for branch in branches:
            yield from _written_at(branch, path)
    elif not path:
        yield node
    elif path[0] == "*" and isinstance(node, list):
        for item in node:
            yield from _written_at(item, path[1:])
    elif isinstance(node, dict) and intrinsic(node) is None and path[0] in node:
        yield from _written_at(node[path[0]], path[1:])


def _written_keys(node, style: str, keys: set[str]) -> None:
    branches = _branches(node)
    if branches is not None:
        for branch in branches:
            _written_keys(branch, style, keys)
    elif intrinsic(node) is not None:
        return  # a tag set computed at deployment: no literal keys
    elif style == "map" and isinstance(node, dict):
        keys.update(str(key) for key in node)
    elif style == "list" and isinstance(node, list):
        for item in node:
            for tag in _written_at(item, ()):
                if isinstance(tag, dict) and intrinsic(tag) is None and isinstance(tag.get("Key"), str):
                    keys.add(tag["Key"])
