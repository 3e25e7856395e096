"""Reading policies: from `.tapcheck.yml` (`policies:`), from pack directories or files
(`policy-packs:`), and from installed packages that declare a `tapcheck.policy_packs`
entry point (the module it names is a directory of pack files).

Nothing half-read is ever applied: each file is checked against pack_schema.json, then
each policy's types against the known resource types and each of its property paths
against the schema of the types it selects; the first problem is a `PackError` that
names the file and line (the command line exits 2 with it).
"""

from __future__ import annotations

import json
import re
from difflib import get_close_matches
from fnmatch import fnmatchcase
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from ..aws.resource_schemas import known_resource_types
from ..config import ConfigError
from ..model.loader import parse_yaml
from ..model.structure import TemplateError
from . import ENTRY_POINT_GROUP
from .checks import TESTS, AllOf, AnyOf, Check, Not, ReferencedBy, Test
from .paths import parse_path, schema_problem
from .policy import Policy, When

PACK_SUFFIXES = (".yml", ".yaml")


class PackError(ConfigError):
    """A pack (or the config's `policies:`) that cannot be applied: `file:line: problem`."""


def load_policies(config_source: str | None, packs: list[str]) -> tuple[Policy, ...]:
    """Every policy in force: the config file's own, its packs' (paths relative to the
    config file), then the installed packages' — each id once."""
    policies: list[Policy] = []
    base = Path(config_source).parent if config_source else Path.cwd()
    if config_source is not None:
        text = Path(config_source).read_text(encoding="utf-8")
        data = _parse(text, config_source)
        if isinstance(data, dict) and "policies" in data:
            policies += read_pack_data({"policies": data["policies"]}, config_source, config_source)
    for pack in packs:
        policies += read_pack(base / pack, pack)
    for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        policies += read_installed_pack(entry_point)
    seen: dict[str, Policy] = {}
    for policy in policies:
        if policy.id in seen:
            raise PackError(f"{policy.source}: policy id {policy.id} is already used at {seen[policy.id].source}")
        seen[policy.id] = policy
    return tuple(policies)


def read_pack(path: Path, name: str) -> list[Policy]:
    """A pack directory's files (`*.yml`, `*.yaml`, in name order), or one pack file."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in PACK_SUFFIXES and p.is_file())
        if not files:
            raise PackError(f"{path}: policy pack holds no .yml or .yaml files")
    elif path.is_file():
        files = [path]
    else:
        raise PackError(f"{path}: policy pack not found")
    return [policy for file in files for policy in read_pack_file(file, name)]


def read_installed_pack(entry_point) -> list[Policy]:
    name = f"{entry_point.name} (installed package {entry_point.dist.name if entry_point.dist else entry_point.value})"
    try:
        module = entry_point.load()
        folder = resources.files(module)
        files = sorted((f for f in folder.iterdir() if f.name.endswith(PACK_SUFFIXES)), key=lambda f: f.name)
    except Exception as err:  # a broken installed package: say which, never a traceback
        raise PackError(f"policy pack {name}: cannot load entry point {entry_point.value}: {err}") from None
    if not files:
        raise PackError(f"policy pack {name}: {entry_point.value} holds no .yml or .yaml files")
    return [policy for file in files for policy in _read_text(file.read_text(encoding="utf-8"), str(file), name)]


def read_pack_file(path: Path, pack: str) -> list[Policy]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise PackError(f"{path}: cannot read: {err}") from None
    return _read_text(text, str(path), pack)


def _read_text(text: str, source: str, pack: str) -> list[Policy]:
    return read_pack_data(_parse(text, source), source, pack)


def _parse(text: str, source: str) -> Any:
    try:
        return parse_yaml(text)
    except TemplateError as err:
        where = f":{err.line}" if err.line else ""
        raise PackError(f"{source}{where}: {err.message}") from None


def read_pack_data(data: Any, source: str, pack: str) -> list[Policy]:
    """The policies of one parsed (marked) pack document, validated."""
    import jsonschema  # ~40 ms, only for runs that have policies

    validator = jsonschema.Draft202012Validator(_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        node = _node_at(data, list(error.absolute_path))
        if error.validator == "additionalProperties" and isinstance(node, dict):
            node = next((key for key in node if key not in error.schema.get("properties", {})), node)
        where = ".".join(str(p) for p in error.absolute_path) or "top level"
        raise PackError(f"{source}:{_line(node, data)}: {where}: {_message(error)}")
    return [_policy(entry, source, pack) for entry in data["policies"]]


def _policy(entry: dict, source: str, pack: str) -> Policy:
    at = f"{source}:{_line(entry)}"
    types = _types(entry["resources"], entry, source)
    where = _check(entry["where"], types, source) if "where" in entry else None
    assertion = _check(entry["assert"], types, source)
    when = entry.get("when", {})
    parameters = tuple(
        (str(name), tuple(str(_text(v)) for v in (values if isinstance(values, list) else [values])))
        for name, values in when.items()
        if name != "condition"
    )
    fix = str(entry["fix"])
    return Policy(
        id=str(entry["id"]),
        name=str(entry["name"]),
        title=str(entry["title"]),
        severity=str(entry["severity"]),
        area=str(entry["area"]),
        what=str(entry["what"]),
        why=str(entry["why"]),
        fix=fix,
        hint=str(entry.get("hint") or fix.strip().split("\n")[0]),
        failing=str(entry["failing"]),
        passing=str(entry["passing"]),
        types=types,
        assertion=assertion,
        when=When(parameters, str(when["condition"]) if "condition" in when else None),
        where=where,
        message=str(entry["message"]) if "message" in entry else None,
        pack=pack,
        source=at,
    )


def builtin_policy(rule, package: str, name: str) -> Policy:
    """One of tapcheck's own rules written in the pack language: what it selects and
    asserts from the data file `name` shipped in `package` (a mapping of rule id to
    `resources`, `when`, `where`, `assert`, `message`), its metadata from the rule."""
    source = f"{package}/{name}"
    data = _parse(resources.files(package).joinpath(name).read_text(encoding="utf-8"), source)
    keys = ("name", "title", "severity", "area", "what", "why", "fix", "hint", "failing", "passing")
    entry = {**{key: getattr(rule, key) for key in keys}, **data[rule.id], "id": rule.id}
    return _policy(entry, source, "")


def _types(value, entry: dict, source: str) -> tuple[str, ...]:
    globs = value if isinstance(value, list) else [value]
    known = known_resource_types()
    for glob in globs if known else ():
        if glob.startswith("Custom::") or any(fnmatchcase(name, glob) for name in known):
            continue
        close = get_close_matches(glob, known, n=1, cutoff=0.8)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise PackError(f"{source}:{_line(glob, entry)}: no resource type is {glob}{hint}")
    return tuple(str(glob) for glob in globs)


def _check(data: dict, types: tuple[str, ...], source: str) -> Check:
    if "all-of" in data:
        return AllOf(tuple(_check(item, types, source) for item in data["all-of"]))
    if "any-of" in data:
        return AnyOf(tuple(_check(item, types, source) for item in data["any-of"]))
    if "not" in data:
        return Not(_check(data["not"], types, source))
    if "referenced-by" in data:
        relation = data["referenced-by"]
        referrers = _types(relation["type"], relation, source)
        path = _path(relation["path"], referrers, source, relation) if "path" in relation else None
        return ReferencedBy(referrers, path)
    test = next(key for key in data if key in TESTS)
    argument = data[test]
    if test == "matches":
        try:
            re.compile(argument)
        except re.error as err:
            raise PackError(f"{source}:{_line(argument, data)}: matches: not a regular expression: {err}") from None
    return Test(_path(data["path"], types, source, data), test, _plain(argument))


def _path(text: str, types: tuple[str, ...], source: str, owner):
    """A parsed path, after checking that some type the policy selects has it."""
    path = parse_path(str(text))
    concrete = [name for name in known_resource_types() if any(fnmatchcase(name, glob) for glob in types)]
    problems = []
    for name in concrete:  # the first type that has it ends the search (`AWS::*` has ~1900)
        problem = schema_problem(path, name)
        if problem is None:
            return path
        problems.append(problem)
    if problems:
        shown = problems[0] if len(problems) == 1 else f"no type of {', '.join(types)} has {path} ({problems[0]})"
        raise PackError(f"{source}:{_line(text, owner)}: {shown}")
    return path


def _plain(value):
    """A value without its marks (policies are compared, pickled and shown as plain data)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, str) else value


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _node_at(data, path: list) -> Any:
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    return node


def _line(node, fallback=None) -> int:
    mark = getattr(node, "start_mark", None) or getattr(fallback, "start_mark", None)
    return mark.line + 1 if mark is not None else 1


def _message(error) -> str:
    if error.validator == "additionalProperties" and error.schema.get("additionalProperties") is False:
        allowed = sorted(error.schema.get("properties", {}))
        unexpected = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        if unexpected:
            absent = [key for key in allowed if key not in error.instance]  # a misspelt key is not there
            close = get_close_matches(str(unexpected[0]), absent, n=1) or get_close_matches(
                str(unexpected[0]), allowed, n=1
            )
            hint = f"; did you mean {close[0]}?" if close else f" (allowed: {', '.join(allowed)})"
            return f"unknown key {unexpected[0]}{hint}"
    if error.validator == "pattern" and error.path and error.path[-1] == "id":
        return f"{error.instance!r} is not a policy id: capital letters then digits (ORG001), never TAP"
    return error.message


@cache
def _schema() -> dict:
    return json.loads(resources.files(__package__).joinpath("pack_schema.json").read_text(encoding="utf-8"))
