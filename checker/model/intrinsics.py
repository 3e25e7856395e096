"""Static resolution of CloudFormation intrinsic functions for one scenario.

Rules never resolve intrinsics themselves: they ask a `Resolver`, which knows the
scenario's parameter values and evaluates `Ref`, `Fn::If` (through `Conditions`),
`Fn::FindInMap`, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split` and pseudo
parameters. What cannot be known before deployment (a `GetAtt`, an `ImportValue`, a
parameter without a default) resolves to an `Unknown`, which says why.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from functools import cached_property
from typing import Any


class Unknown:
    """A value that cannot be resolved statically, with the reason."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


class OtherValue(Unknown):
    """A parameter's "any other value": unknown, except that it is none of `excluded`
    (the literals the template's conditions compare the parameter with)."""

    __slots__ = ("parameter", "excluded")

    def __init__(self, parameter: str, excluded: frozenset[str]) -> None:
        shown = ", ".join(f'"{value}"' for value in sorted(excluded))
        super().__init__(f"parameter {parameter} is any value other than {shown}")
        self.parameter = parameter
        self.excluded = excluded


class _NoValue:
    """`Ref: AWS::NoValue`: the property is removed."""

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE = _NoValue()

SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")

DEFAULT_PSEUDO_PARAMETERS = {
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}
PSEUDO_PARAMETERS = {
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
}


def intrinsic(node) -> tuple[str, Any] | None:
    """(function name, argument) when `node` is an intrinsic function call."""
    if isinstance(node, dict) and len(node) == 1:
        ((name, argument),) = node.items()
        if name == "Ref" or (isinstance(name, str) and name.startswith("Fn::")):
            return str(name), argument
    return None


def as_text(value) -> str | None:
    """The string CloudFormation sees for a resolved scalar; None for non-scalars."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def referenced_names(node) -> Iterator[str]:
    """Every name used by `Ref` or inside a `Fn::Sub` string below `node`."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            call = intrinsic(item)
            if call and call[0] == "Ref" and isinstance(call[1], str):
                yield call[1]
            elif call and call[0] == "Fn::Sub":
                text = call[1][0] if isinstance(call[1], list) and call[1] else call[1]
                if isinstance(text, str):
                    for name in SUB_VARIABLE.findall(text):
                        if not name.startswith("!"):
                            yield name.split(".", 1)[0].strip()
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class Resolver:
    """Resolves nodes of one template under one scenario's parameter values."""

    def __init__(
        self, template, parameters: dict[str, Any], pseudo: dict[str, Any], outcomes: dict[str, bool] | None = None
    ) -> None:
        self.template = template
        self.parameters = parameters
        self.pseudo = {**DEFAULT_PSEUDO_PARAMETERS, **pseudo}
        self.outcomes = outcomes or {}
        """The scenario's outcome of each condition that cannot be evaluated statically."""
        self._conditions: dict[str, Any] = {}
        self._evaluating: set[str] = set()
        self._resolved: dict[int, tuple[Any, Any]] = {}

    # --- conditions -------------------------------------------------------------
    def condition(self, name) -> bool | Unknown:
        """The value of a named condition: True, False or Unknown."""
        if not isinstance(name, str):
            return Unknown("condition name is not a string")
        if name in self._conditions:
            return self._conditions[name]
        definition = self.template.conditions.get(name)
        if definition is None:
            return Unknown(f"condition {name} is not defined")
        if name in self._evaluating:
            return Unknown(f"condition {name} refers to itself")
        self._evaluating.add(name)
        try:
            value = self._evaluate_condition(definition)
        finally:
            self._evaluating.discard(name)
        if isinstance(value, Unknown) and name in self.outcomes:
            value = self.outcomes[name]
        self._conditions[name] = value
        return value

    def _evaluate_condition(self, node) -> bool | Unknown:
        if isinstance(node, dict) and set(node) == {"Condition"}:
            return self.condition(node["Condition"])
        call = intrinsic(node)
        if call is None:
            return Unknown("condition is not a condition function")
        name, argument = call
        if name == "Fn::Equals" and isinstance(argument, list) and len(argument) == 2:
            return equals(*(self.resolve(part) for part in argument))
        if name in ("Fn::And", "Fn::Or") and isinstance(argument, list):
            values = [self._evaluate_condition(part) for part in argument]
            decisive = name == "Fn::Or"  # the value that settles the result on its own
            if any(v is decisive for v in values):
                return decisive
            if any(isinstance(v, Unknown) for v in values):
                return Unknown("condition depends on values that are not known")
            return not decisive
        if name == "Fn::Not" and isinstance(argument, list) and len(argument) == 1:
            value = self._evaluate_condition(argument[0])
            return value if isinstance(value, Unknown) else not value
        return Unknown(f"{name} is not a condition function")

    def resource_exists(self, resource: dict) -> bool | Unknown:
        """Whether the resource's own `Condition` lets it be created in this scenario."""
        name = resource.get("Condition")
        return True if name is None else self.condition(name)

    # --- values -----------------------------------------------------------------
    def active(self, node):
        """The node as it stands in this scenario, `Fn::If` branches chosen.

        Unlike `resolve`, returns the original (marked) node, so callers can point at
        it; `NO_VALUE` when it is removed, an `Unknown` when the branch is undecided.
        """
        while True:
            call = intrinsic(node)
            if call is None:
                return node
            name, argument = call
            if name == "Ref" and argument == "AWS::NoValue":
                return NO_VALUE
            if name != "Fn::If":
                return node
            if not (isinstance(argument, list) and len(argument) == 3):
                return Unknown("malformed Fn::If")
            chosen = self.condition(argument[0])
            if isinstance(chosen, Unknown):
                return chosen
            node = argument[1] if chosen else argument[2]

    def resolve(self, node) -> Any:
        """The value of `node` in this scenario, intrinsics evaluated where possible.

        Mappings and lists are resolved once per resolver: rules share the results
        and must not modify them."""
        if not isinstance(node, (dict, list)):
            return node
        key = id(node)
        if key not in self._resolved:
            self._resolved[key] = (node, self._resolve(node))  # the node is kept so its id stays unique
        return self._resolved[key][1]

    def _resolve(self, node) -> Any:
        call = intrinsic(node)
        if call is not None:
            return self._call(*call)
        if isinstance(node, dict):
            resolved = {key: self.resolve(value) for key, value in node.items()}
            return {k: v for k, v in resolved.items() if v is not NO_VALUE}
        if isinstance(node, list):
            return [v for v in map(self.resolve, node) if v is not NO_VALUE]
        return node

    def _call(self, name: str, argument) -> Any:
        handler = self._FUNCTIONS.get(name)
        if handler is None:
            return Unknown(f"{name} is not resolved before deployment")
        return handler(self, argument)

    def _ref(self, name) -> Any:
        if not isinstance(name, str):
            return Unknown("Ref to something that is not a name")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in PSEUDO_PARAMETERS:
            return Unknown(f"{name} is only known at deployment")
        if name in self.parameters:
            return self.parameters[name]
        if name in self.template.resources:
            return self._resource_ref(name)
        return Unknown(f"Ref to undefined {name}")

    def _get_att(self, argument) -> Any:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str):
            return self._attribute(argument[0], argument[1])
        return Unknown("malformed Fn::GetAtt")

    def _attribute(self, logical_id: str, attribute) -> Any:
        """A resource attribute: only known at deployment (see SymbolicResolver)."""
        return Unknown(f"GetAtt {logical_id}.{attribute}")

    def _resource_ref(self, logical_id: str) -> Any:
        return Unknown(f"Ref {logical_id}")

    def variant(self, cls: type[Resolver], parameters: dict | None = None, pseudo: dict | None = None) -> Resolver:
        """A resolver of another kind for this scenario, with some values replaced."""
        twin = cls(
            self.template, {**self.parameters, **(parameters or {})}, {**self.pseudo, **(pseudo or {})}, self.outcomes
        )
        if not parameters:
            twin._conditions = self._conditions  # same values, same conditions
        return twin

    @cached_property
    def symbolic(self) -> SymbolicResolver:
        """A resolver for the same scenario that writes references to resources as
        tokens instead of giving up on them (see `resource_token`)."""
        return self.variant(SymbolicResolver)

    def _if(self, argument) -> Any:
        chosen = self.active({"Fn::If": argument})
        return chosen if chosen is NO_VALUE or isinstance(chosen, Unknown) else self.resolve(chosen)

    def _sub(self, argument) -> Any:
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
            text, variables = argument[0], self.resolve(argument[1])
        else:
            text, variables = argument, {}
        text = self.resolve(text)
        if not isinstance(text, str):
            return Unknown("Fn::Sub of something that is not a string")
        unknown: list[Unknown] = []

        def substitute(match: re.Match) -> str:
            name = match.group(1).strip()
            if name.startswith("!"):
                return "${" + match.group(1)[1:] + "}"
            if name in variables:
                value = variables[name]
            elif "." in name and not name.startswith("AWS::"):
                value = self._attribute(*name.split(".", 1))
            else:
                value = self._ref(name)
            rendered = as_text(value)
            if rendered is None:
                unknown.append(value if isinstance(value, Unknown) else Unknown(f"${{{name}}}"))
                return ""
            return rendered

        result = SUB_VARIABLE.sub(substitute, text)
        return unknown[0] if unknown else result

    def _join(self, argument) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2):
            return Unknown("malformed Fn::Join")
        delimiter, items = self.resolve(argument[0]), self.resolve(argument[1])
        if not isinstance(delimiter, str):
            return Unknown("Fn::Join delimiter is not known")
        if not isinstance(items, list):
            return items if isinstance(items, Unknown) else Unknown("Fn::Join of a non-list")
        parts = [as_text(item) for item in items]
        for item, part in zip(items, parts, strict=True):
            if part is None:
                return item if isinstance(item, Unknown) else Unknown("Fn::Join of a non-scalar")
        return delimiter.join(parts)

    def _select(self, argument) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2):
            return Unknown("malformed Fn::Select")
        index, items = self.resolve(argument[0]), self.resolve(argument[1])
        if isinstance(index, Unknown) or isinstance(items, Unknown):
            return index if isinstance(index, Unknown) else items
        try:
            return items[int(index)]
        except (TypeError, ValueError, IndexError, KeyError):
            return Unknown("Fn::Select index out of range")

    def _split(self, argument) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2):
            return Unknown("malformed Fn::Split")
        delimiter, text = self.resolve(argument[0]), self.resolve(argument[1])
        if isinstance(delimiter, str) and isinstance(text, str) and delimiter:
            return text.split(delimiter)
        return text if isinstance(text, Unknown) else Unknown("Fn::Split of unknown values")

    def _find_in_map(self, argument) -> Any:
        if not (isinstance(argument, list) and len(argument) in (3, 4)):
            return Unknown("malformed Fn::FindInMap")
        keys = [self.resolve(part) for part in argument[:3]]
        for key in keys:
            if isinstance(key, Unknown):
                return key
        value: Any = self.template.mappings
        for key in keys:
            text = as_text(key)
            if not isinstance(value, dict) or text is None or text not in value:
                if len(argument) == 4 and isinstance(argument[3], dict):
                    return self.resolve(argument[3].get("DefaultValue"))
                return Unknown(f"Fn::FindInMap key {text} is not in the mapping")
            value = value[text]
        return self.resolve(value)

    def _base64(self, argument) -> Any:
        value = self.resolve(argument)
        if isinstance(value, str):
            return base64.b64encode(value.encode()).decode()
        return value if isinstance(value, Unknown) else Unknown("Fn::Base64 of a non-string")

    def _to_json_string(self, argument) -> Any:
        value = self.resolve(argument)
        if _contains_unknown(value):
            return Unknown("Fn::ToJsonString of unknown values")
        return json.dumps(value, separators=(",", ":"))

    def _length(self, argument) -> Any:
        value = self.resolve(argument)
        return len(value) if isinstance(value, list) else Unknown("Fn::Length of a non-list")

    _FUNCTIONS = {
        "Ref": _ref,
        "Fn::If": _if,
        "Fn::GetAtt": _get_att,
        "Fn::Sub": _sub,
        "Fn::Join": _join,
        "Fn::Select": _select,
        "Fn::Split": _split,
        "Fn::FindInMap": _find_in_map,
        "Fn::Base64": _base64,
        "Fn::ToJsonString": _to_json_string,
        "Fn::Length": _length,
    }


def resource_token(logical_id: str, attribute: str | None = None) -> str:
    """How the symbolic resolver writes `Ref X` and `GetAtt X.Attr`."""
    return f"{{{{Ref:{logical_id}}}}}" if attribute is None else f"{{{{GetAtt:{logical_id}.{attribute}}}}}"


RESOURCE_TOKEN = re.compile(r"\{\{(?:Ref|GetAtt):([^}]*)\}\}")


def written_form(text: str) -> str:
    """A symbolically resolved value as a person would write it: `${Function}`."""
    return RESOURCE_TOKEN.sub(lambda m: "${" + m.group(1) + "}", text)


class SymbolicResolver(Resolver):
    """Resolves references to the template's own resources (and to deploy-time
    parameters) to tokens, so that rules can tell which resource a value names (a
    bucket ARN in a policy, an alarm's dimension) even though its physical value is
    only known at deployment."""

    def _resource_ref(self, logical_id: str) -> Any:
        return resource_token(logical_id)

    def _ref(self, name) -> Any:
        value = super()._ref(name)
        if isinstance(value, Unknown) and (name in PSEUDO_PARAMETERS or name in self.parameters):
            return resource_token(name)  # a deploy-time value, named
        return value

    def _attribute(self, logical_id: str, attribute) -> Any:
        if logical_id in self.template.resources and isinstance(attribute, str):
            return resource_token(logical_id, attribute)
        return Unknown(f"GetAtt {logical_id}.{attribute}")


def equals(left, right) -> bool | Unknown:
    """`Fn::Equals` of two resolved values: decided when both are known, or when one is
    a parameter's "any other value" and the other a literal it excludes."""
    for other, value in ((left, right), (right, left)):
        if isinstance(other, OtherValue) and as_text(value) in other.excluded:
            return False
    if isinstance(left, Unknown) or isinstance(right, Unknown):
        return Unknown("condition compares values that are not known")
    return _comparable(left) == _comparable(right)


def _comparable(value) -> Any:
    text = as_text(value)
    return text if text is not None else value


def _contains_unknown(value) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(_contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_unknown(v) for v in value)
    return False
