"""The fast link-check engine reports exactly what stock linkchecker reports.

A small site full of traps (broken pages, broken and good anchors on the same and on other pages,
``<a name>`` anchors, links inside inline SVG, deep nesting, a ``<base>``, duplicates across
pages, non-HTML targets with fragments) is checked twice, by ``python -m linkcheck`` and by
``python -m cellsdocs.linkcheck.engine``, with the same configuration; the CSV loggers' rows
must be the same, apart from source line and column (lxml gives none) and timings.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from cellsdocs.linkcheck import engine as linkcheck_engine
from cellsdocs.linkcheck.site import check_site, serve_site, site_documents

_CONFIG = """\
[checking]
threads=0
maxrequestspersecond=100000
recursionlevel=-1
[filtering]
checkextern=0
[output]
status=0
[csv]
# linkchecker's CSV logger drops the line and column fields when they are unknown (as with lxml)
parts=urlname,parentname,base,result,warningstring,infostring,valid,url,name,level
[AnchorCheck]
"""

_NEST = "<div>" * 60 + '<a href="../#deep-target">deep link</a>' + "</div>" * 60

PAGES = {
    "index.html": """<!doctype html><html><head><title>Home</title>
<link rel="stylesheet" href="style.css"></head><body>
<h1 id="top">Home</h1><a name="legacy"></a><p id="deep-target">x</p>
<a href="a/">A</a> <a href="a/#present">A present</a> <a href="a/#missing">A missing</a>
<a href="a/#present">A present again</a> <a href="b/">B (no such page)</a>
<a href="#top">top</a> <a href="#nowhere">nowhere</a> <a href="#legacy">legacy</a>
<img src="missing.png" alt="gone"> <img src="pic.svg" alt="pic">
<a href="data.json#key">data</a> <a href="nested/">nested</a> <a href="based/">based</a>
<svg><a href="a/#svg-target"><text>box</text></a><a href="a/#svg-missing"><text>box2</text></a></svg>
<a href="a/index.html#present">explicit index</a> <a href="a/%70resent-dir/">quoted</a>
<a href="pic.svg?v=2"> spaced <!-- not text --> <b>name</b>&nbsp;</a> <!-- <a href="in-comment/">x</a> -->
<a href="norobots/">no robots</a> <a href="latin/">latin</a> <a href="xhtml.html#x-anchor">xhtml</a>
<a href="xhtml.html#x-missing">xhtml missing</a>
</body></html>""",
    "norobots/index.html": """<!doctype html><html><head><meta name="robots" content="noindex, NOFOLLOW">
</head><body><a href="../not-followed/">never checked: the page forbids following</a></body></html>""",
    "xhtml.html": """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><body><p id="x-anchor">x</p><a href="gone.html">gone</a></body></html>""",
    "a/index.html": """<!doctype html><html><head><title>A</title></head><body>
<h2 id="present">Present</h2><g id="svg-target"></g>
<a href="../#legacy">back legacy</a> <a href="../#gone">back gone</a> <a href="../">home</a>
<a href="#present">self</a> <a href="#absent">self absent</a> <a href="../b/">B again</a>
<a href="../a/#missing">A missing, from A</a>
</body></html>""",
    "a/present-dir/index.html": "<!doctype html><html><body><p>ok</p></body></html>",
    "nested/index.html": f"<!doctype html><html><body>{_NEST}<a href='../a/#nope'>nope</a></body></html>",
    "based/index.html": """<!doctype html><html><head><base href="../a/"></head><body>
<a href="#present">via base</a> <a href="#based-missing">via base, missing</a></body></html>""",
    "style.css": "body { color: black; background: url(missing-bg.png); } h1 { background: url(pic.svg); }",
    "pic.svg": '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    "data.json": '{"key": 1}',
}

_VOLATILE = {"line", "column"}


def _write_site(root: Path) -> Path:
    for name, text in PAGES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    latin = '<html><head><meta charset="iso-8859-1"></head><body><a href="../a/#caf\xe9">Caf\xe9</a></body></html>'
    (root / "latin").mkdir(exist_ok=True)
    (root / "latin" / "index.html").write_bytes(latin.encode("latin-1"))
    root.chmod(0o755)
    return root


def _rows(module: str, url: str, rc: Path) -> list[dict[str, str]]:
    proc = subprocess.run(
        [sys.executable, "-m", module, "-f", str(rc), "--no-robots", "-v", "-o", "csv", url],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line and not line.startswith("# ")]  # comments
    rows = list(csv.DictReader(io.StringIO("\n".join(lines)), delimiter=";"))
    assert rows, proc.stdout + proc.stderr
    return sorted(
        ({k: v for k, v in row.items() if k not in _VOLATILE} for row in rows),
        key=lambda row: (row["url"], row["urlname"], row["parentname"]),
    )


@pytest.fixture(scope="module")
def trap_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_site(tmp_path_factory.mktemp("trap-site"))


@pytest.mark.slow  # linkchecker in its own process over a served site
def test_engine_reports_what_stock_linkchecker_reports(trap_site: Path, tmp_path: Path) -> None:
    rc = tmp_path / "rc"
    rc.write_text(_CONFIG)
    rc.chmod(0o644)
    tmp_path.chmod(0o755)
    with serve_site(trap_site) as url:
        stock = _rows("linkcheck", url, rc)
        engine = _rows("cellsdocs.linkcheck.engine", url, rc)
    assert engine == stock
    # the traps were sprung: the comparison is not between two empty reports
    warned = {row["urlname"] for row in stock if "not found" in row["warningstring"]}
    assert {"a/#missing", "#nowhere", "../#gone", "#absent", "a/#svg-missing", "#based-missing"} <= warned
    assert {"xhtml.html#x-missing", "../a/#café"} <= warned
    assert "in-comment/" not in str(stock) and "not-followed/" not in str(stock)
    assert any(row["name"] == "spaced  name" for row in stock)
    assert {"a/#present", "#legacy", "../#legacy", "a/#svg-target", "../#deep-target"}.isdisjoint(warned)
    assert {row["urlname"] for row in stock if row["valid"] == "False"} >= {
        "b/",
        "missing.png",
        "gone.html",
        "missing-bg.png",
    }


@pytest.mark.slow  # linkchecker in its own process over a served site
def test_the_site_check_finds_every_failure(trap_site: Path) -> None:
    report = check_site(trap_site)
    assert not report.ok
    assert (report.warnings, report.errors) == (9, 4)  # each failing URL once, at its first occurrence
    for broken in ("a/#missing", "#nowhere", "#gone", "#absent", "#svg-missing", "#based-missing", "#nope"):
        assert f"{broken}'" in report.output, broken
    for broken in ("b/", "missing.png", "gone.html", "#x-missing", "#café", "missing-bg.png"):
        assert broken in report.output, broken
    assert "line " in report.output  # lxml's source lines reach the report
    assert "Statistics" not in report.output and "dropping privileges" not in report.output


def test_every_page_and_stylesheet_is_a_start_url_but_404(tmp_path: Path) -> None:
    for name in ("index.html", "big/index.html", "c.html", "404.html", "assets/x.css", "assets/x.js", "i.svg"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert site_documents(tmp_path) == ["", "assets/x.css", "big/", "c.html"]


def test_an_unverified_linkchecker_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linkcheck_engine, "installed_version", lambda: "99.0")
    with pytest.raises(SystemExit, match=r"linkchecker 99\.0 is installed.*verified against 10\.6\.0"):
        linkcheck_engine.install()
