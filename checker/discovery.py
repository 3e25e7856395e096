"""Which files a run checks: files named on the command line, and templates found
in directories named on it, less the excluded paths (`exclude:` in `.tapcheck.yml`,
`--exclude`)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
SKIPPED_DIRECTORIES = {"node_modules", "__pycache__", "cdk.out"}
"""Besides hidden directories (`.git`, `.aws-sam`, ...)."""
SNIFF_BYTES = 256 * 1024
_TOP_LEVEL_KEY = re.compile(
    r'^[ \t]*(?:Resources|AWSTemplateFormatVersion)[ \t]*:|"(?:Resources|AWSTemplateFormatVersion)"\s*:',
    re.MULTILINE,
)


@dataclass(frozen=True)
class Candidate:
    path: Path
    explicit: bool
    """Named on the command line: always checked, or reported as an error."""


def find_candidates(
    arguments: list[str], skip_non_templates: bool = False, exclude: tuple[tuple[str, str], ...] = ()
) -> list[Candidate]:
    """Named files and the templates in named directories, in a stable order; a path
    that an `exclude` pattern matches is left out, named or found (as pre-commit names
    every file, an exclusion must hold for named files too)."""
    excluded = Exclusions(exclude)
    candidates: dict[Path, Candidate] = {}
    for argument in arguments:
        path = Path(argument)
        if excluded(path):
            continue
        if path.is_dir():
            for found in sorted(_walk(path, excluded), key=lambda p: p.parts):
                candidates.setdefault(found, Candidate(found, explicit=False))
        else:
            if not skip_non_templates:
                candidates[path] = Candidate(path, explicit=True)
            elif looks_like_template(path):
                candidates[path] = Candidate(path, explicit=False)
    return list(candidates.values())


class Exclusions:
    """Glob patterns (`*` crosses `/`), each relative to a directory: the config file's for
    `exclude:`, the working directory's for `--exclude`. A pattern matches a path or a
    directory above it (`stacks/legacy`, `stacks/*.generated.yml`); a pattern without `/`
    matches a file or directory name at any depth (`cdk.out`, `*.generated.yml`)."""

    def __init__(self, patterns: tuple[tuple[str, str], ...]):
        self.patterns = [(Path(base), pattern.rstrip("/")) for base, pattern in patterns]

    def __call__(self, path: Path) -> bool:
        if not self.patterns:
            return False
        absolute = path.resolve()
        for base, pattern in self.patterns:
            parts = absolute.relative_to(base).parts if absolute.is_relative_to(base) else (absolute.name,)
            if "/" not in pattern:
                candidates = parts
            else:
                candidates = ["/".join(parts[:end]) for end in range(1, len(parts) + 1)]
            if any(fnmatchcase(candidate, pattern) for candidate in candidates):
                return True
        return False


def _walk(directory: Path, excluded: Exclusions) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRECTORIES and not excluded(Path(root, d))
        )
        for name in sorted(files):
            path = Path(root, name)
            if name.lower().endswith(TEMPLATE_SUFFIXES) and not excluded(path) and looks_like_template(path):
                found.append(path)
    return found


def looks_like_template(path: Path) -> bool:
    """Whether a file found in a directory is worth parsing as a template: a quick text
    scan for a `Resources` or `AWSTemplateFormatVersion` key. The loader then decides
    on the parsed document whether the key is at its top."""
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return False
    return bool(_TOP_LEVEL_KEY.search(head.decode("utf-8", errors="replace")))
