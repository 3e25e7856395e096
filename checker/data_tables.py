"""tapcheck's own YAML data tables, read with libyaml's C loader when PyYAML has it
(about ten times faster than the pure-Python one, which matters at every start-up)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def data_table(package: str, name: str) -> Any:
    """The YAML file `name` shipped in `package`."""
    return yaml.load(resources.files(package).joinpath(name).read_text(encoding="utf-8"), Loader=_LOADER)
