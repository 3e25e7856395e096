"""The template's `Rules` section: whether a combination of parameter values can be
deployed at all. CloudFormation refuses a stack whose rule's `RuleCondition` holds
while one of its `Assertions` fails; such a combination is never reported on.

Rule functions are three-valued here: an operand that is not known (a parameter's
"any other value", `Fn::ValueOf`) makes the answer `Unknown` unless the known parts
settle it, and an `Unknown` never removes a combination.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .intrinsics import Resolver, Unknown, equals, intrinsic, referenced_names


def rule_parameters(rule: Any) -> set[str]:
    """The parameters (and pseudo parameters) one rule of the section reads."""
    return set(referenced_names(rule)) if isinstance(rule, dict) else set()


def deployable(rules: dict, resolver: Resolver) -> bool:
    """False only when some rule certainly refuses the resolver's parameter values."""
    return not any(refuses(rule, resolver) for rule in rules.values())


def refuses(rule: Any, resolver: Resolver) -> bool:
    if not isinstance(rule, dict):
        return False
    if "RuleCondition" in rule and evaluate(rule["RuleCondition"], resolver) is not True:
        return False
    assertions = rule.get("Assertions")
    if not isinstance(assertions, list):
        return False
    return any(
        isinstance(assertion, dict) and evaluate(assertion.get("Assert"), resolver) is False for assertion in assertions
    )


def evaluate(node: Any, resolver: Resolver) -> bool | Unknown:
    """The truth value of a rule function."""
    call = intrinsic(node)
    if call is None:
        value = resolver.resolve(node)
        if isinstance(value, bool):
            return value
        return Unknown("rule expression is not a rule function")
    name, argument = call
    arguments = argument if isinstance(argument, list) else [argument]
    if name == "Fn::Not" and len(arguments) == 1:
        value = evaluate(arguments[0], resolver)
        return value if isinstance(value, Unknown) else not value
    if name == "Fn::And":
        return _all(evaluate(part, resolver) for part in arguments)
    if name == "Fn::Or":
        return _any(evaluate(part, resolver) for part in arguments)
    if name in ("Fn::Equals", "Fn::Contains", "Fn::EachMemberEquals", "Fn::EachMemberIn") and len(arguments) == 2:
        left, right = (_operand(part, resolver) for part in arguments)
        if name == "Fn::Equals":
            return equals(left, right)
        if name == "Fn::Contains":
            return _member(right, left)
        if not isinstance(left, list):
            return Unknown(f"{name} of a list that is not known")
        if name == "Fn::EachMemberEquals":
            return _all(equals(member, right) for member in left)
        return _all(_member(member, right) for member in left)
    return Unknown(f"{name} cannot be decided before deployment")


def _operand(node: Any, resolver: Resolver) -> Any:
    call = intrinsic(node)
    if call is not None and call[0] == "Fn::RefAll" and isinstance(call[1], str):
        values = [
            resolver.parameters.get(str(name))
            for name, definition in resolver.template.parameters.items()
            if isinstance(definition, dict) and definition.get("Type") == call[1]
        ]
        return Unknown("Fn::RefAll of values not known") if any(isinstance(v, Unknown) for v in values) else values
    if call is not None and call[0] in ("Fn::ValueOf", "Fn::ValueOfAll"):
        return Unknown(f"{call[0]} reads the account at deployment")
    return resolver.resolve(node)


def _member(value: Any, items: Any) -> bool | Unknown:
    if not isinstance(items, list):
        return Unknown("list of allowed values is not known")
    return _any(equals(item, value) for item in items)


def _all(values: Iterator[bool | Unknown]) -> bool | Unknown:
    values = list(values)
    if any(v is False for v in values):
        return False
    return Unknown("rule depends on values that are not known") if any(isinstance(v, Unknown) for v in values) else True


def _any(values: Iterator[bool | Unknown]) -> bool | Unknown:
    values = list(values)
    if any(v is True for v in values):
        return True
    return (
        Unknown("rule depends on values that are not known") if any(isinstance(v, Unknown) for v in values) else False
    )
