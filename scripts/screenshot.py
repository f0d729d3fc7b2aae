"""Screenshot pages of a built site in headless Chromium (for reviewing what readers see).

usage: python scripts/screenshot.py SITE_DIR OUT_DIR PATH [PATH ...] [--width 1280] [--dark]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

from cellsdocs.linkcheck.site import serve_site

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("site")
    parser.add_argument("out")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--dark", action="store_true")
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with serve_site(Path(args.site)) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(
            viewport={"width": args.width, "height": args.height}, color_scheme="dark" if args.dark else "light"
        )
        for path in args.paths:
            page.goto(url + path.lstrip("/"))
            page.wait_for_load_state("networkidle")
            name = (
                (path.strip("/").replace("/", "_").replace("#", "_") or "home")
                + ("-dark" if args.dark else "")
                + f"-{args.width}.png"
            )
            page.screenshot(path=str(out / name), full_page=args.full)
            print(out / name)
        browser.close()


if __name__ == "__main__":
    main()
