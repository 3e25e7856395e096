"""The console report at scale: identical findings grouped across resources, the offending
line marked, each rule's fix hint once per file, a summary per rule, the count of what
`tapcheck fix` can fix, and suppressed findings listed with their reasons."""

from __future__ import annotations

import re

from conftest import FIXTURES, SEED, needs_shared

FAILING = FIXTURES / "cli" / "failing.yml"
SUPPRESSED = FIXTURES / "suppressions" / "used_with_reason.yml"


def test_offending_line_marked_fix_hint_once_and_fixable_count(run_cli):
    code, out, _ = run_cli(FAILING)
    assert code == 1
    assert ">  14 |   Address:" not in out and "> 14 |   Address:" in out and "  13 |         - {Key" in out
    assert out.count("fix: add the missing tag keys") == 1  # four TAP101 findings, one hint
    assert out.splitlines()[-1] == "4 fixable with `tapcheck fix` (TAP101 ×4)"
    assert "By rule" not in out  # one rule: the area table says it all


def test_suppressed_findings_are_listed_with_their_reasons(run_cli):
    code, out, _ = run_cli(SUPPRESSED)
    assert code == 0
    lines = out.splitlines()
    at = lines.index("  suppressed (1)")
    assert lines[at + 1].startswith(f"    TAP101 Address  {SUPPRESSED}:3:3  AWS::EC2::EIP is missing")
    assert lines[at + 2] == "      reason: Elastic IPs are tagged by the network team's automation"
    assert "fixable with" not in out  # suppressed findings need no fixing


@needs_shared
def test_seed_report_groups_identical_findings_and_summarises_per_rule(run_cli):
    code, out, _ = run_cli(SEED)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) < 220  # 377 before grouping
    assert "    3 resources: PrivateSubnetAZ1 :81, PrivateSubnetAZ2 :98, PublicSubnetAZ1 :116" in lines
    assert out.count("AWS::EC2::Subnet is missing required tag(s) 'Environment'") == 1
    assert out.count("fix: add the missing tag keys to the resource's Tags") == 1  # 21 TAP101 findings
    assert "    > 146 |   NATGatewayEIP:" in lines
    rows = {m[1]: m for m in re.finditer(r"^ (TAP\d+) +│ ([\w-]+) +│ (\w+) +│ +(\d+) │ +(\d+) │ (.*)$", out, re.M)}
    assert rows["TAP101"].group(4) == "21" and rows["TAP101"].group(6).strip() == "tapcheck fix"
    assert rows["TAP307"].group(3) == "warning" and rows["TAP307"].group(4) == "7"
    order = list(rows)
    assert order.index("TAP101") < order.index("TAP307")  # errors first
    assert lines[-2] == "40 errors, 18 warnings, 0 info in 1 checked file"  # with 2 managed policies on '*' (TAP302)
    assert lines[-1] == "21 fixable with `tapcheck fix` (TAP101 ×21)"
