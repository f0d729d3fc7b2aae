# The one command surface: people, .ci/run and .gitlab-ci.yml all use these targets.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export NO_MKDOCS_2_WARNING := 1
UV = "$$(scripts/uv-path.sh)"
RUN = $(UV) run --frozen --quiet
SITE_DIR ?= site
MKDOCS_YML ?= mkdocs.yml
# Every target that deletes a folder first asks whether it is safe to replace: never a source, a
# tracked folder, the repository or a folder holding it (one line and the fix, nothing deleted).
SITE_DIR_CHECK = $(RUN) cells-docs site-dir-check

.PHONY: help setup setup-test sources serve build check linkcheck linkcheck-site lint test test-suite test-fast offline public bench preview sources-update sources-update-write ci-build clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

setup:  ## install what is missing: Python deps (uv.lock), Graphviz
	@scripts/setup.sh

setup-test:  ## setup + Chromium and the npm test tools
	@scripts/setup.sh --test

sources: setup  ## fetch the remote sources of sources.toml at their locked commits (no network when cached)
	$(RUN) cells-docs sources sync

serve: setup sources  ## serve the site on http://127.0.0.1:8000 with live reload (a broken source keeps the last good site)
	$(RUN) cells-docs serve --host 127.0.0.1 --port 8000

build: setup sources  ## strict build into $(SITE_DIR)/ (replaced only by a complete, successful build)
	$(SITE_DIR_CHECK) '$(SITE_DIR)'
	rm -rf '$(SITE_DIR).new'
	$(RUN) mkdocs build --strict --clean --config-file '$(MKDOCS_YML)' --site-dir '$(SITE_DIR).new'
	rm -rf '$(SITE_DIR).old' && if [ -d '$(SITE_DIR)' ]; then mv '$(SITE_DIR)' '$(SITE_DIR).old'; fi
	mv '$(SITE_DIR).new' '$(SITE_DIR)' && rm -rf '$(SITE_DIR).old'

check: setup sources  ## validate every source without building the site
	$(RUN) cells-docs check

linkcheck: build  ## check every internal link and anchor of the built site
	$(RUN) cells-docs linkcheck '$(SITE_DIR)'

linkcheck-site: setup  ## check the site already in $(SITE_DIR)/ as it is, no rebuild (CI: the artifact that is published)
	$(RUN) cells-docs linkcheck '$(SITE_DIR)'

# diagrams/ is not a package (it would shadow the diagrams library): mypy checks its files as top-level modules
lint: setup  ## ruff + mypy (the library, macros, tests, scripts and the diagram definitions)
	$(RUN) ruff check src macros tests scripts diagrams
	$(RUN) ruff format --check src macros tests scripts diagrams
	$(RUN) mypy
	$(RUN) sh -c 'cd diagrams && MYPYPATH=../src mypy --config-file ../pyproject.toml *.py'

test: setup-test lint  ## everything: lint, unit, golden, broken-input, site build, link check, browser
	$(RUN) pytest -n 2 -q

test-suite: setup-test  ## make test without lint (CI's test job: the lint job runs lint)
	$(RUN) pytest -n 2 -q

# in-process only: no site build, no browser, no real process (slow); Hypothesis's fast profile.
# Serial: -n 2 measured no faster on two cores (each worker imports and collects the whole suite).
test-fast: setup  ## unit tests only, in-process (no site build, no browser, no real process)
	$(RUN) pytest -q -m "not site and not browser and not ci and not slow" --hypothesis-profile=fast

offline: setup-test  ## build/cells-docs-offline.zip: the site for file:// use, search included
	$(SITE_DIR_CHECK) build/offline-site
	rm -rf build/offline-site && mkdir -p build
	CELLS_OFFLINE=true $(RUN) mkdocs build --strict --site-dir build/offline-site
	$(RUN) python scripts/pack.py build/offline-site build/cells-docs-offline.zip

public:  ## public/: the built site as GitLab Pages serves it, a .gz beside every text file (needs make build)
	@test -f '$(SITE_DIR)/index.html' || { echo "make public: no built site in $(SITE_DIR)/ (fix: make build)" >&2; exit 1; }
	$(SITE_DIR_CHECK) public
	rm -rf public && cp -r '$(SITE_DIR)' public
	python3 scripts/precompress.py public

bench: setup-test  ## benchmark: site vs plain MkDocs build of the same Markdown; API, routing, explainer; edit-to-view and peers (1,000 ADRs)
	$(RUN) python scripts/bench.py

PREVIEW_SITE ?= site
PREVIEW_SUMMARY ?= preview-summary.md
preview: setup sources  ## one source (KIND) replaced by another checkout (PREVIEW_PATH): summary + drift-report build
	@test -n "$(KIND)" -a -n "$(PREVIEW_PATH)" || { echo "make preview: set KIND=<protos|topology|rules|alerts|adrs|runbooks> and PREVIEW_PATH=<path>" >&2; exit 1; }
	$(RUN) cells-docs sources preview "$(KIND)" "$(PREVIEW_PATH)" --label "$(PREVIEW_LABEL)" --summary "$(PREVIEW_SUMMARY)" --build "$(PREVIEW_SITE)"

sources-update: setup  ## scheduled: exit 3 with a summary (sources-update.md) when an upstream source moved
	$(RUN) cells-docs sources update --check --summary sources-update.md

sources-update-write: setup  ## move sources.lock to each upstream head (writes sources-update.md)
	$(RUN) cells-docs sources update --summary sources-update.md

ci-build: setup  ## CI's build job: make build for where this pipeline publishes (scripts/ci-site.sh -> ci-site.env)
	scripts/ci-site.sh > ci-site.env
	cat ci-site.env
	set -a && . ./ci-site.env && set +a && if [ "$$CELLS_OFFLINE" = true ]; then scripts/setup.sh --test; fi && $(MAKE) build

clean:
	@if [ '$(SITE_DIR)' != site ]; then $(SITE_DIR_CHECK) '$(SITE_DIR)'; fi
	rm -rf '$(SITE_DIR)' public build .cache .pytest_cache .mypy_cache .ruff_cache
