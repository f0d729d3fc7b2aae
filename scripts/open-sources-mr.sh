#!/usr/bin/env bash
# Scheduled sources-update job, opt-in: move sources.lock to each upstream head, push it to a
# branch and open a merge request with the summary (GitLab push options; needs CELLS_UPDATE_TOKEN,
# a project access token with write_repository).
set -euo pipefail
branch="sources-update/$(date -u +%Y-%m-%d)"
make sources-update-write
git config user.name "cells-docs sources update"
git config user.email "cells-docs@noreply.invalid"
git checkout -B "$branch"
git add sources.lock
git commit -qm "sources: move the lock to the upstream heads" -m "$(head -c 60000 sources-update.md)"
remote="https://oauth2:${CELLS_UPDATE_TOKEN}@${CI_SERVER_HOST}/${CI_PROJECT_PATH}.git"
git push --force -o merge_request.create -o "merge_request.target=${CI_DEFAULT_BRANCH}" \
  -o "merge_request.title=Sources moved upstream ($(date -u +%Y-%m-%d))" -o merge_request.remove_source_branch \
  -- "$remote" "HEAD:refs/heads/${branch}"
