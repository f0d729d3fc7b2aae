"""Shared test helpers: paths, private source trees, running the CLI and MkDocs builds."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

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


def run(args: list[str], *, env: dict[str, str] | None = None, cwd: Path = ROOT) -> Run:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CELLS_")}
    full_env["NO_MKDOCS_2_WARNING"] = "1"
    full_env.update(env or {})
    proc = subprocess.run(args, cwd=cwd, env=full_env, capture_output=True, text=True, check=False)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def cli(*args: str, env: dict[str, str] | None = None) -> Run:
    return run([sys.executable, "-m", "cellsdocs", *args], env=env)


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


def build(site_dir: Path, *, env: dict[str, str] | None = None, config: Path | None = None) -> Run:
    if config is None and env and "CELLS_PROTO_ROOT" in env:
        config = minimal_project()
    return run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(config or ROOT / "mkdocs.yml"),
            "-d",
            str(site_dir),
        ],
        env=env,
    )


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
