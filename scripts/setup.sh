#!/usr/bin/env bash
# Install everything the site and its tests need that is missing; safe to run again.
#   scripts/setup.sh          Python environment (from uv.lock) + Graphviz
#   scripts/setup.sh --test   ... + Chromium (browser tests) + npm test tools (package-lock.json) + rsync
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION="0.13.8"
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf 'setup: %s\n' "$*" >&2; }

need_debs=()
command -v dot >/dev/null 2>&1 || need_debs+=(graphviz)
if [ "$want_test" = 1 ]; then
  [ -x /usr/bin/chromium ] || need_debs+=(chromium)
  command -v npm >/dev/null 2>&1 || need_debs+=(npm)
  command -v rsync >/dev/null 2>&1 || need_debs+=(rsync)  # gitlab-ci-local's shell executor (tests/test_ci_pipeline.py)
fi
if [ "${#need_debs[@]}" -gt 0 ]; then
  cmd="apt-get update && apt-get install -y --no-install-recommends ${need_debs[*]}"
  if [ "$(id -u)" = 0 ]; then
    say "installing Debian packages: ${need_debs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need_debs[@]}" >/dev/null
  else
    say "missing Debian packages: ${need_debs[*]}. Run as root:"
    say "  sudo sh -c '$cmd'"
    exit 1
  fi
fi

if ! command -v uv >/dev/null 2>&1 || [ "$(uv --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  if [ ! -x .venv-tools/bin/uv ]; then
    say "installing uv $UV_VERSION (into .venv-tools)"
    python3 -m venv .venv-tools
    .venv-tools/bin/pip install -q "uv==$UV_VERSION"
  fi
fi

# In the CI image (ci/Dockerfile), the Python environment and npm test tools are there already:
# use them (uv sync below brings the environment to this uv.lock if it moved since the image).
if [ -n "${CELLS_CI_PREFIX:-}" ]; then
  if [ ! -e .venv ] && [ -d "$CELLS_CI_PREFIX/venv" ]; then
    ln -s "$CELLS_CI_PREFIX/venv" .venv
  fi
  if [ "$want_test" = 1 ] && [ ! -e node_modules ] && cmp -s package-lock.json "$CELLS_CI_PREFIX/npm.lock"; then
    ln -s "$CELLS_CI_PREFIX/node_modules" node_modules
  fi
fi

# Python dependencies, exactly as locked
export UV_PYTHON_DOWNLOADS=never
"$(scripts/uv-path.sh)" sync --frozen --quiet

if [ "$want_test" = 1 ] && [ -f package-lock.json ]; then
  if [ -L node_modules ] && cmp -s package-lock.json "$(readlink node_modules)/../npm.lock"; then
    :  # the CI image's copy, same lock
  elif [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm test tools (package-lock.json)"
    npm install --silent --no-audit --no-fund >/dev/null  # npm 11's ci rejects a lock holding one platform's optional binaries
  fi
fi
