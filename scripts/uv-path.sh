#!/usr/bin/env bash
# Print the uv to use: the pinned one in .venv-tools if present, else the one on PATH.
cd "$(dirname "$0")/.."
if [ -x .venv-tools/bin/uv ]; then echo "$PWD/.venv-tools/bin/uv"; else command -v uv; fi
