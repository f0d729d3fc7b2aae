"""The in-process runners of tests/helpers.py keep the guarantees of a real process: the CLI's
"one line, never a traceback", a hang being a failure, an isolated ``CELLS_*`` environment, and a
build exactly as strict as ``mkdocs build --strict`` (a warning fails it)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from cellsdocs.cli import main as cli_main

from helpers import ROOT, SourceTree, build, build_process, cli, cli_process


def test_an_escaping_exception_fails_the_test_with_its_traceback(
    minimal: SourceTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(args: object) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli_main, "_cmd_check", broken)
    with pytest.raises(pytest.fail.Exception, match=r"(?s)a real process would print a traceback.*RuntimeError: a bug"):
        cli("check", env=minimal.env)


def test_exit_codes_and_output_are_the_commands(minimal: SourceTree) -> None:
    ok = cli("check", env=minimal.env)
    assert ok.code == 0 and ok.stdout.startswith("ok: ") and ok.stderr == "", ok.output
    usage = cli("no-such-command")  # argparse exits 2 with its usage on stderr
    assert usage.code == 2 and "invalid choice: 'no-such-command'" in usage.stderr


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="SIGALRM: main thread only")
def test_a_hang_fails_the_test(minimal: SourceTree, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_main, "_cmd_check", lambda args: time.sleep(30))
    started = time.monotonic()
    with pytest.raises(pytest.fail.Exception, match=r"still running after 0\.2 s"):
        cli("check", env=minimal.env, timeout=0.2)
    assert time.monotonic() - started < 5


def test_the_environment_is_isolated_and_restored(minimal: SourceTree, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CELLS_ACTIVE_RULESET", "no-such-rule-set")  # inherited: a fresh process would not see it
    before, cwd = dict(os.environ), Path.cwd()
    result = cli("check", env=minimal.env)
    assert result.code == 0, result.output
    assert dict(os.environ) == before and Path.cwd() == cwd
    told = cli("check", env={**minimal.env, "CELLS_ACTIVE_RULESET": "no-such-rule-set"})
    assert told.code == 1 and "no-such-rule-set" in told.stderr, told.output


@pytest.mark.slow
def test_in_process_and_real_process_agree(minimal: SourceTree) -> None:
    (minimal.root / "rules" / "broken.json").write_text("[{")
    inside, outside = cli("check", env=minimal.env), cli_process("check", env=minimal.env)
    assert (inside.code, inside.stdout, inside.stderr) == (outside.code, outside.stdout, outside.stderr)


def _project(root: Path, page: str) -> Path:
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.md").write_text(page)
    (root / "mkdocs.yml").write_text("site_name: Strict\n")
    return root / "mkdocs.yml"


@pytest.mark.site
def test_a_warning_fails_the_in_process_build(tmp_path: Path) -> None:
    """A broken link is a warning: the in-process build aborts as ``mkdocs build --strict`` does."""
    good = build(tmp_path / "good", config=_project(tmp_path / "a", "# Home\n"))
    assert good.code == 0 and (tmp_path / "good" / "index.html").is_file(), good.output
    config = _project(tmp_path / "b", "# Home\n\n[a page](missing.md)\n")
    result = build(tmp_path / "site", config=config)
    assert result.code == 1, result.output
    assert "WARNING -  Doc file 'index.md' contains a link 'missing.md'" in result.stderr
    assert "Aborted with 1 warnings in strict mode!" in result.stdout


@pytest.mark.site
@pytest.mark.slow
def test_the_in_process_build_fails_as_the_command_does(tmp_path: Path) -> None:
    config = _project(tmp_path, "# Home\n\n[a page](missing.md)\n")
    inside, outside = build(tmp_path / "a", config=config), build_process(tmp_path / "b", config=config)
    assert inside.code == outside.code == 1
    assert inside.stdout.strip() == outside.stdout.strip() == "Aborted with 1 warnings in strict mode!"
    assert [line for line in outside.stderr.splitlines() if line.startswith("WARNING")] == [
        line for line in inside.stderr.splitlines() if line.startswith("WARNING")
    ]


def test_runs_start_in_the_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli("site-dir-check", "runbooks").code == 1  # relative to the repository, as `run` starts there
    assert Path.cwd() == tmp_path and (ROOT / "runbooks").is_dir()
