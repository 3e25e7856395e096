"""Robustness under hostile input: mutated real templates never crash the checker, a
run never touches the network, and a template can never make tapcheck execute code or
read files it was not asked to check.

The fuzz test runs TAPCHECK_FUZZ_EXAMPLES examples (default 25; a long run sets more).
"""

from __future__ import annotations

import copy
import csv
import json
import os
import socket
import sys
import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tapcheck.checker.cli import main
from tapcheck.checker.config import Config
from tapcheck.checker.engines import checkov as checkov_engine
from tapcheck.checker.findings import FileError
from tapcheck.checker.model.loader import load_template
from tapcheck.checker.runner import check_file

from conftest import CORPUS, SEED, needs_shared

FUZZ_EXAMPLES = int(os.environ.get("TAPCHECK_FUZZ_EXAMPLES", "25"))
SECONDS_PER_CASE = 60


def small_corpus_templates() -> list[str]:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        return []
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    small = [
        r["file"] for r in rows if r["parse_ok"] == "yes" and int(r["bytes"]) < 12_000 and int(r["resource_count"])
    ]
    return sorted(name for name in small if not isinstance(load_template(CORPUS / name), FileError))


SAMPLE = small_corpus_templates()
_plain_cache: dict[str, object] = {}


def plain(name: str):
    """A corpus template as plain JSON-able data."""
    if name not in _plain_cache:
        loaded = load_template(CORPUS / name)
        _plain_cache[name] = json.loads(json.dumps(loaded.data, default=str))
    return json.loads(json.dumps(_plain_cache[name]))


# fresh objects each time: a mutation must never change a later example's input
REPLACEMENTS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.just("x" * 300_000),
    st.just("\u202e\u0000\ud7ff\U0001f600 ✓ 名前 \t\n"),
    st.builds(list),
    st.builds(dict),
    st.just({"Ref": "Nowhere"}).map(copy.deepcopy),
    st.just({"Fn::GetAtt": ["Missing", "Arn"]}).map(copy.deepcopy),
    st.just({"Fn::Sub": "${Missing.Arn}-${AWS::Region}-${!Literal}"}).map(copy.deepcopy),
    st.just({"Fn::If": ["NoSuchCondition", 1, 2]}).map(copy.deepcopy),
    st.just({"Fn::FindInMap": ["No", "Such", "Key"]}).map(copy.deepcopy),
    st.just({"Fn::Select": [99, []]}).map(copy.deepcopy),
    st.just({"Condition": "Loop"}).map(copy.deepcopy),
)


def pick_path(data, node) -> list:
    path = []
    while isinstance(node, (dict, list)) and node and data.draw(st.integers(0, 3)) > 0:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = data.draw(st.sampled_from(keys))
        path.append(key)
        node = node[key]
    return path


def mutate(data, document):
    path = pick_path(data, document)
    if not path:
        return document
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    action = data.draw(st.sampled_from(["drop", "replace", "nest", "rename", "duplicate-into-list"]))
    if action == "drop":
        del parent[key]
    elif action == "replace":
        parent[key] = data.draw(REPLACEMENTS)
    elif action == "nest":
        value = parent[key]
        for _ in range(data.draw(st.integers(1, 60))):
            value = data.draw(
                st.sampled_from(
                    [
                        lambda v: {"Fn::If": ["IsProduction", v, {"Ref": "AWS::NoValue"}]},
                        lambda v: {"Fn::Join": ["", [v]]},
                        lambda v: {"Fn::Select": [0, [v]]},
                        lambda v: [v],
                    ]
                )
            )(value)
        parent[key] = value
    elif action == "rename" and isinstance(parent, dict):
        parent[data.draw(st.text(max_size=20))] = parent.pop(key)
    elif action == "duplicate-into-list":
        parent[key] = [parent[key], parent[key]]
    return document


def serialize(data, document) -> str:
    form = data.draw(st.sampled_from(["json", "yaml", "yaml-with-duplicate-line", "truncated"]))
    if form == "json":
        return json.dumps(document, indent=1)
    text = yaml.safe_dump(document, allow_unicode=True, width=200, sort_keys=False)
    lines = text.splitlines(keepends=True)
    if form == "yaml-with-duplicate-line" and lines:
        index = data.draw(st.integers(0, len(lines) - 1))
        lines.insert(index, lines[index])
    if form == "truncated" and lines:
        return "".join(lines)[: data.draw(st.integers(0, len(text)))]
    return "".join(lines)


@needs_shared
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_mutated_corpus_templates_never_crash(data, tmp_path_factory):
    name = data.draw(st.sampled_from(SAMPLE))
    document = plain(name)
    for _ in range(data.draw(st.integers(1, 5))):
        document = mutate(data, document)
    path = tmp_path_factory.mktemp("fuzz") / ("t.json" if data.draw(st.booleans()) else "t.yaml")
    path.write_text(serialize(data, document), encoding="utf-8", errors="surrogatepass")
    started = time.perf_counter()
    result = check_file(path, Config())
    elapsed = time.perf_counter() - started
    assert result.status in ("checked", "error")
    if result.status == "error":
        assert "internal error" not in result.error.message, (name, result.error.message)
    else:
        assert all(f.line >= 1 and f.message for f in result.findings)
    assert elapsed < SECONDS_PER_CASE


def all_engines() -> str:
    return "tapcheck,cfn-lint,checkov" if checkov_engine.available() else "tapcheck,cfn-lint"


@needs_shared
def test_linting_makes_no_network_connection(monkeypatch, capsys, tmp_path):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access during a lint run")

    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    files = [SEED, *sorted(CORPUS.glob("serverless-application-model__*"))[:10]]
    code = main(["-q", "--no-cache", "-j", "1", "--engines", all_engines(), *map(str, files)])
    out, err = capsys.readouterr()
    assert code in (0, 1, 2) and "Traceback" not in out + err
    assert attempts == []


SECRET = "tapcheck-test-secret-contents"
_opened: list[str] = []
_watching = False


def _audit(event, args):
    if _watching and event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


def hostile_templates(secret) -> dict[str, str]:
    relative = os.path.relpath(secret, secret.parent / "stacks")
    return {
        "python-apply.yml": "Resources: !!python/object/apply:os.system ['touch CANARY']\n",
        "python-name.yml": "Resources:\n  X:\n    Type: !!python/name:os.system\n",
        "python-new.yml": "Resources: !!python/object/new:subprocess.Popen [['touch', 'CANARY']]\n",
        "include-tag.yml": f"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: !include {relative}\n",
        "aws-include.yml": (
            "Transform:\n  Name: AWS::Include\n  Parameters:\n    Location: " + relative + "\n"
            "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Fn::Transform:\n"
            "        Name: AWS::Include\n        Parameters:\n          Location: file://" + str(secret) + "\n"
        ),
        "sam-paths.yml": (
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n"
            "    Metadata:\n      tapcheck:\n        source: " + relative + "\n"
            "    Properties:\n      Runtime: python3.13\n      Handler: app.handler\n      CodeUri: " + relative + "\n"
        ),
        "json-transform.json": json.dumps(
            {
                "Resources": {
                    "Q": {
                        "Type": "AWS::SQS::Queue",
                        "Properties": {
                            "Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": str(secret)}}
                        },
                    }
                }
            }
        ),
    }


def test_templates_cannot_execute_code_or_read_other_files(tmp_path, monkeypatch, capsys):
    global _watching
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    for name, text in hostile_templates(secret).items():
        (stacks / name).write_text(text)
    monkeypatch.chdir(stacks)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _opened.clear()
    _watching = True
    try:
        code = main(["-f", "json", "--no-cache", "-j", "1", "--engines", all_engines(), *sorted(os.listdir(stacks))])
    finally:
        _watching = False
    out, err = capsys.readouterr()
    assert code in (1, 2) and "Traceback" not in out + err
    assert not (stacks / "CANARY").exists() and not (tmp_path / "CANARY").exists()
    assert SECRET not in out
    assert not [p for p in _opened if os.path.abspath(p) == str(secret)]
    report = json.loads(out)
    errors = {e["file"]: e["message"] for e in report["errors"]}
    assert "unsupported YAML tag" in errors["python-apply.yml"] and "unsupported YAML tag" in errors["python-new.yml"]


@pytest.mark.parametrize(
    "tag", ["!!python/object/apply:os.system", "!!python/object/new:os.system", "!!python/name:os.system"]
)
def test_python_tags_are_errors(tmp_path, tag):
    path = tmp_path / "t.yml"
    path.write_text(f"Resources:\n  Q:\n    Type: {tag} ['echo']\n")
    result = check_file(path)
    assert result.status == "error" and "unsupported YAML tag" in result.error.message
