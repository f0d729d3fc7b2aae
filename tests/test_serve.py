"""``cells-docs serve``: a failed rebuild keeps serving the last good site and shows the error."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from cellsdocs.cli.serve import Server

from helpers import ROOT, SourceTree, minimal_project

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
        server.close()


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
    server.close()


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
            never = ["sleep", "30"]  # a build process that never answers
            pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "start_new_session": True}
            patch.setattr(server, "_start_worker", lambda: subprocess.Popen(never, **pipes))
            assert not server.build()
        assert time.monotonic() - started < 10
        assert "ran for more than 1 s and was stopped" in server.error
        assert server._worker is None  # stopped; the next build starts a fresh one
    finally:
        server.close()


def test_no_build_hides_warnings_from_strict() -> None:
    """--quiet makes MkDocs 1.6 drop warnings from the --strict count: serve, bench and make use none."""
    worker = (ROOT / "src" / "cellsdocs" / "cli" / "serve_worker.py").read_text()
    assert "load_config(config_file, site_dir=site_dir, strict=True)" in worker
    for file in ("scripts/bench.py", "Makefile", "src/cellsdocs/cli/serve.py", ".gitlab-ci.yml"):
        for line in (ROOT / file).read_text().splitlines():
            if "mkdocs" in line and "build" in line:
                assert "--quiet" not in line and " -q" not in line, (file, line)


def test_unknown_urls_get_the_sites_404_page(minimal: SourceTree, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in minimal.env.items():
        monkeypatch.setenv(key, value)
    server = Server(minimal_project().parent, port=0, config=minimal_project())
    assert server.build()
    _serving(server)
    try:
        with pytest.raises(urllib.error.HTTPError) as caught:
            get(server.url + "no/such/page/")
        assert caught.value.code == 404
        body = caught.value.read().decode()
        assert "md-content" in body and "404" in body and "Traceback" not in body
    finally:
        _stop(server)


def test_a_rebuild_reuses_the_warm_process(minimal: SourceTree, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second build runs in the same process as the first (no new imports, sources reloaded
    only when they change), and is still a complete strict build."""
    for key, value in minimal.env.items():
        monkeypatch.setenv(key, value)
    server = Server(minimal_project().parent, port=0, config=minimal_project())
    try:
        assert server.build()
        worker = server._worker
        assert worker is not None
        page = sorted((minimal.root / "adr").glob("0*.md"))[0]
        page.write_text(page.read_text() + "\nAn added line, served warm.\n")
        assert server.build()
        assert server._worker is worker
        assert server.current is not None
        assert "served warm" in (server.current / "adr" / page.stem / "index.html").read_text()
    finally:
        server.close()


def test_sigterm_stops_the_server_and_leaves_nothing_in_tmp(minimal: SourceTree, tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, **minimal.env, "TMPDIR": str(tmp), "NO_MKDOCS_2_WARNING": "1"}
    project = minimal_project().parent
    proc = subprocess.Popen(
        [sys.executable, "-m", "cellsdocs", "--root", str(project), "serve", "--port", "0"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "ready at" in line:
                assert "http://127.0.0.1:" in line  # loopback unless told otherwise
                break
        assert any(tmp.iterdir())  # the served build
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        assert not list(tmp.iterdir())
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


def _tree(site: Path) -> dict[str, bytes]:
    """Every file of a built site, with what legitimately differs between two builds (the build
    time in the sitemap) taken out."""
    files = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.name in ("sitemap.xml", "sitemap.xml.gz"):
                continue  # <lastmod> is the build date
            files[path.relative_to(site).as_posix()] = data
    return files


def test_after_any_edits_the_served_site_equals_a_fresh_strict_build(
    minimal: SourceTree, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Edit, save, delete and rename pages and sources in the warm server; what it serves is then
    byte for byte what a fresh ``mkdocs build --strict`` of the same tree gives."""
    for key, value in minimal.env.items():
        monkeypatch.setenv(key, value)
    config = minimal_project()
    server = Server(config.parent, port=0, config=config)
    adr = sorted((minimal.root / "adr").glob("0*.md"))[0]
    rule = minimal.root / "rules" / "passthrough.json"
    toml = minimal.root / "config.toml"
    try:
        assert server.build()
        adr.write_text(adr.read_text() + "\nA sentence added while serving.\n")  # edit a record
        assert server.build()
        renamed = adr.with_name(adr.name.replace(adr.stem.split("-", 1)[1], "renamed-while-serving"))
        adr.rename(renamed)  # rename a record: its page moves
        assert server.build()
        toml.write_text(toml.read_text().replace("description = ", 'description = "Edited while serving. " + ', 1))
        if "Edited while serving" not in toml.read_text():
            toml.write_text(toml.read_text() + "\n")
        assert server.build() or True  # a source edit (valid or not), then its repair
        toml.write_text(toml.read_text().replace('"Edited while serving. " + ', ""))
        assert server.build()
        rule.rename(rule.with_name("passthrough-renamed.json"))  # rename a source: its page moves
        assert server.build()
        extra = minimal.root / "adr" / "0002-added-while-serving.md"
        extra.write_text(renamed.read_text().replace("A sentence added while serving.", "Another record."))
        assert server.build()
        extra.unlink()  # delete a page again
        assert server.build()
        assert server.current is not None
        served = _tree(server.current)
    finally:
        server.close()
    fresh = tmp_path / "fresh"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(fresh)],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr
    clean = _tree(fresh)
    assert sorted(served) == sorted(clean)
    different = [name for name in clean if served[name] != clean[name]]
    assert not different, different[:10]
    assert any("renamed-while-serving" in name for name in served)
    assert not any("added-while-serving" in name for name in served)


def test_the_manifest_is_watched_and_a_broken_one_does_not_stop_the_watch(tmp_path: Path) -> None:
    """sources.toml moves sources: saving it triggers a rebuild; a broken one is the build's error
    to report, while the watch keeps looking at the manifest."""
    server = Server(tmp_path, port=0, config=tmp_path / "mkdocs.yml")
    try:
        before = server.stamp()
        (tmp_path / "sources.toml").write_text('[protos]\npath = "proto"\n')
        assert server.stamp() != before
        (tmp_path / "sources.toml").write_text("[protos\n")
        server._watched = None  # as a new build resolves the locations again
        assert any(name.endswith("sources.toml") for name, _, _ in server.stamp())
    finally:
        server.close()
