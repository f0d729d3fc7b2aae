"""``cells-docs serve``: a failed rebuild keeps serving the last good site and shows the error."""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from cellsdocs.serve import Server

from conftest import ROOT, SourceTree, minimal_project

pytestmark = pytest.mark.site


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def wait_for(predicate, timeout: float = 180.0) -> None:  # type: ignore[no-untyped-def]
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


def _status(server: Server) -> dict[str, object]:
    return dict(json.loads(get(server.url + "__cells__/status")[1]))


def _serving(server: Server, interval: float = 0.2) -> None:
    threading.Thread(target=server.watch, kwargs={"interval": interval}, daemon=True).start()
    threading.Thread(target=server.httpd.serve_forever, daemon=True).start()


def _stop(server: Server) -> None:
    server.httpd.shutdown()
    server.httpd.server_close()


def test_a_broken_link_or_anchor_shows_in_the_banner_like_make_build(
    minimal: SourceTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Serving is exactly as strict as make build: no --quiet hiding warnings from --strict."""
    for key, value in minimal.env.items():
        monkeypatch.setenv(key, value)
    server = Server(minimal_project().parent, port=0, config=minimal_project())
    assert server.build()
    _serving(server)
    runbook = minimal.root / "runbooks" / "demo" / "demo-down.md"
    good = runbook.read_text()
    try:
        runbook.write_text(good + "\nSee [the missing page](no-such-page.md).\n")
        wait_for(lambda: _status(server)["error"] != "")
        state = _status(server)
        assert "no-such-page.md" in str(state["error"]) and state["build"] == 1, state
        runbook.write_text(good)
        wait_for(lambda: _status(server)["build"] == 2)
        assert _status(server)["error"] == ""
        runbook.write_text(good + "\nSee [the mitigation](#no-such-anchor).\n")
        wait_for(lambda: _status(server)["error"] != "")
        assert "no-such-anchor" in str(_status(server)["error"])
        runbook.write_text(good)
        wait_for(lambda: _status(server)["build"] == 3)
        assert _status(server)["error"] == ""
    finally:
        _stop(server)


def test_serve_recovers_once_a_fifo_among_the_sources_is_removed(
    minimal: SourceTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source that never ends stops the rebuild (time limit) or is refused; either way the loop
    keeps watching and the next good rebuild lands."""
    for key, value in minimal.env.items():
        monkeypatch.setenv(key, value)
    server = Server(minimal_project().parent, port=0, config=minimal_project(), timeout=30)
    assert server.build()
    _serving(server)
    fifo = minimal.root / "rules" / "pipe.json"
    try:
        os.mkfifo(fifo)
        wait_for(lambda: _status(server)["error"] != "", timeout=180)
        assert _status(server)["build"] == 1
        fifo.unlink()
        wait_for(lambda: _status(server)["build"] == 2, timeout=180)
        assert _status(server)["error"] == ""
    finally:
        _stop(server)


def test_a_rebuild_past_its_time_limit_is_stopped(minimal: SourceTree, tmp_path: Path) -> None:
    server = Server(tmp_path, port=0, config=tmp_path / "mkdocs.yml", timeout=1)
    try:
        started = time.monotonic()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("cellsdocs.serve.build_command", lambda config, site: ["sleep", "30"])
            assert not server.build()
        assert time.monotonic() - started < 10
        assert "ran for more than 1 s and was stopped" in server.error
    finally:
        server.httpd.server_close()


def test_no_build_hides_warnings_from_strict() -> None:
    """--quiet makes MkDocs 1.6 drop warnings from the --strict count: serve, bench and make use none."""
    from cellsdocs.serve import build_command

    assert "--strict" in build_command(Path("m.yml"), Path("s")) and "--quiet" not in build_command(
        Path("m.yml"), Path("s")
    )
    for file in ("scripts/bench.py", "Makefile", "src/cellsdocs/serve.py", ".gitlab-ci.yml"):
        for line in (ROOT / file).read_text().splitlines():
            if "mkdocs" in line and "build" in line:
                assert "--quiet" not in line and " -q" not in line, (file, line)
