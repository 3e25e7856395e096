"""One renderer per output format; each takes a Result and returns text."""

from __future__ import annotations

from . import console, html, json_report, junit, markdown, sarif

RENDERERS = {
    "console": console.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "markdown": markdown.render,
    "html": html.render,
}
FORMATS = tuple(RENDERERS)
