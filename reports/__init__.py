"""One renderer per output format; each takes a Result and returns text."""

from __future__ import annotations

from . import console, github, gitlab, html, json_report, junit, markdown, sarif

RENDERERS = {
    "console": console.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "markdown": markdown.render,
    "html": html.render,
    "github": github.render,
    "gitlab": gitlab.render,
}
FORMATS = tuple(RENDERERS)
ALIASES = {
    # what users of cfn-lint, checkov and ruff type for the same formats
    "junitxml": "junit",
    "junit-xml": "junit",
    "md": "markdown",
    "github-actions": "github",
    "gitlab-codequality": "gitlab",
    "codequality": "gitlab",
    "code-quality": "gitlab",
    "codeclimate": "gitlab",
    "cli": "console",
    "pretty": "console",
    "text": "console",
}


def format_name(name: str) -> str | None:
    """The format `name` stands for (itself or an alias, any case); None if unknown."""
    name = name.lower()
    return name if name in RENDERERS else ALIASES.get(name)
