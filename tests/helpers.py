"""Shared test helpers: paths, private source trees, running the CLI and MkDocs builds.

``cli`` and ``build`` run in this process (no interpreter start, no imports again): the ``CELLS_*``
environment is isolated as a fresh process would see it, output is captured, and an exception a
real process would have printed as a traceback fails the test. ``cli_process`` and
``build_process`` start a real process, for the tests where the process boundary is the point
(the installed entry point, exit codes seen by make, hangs, signals); those tests are ``slow``.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import traceback
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
MINIMAL = DATA / "minimal"


@dataclass
class SourceTree:
    """A private copy of a source tree, with the CELLS_* variables that point at it."""

    root: Path

    @property
    def env(self) -> dict[str, str]:
        return {
            "CELLS_PROTO_ROOT": str(self.root / "proto"),
            "CELLS_TOPOLOGY_CONFIG": str(self.root / "config.toml"),
            "CELLS_ROUTER_RULES": str(self.root / "rules"),
            "CELLS_ALERT_RULES": str(self.root / "alerts"),
            "CELLS_ADR_DIR": str(self.root / "adr"),
            "CELLS_RUNBOOK_DIR": str(self.root / "runbooks"),
        }

    def write(self, relative: str, content: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        return path


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _environment(env: Mapping[str, str] | None) -> dict[str, str]:
    """This process's environment without its ``CELLS_*`` variables, plus *env*."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("CELLS_")}
    full["NO_MKDOCS_2_WARNING"] = "1"
    full.update(env or {})
    return full


def run(args: list[str], *, env: dict[str, str] | None = None, cwd: Path = ROOT, timeout: float | None = None) -> Run:
    """Run *args* in a real process (environment as :func:`isolated` sets it); a hang past *timeout* fails."""
    try:
        proc = subprocess.run(
            args, cwd=cwd, env=_environment(env), capture_output=True, text=True, check=False, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(args)}: still running after {timeout} s")
    return Run(proc.returncode, proc.stdout, proc.stderr)


def cli_process(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT, timeout: float | None = None) -> Run:
    """``cells-docs ARGS`` in a real process: for ``slow`` tests where the process boundary is the point."""
    return run([sys.executable, "-m", "cellsdocs", *args], env=env, cwd=cwd, timeout=timeout)


@contextlib.contextmanager
def isolated(env: Mapping[str, str] | None = None, cwd: Path = ROOT) -> Iterator[None]:
    """Run the body as a fresh process would: no inherited ``CELLS_*`` variable, *env* set, in
    *cwd*; the environment and the working folder are restored after."""
    saved_env, saved_cwd = dict(os.environ), Path.cwd()
    os.environ.clear()
    os.environ.update(_environment(env))
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


class _TimeLimit(BaseException):
    """Raised in the main thread when a command runs past its time limit (not an ``Exception``:
    no ``except Exception`` of the code under test swallows it)."""


@contextlib.contextmanager
def _time_limit(seconds: float | None, what: str) -> Iterator[None]:
    """Fail the test if the body runs longer than *seconds* (SIGALRM: main thread only; it
    interrupts Python code and blocking system calls, as a killed process would stop)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise _TimeLimit

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _TimeLimit:
        pytest.fail(f"{what}: still running after {seconds} s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _exit_code(exc: SystemExit, stderr: io.StringIO) -> int:
    """The exit status a process ending with *exc* would have (a message goes to stderr, status 1)."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=stderr)
    return 1


def _no_traceback(what: str) -> None:
    """Inside ``except``: a real process would have died with this traceback: fail the test with it."""
    pytest.fail(f"{what}: an exception escaped (a real process would print a traceback):\n{traceback.format_exc()}")


def cli(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT, timeout: float | None = None) -> Run:
    """``cells-docs ARGS`` in this process: ``cellsdocs.cli.main.main(ARGS)`` with the environment of
    :func:`isolated`, stdout and stderr captured, ``SystemExit`` turned into the exit code. An
    exception that escapes ``main`` fails the test (the command line promises one line, never a
    traceback), and so does running past *timeout* seconds."""
    from cellsdocs.cli.main import main

    stdout, stderr = io.StringIO(), io.StringIO()
    what = "cells-docs " + " ".join(args)
    with (
        isolated(env, cwd),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
        _time_limit(timeout, what),
    ):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = _exit_code(exc, stderr)
        except Exception:
            _no_traceback(what)
    return Run(code, stdout.getvalue(), stderr.getvalue())


_MINIMAL_NAV = """nav:
  - Home: index.md
  - Reference:
      - Cells:
          - reference/cells/index.md
          - reference/cells/*
      - Routing:
          - reference/routing/index.md
          - reference/routing/*
      - API:
          - reference/api/index.md
          - reference/api/*
  - Decisions:
      - adr/index.md
      - adr/*
  - Runbooks:
      - runbooks/index.md
      - runbooks/*
"""
_PROJECTS: dict[str, Path] = {}


def minimal_project() -> Path:
    """mkdocs.yml for builds over a private source tree: the site's machinery and generated pages,
    without the hand-written guides (their prose names the in-repo cells, rules and RPCs, and the
    drift gate would rightly fail on a tree that lacks them)."""
    if "config" not in _PROJECTS:
        import tempfile

        root = Path(tempfile.mkdtemp(prefix="cells-minimal-project-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)  # tests leave nothing in /tmp
        for name in ("macros", "bench", "diagrams"):
            (root / name).symlink_to(ROOT / name)
        (root / "docs").mkdir()
        shutil.copytree(ROOT / "docs" / "assets", root / "docs" / "assets")
        shutil.copytree(ROOT / "docs" / "snippets", root / "docs" / "snippets")
        (root / "docs" / "index.md").write_text("# Minimal project\n\nThe generated pages over a private tree.\n")
        text = (ROOT / "mkdocs.yml").read_text()
        text = text[: text.index("\nnav:")] + "\n" + _MINIMAL_NAV
        (root / "mkdocs.yml").write_text(text)
        _PROJECTS["config"] = root / "mkdocs.yml"
    return _PROJECTS["config"]


def _config_file(env: Mapping[str, str] | None, config: Path | None) -> Path:
    """The mkdocs.yml a build over *env* uses: the minimal project for a private source tree."""
    if config is None and env and "CELLS_PROTO_ROOT" in env:
        config = minimal_project()
    return config or ROOT / "mkdocs.yml"


def build_process(
    site_dir: Path, *, env: dict[str, str] | None = None, config: Path | None = None, timeout: float | None = None
) -> Run:
    """``mkdocs build --strict`` in a real process: for tests where the process boundary is the point."""
    args = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(_config_file(env, config))]
    return run([*args, "-d", str(site_dir)], env=env, timeout=timeout)


class _LogLines(logging.Handler):
    """MkDocs' log lines, written to *stream* as ``mkdocs build`` prints them without a terminal."""

    def __init__(self, stream: io.StringIO) -> None:
        super().__init__(level=logging.INFO)
        self.stream = stream
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        print(f"{record.levelname:<8}-  {self.format(record)}", file=self.stream)


@contextlib.contextmanager
def _as_the_mkdocs_command(stderr: io.StringIO) -> Iterator[None]:
    """What ``mkdocs build`` sets up around a build: its log lines at INFO on stderr, a duplicate
    message logged once, and Python warnings logged at INFO (never raised, never counted by
    strict mode); plugins made anew, as in a new process (``mkdocs serve`` would keep them)."""
    from mkdocs.commands import build as mkdocs_build
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.utils import DuplicateFilter

    logger, lines, duplicates = logging.getLogger("mkdocs"), _LogLines(stderr), DuplicateFilter()
    level = logger.level
    MkDocsConfig.plugins.plugin_cache.clear()

    def show(message: Warning | str, category: type[Warning], *args: object, **kwargs: object) -> None:
        logging.getLogger("mkdocs.__main__").info(f"{category.__name__}: {message}")

    logger.addHandler(lines)
    logger.setLevel(logging.INFO)
    mkdocs_build.log.addFilter(duplicates)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.simplefilter("module", DeprecationWarning)
            warnings.showwarning = show
            yield
    finally:
        mkdocs_build.log.removeFilter(duplicates)
        logger.setLevel(level)
        logger.removeHandler(lines)
        MkDocsConfig.plugins.plugin_cache.clear()


def build(
    site_dir: Path, *, env: dict[str, str] | None = None, config: Path | None = None, timeout: float | None = None
) -> Run:
    """``mkdocs build --strict -f CONFIG -d SITE_DIR`` in this process, exactly as strict (MkDocs
    counts warnings and aborts), with the environment of :func:`isolated` (``!ENV`` tags are read
    when the config loads). Exit code and output as the command's; an exception the command would
    have printed as a traceback fails the test, and so does running past *timeout* seconds."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    config_file = _config_file(env, config)
    what = f"mkdocs build --strict -f {config_file}"
    stdout, stderr = io.StringIO(), io.StringIO()
    code = 0
    with (
        isolated(env),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
        _as_the_mkdocs_command(stderr),
        _time_limit(timeout, what),
    ):
        try:
            loaded = load_config(config_file=str(config_file), strict=True, site_dir=str(site_dir))
            loaded.plugins.on_startup(command="build", dirty=False)
            try:
                mkdocs_build(loaded, dirty=False)
            finally:
                loaded.plugins.on_shutdown()
        except MkDocsException as exc:  # as click shows it: Abort on stdout, the others as Error:
            code = exc.exit_code
            if isinstance(exc, Abort):
                print("\n" + exc.format_message(), file=stdout)
            else:
                print(f"Error: {exc.format_message()}", file=stderr)
        except SystemExit as exc:
            code = _exit_code(exc, stderr)
        except Exception:
            _no_traceback(what)
    return Run(code, stdout.getvalue(), stderr.getvalue())


#: the Chromium the browser tests drive (Debian's), and the flags that work headless here
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
