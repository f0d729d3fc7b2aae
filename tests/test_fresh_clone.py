"""From a clean clone of the committed tree, setup + check + strict build work."""

from __future__ import annotations

import shutil

import pytest

from helpers import ROOT, run

pytestmark = pytest.mark.site


@pytest.mark.skipif(not (ROOT / ".git").exists() or shutil.which("git") is None, reason="needs a git checkout")
def test_fresh_clone_sets_up_and_builds() -> None:
    head = run(["git", "rev-parse", "--verify", "HEAD"])
    if head.code != 0:
        pytest.skip("no commit yet")
    result = run(["bash", str(ROOT / "scripts" / "fresh-clone-check.sh")])
    assert result.code == 0, result.output
    assert "fresh clone: make check build passed" in result.stdout
