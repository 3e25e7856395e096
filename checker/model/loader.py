"""Reading a template file into a `Template`, or a `FileError` saying why it cannot be.

Parsing is cfn-lint's decoder (YAML and JSON, short-form tags, line/column marks on
every node). Around it sit the limits that keep hostile input bounded: file size,
nesting depth, mapping width, and alias expansion ("billion laughs"). Nothing in a
template is ever executed: YAML is read with a safe constructor, so Python-object
tags are an error, and other local tags (`!include`) are plain data.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from pathlib import Path

import yaml
from cfnlint.decode import cfn_json, cfn_yaml

from ..findings import FileError
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
    """Parse YAML or JSON text into cfn-lint's marked nodes."""
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
        # The C decoder checks the limits first: cfn-lint's pure-Python decoder is
        # quadratic in mapping width and recursive in depth.
        plain = json.loads(text, object_pairs_hook=_limited_pairs)
        _check_plain_depth(plain)
        return cfn_json.loads(text)
    except cfn_json.JSONDecodeError as err:
        # cfn-lint's JSON decoder numbers the lines of duplicate keys from 0
        raise _decoder_error(err.matches, "invalid JSON: ", line_offset=1) from None
    except json.JSONDecodeError as err:
        raise TemplateError(f"invalid JSON: {err.msg}", err.lineno, err.colno) from None
    except RecursionError:
        raise TemplateError(f"nesting deeper than {MAX_DEPTH} levels") from None


def _limited_pairs(pairs):
    if len(pairs) > MAX_MAPPING_KEYS:
        raise TemplateError(f"a mapping has {len(pairs):,} keys, more than {MAX_MAPPING_KEYS:,}")
    return dict(pairs)


def _check_plain_depth(value) -> None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise TemplateError(f"nesting deeper than {MAX_DEPTH} levels")
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children)


def parse_yaml(text: str):
    deltas = map(_BRACKET_DELTA.__getitem__, _BRACKETS.sub("", text))
    if max(accumulate(deltas, initial=0)) > MAX_FLOW_DEPTH:
        raise TemplateError(f"nesting deeper than {MAX_DEPTH} levels")
    loader = cfn_yaml.CfnFullLoader(text, None)
    loader.add_multi_constructor("!", cfn_yaml.multi_constructor)
    try:
        node = loader.get_single_node()
        if node is None:
            raise TemplateError("file holds no YAML document")
        _check_node_graph(node)
        return loader.construct_document(node)
    except cfn_yaml.CfnParseError as err:
        raise _decoder_error(err.matches, "", line_offset=0) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        if "could not determine a constructor" in problem:
            problem = f"unsupported YAML tag {err.problem.split('tag')[-1].strip()}"
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise TemplateError(f"invalid YAML: {problem}", line, column) from None
    except yaml.YAMLError as err:
        raise TemplateError(f"invalid YAML: {err}") from None
    except RecursionError:
        raise TemplateError(f"nesting deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()


def _decoder_error(matches, prefix: str, line_offset: int) -> TemplateError:
    """A TemplateError from cfn-lint's decoder matches; a duplicate key is reported
    where it is written again, naming where it was first."""
    first = matches[0]
    if not first.message.startswith("Duplicate found"):
        return TemplateError(prefix + first.message, first.linenumber or None)
    key = first.message.removeprefix("Duplicate found ").split(" (line")[0].strip("'\"")
    lines = sorted({m.linenumber + line_offset for m in matches})
    return TemplateError(f"duplicate key {key!r} (first at line {lines[0]})", lines[-1])


def _check_node_graph(root: yaml.Node) -> None:
    """Refuse alias bombs, recursive aliases, over-deep nesting and over-wide mappings.

    Measures the tree the document expands to (its node count and height), visiting
    each distinct node once, so the check itself stays linear in the size of the file.
    """
    measured: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded size, height)
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        line = node.start_mark.line + 1
        if done:
            on_path.discard(key)
            size = 1 + sum(measured[id(c)][0] for c in children)
            height = 1 + max((measured[id(c)][1] for c in children), default=0)
            if size > MAX_EXPANDED_NODES:
                raise TemplateError(
                    f"YAML aliases expand to more than {MAX_EXPANDED_NODES:,} nodes (an alias bomb?)",
                    line,
                )
            if height > MAX_DEPTH:
                raise TemplateError(f"nesting deeper than {MAX_DEPTH} levels", line)
            measured[key] = (size, height)
            continue
        if key in measured:
            continue
        if key in on_path:
            raise TemplateError("recursive YAML alias", line)
        if isinstance(node, yaml.MappingNode) and len(node.value) > MAX_MAPPING_KEYS:
            raise TemplateError(f"a mapping has {len(node.value):,} keys, more than {MAX_MAPPING_KEYS:,}", line)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in measured)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return []
