"""What the rules say on the seed, the reference stack and the shared corpus equals the
snapshots in tests/snapshots/. A change that alters a finding fails here until
`python tests/snapshots/regenerate.py` is run and its diff reviewed."""

from __future__ import annotations

import difflib
import sys

import pytest

from conftest import REPO, needs_shared

sys.path.insert(0, str(REPO / "tests" / "snapshots"))
import regenerate  # noqa: E402

pytestmark = needs_shared


@pytest.mark.parametrize("name", sorted(regenerate.SNAPSHOTS))
def test_findings_equal_the_snapshot(name):
    expected = regenerate.path_of(name).read_text(encoding="utf-8")
    actual = regenerate.render(regenerate.take(name))
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), f"{name}.json (snapshot)", f"{name}.json (now)", lineterm=""
        )
        shown = "\n".join(list(diff)[:80])
        pytest.fail(f"findings differ from tests/snapshots/{name}.json; regenerate and review:\n{shown}")
