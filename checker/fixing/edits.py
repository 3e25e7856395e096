"""Editing a template's text: the operations that `fixes` plans, written into the file in its own style.

An operation is a tuple: ("insert", mapping, key, value) adds `key: value` to a mapping of
the parsed template, ("set", mapping, key, value) replaces the value of a key, ("replace",
node, value) a value, ("item", list, value) adds an item to a list, and ("top", section,
value) adds a top-level section. YAML is edited as text, at the positions the parser
reports, so comments, key order, quoting, short-form tags and indentation stay exactly as
written; only the inserted or replaced lines differ. JSON is edited as data and written
back with its indentation.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..model.intrinsics import intrinsic
from ..model.template import Template

PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./ @:-]*")
YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


class Unfixable(Exception):
    """This finding cannot be fixed mechanically here (the message says why)."""


@dataclass
class _Edit:
    start: int
    end: int
    text: str


def _is_json(template: Template) -> bool:
    return template.text.lstrip().startswith("{")


def check_writable(template: Template, operation) -> None:
    """Raise Unfixable when the operation cannot be written into this file."""
    if _is_json(template):
        if operation[0] != "top" and _path_to(template.data, operation[1]) is None:
            raise Unfixable("cannot find the place in the JSON")
    else:
        _yaml_edit(template, operation)


def apply(template: Template, operations: list) -> str:
    """The template's text with the operations written in (see `_combine` for several at one place)."""
    operations = _combine(template, operations)
    if _is_json(template):
        return _apply_json(template, operations)
    edits = [_yaml_edit(template, operation) for operation in operations]
    text = template.text
    # from the end backwards; of edits at one place the last first, so they end up in order
    for _, edit in sorted(enumerate(edits), key=lambda pair: (pair[1].start, pair[1].end, pair[0]), reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


def _combine(template: Template, operations: list) -> list:
    """The operations with one per place: the same fix planned for several scenarios is
    written once, and inserts of one key into one mapping (tags and tracing into a resource
    without Properties) become one insert of their values merged, in the order in which
    inserting them one after the other would write them."""
    first: dict[tuple, int] = {}
    later: dict[int, list] = {}
    for index, operation in enumerate(operations):
        place = _place(operation)
        if place not in first:
            first[place] = index
        elif operation[0] == "insert" and operation[-1] != operations[first[place]][-1]:
            later.setdefault(first[place], []).append(operation[-1])
    in_front = not _is_json(template)  # YAML inserts before a mapping's first key, JSON after its last
    combined = []
    for index in first.values():
        operation = operations[index]
        if index in later:
            added, *more = later[index]
            for other in more:  # the later inserts go in one after another
                added = _merged(added, other, in_front=False)
            operation = (*operation[:-1], _merged(operation[-1], added, in_front))
        combined.append(operation)
    return combined


def _place(operation) -> tuple:
    kind = operation[0]
    if kind == "top":
        return kind, operation[1], str(operation[2])
    if kind == "replace":
        return kind, id(operation[1])
    if kind == "item":
        return kind, id(operation[1]), str(operation[2])
    return "key", id(operation[1]), str(operation[2])


def _merged(value, other, in_front: bool):
    """`value` with `other`'s keys added where a second insert into it would write them: in
    front of its own keys or after them; a key in both is merged the same way if both are
    mappings, and otherwise takes `other`'s value, as a second fix setting it would."""
    if not (_plain_mapping(value) and _plain_mapping(other)):
        return other
    added = {key: inner for key, inner in other.items() if key not in value}
    kept = {key: _merged(inner, other[key], in_front) if key in other else inner for key, inner in value.items()}
    return {**added, **kept} if in_front else {**kept, **added}


def _plain_mapping(value) -> bool:
    return isinstance(value, dict) and intrinsic(value) is None


def _yaml_edit(template: Template, operation) -> _Edit:
    text = template.text
    kind = operation[0]
    if kind == "top":
        _, key, value = operation
        resources = next(k for k in template.data if k == "Resources")
        start = _line_start(text, resources.start_mark.index)
        return _Edit(start, start, "\n".join(_render_entry(key, value, _unit(text))) + "\n\n")
    if kind == "insert":
        _, mapping, key, value = operation
        if not mapping or _is_flow(text, mapping):
            raise Unfixable("a flow-style mapping")
        first = next(iter(mapping))
        column = first.start_mark.column
        start = first.start_mark.index
        lines = _render_entry(key, value, _unit(text))
        body = "\n".join(lines[:1] + [" " * column + line for line in lines[1:]])
        return _Edit(start, start, body + "\n" + " " * column)
    if kind == "item":
        _, sequence, value = operation
        if _is_flow(text, sequence):
            raise Unfixable("a flow-style list")
        first = sequence[0]
        dash = text.rfind("-", _line_start(text, first.start_mark.index), first.start_mark.index)
        dash_column = dash - _line_start(text, dash)
        lines = _render_value(value, _unit(text))
        item = "- " + lines[0] + "".join("\n" + " " * (dash_column + 2) + line for line in lines[1:])
        return _Edit(dash, dash, item + "\n" + " " * dash_column)
    if kind == "set":
        _, mapping, key, value = operation
        node = mapping[key]
        if not hasattr(node, "start_mark"):  # a number or boolean: find it after its key
            written = next(k for k in mapping if k == key)
            start = text.index(":", written.end_mark.index) + 1
            while text[start] in " \t":
                start += 1
            end = start
            while end < len(text) and text[end] not in "\r\n#,}":
                end += 1
            return _Edit(start, len(text[start:end].rstrip()) + start, _render_value(value, _unit(text))[0])
        operation = ("replace", node, value)
    _, node, value = operation
    start, end = node.start_mark.index, node.end_mark.index
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    rendered = _render_value(value, _unit(text))
    if len(rendered) != 1:
        raise Unfixable("a multi-line value")
    return _Edit(start, end, rendered[0])


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _is_flow(text: str, node) -> bool:
    return text[node.start_mark.index : node.start_mark.index + 1] in ("{", "[")


def _unit(text: str) -> int:
    """The file's indentation step (the smallest indentation of any line)."""
    indents = [len(line) - len(line.lstrip(" ")) for line in text.splitlines() if line.strip() and line[0] == " "]
    return min(indents, default=2) or 2


def _render_entry(key: str, value, unit: int) -> list[str]:
    """`key: value` as YAML lines (the first unindented, the others relative to it)."""
    lines = _render_value(value, unit)
    if isinstance(value, dict) and intrinsic(value) is None or isinstance(value, list):
        return [f"{key}:"] + [" " * unit + line for line in lines]
    return [f"{key}: {lines[0]}"]


def _render_value(value, unit: int) -> list[str]:
    call = intrinsic(value) if isinstance(value, dict) else None
    if call is not None:
        return [_short_form(call)]
    if isinstance(value, dict):
        lines = []
        for key, inner in value.items():
            lines += _render_entry(str(key), inner, unit)
        return lines
    if isinstance(value, list):
        lines = []
        for item in value:
            inner = _render_value(item, unit)
            lines += ["- " + inner[0]] + ["  " + line for line in inner[1:]]
        return lines
    return [_scalar(value)]


def _short_form(call) -> str:
    name, argument = call
    tag = "!" + name.removeprefix("Fn::")
    if isinstance(argument, str):
        return f"{tag} {_scalar(argument, quote=name == 'Fn::Sub')}"
    return f"{tag} {_flow(argument)}"


def _flow(value) -> str:
    call = intrinsic(value) if isinstance(value, dict) else None
    if call is not None:
        return _short_form(call)
    if isinstance(value, list):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_flow(inner)}" for key, inner in value.items()) + "}"
    return _scalar(value, quote=True)


def _scalar(value, quote: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if not quote and PLAIN.fullmatch(text) and text.lower() not in YAML_WORDS and not text.endswith(":"):
        return text
    return "'" + text.replace("'", "''") + "'"


def _apply_json(template: Template, operations: list) -> str:
    text = template.text
    data = json.loads(text)
    for operation in operations:
        _apply_to_data(template, data, operation)
    indent = next((len(line) - len(line.lstrip(" ")) for line in text.splitlines()[1:] if line.startswith(" ")), 2)
    return json.dumps(data, indent=indent, ensure_ascii=False) + ("\n" if text.endswith("\n") else "")


def _apply_to_data(template: Template, data: dict, operation) -> None:
    """Apply an operation found on the parsed template to the same place in plain JSON data."""
    kind = operation[0]
    if kind == "top":
        _, key, value = operation
        data[key] = value
        return
    path = _path_to(template.data, operation[1])
    if path is None:
        raise Unfixable("cannot find the place in the JSON")
    container = data
    for step in path[:-1] if kind == "replace" else path:
        container = container[step]
    if kind in ("insert", "set"):
        container[operation[2]] = operation[3]
    elif kind == "item":
        container.append(operation[2])
    else:
        container[path[-1]] = operation[2]


def _path_to(root, target, path=()):
    if root is target:
        return path
    if isinstance(root, dict):
        items = root.items()
    elif isinstance(root, list):
        items = enumerate(root)
    else:
        return None
    for key, value in items:
        found = _path_to(value, target, (*path, str(key) if isinstance(root, dict) else key))
        if found is not None:
            return found
    return None


def diff(path: str, before: str, after: str) -> str:
    import difflib

    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), path, path))
