"""Benchmark: the full site build against a plain MkDocs build of the same final Markdown.

Run by ``make bench``. Each build runs ``--repeat`` times in a fresh process; the median counts.
The plain build uses the Markdown the full build produced (macros expanded, generated pages
included), with the hooks, macros and generators disabled, so the ratio is the cost of this
project's machinery. Results are printed and, with ``--record``, saved to bench/results.json,
which the Development page renders.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_build(config: Path, site: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(config), "-d", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"bench: build with {config.name} failed:\n{proc.stdout}{proc.stderr}")
    return elapsed


def page_sizes(site: Path) -> list[int]:
    return sorted(p.stat().st_size for p in site.rglob("*.html"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--record", action="store_true", help="save the figures to bench/results.json")
    args = parser.parse_args()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    with tempfile.TemporaryDirectory(prefix="cells-bench-") as tmp_name:
        tmp = Path(tmp_name)
        dump = tmp / "final-markdown"
        # one build that also saves the final Markdown (not timed: dumping costs I/O)
        run_build(ROOT / "mkdocs.yml", tmp / "site-dump", dict(env, CELLS_DUMP_MARKDOWN=str(dump)))
        nav = json.loads((dump / "_nav.json").read_text())
        (dump / "_nav.json").unlink()
        plain = tmp / "mkdocs-plain.yml"
        plain.write_text(
            json.dumps(
                {
                    "INHERIT": str(ROOT / "mkdocs.yml"),
                    "docs_dir": str(dump),
                    "plugins": ["search"],
                    "hooks": [],
                    "nav": nav,
                }
            )
        )
        full_times = [run_build(ROOT / "mkdocs.yml", tmp / "site-full", env) for _ in range(args.repeat)]
        plain_times = [run_build(plain, tmp / "site-plain", env) for _ in range(args.repeat)]
        sizes = page_sizes(tmp / "site-full")
        full, base = statistics.median(full_times), statistics.median(plain_times)
        results = {
            "full_build_s": round(full, 3),
            "plain_build_s": round(base, 3),
            "overhead_ratio": round(full / base, 3),
            "pages": len(sizes),
            "total_page_kb": round(sum(sizes) / 1024, 1),
            "median_page_kb": round(statistics.median(sizes) / 1024, 1),
            "largest_page_kb": round(max(sizes) / 1024, 1),
            "repeat": args.repeat,
        }
        shutil.rmtree(tmp / "site-dump", ignore_errors=True)
    width = max(len(k) for k in results)
    for key, value in results.items():
        print(f"{key:{width}}  {value}")
    if args.record:
        out = ROOT / "bench" / "results.json"
        recorded = json.loads(out.read_text()) if out.exists() else {}
        recorded["site"] = results
        out.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n")
        print(f"recorded in {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
