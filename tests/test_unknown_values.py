"""Values that cannot be known before deployment (RULES.md v2): a rule answers soundly
without the value, or says at info what it could not decide; never an error or warning
on a guess, never silence, never a crash.

The property test takes a resource of a corpus template and changes one literal value
of its properties:
- `ref`: the value becomes a `Ref` to a new parameter without default (a
  `CommaDelimitedList` where it was a list of strings);
- `first`: a list becomes its first element (compared with the list cut to that
  element, so that only the form changes);
- `wrap`: a scalar or a mapping becomes a list of itself.
Then, against the template before the change: no internal error; no error or warning
that was not there before, on any resource; and every finding that is gone has an info
in its place (of its rule, or a new one), on its resource or on the changed one.

It runs TAPCHECK_UNKNOWN_VALUE_EXAMPLES examples (default 40). A failing example
prints the command that replays it alone:
`python tests/test_unknown_values.py TEMPLATE LOGICAL_ID PATH MUTATION` (PATH as JSON).
"""

from __future__ import annotations

import copy
import csv
import json
import os
import re
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from tapcheck.checker.config import Config
from tapcheck.checker.findings import FileError
from tapcheck.checker.model.intrinsics import intrinsic
from tapcheck.checker.model.loader import load_template
from tapcheck.checker.runner import check_file

from conftest import CORPUS, needs_shared

EXAMPLES = int(os.environ.get("TAPCHECK_UNKNOWN_VALUE_EXAMPLES", "40"))
PARAMETER = "TapcheckUnknownValue"
MUTATIONS = ("ref", "first", "wrap")
CONFIG = Config(engines=("tapcheck",))


def corpus_templates() -> list[str]:
    """Corpus templates that load, have resources and are small enough to check often."""
    if not (CORPUS / "MANIFEST.tsv").is_file():
        return []
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    names = [
        r["file"] for r in rows if r["parse_ok"] == "yes" and int(r["bytes"]) < 40_000 and int(r["resource_count"])
    ]
    return sorted(name for name in names if not isinstance(load_template(CORPUS / name), FileError))


TEMPLATES = corpus_templates()
_plain: dict[str, dict] = {}
_reference: dict[str, object] = {}


def plain(name: str) -> dict:
    """A corpus template as plain JSON data, with the extra parameter declared (unused)."""
    if name not in _plain:
        document = json.loads(json.dumps(load_template(CORPUS / name).data, default=str))
        parameters = document.get("Parameters")
        document["Parameters"] = {**(parameters if isinstance(parameters, dict) else {}), PARAMETER: {}}
        _plain[name] = document
    return copy.deepcopy(_plain[name])


def candidates(properties) -> list[tuple[list, str]]:
    """(path below the resource, mutation) for every literal value that can be changed."""
    found = []

    def walk(node, path):
        if isinstance(node, dict):
            if intrinsic(node) is not None:
                return
            if len(path) > 1:
                found.append((path, "wrap"))
            for key, value in node.items():
                walk(value, [*path, key])
        elif isinstance(node, list):
            if node and all(isinstance(item, str) for item in node):
                found.append((path, "ref"))
            if node:
                found.append((path, "first"))
            for index, value in enumerate(node):
                walk(value, [*path, index])
        elif isinstance(node, (str, int, float)):  # bool is an int
            found.extend([(path, "ref"), (path, "wrap")])

    walk(properties, ["Properties"])
    return found


def mutated(document: dict, logical_id: str, path: list, mutation: str) -> tuple[dict, dict]:
    """(the template before, the template after) one mutation."""
    before, after = copy.deepcopy(document), document
    parent = after["Resources"][logical_id]
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    value = parent[key]
    if mutation == "ref":
        kind = "CommaDelimitedList" if isinstance(value, list) else "String"
        after["Parameters"][PARAMETER] = {"Type": kind}
        parent[key] = {"Ref": PARAMETER}
    elif mutation == "first":
        parent[key] = value[0]
        cut = before["Resources"][logical_id]
        for part in path[:-1]:
            cut = cut[part]
        cut[key] = value[:1]
    elif mutation == "wrap":
        parent[key] = [value]
    else:
        raise ValueError(mutation)
    return before, after


def shown_path(path: list) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def check(document: dict):
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / "template.json"
        target.write_text(json.dumps(document), encoding="utf-8")
        result = check_file(target, CONFIG)
    assert result.status == "checked", result.error.message
    return result.findings


def reference(name: str, document: dict, mutation: str):
    """The findings before the change (the unchanged template's are computed once)."""
    if mutation == "first":
        return check(document)
    if name not in _reference:
        _reference[name] = check(document)
    return _reference[name]


def problems(before: list, after: list, logical_id: str, path: str) -> list[str]:
    """What breaks the contract, comparing findings before and after a change at `path`
    of `logical_id` (a list element `[0]` right below `path` is the same place as `path`
    itself). A finding that is gone is answered by an info of its rule, or a new info, on
    its resource or on the changed one (a template-level finding, another resource's
    alarm): one info may say what a value hides from several rules."""
    element = re.compile(re.escape(path) + r"\[0\](?=$|[.\[])")

    def key(finding):
        return (finding.rule_id, finding.severity, finding.resource, element.sub(path, finding.path))

    old, new = set(map(key, before)), set(map(key, after))
    found = []
    for item in new - old:
        if item[1] in ("error", "warning"):
            found.append(f"new {item[1]} {item[0]} on {item[2]} at {item[3]}")
    infos = {(f.rule_id, f.resource) for f in after if f.severity == "info"}
    infos |= {(None, item[2]) for item in new - old if item[1] == "info"}
    for item in old - new:
        answered = {(item[0], item[2]), (item[0], logical_id), (None, item[2]), (None, logical_id)}
        if not answered & infos:
            found.append(f"{item[1]} {item[0]} on {item[2]} at {item[3]} is gone with no info in its place")
    return found


def verify(name: str, logical_id: str, path: list, mutation: str) -> tuple[list[str], list, list]:
    before, after = mutated(plain(name), logical_id, path, mutation)
    old = reference(name, before, mutation)
    new = check(after)
    return problems(old, new, logical_id, shown_path(path)), old, new


def replay(name: str, logical_id: str, path: list, mutation: str) -> str:
    return f"python tests/test_unknown_values.py {name} {logical_id} '{json.dumps(path)}' {mutation}"


@needs_shared
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    phases=[Phase.generate],
)
@given(data=st.data())
def test_an_unknown_or_reshaped_value_never_gives_a_new_error_nor_silence(data):
    name = data.draw(st.sampled_from(TEMPLATES), label="template")
    resources = plain(name)["Resources"]
    logical_ids = [k for k, v in resources.items() if isinstance(v, dict) and isinstance(v.get("Properties"), dict)]
    assume(logical_ids)
    logical_id = data.draw(st.sampled_from(logical_ids), label="resource")
    options = candidates(resources[logical_id]["Properties"])
    assume(options)
    path, mutation = data.draw(st.sampled_from(options), label="change")
    found, _, _ = verify(name, logical_id, path, mutation)
    assert found == [], "\n".join([replay(name, logical_id, path, mutation), *found])


def main(argv: list[str]) -> int:
    """Replay one example: print the change and the findings it changed."""
    name, logical_id, path, mutation = argv[0], argv[1], json.loads(argv[2]), argv[3]
    found, old, new = verify(name, logical_id, path, mutation)
    print(f"{name}: {logical_id}.{shown_path(path)} ({mutation})")
    shown = {(f.rule_id, f.severity, f.resource, f.path, f.message) for f in old}
    after = {(f.rule_id, f.severity, f.resource, f.path, f.message) for f in new}
    for sign, items in (("-", shown - after), ("+", after - shown)):
        for item in sorted(items):
            print(sign, *item)
    print(*(found or ["contract holds"]), sep="\n")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
