"""Which files a run checks: files named on the command line, and templates found
in directories named on it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
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


def find_candidates(arguments: list[str], skip_non_templates: bool = False) -> list[Candidate]:
    candidates: dict[Path, Candidate] = {}
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            for found in sorted(_walk(path), key=lambda p: p.parts):
                candidates.setdefault(found, Candidate(found, explicit=False))
        else:
            if not skip_non_templates:
                candidates[path] = Candidate(path, explicit=True)
            elif looks_like_template(path):
                candidates[path] = Candidate(path, explicit=False)
    return list(candidates.values())


def _walk(directory: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRECTORIES)
        for name in sorted(files):
            path = Path(root, name)
            if name.lower().endswith(TEMPLATE_SUFFIXES) and looks_like_template(path):
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
