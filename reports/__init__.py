"""One renderer per output format; each takes a Result and returns text."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping

_MODULES = {
    "console": "console",
    "json": "json_report",
    "sarif": "sarif",
    "junit": "junit",
    "markdown": "markdown",
    "html": "html",
    "github": "github",
    "gitlab": "gitlab",
}


class _Renderers(Mapping):
    """Format name -> its render function; a format's module is imported when its
    renderer is asked for (the HTML report's imports markdown-it, a run to the console
    need not)."""

    def __getitem__(self, name: str) -> Callable[..., str]:
        return importlib.import_module(f".{_MODULES[name]}", __package__).render

    def __iter__(self) -> Iterator[str]:
        return iter(_MODULES)

    def __len__(self) -> int:
        return len(_MODULES)


RENDERERS = _Renderers()
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
