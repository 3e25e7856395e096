"""Where a run happens: the repository that report paths are relative to, and its commit."""

from __future__ import annotations

import subprocess
from pathlib import Path


def repository(cwd: Path) -> tuple[Path, str]:
    """The git top level above `cwd` and the commit checked out there; `cwd` and no
    commit outside a repository (or without git)."""
    try:
        process = subprocess.run(
            ["git", "rev-parse", "--show-toplevel", "HEAD"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return cwd, ""
    lines = process.stdout.splitlines()
    if process.returncode == 0 and len(lines) == 2:
        return Path(lines[0]), lines[1]
    if lines and Path(lines[0]).is_dir():  # a repository without a commit yet
        return Path(lines[0]), ""
    return cwd, ""
