"""Where tapcheck's configuration file is, found without reading it: the commands that
only need to know whether there is one (`rules`, `explain`) import no YAML or config."""

from __future__ import annotations

from pathlib import Path

CONFIG_NAMES = (".tapcheck.yml", ".tapcheck.yaml")


def find_config(start: Path) -> Path | None:
    """The first configuration file in `start` or the directories above it."""
    for directory in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
    return None
