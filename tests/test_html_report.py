"""The HTML report as a browser lays it out: headless Chromium (Debian's `chromium`, which
.ci/run installs when it is missing) opens the page at 1,000 and 1,400 px and a script
measures it. Set TAPCHECK_SCREENSHOTS=DIR to keep a screenshot of each width there."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import replace
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tapcheck.checker.config import Config
from tapcheck.checker.findings import FileResult, Finding, Result
from tapcheck.checker.runner import run
from tapcheck.reports import RENDERERS

from conftest import FIXTURES, SEED

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTHS = (1000, 1400)

# Appended to a copy of the report: what the laid-out page looks like, as JSON in the DOM
MEASURE = """<script>
(() => {
  const box = e => e.getBoundingClientRect();
  const table = document.getElementById('findings');
  const overflowing = [...document.querySelectorAll('td, th, h1, h2, h3, p, li')]
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => e.tagName + ': ' + e.textContent.slice(0, 80));
  const metrics = {
    viewport: document.documentElement.clientWidth,
    page: document.documentElement.scrollWidth,
    table: box(table).width,
    columns: [...table.tHead.rows[0].cells].map(c => box(c).width),
    overflowing,
    shown: document.getElementById('f-count').textContent,
  };
  const out = document.createElement('pre');
  out.id = 'metrics';
  out.textContent = JSON.stringify(metrics);
  document.body.appendChild(out);
})();
</script>"""


@pytest.fixture(scope="module")
def browser() -> str:
    if BROWSER is None:
        if os.environ.get("CI"):  # .ci/run installs it: missing in CI is a broken CI, not a skip
            pytest.fail("chromium is not installed; .ci/run should have installed it")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return BROWSER


@pytest.fixture(scope="module")
def result() -> Result:
    """The seed (or the fixtures without ../shared), a suppressed finding, info findings,
    and a finding whose path, file name and message have long runs without a place to break."""
    paths = [
        str(FIXTURES / "fix" / "mixed.yml"),
        str(FIXTURES / "suppressions" / "used_with_reason.yml"),
        str(FIXTURES / "encryption" / "tap201_stores.yml"),
    ]
    checked = run(([str(SEED)] if SEED.is_file() else []) + paths, Config())
    long = Finding(
        "TAP302",
        "wildcard-resource",
        "error",
        "iam",
        "../" + "deeply-nested-directory-name-" * 4 + "stack.yml",  # sorts first: on the screenshots
        "ApplicationLambdaExecutionRoleWithAVeryLongLogicalId",
        "Properties.Policies.0.PolicyDocument.Statement.3.Condition.StringEquals.aws:PrincipalOrgID",
        12,
        7,
        "allows Resource '*' for arn:aws:s3:::" + "x" * 120,
        snippet="> 12 |       Resource: '*'  # " + "a-very-long-comment-" * 10,
    )
    extra = FileResult(long.file, "checked", 1, [long])
    return replace(checked, files=[*checked.files, extra])


def layout(browser: str, page: Path, width: int, profile: Path) -> dict:
    command = [
        browser,
        "--headless",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--hide-scrollbars",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        f"--window-size={width},1200",
    ]
    process = subprocess.run([*command, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    metrics = re.search(r'<pre id="metrics">(.*?)</pre>', process.stdout, re.S)
    assert metrics, process.stderr[-2000:]
    if directory := os.environ.get("TAPCHECK_SCREENSHOTS"):
        shot = Path(directory).resolve() / f"report-{width}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([*command, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120)
    return json.loads(unescape(metrics.group(1)))


@pytest.mark.parametrize("width", WIDTHS)
def test_the_page_reads_well_at_common_widths(browser, result, tmp_path, width):
    page = tmp_path / "report.html"
    text = RENDERERS["html"](result, color=False, quiet=False)
    page.write_text(text.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    metrics = layout(browser, page, width, tmp_path / "profile")
    assert metrics["viewport"] == width
    assert metrics["page"] <= metrics["viewport"], metrics  # no horizontal scrollbar
    assert metrics["overflowing"] == []  # nothing runs out of its cell into the next
    rule, where, finding = metrics["columns"]
    assert finding >= 0.55 * metrics["table"], metrics  # the finding takes most of the width (60 px before)
    assert metrics["shown"] == f"{len(result.findings)} shown"  # the script ran


class Page(HTMLParser):
    """Links, ids, the severity filter's options and the header text of a report."""

    def __init__(self):
        super().__init__()
        self.links, self.ids, self.severities, self.header, self._in = [], set(), [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._in.append((tag, attrs.get("id")))
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a":
            self.links.append(attrs["href"])
        if tag == "option" and any(i == "f-sev" for _, i in self._in):
            self.severities.append(attrs["value"])

    def handle_endtag(self, tag):
        while self._in and self._in.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if any(t == "header" for t, _ in self._in):
            self.header.append(data)


def test_rules_lead_to_their_docs_and_the_page_says_when_and_where(result):
    page = Page()
    page.feed(RENDERERS["html"](result, color=False, quiet=False))
    internal = {link for link in page.links if link.startswith("#")}
    assert internal and all(link[1:] in page.ids for link in internal)  # every rule link has its target
    assert {f"rule-{f.rule_id}" for f in result.findings if f.engine == "tapcheck"} <= page.ids
    cfn_lint = [f for f in result.findings if f.engine == "cfn-lint"]
    assert cfn_lint and all(f"rule-{f.rule_id}" in page.ids for f in cfn_lint)  # cfn-lint's own description
    assert page.severities == ["", "error", "warning", "info"]  # by severity, not alphabetical
    header = " ".join(page.header)
    assert result.date.replace("T", " ") in header
    revision = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert result.revision == revision and revision[:12] in header  # CI checks a clone: there is a commit
    assert "legend" in page.ids
