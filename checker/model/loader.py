"""Reading a template file into a `Template`, or a `FileError` saying why it cannot be.

Parsing is PyYAML's C parser (libyaml) for YAML and a decoder of our own for JSON
(json_decoder.py), both giving marked nodes (nodes.py) with line and column on every
mapping, list and string, and reading the short forms of intrinsic functions. Around
it sit the limits that keep hostile input bounded: file size, nesting depth, mapping
width, and alias expansion ("billion laughs"). Nothing in a template is ever executed:
YAML is read with a safe constructor, so Python-object tags are an error, and other
local tags (`!include`) are plain data.
"""

from __future__ import annotations

import re
from itertools import accumulate
from pathlib import Path

import yaml

from ..findings import FileError
from . import json_decoder
from .nodes import dict_node, list_node, str_node
from .structure import TemplateError, validate_structure
from .template import Template

MAX_TEMPLATE_BYTES = 2 * 1024 * 1024
"""CloudFormation itself takes at most 1 MB; twice that leaves room for SAM sources."""
MAX_DEPTH = 100
MAX_MAPPING_KEYS = 2000
MAX_EXPANDED_NODES = 500_000
"""A template whose aliases expand to more nodes than this is refused."""
MAX_FLOW_DEPTH = 1000
"""Bracket nesting past this is refused before the C parser sees it (it would overflow
the stack); the exact depth limit is checked after composing."""

_BRACKETS = re.compile(r"[^\[\]{}]+")
_BRACKET_DELTA = {"[": 1, "{": 1, "]": -1, "}": -1}
_STR, _MAP, _SEQ, _MERGE = (f"tag:yaml.org,2002:{name}" for name in ("str", "map", "seq", "merge"))


def load_template(
    path: str | Path, display_path: str | None = None, *, skip_non_templates: bool = False
) -> Template | FileError | None:
    """Read, parse and validate one template file.

    With `skip_non_templates` (files found in a directory), a document that parses
    but has neither `Resources` nor `AWSTemplateFormatVersion` at its top is not a
    template: None instead of an error.
    """
    name = display_path or str(path)
    try:
        text = read_text(Path(path))
        data = parse(text)
        if skip_non_templates and not (
            isinstance(data, dict) and ("Resources" in data or "AWSTemplateFormatVersion" in data)
        ):
            return None
        validate_structure(data)
    except TemplateError as err:
        return FileError(name, err.message, err.line, err.column)
    return Template(path=name, text=text, data=data)


def read_text(path: Path) -> str:
    try:
        if path.is_dir():
            raise TemplateError("is a directory, not a template file")
        size = path.stat().st_size
        if size > MAX_TEMPLATE_BYTES:
            raise TemplateError(
                f"file is {size:,} bytes, larger than the {MAX_TEMPLATE_BYTES:,} bytes "
                "tapcheck accepts (CloudFormation's own limit is 1 MB)"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TemplateError("file not found") from None
    except PermissionError:
        raise TemplateError("permission denied") from None
    except OSError as err:
        raise TemplateError(f"cannot read file: {err.strerror or err}") from None
    if b"\0" in raw:
        raise TemplateError("binary file (contains NUL bytes), not a YAML or JSON template")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise TemplateError(f"not UTF-8 text: invalid byte 0x{raw[err.start]:02x}", line) from None
    if not text.strip():
        raise TemplateError("file is empty")
    return text


def parse(text: str):
    """Parse YAML or JSON text into marked nodes."""
    if text.lstrip().startswith("{"):
        try:
            return parse_json(text)
        except TemplateError as json_error:
            try:  # JSON-looking YAML (flow style) is still a template to CloudFormation
                return parse_yaml(text)
            except TemplateError:
                raise json_error from None
    return parse_yaml(text)


def parse_json(text: str):
    try:
        return json_decoder.loads(text, MAX_DEPTH, MAX_MAPPING_KEYS)
    except json_decoder.JSONError as err:
        line, column = _line_column(text, err.index)
        if err.first is not None:
            first, _ = _line_column(text, err.first)
            raise TemplateError(f"{err.message} (first at line {first})", line, column) from None
        message = err.message if err.message.startswith(("nesting", "a mapping")) else f"invalid JSON: {err.message}"
        raise TemplateError(message, line, column) from None


def _line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of an offset into `text`."""
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


def parse_yaml(text: str):
    deltas = map(_BRACKET_DELTA.__getitem__, _BRACKETS.sub("", text))
    if max(accumulate(deltas, initial=0)) > MAX_FLOW_DEPTH:
        raise TemplateError(f"nesting deeper than {MAX_DEPTH} levels")
    loader = yaml.CSafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise TemplateError("file holds no YAML document")
        return _Builder(loader).build(node)[0]
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        if "could not determine a constructor" in problem:
            tag = problem.rsplit(" ", 1)[-1].strip("'").replace("tag:yaml.org,2002:", "!!")
            problem = f"unsupported YAML tag {tag}"
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise TemplateError(f"invalid YAML: {problem}", line, column) from None
    except yaml.YAMLError as err:
        raise TemplateError(f"invalid YAML: {err}") from None
    finally:
        loader.dispose()


class _Builder:
    """Composed YAML nodes to marked values (see nodes.py), within the limits.

    Strings, mappings and lists become nodes at their marks; other scalars are what
    PyYAML's safe constructor makes of them (numbers, booleans, null, dates), and any
    tag it does not know (`!!python/object`) is an error. A local tag is the short form
    of an intrinsic function: `!Ref X` is `{Ref: X}`, `!GetAtt A.B` is
    `{Fn::GetAtt: [A, B]}`, `!Sub ...` is `{Fn::Sub: ...}`, each at the tag's marks.

    The limits are measured on the tree the document expands to: a mapping or list
    written once and aliased is built once and counted, with its height, at every
    alias, so alias bombs, recursive aliases, over-deep nesting and over-wide mappings
    are refused in time linear in the size of the file.
    """

    def __init__(self, loader: yaml.CSafeLoader):
        self.loader = loader
        self.built: dict[int, tuple[object, int, int]] = {}
        """id(node) -> (value, size of its expanded tree, its height), for collections."""
        self.building: set[int] = set()

    def build(self, node: yaml.Node, depth: int = 1) -> tuple[object, int, int]:
        """The node's value, the number of nodes it expands to and its height."""
        key = id(node)
        known = self.built.get(key)
        if known is not None:
            if depth + known[2] - 1 > MAX_DEPTH:
                raise TemplateError(f"nesting deeper than {MAX_DEPTH} levels", node.start_mark.line + 1)
            return known
        if depth > MAX_DEPTH:
            raise TemplateError(f"nesting deeper than {MAX_DEPTH} levels", node.start_mark.line + 1)
        tag = node.tag
        if isinstance(node, yaml.ScalarNode):
            if tag == _STR:
                return str_node(node.value, node.start_mark, node.end_mark), 1, 1
            if tag.startswith("!"):
                return self.intrinsic(tag[1:], node, node.value), 1, 1
            return self.construct(node), 1, 1
        if key in self.building:
            raise TemplateError("recursive YAML alias", node.start_mark.line + 1)
        self.building.add(key)
        if isinstance(node, yaml.MappingNode):
            value, size, height = self.mapping(node, depth)
        else:
            items = [self.build(child, depth + 1) for child in node.value]
            value = list_node([item[0] for item in items], node.start_mark, node.end_mark)
            size = 1 + sum(item[1] for item in items)
            height = 1 + max((item[2] for item in items), default=0)
        self.building.discard(key)
        if size > MAX_EXPANDED_NODES:
            raise TemplateError(
                f"YAML aliases expand to more than {MAX_EXPANDED_NODES:,} nodes (an alias bomb?)",
                node.start_mark.line + 1,
            )
        if tag.startswith("!"):
            value = self.intrinsic(tag[1:], node, value)
        elif tag not in (_MAP, _SEQ):  # measured above; built (or refused) by PyYAML
            value = self.construct(node)
        self.built[key] = value, size, height
        return value, size, height

    def mapping(self, node: yaml.MappingNode, depth: int) -> tuple[dict_node, int, int]:
        line = node.start_mark.line + 1
        if len(node.value) > MAX_MAPPING_KEYS:
            raise TemplateError(f"a mapping has {len(node.value):,} keys, more than {MAX_MAPPING_KEYS:,}", line)
        merged = any(key.tag == _MERGE for key, _ in node.value)
        if merged:
            self.loader.flatten_mapping(node)  # `<<: *defaults`: later keys override merged ones
        mapping = dict_node((), node.start_mark, node.end_mark)
        size, height = 1, 1
        for index, (key_node, value_node) in enumerate(node.value):
            key, key_size, key_height = self.build(key_node, depth + 1)
            if key is None:
                raise TemplateError(f"null key {key_node.value!r} not supported", key_node.start_mark.line + 1)
            try:
                written = key in mapping
            except TypeError:
                raise TemplateError(
                    "a mapping or list as a key is not supported", key_node.start_mark.line + 1
                ) from None
            if written and not merged:
                first = next(k for k in mapping if k == key).start_mark.line + 1
                again = [k for k, _ in node.value[index:] if k.tag == key_node.tag and k.value == key_node.value]
                line = again[-1].start_mark.line + 1  # where it is written last
                raise TemplateError(f"duplicate key {str(key)!r} (first at line {first})", line)
            value, value_size, value_height = self.build(value_node, depth + 1)
            mapping[key] = value
            size += key_size + value_size
            height = max(height, 1 + key_height, 1 + value_height)
        return mapping, size, height

    def construct(self, node: yaml.Node):
        """What PyYAML's safe constructor makes of a node that is not a string, mapping
        or list."""
        try:
            return self.loader.construct_object(node, deep=True)
        except ValueError as err:  # an integer of more digits than Python converts
            raise TemplateError(f"invalid YAML: {str(err).split(':')[0]}", node.start_mark.line + 1) from None

    @staticmethod
    def intrinsic(name: str, node: yaml.Node, argument) -> dict_node:
        function = name if name in ("Ref", "Condition") else f"Fn::{name}"
        start, end = node.start_mark, node.end_mark
        if function == "Fn::GetAtt" and isinstance(node, yaml.ScalarNode):
            # the parts are plain strings, as in cfn-lint's decoder: a finding on one is at
            # the enclosing node (cfn-lint's at the key), never at the tag
            argument = list_node(node.value.split(".", 1), start, end)
        elif isinstance(node, yaml.ScalarNode):
            argument = str_node(argument, start, end)  # as written: `!Ref 123` names "123"
        return dict_node({function: argument}, start, end)
