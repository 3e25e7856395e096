"""tapcheck's loader reads every template of the shared corpus and of the tests' fixtures
as cfn-lint's decoder does: the same data (values, types, key order) and the same marks
wherever cfn-lint's decoder has them.

Where they differ it is cfn-lint's decoder that is wrong, and the comparison allows for it:
- JSON columns: cfn-lint's JSON marks carry 1-based columns where its YAML marks (and
  everything that reads them, cfn-lint included) expect 0-based ones, one column to the
  right of the key; tapcheck's JSON columns are 0-based as YAML's are.
- JSON objects and arrays: cfn-lint marks one at the character after its opening bracket,
  which in pretty-printed JSON is the line break, taken as column 0 of the next line;
  tapcheck marks it at its first element. The lines agree; the columns are not compared.
- JSON strings that are not keys: cfn-lint gives them no marks (so a finding on an action
  in a list pointed at its statement); tapcheck's have theirs, nothing to compare.
- An empty document: cfn-lint reads it as an empty template, tapcheck refuses it (there
  is nothing to check); a file either loader refuses, the other must refuse too.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from cfnlint.decode import cfn_json, cfn_yaml

from tapcheck.checker.model import loader
from tapcheck.checker.model.json_decoder import parsed_as_json

from conftest import CORPUS, FIXTURES, needs_shared

pytestmark = needs_shared

SUFFIXES = (".yaml", ".yml", ".json", ".template")
TEMPLATES = sorted(p for p in (CORPUS.iterdir() if CORPUS.is_dir() else ()) if p.suffix in SUFFIXES) + sorted(
    p for p in FIXTURES.rglob("*") if p.suffix in SUFFIXES and p.is_file()
)


def cfn_lint_decode(text: str):
    """cfn-lint's data for a text (its JSON decoder first when tapcheck read it as JSON)."""
    if text.lstrip().startswith("{"):
        try:
            return cfn_json.loads(text)
        except Exception:  # noqa: S110 - JSON-looking YAML: read as YAML, as both loaders do
            pass
    return cfn_yaml.loads(text)


def differences(ours, theirs, path: str, json: bool) -> list[str]:
    """Where two decoded values differ, as `path: what` lines."""
    kinds = (bool, int, float, str, dict, list)
    if next((k for k in kinds if isinstance(ours, k)), type(ours)) != next(
        (k for k in kinds if isinstance(theirs, k)), type(theirs)
    ):
        return [f"{path}: {type(ours).__name__} != {type(theirs).__name__}"]
    found = []
    their_mark = getattr(theirs, "start_mark", None)
    if their_mark is not None:
        our_mark = getattr(ours, "start_mark", None)
        if our_mark is None:
            return [f"{path}: no mark, cfn-lint has one"]
        ours_at, theirs_at = (our_mark.line, our_mark.column), (their_mark.line, their_mark.column)
        if json:
            theirs_at = (theirs_at[0], theirs_at[1] - 1)
            if isinstance(ours, dict | list):
                ours_at, theirs_at = ours_at[:1], theirs_at[:1]
        if ours_at != theirs_at:
            found.append(f"{path}: at {ours_at}, cfn-lint at {theirs_at}")
    if isinstance(ours, dict):
        if [str(k) for k in ours] != [str(k) for k in theirs]:
            return [*found, f"{path}: keys {list(ours)[:8]} != {list(theirs)[:8]}"]
        for our_key, their_key in zip(ours, theirs, strict=True):
            found += differences(our_key, their_key, f"{path}.<key {our_key}>", json)
            found += differences(ours[our_key], theirs[their_key], f"{path}.{our_key}", json)
    elif isinstance(ours, list):
        if len(ours) != len(theirs):
            return [*found, f"{path}: {len(ours)} items != {len(theirs)}"]
        for index, (mine, other) in enumerate(zip(ours, theirs, strict=True)):
            found += differences(mine, other, f"{path}[{index}]", json)
    elif ours != theirs and not (isinstance(ours, float) and math.isnan(ours) and math.isnan(theirs)):
        found.append(f"{path}: {ours!r} != {theirs!r}")
    return found


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_the_loader_reads_what_cfn_lints_decoder_reads(path: Path):
    text = path.read_text(encoding="utf-8-sig")
    try:
        ours = loader.parse(text)
    except loader.TemplateError as err:
        ours, refused = None, err.message
    else:
        refused = None
    try:
        theirs = cfn_lint_decode(text)
    except Exception as err:  # cfn-lint's decoder raises several kinds
        theirs, their_refusal = None, f"{type(err).__name__}: {err}"
    else:
        their_refusal = None
    if refused or their_refusal:
        empty = their_refusal is None and theirs == {} and refused == "file holds no YAML document"
        assert empty or (refused and their_refusal), f"tapcheck: {refused}; cfn-lint: {their_refusal}"
        return
    found = differences(ours, theirs, "$", parsed_as_json(ours))
    assert not found, "\n".join(found[:20])


def test_every_template_is_compared():
    assert len(TEMPLATES) > 400 and any(p.suffix == ".json" for p in TEMPLATES)
