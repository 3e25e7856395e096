"""The parsed template's values, each knowing where it is written.

Mappings, lists and strings are `dict_node`, `list_node` and `str_node`: the built-in
types with a `start_mark` and an `end_mark` (0-based `line`, `column` and `index` into
the text). Numbers, booleans and null stay plain Python values without marks; whoever
locates one passes the enclosing node as the fallback. The classes behave as cfn-lint's
decoder nodes do (the rules and cfn-lint itself are written against those): a missing
key's `{}` default comes back as a `dict_node` at the mapping's marks, and copies keep
their marks.
"""

from __future__ import annotations

from bisect import bisect_left
from copy import deepcopy


class Mark:
    """A place in a JSON text; line and column (0-based, as YAML's marks) are computed
    when asked for, since most marks never are."""

    __slots__ = ("index", "_newlines")

    def __init__(self, index: int, newlines: list[int]):
        self.index = index
        self._newlines = newlines
        """The offsets of the text's line feeds, shared by every mark of the text."""

    @property
    def line(self) -> int:
        return bisect_left(self._newlines, self.index)

    @property
    def column(self) -> int:
        line = self.line
        return self.index - (self._newlines[line - 1] + 1 if line else 0)

    def __repr__(self) -> str:
        return f"Mark(line={self.line}, column={self.column})"


class str_node(str):  # noqa: N801 - named as cfn-lint's, which the rules were written against
    def __new__(cls, value: str, start_mark, end_mark):
        self = super().__new__(cls, value)
        self.start_mark = start_mark
        self.end_mark = end_mark
        return self

    def __deepcopy__(self, memo):
        return self  # immutable, marks included

    def __reduce__(self):
        return str_node, (str(self), self.start_mark, self.end_mark)


class dict_node(dict):  # noqa: N801
    __slots__ = ("start_mark", "end_mark")

    def __init__(self, value=(), start_mark=None, end_mark=None):
        super().__init__(value)
        self.start_mark = start_mark
        self.end_mark = end_mark

    def get(self, key, default=None):
        if isinstance(default, dict):
            default = dict_node(default, self.start_mark, self.end_mark)
        return super().get(key, default)

    def __deepcopy__(self, memo):
        copied = dict_node((), self.start_mark, self.end_mark)
        memo[id(self)] = copied
        for key, value in self.items():
            copied[key] = deepcopy(value, memo)
        return copied

    def __reduce__(self):
        return dict_node, (dict(self), self.start_mark, self.end_mark)


class list_node(list):  # noqa: N801
    __slots__ = ("start_mark", "end_mark")

    def __init__(self, value=(), start_mark=None, end_mark=None):
        super().__init__(value)
        self.start_mark = start_mark
        self.end_mark = end_mark

    def __deepcopy__(self, memo):
        copied = list_node((), self.start_mark, self.end_mark)
        memo[id(self)] = copied
        copied.extend(deepcopy(value, memo) for value in self)
        return copied

    def __reduce__(self):
        return list_node, (list(self), self.start_mark, self.end_mark)


def as_cfn_lint_nodes(value):
    """A copy of parsed values in cfn-lint's own node classes, at the same marks, for
    cfn-lint's code (its rules, its `Fn::ForEach` transform) that tests for them."""
    from cfnlint.decode.node import dict_node as cfn_dict
    from cfnlint.decode.node import list_node as cfn_list
    from cfnlint.decode.node import str_node as cfn_str

    copied: dict[int, object] = {}  # an aliased node stays one object

    def convert(item):
        if isinstance(item, str_node):
            return cfn_str(item, item.start_mark, item.end_mark)
        if not isinstance(item, dict | list):
            return item
        key = id(item)
        if key in copied:
            return copied[key]
        marks = getattr(item, "start_mark", None), getattr(item, "end_mark", None)
        if isinstance(item, dict):
            result = copied[key] = cfn_dict({}, *marks)
            for name, child in item.items():
                result[convert(name)] = convert(child)
        else:
            result = copied[key] = cfn_list([], *marks)
            result.extend(convert(child) for child in item)
        return result

    return convert(value)
