"""Benchmark only (imported by scripts/bench.py): the writer's loop and the peers' builds.

- ``write_adr_corpus``: today's sources with 1,000 synthetic MADR records added to the ADRs (the
  records of the scale corpus, governing names that exist in today's sources).
- ``bench_edit_to_view``: save a file, then the warm :class:`cellsdocs.cli.serve.Server` has the new
  page in place; seconds per edit kind (an ADR, a guide, a runbook, a rule set), fastest of several,
  with the warm build process's CPU time beside them.
- ``bench_peers``: the build figures of the peers reachable here over the same 1,000 records:
  plain MkDocs with a flat nav and with a chunked nav; log4brains and adr-tools only when installed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: names in today's sources the synthetic records say they govern (write_adrs numbers them)
_SERVICES = ("CellService", "ClassifyService", "ClaimService", "SequenceService", "HealthService")
_RULE_SETS = ("passthrough", "firstcell", "session_prefix", "routable_tokens")
#: what a repository copy for the loop leaves out (not read by a build)
_NOT_COPIED = (".venv", ".venv-tools", "node_modules", "test-artifacts", "site", "site.new", "site.old", "build")


def write_adr_corpus(folder: Path, count: int = 1000) -> Path:
    """Today's ADRs plus *count* synthetic MADR records (numbered from 100) in *folder*."""
    from cellsdocs.synth import write_adrs

    shutil.copytree(ROOT / "adr", folder)
    write_adrs(folder, count=count, first=100, cells=6, rule_sets=len(_RULE_SETS), services=len(_SERVICES))
    for path in folder.glob("*-synthetic-decision-*.md"):
        text = path.read_text()
        text = re.sub(r"services: \[S(\d+)\]", lambda m: f"services: [{_SERVICES[int(m[1])]}]", text)
        text = re.sub(r"rule-sets: \[set(\d+)\]", lambda m: f"rule-sets: [{_RULE_SETS[int(m[1])]}]", text)
        path.write_text(text)
    return folder


def copy_project(target: Path) -> Path:
    """The repository's working tree (what a build reads) in *target*, so that edits made by the
    benchmark never touch the checkout."""
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(*_NOT_COPIED, "__pycache__", ".cache"), symlinks=True)
    return target


# -- edit to view ----------------------------------------------------------------------------------


def _cpu_of(pid: int) -> float:
    """User + system seconds used so far by process *pid* and its waited-for children (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / ticks  # utime stime cutime cstime


@contextlib.contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def _edits(project: Path, env: dict[str, str]) -> dict[str, tuple[Path, str]]:
    """Edit kind -> (file saved, URL path of the page that must show the edit)."""
    adr = sorted(Path(env["CELLS_ADR_DIR"]).glob("0013-*.md"))[0]
    runbook = sorted(Path(env["CELLS_RUNBOOK_DIR"]).glob("http-router/*.md"))[0]
    rules = Path(env["CELLS_ROUTER_RULES"]) / "passthrough.json"
    return {
        "adr": (adr, f"adr/{adr.stem}/index.html"),
        "guide": (project / "docs" / "guides" / "architecture.md", "guides/architecture/index.html"),
        "runbook": (runbook, f"runbooks/http-router/{runbook.stem}/index.html"),
        "rule_set": (rules, "reference/routing/passthrough/index.html"),
    }


def _edit(path: Path, marker: str) -> None:
    """Save *path* with *marker* in it: a sentence in Markdown, a rule's description in a rule set."""
    text = path.read_text()
    if path.suffix == ".json":
        rules = json.loads(text)
        rules[0]["description"] = f"{rules[0].get('description', '').split(' [')[0]} [{marker}]"
        path.write_text(json.dumps(rules, indent=2) + "\n")
    else:
        path.write_text(re.sub(r"\n\nbenchedit\S+\n?$", "\n", text).rstrip("\n") + f"\n\n{marker}\n")


def bench_edit_to_view(project: Path, env: dict[str, str], repeat: int) -> dict[str, object]:
    """Edit-to-view in a warm Server over *project* with the sources of *env*: for each edit kind,
    save the file, rebuild (``Server.build``, what the watch loop calls on a change), and check
    that the served page shows the edit. Seconds from save to the new page in place, fastest of
    *repeat*; the warm process's CPU time of that rebuild beside it."""
    from cellsdocs.cli.serve import Server

    results: dict[str, object] = {}
    with _environ(env):
        server = Server(project, port=0, config=project / "mkdocs.yml", timeout=600)
        try:
            started = time.perf_counter()
            if not server.build():
                raise SystemExit(f"bench: the first serve build failed:\n{server.error}")
            results["first_build_s"] = round(time.perf_counter() - started, 3)
            edits = _edits(project, env)
            for kind, (path, page) in edits.items():
                walls, cpus = [], []
                modes: set[str] = set()
                for attempt in range(repeat):
                    marker = f"benchedit{kind.replace('_', '')}{attempt}"  # nothing Markdown or escaping alters
                    worker = server._worker
                    cpu_before = _cpu_of(worker.pid) if worker is not None else 0.0
                    started = time.perf_counter()
                    _edit(path, marker)
                    if not server.build():
                        raise SystemExit(f"bench: the rebuild after editing {path.name} failed:\n{server.error}")
                    wall = time.perf_counter() - started
                    assert server.current is not None and server._worker is not None
                    if marker not in (server.current / page).read_text():
                        raise SystemExit(f"bench: {page} does not show the edit of {path.name}")
                    walls.append(wall)
                    cpus.append(_cpu_of(server._worker.pid) - cpu_before)
                    modes.add(server.last_mode)
                results[f"edit_{kind}_s"] = round(min(walls), 3)
                results[f"edit_{kind}_cpu_s"] = round(min(cpus), 3)
                results[f"edit_{kind}_median_s"] = round(statistics.median(walls), 3)
                results[f"edit_{kind}_mode"] = "/".join(sorted(modes))  # incremental or full
                print(f"  edit {kind}: {[round(w, 2) for w in walls]} s ({'/'.join(sorted(modes))})", flush=True)
            results["edit_repeat"] = repeat
        finally:
            server.close()
    return results


# -- peers -----------------------------------------------------------------------------------------


def _adr_pages(adrs: Path, docs: Path) -> list[str]:
    """The records as plain Markdown pages of a bare MkDocs site (front matter kept: MkDocs reads it)."""
    (docs / "adr").mkdir(parents=True)
    (docs / "index.md").write_text("# Decisions\n\nThe decision records.\n")
    names = []
    for path in sorted(adrs.glob("*-synthetic-decision-*.md")):
        shutil.copyfile(path, docs / "adr" / path.name)
        names.append(f"adr/{path.name}")
    return names


def prepare_peer_configs(adrs: Path, folder: Path) -> dict[str, Path]:
    """Configs of plain MkDocs (Material, search, no plugin of ours) over the same records: one
    flat nav section, and the nav chunked into sections of 100 with ``navigation.prune``."""
    docs = folder / "peer-docs"
    pages = _adr_pages(adrs, docs)
    chunks = [
        {f"{pages[i].split('/')[1][:4]}–{pages[min(i + 99, len(pages) - 1)].split('/')[1][:4]}": pages[i : i + 100]}
        for i in range(0, len(pages), 100)
    ]
    theme = {"name": "material", "features": ["navigation.sections", "navigation.prune"]}
    configs = {}
    for name, nav in (("flat", [{"Decisions": pages}]), ("chunked", [{"Decisions": chunks}])):
        config = folder / f"mkdocs-peer-{name}.yml"
        config.write_text(
            json.dumps(
                {
                    "site_name": "Decision records",
                    "docs_dir": str(docs),
                    "theme": theme,
                    "plugins": ["search"],
                    "nav": [{"Home": "index.md"}, *nav],
                }
            )
        )
        configs[name] = config
    return configs


def time_adr_tools(adrs: Path, folder: Path, repeat: int) -> float | None:
    """adr-tools' table of contents (``adr generate toc``) over the records, fastest of *repeat*."""
    adr = shutil.which("adr")
    if adr is None:
        return None
    work = folder / "adr-tools"
    shutil.copytree(adrs, work / "doc" / "adr")
    (work / ".adr-dir").write_text("doc/adr\n")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([adr, "generate", "toc"], cwd=work, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return min(times)


def time_log4brains(adrs: Path, folder: Path, repeat: int) -> float | None:
    """log4brains' static site (``log4brains build``) over the records, fastest of *repeat*."""
    tool = shutil.which("log4brains")
    if tool is None:
        return None
    work = folder / "log4brains"
    shutil.copytree(adrs, work / "docs" / "adr")
    (work / ".log4brains.yml").write_text("project:\n  name: Cells\n  tz: Etc/UTC\n  adrFolder: ./docs/adr\n")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([tool, "build", "--out", str(work / "out")], cwd=work, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return min(times)


if __name__ == "__main__":  # pragma: no cover - a helper module
    sys.exit("run scripts/bench.py")
