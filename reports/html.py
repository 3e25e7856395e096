"""`--format html`: one self-contained page (no external assets) to open from CI.

A header with the totals, when the run happened and at which commit; a per-area summary
with a bar chart and its legend; a findings table that sorts by column and filters by
severity, area, file and text, each finding with its snippet (the offending line marked)
and fix hint, its rule id leading to the rule's documentation; the documentation of every
rule the findings name; suppressed findings with their reasons, the files that could not
be checked, the scenarios and the engines with their versions. The rows are rendered on
the server, so the page reads without JavaScript; the script only sorts and filters.

The layout reads from 1,000 px wide windows up: the findings table has three columns
(rule, where, finding) of which the finding takes most of the width; long paths and
messages wrap inside their cell and snippets scroll inside their box, so the page never
scrolls sideways (tests/test_html_report.py checks it in headless Chromium).
"""

from __future__ import annotations

from html import escape

from markdown_it import MarkdownIt

from tapcheck.checker.findings import AREA_COLUMNS, SEVERITIES, Finding, Result, RuleMetadata

from .paths import display_path

STYLE = """
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#c9d1d9}header code{color:#fff}
header>div,main{max-width:1600px;margin:0 auto}main{padding:16px 24px}
section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px 16px;margin-bottom:16px}
h2{font-size:16px;margin:0 0 8px}h3{font-size:15px;margin:16px 0 4px}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #d8dee4;vertical-align:top;overflow-wrap:anywhere}
th{background:#f6f8fa;cursor:pointer;user-select:none;white-space:nowrap}th.num,td.num{text-align:right}
.sev{display:inline-block;font-weight:600;border-radius:10px;padding:1px 8px;font-size:12px;white-space:nowrap}
.error{background:#ffebe9;color:#cf222e}.warning{background:#fff8c5;color:#9a6700}.info{background:#ddf4ff;color:#0969da}
pre{background:#f6f8fa;border-radius:4px;padding:6px 8px;margin:6px 0 0;font-size:12px;white-space:pre;overflow-x:auto}
pre .at{font-weight:700;background:#fff8c5}
#findings{table-layout:fixed}#findings col.rule{width:180px}#findings col.where{width:230px}
.fix{color:#1a7f37;margin-top:4px}.scen{color:#8250df;font-size:12px}.muted{color:#57606a}
.filters{display:flex;gap:8px;flex-wrap:wrap;margin-bottom:8px}
select,input{font:inherit;padding:3px 6px;max-width:100%}#f-file{max-width:360px}
.bar{display:flex;height:14px;border-radius:3px;overflow:hidden;background:#eaeef2;min-width:160px}
.bar span{display:block;height:100%}#areas th:last-child{width:40%}
.e{background:#cf222e}.w{background:#d4a72c}.i{background:#54aeff}.s{background:#8c959f}
.legend{margin:8px 0 0;color:#57606a;font-size:12px}.legend span{display:inline-block;margin-right:14px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px}
.ok{color:#1a7f37;font-weight:600}code{font-size:12px}a{color:#0969da}
.rule-doc{border-top:1px solid #d8dee4}.rule-doc:first-of-type{border-top:0}.rule-doc h3 a{text-decoration:none}
"""

SCRIPT = """
const table=document.getElementById('findings');
if(table){
  const rows=()=>Array.from(table.tBodies[0].rows);
  const sel=id=>document.getElementById(id);
  function apply(){
    const s=sel('f-sev').value,a=sel('f-area').value,f=sel('f-file').value,q=sel('f-text').value.toLowerCase();
    let shown=0;
    for(const r of rows()){
      const ok=(!s||r.dataset.severity===s)&&(!a||r.dataset.area===a)&&(!f||r.dataset.file===f)
        &&(!q||r.textContent.toLowerCase().includes(q));
      r.hidden=!ok; if(ok) shown++;
    }
    sel('f-count').textContent=shown+' shown';
  }
  for(const id of ['f-sev','f-area','f-file','f-text']) sel(id).addEventListener('input',apply);
  table.tHead.querySelectorAll('th').forEach((th,i)=>th.addEventListener('click',()=>{
    const dir=th.dataset.dir==='asc'?'desc':'asc'; th.dataset.dir=dir;
    const key=r=>r.cells[i].dataset.sort??r.cells[i].textContent;
    const sorted=rows().sort((x,y)=>{const a=key(x),b=key(y);
      const n=parseFloat(a)-parseFloat(b); const c=isNaN(n)?a.localeCompare(b):n; return dir==='asc'?c:-c;});
    for(const r of sorted) table.tBodies[0].appendChild(r);
  }));
  apply();
}
"""

LEGEND = tuple(zip("ewis", AREA_COLUMNS, strict=True))


def render(result: Result, *, color: bool = False, quiet: bool = False) -> str:
    checked = sum(1 for f in result.files if f.status == "checked")
    engines = ", ".join(f"{e} {v}" for e, v in result.versions.items()) or ", ".join(result.engines)
    summary = (
        f"{result.count('error')} errors, {result.count('warning')} warnings, {result.count('info')} info, "
        f"{len(result.suppressed)} suppressed in {checked} checked file(s)"
        + (f"; {len(result.errors)} file(s) could not be checked" if result.errors else "")
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>tapcheck report: {escape(summary)}</title><style>{STYLE}</style></head><body>",
        f"<header><div><h1>tapcheck compliance report</h1><p>{escape(summary)}</p>{_run(result)}"
        f"<p>Engines: {escape(engines)} · fail on: {escape(result.fail_on)}</p></div></header><main>",
        _areas(result),
        _errors(result),
        _findings(result),
        _rules(result),
        _suppressed(result),
        _files(result),
        f"</main><script>{SCRIPT}</script></body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _run(result: Result) -> str:
    """When and on what: the date, the commit and the repository the paths are relative to."""
    facts = []
    if result.date:
        facts.append(f"Checked {escape(result.date.replace('T', ' '))}")
    if result.revision:
        facts.append(f"commit <code>{escape(result.revision[:12])}</code>")
    if result.root:
        facts.append(f"paths relative to <code>{escape(result.root)}</code>")
    return f'<p id="run">{" · ".join(facts)}</p>' if facts else ""


def _areas(result: Result) -> str:
    areas = result.by_area()
    if not areas:
        return '<section><h2>Compliance by area</h2><p class="ok">✔ No findings.</p></section>'
    widest = max(sum(values) for values in areas.values()) or 1
    rows = []
    for area, values in areas.items():
        bar = "".join(
            f'<span class="{css}" style="width:{100 * v / widest:.1f}%" title="{v} {label}"></span>'
            for v, (css, label) in zip(values, LEGEND, strict=True)
            if v
        )
        cells = "".join(f'<td class="num">{v}</td>' for v in values)
        rows.append(f'<tr><td>{escape(area)}</td>{cells}<td><div class="bar">{bar}</div></td></tr>')
    legend = "".join(f'<span><i class="{css}"></i>{label}</span>' for css, label in LEGEND)
    columns = "".join(f'<th class="num">{column}</th>' for column in AREA_COLUMNS)
    return (
        '<section><h2>Compliance by area</h2><table id="areas"><thead><tr><th>area</th>'
        f"{columns}<th>chart</th></tr></thead>"
        f'<tbody>{"".join(rows)}</tbody></table><p class="legend" id="legend">{legend}</p></section>'
    )


def _errors(result: Result) -> str:
    if not result.errors:
        return ""
    items = "".join(
        f"<li><code>{escape(display_path(e.file, result))}{f':{e.line}' if e.line else ''}</code>: "
        f"{escape(e.message)}</li>"
        for e in result.errors
    )
    return f'<section><h2>Files that could not be checked</h2><ul id="errors">{items}</ul></section>'


def _findings(result: Result) -> str:
    if not result.findings:
        return ""
    findings = sorted(result.findings, key=Finding.sort_key)
    links = _rule_links(result)

    def options(values, order=sorted):
        return "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in order(set(values)))

    def by_severity(values):
        return [s for s in SEVERITIES if s in values]

    filters = (
        '<div class="filters">'
        '<select id="f-sev"><option value="">all severities</option>'
        f"{options((f.severity for f in findings), by_severity)}</select>"
        f'<select id="f-area"><option value="">all areas</option>{options(f.area for f in findings)}</select>'
        '<select id="f-file"><option value="">all files</option>'
        f"{options(display_path(f.file, result) for f in findings)}</select>"
        '<input id="f-text" type="search" placeholder="filter text">'
        '<span id="f-count" class="muted"></span></div>'
    )
    rows = "".join(_row(f, result, links) for f in findings)
    return (
        f"<section><h2>Findings ({len(findings)})</h2>{filters}"
        '<table id="findings"><colgroup><col class="rule"><col class="where"><col class="finding"></colgroup>'
        "<thead><tr><th>rule</th><th>where</th><th>finding</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


def _rule_links(result: Result) -> dict[str, str]:
    """Where each rule id leads: its documentation further down the page (tapcheck's
    rules, and others' with a description), else the engine's page."""
    links = {}
    for rule in result.rules:
        if rule.docs or rule.description:
            links[rule.id] = f"#rule-{rule.id}"
        elif rule.docs_url:
            links[rule.id] = rule.docs_url
    return links


def _row(finding: Finding, result: Result, links: dict[str, str]) -> str:
    rank = SEVERITIES.index(finding.severity)
    path = display_path(finding.file, result)
    rule = escape(finding.rule_id)
    if finding.rule_id in links:
        rule = f'<a href="{escape(links[finding.rule_id])}">{rule}</a>'
    elif finding.docs_url:
        rule = f'<a href="{escape(finding.docs_url)}">{rule}</a>'
    scenarios = f'<div class="scen">{escape("; ".join(finding.scenarios))}</div>' if finding.scenarios else ""
    fix = f'<div class="fix">fix: {escape(finding.fix)}</div>' if finding.fix else ""
    json_path = f"<br><span class='muted'>{escape(finding.path)}</span>" if finding.path else ""
    return (
        f'<tr data-severity="{finding.severity}" data-area="{escape(finding.area)}" data-file="{escape(path)}">'
        f'<td data-sort="{rank} {escape(finding.rule_id)}">'
        f'<span class="sev {finding.severity}">{finding.severity}</span> '
        f"{rule}<br><span class='muted'>{escape(finding.name)} · {escape(finding.area)}</span></td>"
        f'<td data-sort="{escape(path)}:{finding.line:08d}">{escape(finding.resource or "(template)")}{json_path}'
        f"<br><code>{escape(path)}:{finding.line}:{finding.column}</code></td>"
        f"<td>{escape(finding.message)}{scenarios}{_snippet(finding.snippet)}{fix}</td></tr>"
    )


def _snippet(snippet: str) -> str:
    if not snippet:
        return ""
    lines = [
        f'<span class="at">{escape(line)}</span>' if line.startswith(">") else escape(line)
        for line in snippet.splitlines()
    ]
    return "<pre>" + "\n".join(lines) + "</pre>"


def _rules(result: Result) -> str:
    """The documentation of the rules the findings name, in the order of the findings."""
    named = dict.fromkeys(f.rule_id for f in sorted(result.findings + result.suppressed, key=Finding.sort_key))
    rules = {rule.id: rule for rule in result.rules if rule.id in named and (rule.docs or rule.description)}
    if not rules:
        return ""
    docs = "".join(_rule_doc(rules[rule_id]) for rule_id in named if rule_id in rules)
    return f'<section id="rules"><h2>Rules ({len(rules)})</h2>{docs}</section>'


def _rule_doc(rule: RuleMetadata) -> str:
    heading = (
        f'<h3><a href="#rule-{escape(rule.id)}">{escape(rule.id)}</a> {escape(rule.name)} '
        f'<span class="sev {rule.severity}">{rule.severity}</span></h3>'
    )
    if rule.docs:  # tapcheck's own: what `tapcheck explain` prints, without its heading
        body = _markdown(rule.docs.split("\n", 1)[1] if rule.docs.startswith("# ") else rule.docs)
    else:
        body = f"<p>{escape(rule.title)}</p><p>{escape(rule.description)}</p>"
    if rule.docs_url:
        body += f'<p><a href="{escape(rule.docs_url)}">{escape(rule.engine)} documentation</a></p>'
    return f'<article class="rule-doc" id="rule-{escape(rule.id)}">{heading}{body}</article>'


def _markdown(text: str) -> str:
    """Markdown as HTML (raw HTML in it escaped), its headings below the page's h3."""
    text = text.replace("\n## ", "\n#### ").replace("\n### ", "\n##### ")
    return MarkdownIt("commonmark", {"html": False}).render(text)


def _suppressed(result: Result) -> str:
    if not result.suppressed:
        return ""
    rows = "".join(
        f"<tr><td>{escape(f.rule_id)}</td><td><code>{escape(display_path(f.file, result))}:{f.line}</code></td>"
        f"<td>{escape(f.resource or '(template)')}</td><td>{escape(f.message)}</td>"
        f"<td>{escape(f.reason or '')}</td></tr>"
        for f in sorted(result.suppressed, key=Finding.sort_key)
    )
    return (
        f"<section><h2>Suppressed ({len(result.suppressed)})</h2>"
        '<table id="suppressed"><thead><tr><th>rule</th><th>location</th><th>resource</th><th>finding</th>'
        f"<th>reason</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _files(result: Result) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(display_path(f.path, result))}</code></td><td>{f.status}</td>"
        f"<td class='num'>{f.scenarios}</td><td>{escape('; '.join(f.notes))}</td></tr>"
        for f in result.files
    )
    return (
        '<section><h2>Files and scenarios</h2><table id="files"><thead><tr><th>file</th><th>status</th>'
        f'<th class="num">scenarios</th><th>notes</th></tr></thead><tbody>{rows}</tbody></table></section>'
    )
