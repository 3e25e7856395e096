"""JSON text to marked nodes: every object, array and string knows where it is written,
strings inside arrays included (the standard library's decoder gives no positions,
cfn-lint's none to strings that are not keys).

The values are what `json.loads` makes of the text (its own string scanner decodes the
escapes; integers of any size, floats, NaN and Infinity as it reads them), except that a
key written twice in one object is an error naming both lines, and that nesting and
object width are bounded while reading. An object or array is marked at its first
element (at its closing bracket when empty), as a YAML block mapping or list is, so a
finding on a mapping points at the line of its first key in either format.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring

from .nodes import Mark, dict_node, list_node, str_node

_SPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_CONSTANTS = {"true": True, "false": False, "null": None}
_FLOATS = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}


class JSONError(ValueError):
    """Not JSON, or JSON beyond the limits; `index` is where (an offset into the text),
    `first` where a duplicated key was first written."""

    def __init__(self, message: str, index: int, first: int | None = None):
        super().__init__(message)
        self.message, self.index, self.first = message, index, first


def parsed_as_json(data) -> bool:
    """Whether parsed data came from this decoder (rather than from YAML)."""
    return isinstance(getattr(data, "start_mark", None), Mark)


def loads(text: str, max_depth: int, max_keys: int):
    """The document's value, as marked nodes."""
    newlines = [match.start() for match in re.finditer("\n", text)]
    try:
        value, end = _Decoder(text, newlines, max_depth, max_keys).value(_SPACE.match(text, 0).end(), 1)
    except JSONError:
        raise
    except json.JSONDecodeError as err:  # a string's escape, from json's scanner
        raise JSONError(err.msg, err.pos) from None
    end = _SPACE.match(text, end).end()
    if end != len(text):
        raise JSONError("Extra data", end)
    return value


class _Decoder:
    def __init__(self, text: str, newlines: list[int], max_depth: int, max_keys: int):
        self.text, self.newlines, self.max_depth, self.max_keys = text, newlines, max_depth, max_keys

    def value(self, index: int, depth: int):
        """The value starting at `index` (no space before it) and the index after it."""
        if depth > self.max_depth:
            raise JSONError(f"nesting deeper than {self.max_depth} levels", index)
        text = self.text
        char = text[index : index + 1]
        if char == '"':
            string, end = scanstring(text, index + 1, True)
            return str_node(string, Mark(index, self.newlines), Mark(end, self.newlines)), end
        if char == "{":
            return self.mapping(index, depth)
        if char == "[":
            return self.sequence(index, depth)
        number = _NUMBER.match(text, index)
        if number:
            integer, fraction, exponent = number.groups()
            if fraction or exponent:
                return float(number.group()), number.end()
            try:
                return int(integer), number.end()
            except ValueError as err:  # more digits than Python converts
                raise JSONError(str(err).split(":")[0], index) from None
        for word, constant in (*_CONSTANTS.items(), *_FLOATS.items()):
            if text.startswith(word, index):
                return constant, index + len(word)
        raise JSONError("Expecting value", index)

    def mapping(self, index: int, depth: int):
        text, newlines = self.text, self.newlines
        position = _SPACE.match(text, index + 1).end()
        mapping = dict_node((), Mark(position, newlines))
        duplicate = None  # (key, where first written, where written last)
        if text[position : position + 1] == "}":
            mapping.end_mark = Mark(position + 1, newlines)
            return mapping, position + 1
        while True:
            if text[position : position + 1] != '"':
                raise JSONError("Expecting property name enclosed in double quotes", position)
            name, after = scanstring(text, position + 1, True)
            key = str_node(name, Mark(position, newlines), Mark(after, newlines))
            after = _SPACE.match(text, after).end()
            if text[after : after + 1] != ":":
                raise JSONError("Expecting ':' delimiter", after)
            value, after = self.value(_SPACE.match(text, after + 1).end(), depth + 1)
            if key in mapping and (duplicate is None or duplicate[0] == key):
                first = next(written for written in mapping if written == key)
                duplicate = key, first.start_mark.index, position
            mapping[key] = value
            if len(mapping) > self.max_keys:
                raise JSONError(f"a mapping has at least {len(mapping):,} keys, more than {self.max_keys:,}", position)
            after = _SPACE.match(text, after).end()
            char = text[after : after + 1]
            if char == "}":
                if duplicate:
                    raise JSONError(f"duplicate key {str(duplicate[0])!r}", duplicate[2], duplicate[1])
                mapping.end_mark = Mark(after + 1, newlines)
                return mapping, after + 1
            if char != ",":
                raise JSONError("Expecting ',' delimiter", after)
            position = _SPACE.match(text, after + 1).end()

    def sequence(self, index: int, depth: int):
        text, newlines = self.text, self.newlines
        position = _SPACE.match(text, index + 1).end()
        sequence = list_node((), Mark(position, newlines))
        if text[position : position + 1] == "]":
            sequence.end_mark = Mark(position + 1, newlines)
            return sequence, position + 1
        while True:
            value, after = self.value(position, depth + 1)
            sequence.append(value)
            after = _SPACE.match(text, after).end()
            char = text[after : after + 1]
            if char == "]":
                sequence.end_mark = Mark(after + 1, newlines)
                return sequence, after + 1
            if char != ",":
                raise JSONError("Expecting ',' delimiter", after)
            position = _SPACE.match(text, after + 1).end()
