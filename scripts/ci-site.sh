#!/bin/sh
# Where this pipeline's site is published, and how it is built for it: printed as dotenv lines
# (KEY=VALUE) that the build job sources and hands on to the jobs that publish its artifact.
#
#   CELLS_SITE_URL   the canonical URL (canonical links, sitemap); empty: built without one
#   CELLS_OFFLINE    true for a review offered as browsable job artifacts (links name index.html)
#   CELLS_PUBLISH    production, review-pages, review-artifacts or none
#
# Read from the environment (GitLab's predefined variables and the project's CI/CD variables):
#   CELLS_PAGES_URL        the Pages URL of the production site, when not GitLab's (custom domain)
#   CI_PAGES_URL           GitLab's Pages URL (empty where Pages is not enabled)
#   CELLS_REVIEW_MODE      pages-parallel: merge requests get a Pages deployment under /mr-<iid>/
#                          (needs parallel deployments: GitLab Premium or Ultimate); anything else
#                          (the default, artifacts): the review is the build job's browsable artifact
#   CI_MERGE_REQUEST_IID   set in merge request pipelines
#   CI_COMMIT_BRANCH, CI_DEFAULT_BRANCH   production is the default branch
set -eu

warn() { printf 'ci-site: %s\n' "$*" >&2; }

base=${CELLS_PAGES_URL:-${CI_PAGES_URL:-}}
base=${base%/}
iid=${CI_MERGE_REQUEST_IID:-}
mode=${CELLS_REVIEW_MODE:-artifacts}

case "$mode" in
  pages-parallel | artifacts) ;;
  *)
    warn "CELLS_REVIEW_MODE=$mode is not a review mode (fix: pages-parallel or artifacts)"
    exit 1
    ;;
esac

if [ -n "$base" ]; then
  # Only plain http(s) URLs: the value lands in a dotenv file and in MkDocs' site_url.
  if ! printf '%s' "$base" | grep -Eq '^https?://[A-Za-z0-9._~:@%/+-]+$'; then
    source_var=CI_PAGES_URL
    [ -n "${CELLS_PAGES_URL:-}" ] && source_var=CELLS_PAGES_URL
    warn "$source_var=$base is not an http(s) URL (fix: set CELLS_PAGES_URL to the site's address, e.g. https://group.gitlab.io/project)"
    exit 1
  fi
  # GitLab 17.7+ (fix_pages_ci_variables) puts a Pages job's path_prefix in CI_PAGES_URL already.
  if [ -n "$iid" ]; then
    base=${base%/mr-"$iid"}
  fi
fi

offline=false
if [ -n "$iid" ]; then
  if [ "$mode" = pages-parallel ]; then
    publish=review-pages
  else
    # Served file by file from the artifacts browser: no directory index, so links name index.html.
    publish=review-artifacts
    offline=true
  fi
elif [ -n "${CI_COMMIT_BRANCH:-}" ] && [ "${CI_COMMIT_BRANCH}" = "${CI_DEFAULT_BRANCH:-}" ]; then
  publish=production
else
  publish=none
fi

url=""
if [ -n "$base" ]; then
  if [ "$publish" = review-pages ]; then
    url="$base/mr-$iid/"
  else
    # Production, a tag, or a review as artifacts: the canonical page is the production one.
    url="$base/"
  fi
else
  warn "no Pages URL (CI_PAGES_URL is empty: GitLab Pages is not enabled for this project, and CELLS_PAGES_URL is not set):"
  warn "building without a canonical URL (no canonical links, an empty sitemap). Fix: enable Pages, or set CELLS_PAGES_URL"
fi

printf 'CELLS_SITE_URL=%s\n' "$url"
printf 'CELLS_OFFLINE=%s\n' "$offline"
printf 'CELLS_PUBLISH=%s\n' "$publish"
