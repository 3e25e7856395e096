"""Loading: what parses, and every kind of file that cannot be checked becoming a clean
error with its place, never an exception, a hang or unbounded memory."""

from __future__ import annotations

import os

import pytest

from tapcheck.checker.findings import FileError
from tapcheck.checker.model.loader import (
    MAX_DEPTH,
    MAX_EXPANDED_NODES,
    MAX_MAPPING_KEYS,
    MAX_TEMPLATE_BYTES,
    load_template,
)

from conftest import check_text, run_process

MINIMAL = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"

ALIAS_BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      Tags: *i
"""

BAD_INPUTS = {
    "not yaml": ("Resources:\n  Queue: [unclosed\n", "invalid YAML", 3),
    "list document": ("- a\n- b\n", "the document is a list, not a mapping", None),
    "scalar document": ("just text\n", "the document is a string, not a mapping", None),
    "no resources": ("AWSTemplateFormatVersion: '2010-09-09'\nOutputs: {}\n", "no Resources section", None),
    "resources not a mapping": ("Resources:\n  - Queue\n", "Resources must be a mapping", 2),
    "resource without type": ("Resources:\n  Queue:\n    Properties: {}\n", "resource Queue has no Type", 2),
    "resource not a mapping": ("Resources:\n  Queue: AWS::SQS::Queue\n", "resource Queue must be a mapping", 2),
    "properties not a mapping": (
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties: 1\n",
        "Properties that are not a mapping",
        2,
    ),
    "duplicate keys": (MINIMAL + "  Queue:\n    Type: AWS::SNS::Topic\n", "duplicate key 'Queue' (first at line 2)", 4),
    "python object tag": (
        "Resources: !!python/object/apply:os.system ['touch /tmp/tapcheck-pwned']\n",
        "unsupported YAML tag !!python/object/apply:os.system",
        1,
    ),
    "alias bomb": (ALIAS_BOMB, "alias bomb", None),
    "recursive alias": ("Resources: &r\n  Queue: *r\n", "recursive YAML alias", None),
    "empty": ("", "file is empty", None),
    "comments only": ("# nothing here\n", "file holds no YAML document", None),
    "invalid json": ('{"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}\n "Topic": {}}}', "invalid JSON", 2),
    "json duplicate keys": (
        '{"Resources": {\n"A": {"Type": "X"},\n"A": {"Type": "Y"}}}',
        "duplicate key 'A' (first at line 2)",
        3,
    ),
    "json invalid escape": (
        '{"Resources": {\n"A": {"Type": "AWS::S3::B\\qucket"}}}',
        "invalid JSON: Invalid \\escape",
        2,
    ),
    "json integer too long": (
        '{"Resources": {\n"A": {"Type": "X", "Properties": {"N": ' + "9" * 5000 + "}}}}",
        "integer",
        2,
    ),
    "yaml integer too long": (MINIMAL + "    Properties:\n      N: " + "9" * 5000 + "\n", "integer", 5),
    "null key": ("Resources:\n  ~: 1\n", "null key", 2),
    "mapping as key": ("Resources:\n  ? [a]\n  : 1\n", "a mapping or list as a key", 2),
    "pre-processor type": ("Resources:\n  Net:\n    Type: !Rain::Module vpc.yml\n", "pre-processor", 2),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_a_file_error_with_message_and_line(tmp_path, case):
    text, message, line = BAD_INPUTS[case]
    result = check_text(tmp_path, text)
    assert result.status == "error"
    assert message in result.error.message
    if line is not None:
        assert result.error.line == line
    assert not os.path.exists("/tmp/tapcheck-pwned")


def test_binary_file(tmp_path):
    path = tmp_path / "template.yml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    error = load_template(path)
    assert isinstance(error, FileError) and "binary file" in error.message


def test_not_utf8(tmp_path):
    path = tmp_path / "template.yml"
    path.write_bytes(b"Resources:\n  Q\xe9:\n    Type: AWS::SQS::Queue\n")
    error = load_template(path)
    assert isinstance(error, FileError) and "not UTF-8" in error.message and error.line == 2


def test_missing_file_and_directory(tmp_path):
    assert load_template(tmp_path / "nope.yml").message == "file not found"
    assert "is a directory" in load_template(tmp_path).message


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "template.yml"
    path.write_text(MINIMAL)

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(path), "read_bytes", denied)  # root could read a mode-000 file
    assert load_template(path).message == "permission denied"


def test_file_too_large(tmp_path):
    path = tmp_path / "template.yml"
    path.write_text(MINIMAL + "#" * MAX_TEMPLATE_BYTES)
    assert "larger than" in load_template(path).message


def test_flow_nesting_that_would_crash_the_c_parser(tmp_path):
    # 100,000 nested brackets overflow libyaml's composer stack: refused before it.
    result = check_text(tmp_path, "Resources: " + "[" * 100_000 + "]" * 100_000)
    assert result.status == "error" and "nesting deeper" in result.error.message


def test_nesting_limit(tmp_path):
    deep = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    assert "nesting deeper" in check_text(tmp_path, f"Resources:\n  Q:\n    Type: X\n    P: {deep}\n").error.message
    assert "nesting deeper" in check_text(tmp_path, '{"Resources": ' + deep + "}", name="t.json").error.message


def test_wide_mapping_limit(tmp_path):
    keys = "".join(f"  K{i}: v\n" for i in range(MAX_MAPPING_KEYS + 1))
    assert "keys, more than" in check_text(tmp_path, "Resources:\n" + keys).error.message
    body = ",".join(f'"K{i}": 1' for i in range(MAX_MAPPING_KEYS + 1))
    assert "keys, more than" in check_text(tmp_path, '{"Resources": {' + body + "}}", name="t.json").error.message


def test_alias_bomb_limit_is_on_expanded_size():
    assert 9**9 > MAX_EXPANDED_NODES


def test_reused_aliases_within_limits_load(tmp_path):
    text = (
        MINIMAL.replace(
            "Type: AWS::SQS::Queue",
            "Type: AWS::SQS::Queue\n    Properties:\n      Tags: &t\n        - {Key: a, Value: b}",
        )
        + "  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      Tags: *t\n"
    )
    assert check_text(tmp_path, text).status == "checked"


def test_short_and_long_intrinsic_forms_are_the_same(tmp_path):
    template = """
Parameters:
  Environment: {Type: String, AllowedValues: [a, b], Default: a}
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      Tags:
        - Key: Environment
          Value: VALUE
"""
    short = check_text(tmp_path, template.replace("VALUE", "!Sub '${Environment}-x'"), name="short.yml")
    long = check_text(tmp_path, template.replace("VALUE", '{"Fn::Sub": "${Environment}-x"}'), name="long.yml")
    as_json = check_text(
        tmp_path,
        """{
  "Parameters": {"Environment": {"Type": "String", "AllowedValues": ["a", "b"], "Default": "a"}},
  "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {
    "Tags": [{"Key": "Environment", "Value": {"Fn::Sub": "${Environment}-x"}}]}}}
}""",
        name="t.json",
    )

    def summary(result):
        return sorted((f.rule_id, f.message, tuple(f.scenarios)) for f in result.findings)

    assert summary(short) == summary(long) == summary(as_json)
    assert any("'a-x', not the value of parameter Environment" in f.message for f in short.findings)


def test_json_with_tabs_and_line_numbers(tmp_path):
    text = '{\n\t"Resources": {\n\t\t"Address": {\n\t\t\t"Type": "AWS::EC2::EIP"\n\t\t}\n\t}\n}\n'
    result = check_text(tmp_path, text, name="t.json")
    (finding,) = result.findings
    assert finding.rule_id == "TAP101" and finding.line == 3


def test_cli_reports_bad_files_and_still_checks_the_others(tmp_path):
    good = tmp_path / "good.yml"
    good.write_text("Resources:\n  Address:\n    Type: AWS::EC2::EIP\n")
    bad = tmp_path / "bad.yml"
    bad.write_text("Resources: [unclosed\n")
    bomb = tmp_path / "bomb.yml"
    bomb.write_text(ALIAS_BOMB)
    process = run_process("--no-color", bad, good, bomb, tmp_path / "missing.yml")
    assert process.returncode == 2
    assert "Traceback" not in process.stdout + process.stderr
    out = process.stdout
    assert f"{bad}:2" in out and "could not be checked" in out
    assert f"{bomb}" in out and "alias bomb" in out
    assert "missing.yml: could not be checked: file not found" in out
    assert "TAP101" in out and "good.yml:2:3" in out
    assert "3 files could not be checked" in out
