#!/usr/bin/env bash
# Prove the two-command setup from a clean clone: clone the committed HEAD into a temporary
# folder and run `make check build` there (make test would recurse into this very check).
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
dest="$(mktemp -d /tmp/cells-fresh-XXXXXX)"
trap 'rm -rf "$dest"' EXIT
git clone --quiet "$src" "$dest/clone"
cd "$dest/clone"
make --no-print-directory check build SITE_DIR="$dest/site"
test -f "$dest/site/index.html"
echo "fresh clone: make check build passed ($(find "$dest/site" -name '*.html' | wc -l) pages)"
