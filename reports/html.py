"""`--format html`: one self-contained page (no external assets) to open from CI.

A per-area compliance summary with a bar chart, a findings table that sorts by column
and filters by severity, area, file and text, each finding with its snippet and fix
hint, suppressed findings with their reasons, the files that could not be checked,
the scenarios and the engines with their versions. The rows are rendered on the
server, so the page reads without JavaScript; the script only sorts and filters.
"""

from __future__ import annotations

from collections import Counter
from html import escape

from tapcheck.checker.findings import SEVERITIES, Finding, Result

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#c9d1d9}main{padding:16px 24px;max-width:1400px}
section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px 16px;margin-bottom:16px}
h2{font-size:16px;margin:0 0 8px}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #d8dee4;vertical-align:top}
th{background:#f6f8fa;cursor:pointer;user-select:none;white-space:nowrap}th.num,td.num{text-align:right}
.sev{font-weight:600;border-radius:10px;padding:1px 8px;font-size:12px;white-space:nowrap}
.error{background:#ffebe9;color:#cf222e}.warning{background:#fff8c5;color:#9a6700}.info{background:#ddf4ff;color:#0969da}
pre{background:#f6f8fa;border-radius:4px;padding:6px 8px;margin:6px 0 0;overflow:auto;font-size:12px;
white-space:pre-wrap;overflow-wrap:anywhere}
#findings{table-layout:fixed}#findings code{overflow-wrap:anywhere}
#findings th:nth-child(1){width:80px}#findings th:nth-child(2){width:170px}#findings th:nth-child(3){width:90px}
#findings th:nth-child(4){width:230px}#findings th:nth-child(5){width:180px}
.fix{color:#1a7f37;margin-top:4px}.scen{color:#8250df;font-size:12px}.muted{color:#57606a}
.filters{display:flex;gap:8px;flex-wrap:wrap;margin-bottom:8px}select,input{font:inherit;padding:3px 6px}
.bar{display:flex;height:14px;border-radius:3px;overflow:hidden;background:#eaeef2;min-width:220px}
.bar span{display:block;height:100%}.bar .e{background:#cf222e}.bar .w{background:#d4a72c}.bar .i{background:#54aeff}
.bar .s{background:#8c959f}.ok{color:#1a7f37;font-weight:600}code{font-size:12px}
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
        f"<header><h1>tapcheck compliance report</h1><p>{escape(summary)}</p>"
        f"<p>Engines: {escape(engines)} · fail on: {escape(result.fail_on)}</p></header><main>",
        _areas(result),
        _errors(result),
        _findings(result),
        _suppressed(result),
        _files(result),
        f"</main><script>{SCRIPT}</script></body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _areas(result: Result) -> str:
    counts = Counter((f.area, f.severity) for f in result.findings)
    suppressed = Counter(f.area for f in result.suppressed)
    areas = sorted({f.area for f in result.findings} | set(suppressed))
    if not areas:
        return '<section><h2>Compliance by area</h2><p class="ok">✔ No findings.</p></section>'
    widest = max(sum(counts[a, s] for s in SEVERITIES) + suppressed[a] for a in areas) or 1
    rows = []
    for area in areas:
        values = [counts[area, "error"], counts[area, "warning"], counts[area, "info"], suppressed[area]]
        bar = "".join(
            f'<span class="{css}" style="width:{100 * v / widest:.1f}%" title="{v} {label}"></span>'
            for v, css, label in zip(values, "ewis", ("errors", "warnings", "info", "suppressed"), strict=True)
            if v
        )
        cells = "".join(f'<td class="num">{v}</td>' for v in values)
        rows.append(f'<tr><td>{escape(area)}</td>{cells}<td><div class="bar">{bar}</div></td></tr>')
    return (
        '<section><h2>Compliance by area</h2><table id="areas"><thead><tr><th>area</th><th class="num">errors</th>'
        '<th class="num">warnings</th><th class="num">info</th><th class="num">suppressed</th><th>chart</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _errors(result: Result) -> str:
    if not result.errors:
        return ""
    items = "".join(
        f"<li><code>{escape(e.file)}{f':{e.line}' if e.line else ''}</code>: {escape(e.message)}</li>"
        for e in result.errors
    )
    return f'<section><h2>Files that could not be checked</h2><ul id="errors">{items}</ul></section>'


def _findings(result: Result) -> str:
    if not result.findings:
        return ""
    findings = sorted(result.findings, key=Finding.sort_key)

    def options(values):
        return "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in sorted(set(values)))

    filters = (
        '<div class="filters">'
        f'<select id="f-sev"><option value="">all severities</option>{options(f.severity for f in findings)}</select>'
        f'<select id="f-area"><option value="">all areas</option>{options(f.area for f in findings)}</select>'
        f'<select id="f-file"><option value="">all files</option>{options(f.file for f in findings)}</select>'
        '<input id="f-text" type="search" placeholder="filter text">'
        '<span id="f-count" class="muted"></span></div>'
    )
    rows = "".join(_row(f) for f in findings)
    return (
        f"<section><h2>Findings ({len(findings)})</h2>{filters}"
        '<table id="findings"><thead><tr><th>severity</th><th>rule</th><th>area</th><th>location</th>'
        f"<th>resource</th><th>finding</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _row(finding: Finding) -> str:
    rank = SEVERITIES.index(finding.severity)
    scenarios = f'<div class="scen">only in: {escape("; ".join(finding.scenarios))}</div>' if finding.scenarios else ""
    snippet = f"<pre>{escape(finding.snippet)}</pre>" if finding.snippet else ""
    fix = f'<div class="fix">fix: {escape(finding.fix)}</div>' if finding.fix else ""
    return (
        f'<tr data-severity="{finding.severity}" data-area="{escape(finding.area)}" data-file="{escape(finding.file)}">'
        f'<td data-sort="{rank}"><span class="sev {finding.severity}">{finding.severity}</span></td>'
        f"<td>{escape(finding.rule_id)}<br><span class='muted'>{escape(finding.name)}</span></td>"
        f"<td>{escape(finding.area)}</td>"
        f'<td data-sort="{escape(finding.file)}:{finding.line:08d}">'
        f"<code>{escape(finding.file)}:{finding.line}:{finding.column}</code></td>"
        f"<td>{escape(finding.resource or '(template)')}<br><span class='muted'>{escape(finding.path)}</span></td>"
        f"<td>{escape(finding.message)}{scenarios}{snippet}{fix}</td></tr>"
    )


def _suppressed(result: Result) -> str:
    if not result.suppressed:
        return ""
    rows = "".join(
        f"<tr><td>{escape(f.rule_id)}</td><td><code>{escape(f.file)}:{f.line}</code></td>"
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
        f"<tr><td><code>{escape(f.path)}</code></td><td>{f.status}</td><td class='num'>{f.scenarios}</td>"
        f"<td>{escape('; '.join(f.notes))}</td></tr>"
        for f in result.files
    )
    return (
        '<section><h2>Files and scenarios</h2><table id="files"><thead><tr><th>file</th><th>status</th>'
        f'<th class="num">scenarios</th><th>notes</th></tr></thead><tbody>{rows}</tbody></table></section>'
    )
