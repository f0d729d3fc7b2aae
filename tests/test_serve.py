"""``cells-docs serve``: a failed rebuild keeps serving the last good site and shows the error."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from cellsdocs.serve import Server

from conftest import SourceTree, minimal_project

pytestmark = pytest.mark.site


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def wait_for(predicate, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_failed_rebuild_keeps_the_last_good_site(minimal: SourceTree, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in minimal.env.items():
        monkeypatch.setenv(key, value)
    config = minimal_project()
    server = Server(config.parent, port=0, config=config)
    assert server.build()
    threading.Thread(target=server.watch, kwargs={"interval": 0.2}, daemon=True).start()
    threading.Thread(target=server.httpd.serve_forever, daemon=True).start()
    try:
        status, page = get(server.url + "reference/cells/")
        assert status == 200 and "cell-2" in page and "/__cells__/status" in page
        (minimal.root / "config.toml").write_text("[[cells]\n")
        wait_for(lambda: json.loads(get(server.url + "__cells__/status")[1])["error"] != "")
        state = json.loads(get(server.url + "__cells__/status")[1])
        assert "config.toml:1: TOML syntax error" in state["error"] and state["build"] == 1
        status, page = get(server.url + "reference/cells/")
        assert status == 200 and "cell-2" in page  # still the last good build
        Path(minimal.root / "config.toml").write_text((minimal.root.parent / "good.toml").read_text())
        wait_for(lambda: json.loads(get(server.url + "__cells__/status")[1])["build"] == 2)
        assert json.loads(get(server.url + "__cells__/status")[1])["error"] == ""
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


@pytest.fixture(autouse=True)
def _keep_good_config(minimal: SourceTree) -> None:
    (minimal.root.parent / "good.toml").write_text((minimal.root / "config.toml").read_text())
