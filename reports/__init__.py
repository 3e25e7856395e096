"""One renderer per output format; each takes a Result and returns text."""

from __future__ import annotations

from . import console, json_report

RENDERERS = {
    "console": console.render,
    "json": json_report.render,
}
FORMATS = tuple(RENDERERS)
