"""``make public``: a .gz copy beside every text file, served as GitLab Pages serves them."""

from __future__ import annotations

import gzip
import sys
import urllib.request
from pathlib import Path

from cellsdocs.linkcheck.site import serve_site

from helpers import ROOT, run

PRECOMPRESS = [sys.executable, str(ROOT / "scripts" / "precompress.py")]


def _site(root: Path) -> Path:
    (root / "a").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>home</title>" + "<p>cells</p>" * 200)
    (root / "a" / "index.html").write_text("<p>page a</p>" * 100)
    (root / "style.css").write_text("body { color: black; }\n" * 50)
    (root / "pic.png").write_bytes(b"\x89PNG" + bytes(range(256)) * 4)
    (root / "tiny.txt").write_text("x")
    return root


def test_text_files_get_a_reproducible_gzip_copy(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    result = run([*PRECOMPRESS, str(site)])
    assert result.code == 0, result.output
    assert "precompressed 3 files" in result.stdout
    for name in ("index.html", "a/index.html", "style.css"):
        packed = site / f"{name}.gz"
        assert gzip.decompress(packed.read_bytes()) == (site / name).read_bytes()
    assert not (site / "pic.png.gz").exists()  # images are compressed already
    assert not (site / "tiny.txt.gz").exists()  # gzip would make it larger
    first = (site / "index.html.gz").read_bytes()
    assert run([*PRECOMPRESS, str(site)]).code == 0
    assert (site / "index.html.gz").read_bytes() == first  # no timestamp or name in the header


def test_a_stale_copy_is_removed(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    (site / "tiny.txt.gz").write_bytes(gzip.compress(b"an old version"))
    assert run([*PRECOMPRESS, str(site)]).code == 0
    assert not (site / "tiny.txt.gz").exists()


def test_no_built_site_is_a_clear_error(tmp_path: Path) -> None:
    result = run([*PRECOMPRESS, str(tmp_path)])
    assert result.code == 2
    assert "a built site, with index.html" in result.stderr and "make build" in result.stderr


def test_the_server_sends_the_gzip_copy_to_clients_that_accept_it(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert run([*PRECOMPRESS, str(site)]).code == 0
    with serve_site(site, precompressed=True) as url:
        for path, original in (("", "index.html"), ("a/", "a/index.html"), ("style.css", "style.css")):
            request = urllib.request.Request(url + path, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(request) as response:
                assert response.headers["Content-Encoding"] == "gzip"
                assert gzip.decompress(response.read()) == (site / original).read_bytes()
        with urllib.request.urlopen(url + "a/") as response:  # no Accept-Encoding: the file as is
            assert response.headers["Content-Encoding"] is None
            assert response.read() == (site / "a" / "index.html").read_bytes()
        with urllib.request.urlopen(url + "pic.png") as response:
            assert response.read() == (site / "pic.png").read_bytes()
