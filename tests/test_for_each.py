"""`Fn::ForEach` loops: tapcheck's rules check the resources they create, at the loop body's lines."""

from __future__ import annotations

from tapcheck.checker.config import Config
from tapcheck.checker.fixing.fixes import fix_file

from conftest import check_text

LOOP = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Queues:
    - Name
    - [Orders, Invoices]
    - Queue${Name}:
        Type: AWS::SQS::Queue
        Metadata:
          tapcheck:
            suppress:
              - id: TAP501
                reason: the consumers alarm on their own backlog
        Properties:
          QueueName: !Sub '${Name}-queue'
  Tagged:
    Type: AWS::SNS::Topic
    Properties:
      KmsMasterKeyId: alias/aws/sns
      Tags:
        - {Key: project, Value: iac-rlhf-amazon}
        - {Key: team-number, Value: '2'}
        - {Key: Environment, Value: dev}
"""


def test_resources_a_loop_creates_are_checked_at_the_lines_of_its_body(tmp_path):
    result = check_text(tmp_path, LOOP)
    assert result.status == "checked" and result.notes == []
    tags = [f for f in result.findings if f.rule_id == "TAP101"]
    assert {f.resource for f in tags} == {"QueueOrders", "QueueInvoices"}
    assert {f.line for f in tags} == {7}  # `Queue${Name}:` in the loop body
    (names,) = [f for f in result.findings if f.rule_id == "TAP401"]
    assert "sets 2 explicit physical name(s)" in names.message  # one per created queue
    # the suppression in the loop body applies to every resource the loop creates
    assert {(f.rule_id, f.resource) for f in result.suppressed} == {
        ("TAP501", "QueueOrders"),
        ("TAP501", "QueueInvoices"),
    }
    assert not any(f.resource == "Tagged" for f in result.findings if f.rule_id == "TAP101")


def test_cfn_lint_reads_the_template_as_written(tmp_path):
    own = check_text(tmp_path, LOOP, Config(engines=("cfn-lint",)))
    assert own.status == "checked"
    assert not any(f.engine == "cfn-lint" and "Fn::ForEach" in f.message for f in own.findings)


def test_a_loop_that_cannot_be_expanded_is_a_note_naming_why(tmp_path):
    undeclared = check_text(tmp_path, LOOP.replace("Transform: AWS::LanguageExtensions\n", ""), name="a.yml")
    (note,) = undeclared.notes
    assert note.startswith("Fn::ForEach::Queues: Fn::ForEach loops are not expanded")
    assert "does not declare the AWS::LanguageExtensions transform" in note
    assert not any(f.resource and f.resource.startswith("Queue") for f in undeclared.findings)

    # cfn-lint would make up names for a collection known only at deployment
    unknown = check_text(tmp_path, LOOP.replace("- [Orders, Invoices]", "- !Ref Names"), name="b.yml")
    (note,) = unknown.notes
    assert "(the collection of Fn::ForEach::Queues is known only at deployment)" in note
    assert not any(f.resource and f.resource.startswith("Queue") for f in unknown.findings)
    with_default = LOOP.replace("- [Orders, Invoices]", "- !Ref Names").replace(
        "Resources:\n", "Parameters:\n  Names: {Type: CommaDelimitedList, Default: 'Orders,Refunds'}\nResources:\n", 1
    )
    defaults = check_text(tmp_path, with_default, name="c.yml")
    assert defaults.notes == []
    assert {f.resource for f in defaults.findings if f.rule_id == "TAP101"} == {"QueueOrders", "QueueRefunds"}

    broken = check_text(tmp_path, LOOP.replace("    - Name\n", "    - 42\n"), name="d.yml")
    assert broken.status == "checked"
    (note,) = broken.notes
    assert "Fn::ForEach loops are not expanded (cfn-lint" in note

    body = LOOP.index("        Type: AWS::SQS::Queue")
    truncated = check_text(tmp_path, LOOP[: body + len("        T")], name="e.yml")  # found by fuzzing
    assert truncated.status == "checked"
    (note,) = truncated.notes
    assert "(what they create is not a valid resource: resource QueueOrders must be a mapping)" in note


def test_fix_lists_what_a_loop_creates_and_leaves_the_loop_alone(tmp_path):
    path = tmp_path / "loop.yml"
    path.write_text(LOOP, encoding="utf-8")
    result = fix_file(path, Config(), {"TAP101", "TAP401"})
    assert result.error is None and not result.changed
    reasons = {f.resource: f.message for f in result.manual if f.rule_id == "TAP101"}
    assert set(reasons) == {"QueueOrders", "QueueInvoices"}
    assert all("created by an Fn::ForEach loop" in message for message in reasons.values())


def test_loops_that_would_create_too_many_resources_are_refused_before_expanding(run_cli, tmp_path):
    values = "[" + ", ".join(f"V{i}" for i in range(40)) + "]"
    bomb = f"""\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::LanguageExtensions
Parameters:
  Names: {{Type: CommaDelimitedList, Default: 'a,b'}}
Resources:
  Fn::ForEach::Outer:
    - X
    - {values}
    - Fn::ForEach::Middle:
        - Y
        - {values}
        - Fn::ForEach::Inner:
            - Z
            - !Ref Names
            - Topic${{X}}${{Y}}${{Z}}:
                Type: AWS::SNS::Topic
"""
    (tmp_path / "bomb.yml").write_text(bomb, encoding="utf-8")
    (tmp_path / "fine.yml").write_text(LOOP, encoding="utf-8")
    code, out, err = run_cli("bomb.yml", "fine.yml", "--engines", "tapcheck", "--no-cache")
    assert code == 2
    assert (
        "bomb.yml:6: could not be checked: the Fn::ForEach loops would create 3,200 resources "
        "(CloudFormation allows 500); refused before expanding them" in " ".join((out + err).split())
    )
    assert "QueueOrders" in out  # the other file is still checked
