"""The pipeline of ``.gitlab-ci.yml`` as GitLab would run it, evaluated by gitlab-ci-local.

Which jobs run for each pipeline source (default branch push, merge request, schedule, tag) and
each review mode is read from ``gitlab-ci-local --list-json`` (its evaluation of GitLab's rules,
needs and matrices), never from a re-implementation of them. Where the URLs matter, the pipeline
is run for real by gitlab-ci-local's shell executor in a copy of the repository whose Makefile
targets are stand-ins (each job's make target records what it saw): the real rules, needs,
artifacts, dotenv report and the real scripts/ci-site.sh decide what the site is built for, what
is checked and what is published.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import ROOT

pytestmark = pytest.mark.ci

GCL = ROOT / "node_modules" / ".bin" / "gitlab-ci-local"
PAGES = "https://cells.gitlab.example/cells-docs"
IID = "42"
TESTS = ["test: [3.11]", "test: [3.12]", "test: [3.13]"]
IMAGES = ["ci-image: [3.11]", "ci-image: [3.12]", "ci-image: [3.13]"]
CHECKS = ["lint", *TESTS, "build", "linkcheck"]

# Stand-ins for the Makefile targets the jobs run: each records what its job saw.
STUB_MAKEFILE = """\
ci-build:
\tscripts/ci-site.sh > ci-site.env
\tmkdir -p site && . ./ci-site.env && printf 'built-by-job %s for %s offline=%s\\n' "$$CI_JOB_ID" "$$CELLS_SITE_URL" "$$CELLS_OFFLINE" > site/index.html
linkcheck-site:
\t@printf 'checked: '; cat site/index.html
public:
\tcp -r site public && printf '%s\\n' "$$CELLS_SITE_URL" > public/environment-url.txt
%:
\t@echo "stand-in for make $@"
"""

# What GitLab sets for each pipeline source (the runner's own values are unset where GitLab has none).
SOURCES: dict[str, tuple[list[str], list[str]]] = {
    "default-branch": (["CI_PIPELINE_SOURCE=push", "CI_COMMIT_BRANCH=main"], []),
    "merge-request": (
        [
            "CI_PIPELINE_SOURCE=merge_request_event",
            f"CI_MERGE_REQUEST_IID={IID}",
            "CI_COMMIT_REF_NAME=feature",
            "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME=feature",
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main",
        ],
        ["CI_COMMIT_BRANCH"],
    ),
    "schedule": (["CI_PIPELINE_SOURCE=schedule", "CI_COMMIT_BRANCH=main"], []),
    "tag": (["CI_PIPELINE_SOURCE=push", "CI_COMMIT_TAG=v1.0.0", "CI_COMMIT_REF_NAME=v1.0.0"], ["CI_COMMIT_BRANCH"]),
}
MODES = {"artifacts": [], "pages-parallel": ["CELLS_REVIEW_MODE=pages-parallel"]}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.email=ci@example.com", "-c", "user.name=ci", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with the real .gitlab-ci.yml and scripts/ci-site.sh, stand-in make targets."""
    assert GCL.exists(), "gitlab-ci-local is an npm test tool (package.json): run make setup-test"
    assert shutil.which("rsync"), "gitlab-ci-local's shell executor needs rsync: run make setup-test"
    repo = tmp_path_factory.mktemp("origin")
    _git(repo, "init", "-q", "-b", "main")
    shutil.copy(ROOT / ".gitlab-ci.yml", repo)
    (repo / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "ci-site.sh", repo / "scripts")
    (repo / "Makefile").write_text(STUB_MAKEFILE)
    for name in ("uv.lock", "pyproject.toml", "package.json", "package-lock.json"):
        (repo / name).write_text("stand-in\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "pipeline")
    return repo


@dataclass
class Pipeline:
    repo: Path
    output: str

    def artifact(self, job: str, path: str) -> str:
        return (self.repo / ".gitlab-ci-local" / "artifacts" / job / path).read_text()

    def log(self, job: str) -> str:
        return (self.repo / ".gitlab-ci-local" / "output" / f"{job}.log").read_text()


def _clone(origin: Path, tmp: Path, *, change: str | None = None) -> Path:
    repo = tmp / "repo"
    subprocess.run(["git", "clone", "-q", str(origin), str(repo)], check=True, capture_output=True)
    _git(repo, "remote", "set-url", "origin", "https://gitlab.example.com/cells/cells-docs.git")
    if change:  # a commit on top of origin/main that changes this file
        (repo / change).write_text("changed\n")
        _git(repo, "commit", "-qam", f"change {change}")
    return repo


def _gcl(repo: Path, source: str, extra: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    setting, unset = SOURCES[source]
    command = [str(GCL), "--no-color", "--no-json-schema-validation", "--home", str(repo.parent / "home")]
    command += [f"--variable={value}" for value in [f"CI_PAGES_URL={PAGES}", *setting, *extra]]
    command += [f"--unset-variable={name}" for name in unset]
    env = {
        **os.environ,
        "GCL_IGNORE_PREDEFINED_VARS": "CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH,CI_COMMIT_REF_NAME,CI_PAGES_URL",
    }
    return subprocess.run(
        [*command, *args], cwd=repo, capture_output=True, text=True, check=False, timeout=300, env=env
    )


def jobs_run(origin: Path, tmp: Path, source: str, extra: list[str], *, change: str | None = None) -> list[str]:
    repo = _clone(origin, tmp, change=change)
    result = _gcl(repo, source, extra, "--list-json")
    assert result.returncode == 0, result.stdout + result.stderr
    listed = json.loads(result.stdout[result.stdout.index("[") :])
    return [job["name"] for job in listed if job["when"] != "never"]


def run_pipeline(origin: Path, tmp: Path, source: str, extra: list[str]) -> Pipeline:
    repo = _clone(origin, tmp)
    result = _gcl(repo, source, extra, "--force-shell-executor")
    assert result.returncode == 0, result.stdout + result.stderr
    return Pipeline(repo, result.stdout + result.stderr)


# --- which jobs run ------------------------------------------------------------------------------

EXPECTED = {
    ("default-branch", "artifacts"): [*CHECKS, "pages"],
    ("default-branch", "pages-parallel"): [*CHECKS, "pages"],
    ("merge-request", "artifacts"): [*CHECKS, "review-artifacts"],
    ("merge-request", "pages-parallel"): [*CHECKS, "review"],
    ("schedule", "artifacts"): ["sources-update"],
    ("schedule", "pages-parallel"): ["sources-update"],
    ("tag", "artifacts"): CHECKS,
    ("tag", "pages-parallel"): CHECKS,
}


@pytest.fixture(scope="module")
def listed(origin: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], list[str]]:
    """Every (source, review mode) pipeline listed by gitlab-ci-local, a few at a time."""

    def one(key: tuple[str, str]) -> list[str]:
        source, mode = key
        return jobs_run(origin, tmp_path_factory.mktemp(f"{source}-{mode}"), source, MODES[mode])

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(EXPECTED, pool.map(one, EXPECTED), strict=True))


@pytest.mark.parametrize(("source", "mode"), list(EXPECTED))
def test_jobs_of_each_pipeline(listed: dict[tuple[str, str], list[str]], source: str, mode: str) -> None:
    assert sorted(listed[source, mode]) == sorted(EXPECTED[source, mode])


def test_production_is_published_only_from_the_default_branch(listed: dict[tuple[str, str], list[str]]) -> None:
    for (source, _mode), jobs in listed.items():
        assert ("pages" in jobs) == (source == "default-branch"), (source, jobs)


def test_a_merge_request_publishes_to_pages_only_in_pages_parallel_mode(
    listed: dict[tuple[str, str], list[str]],
) -> None:
    """Where parallel deployments do not work, GitLab ignores path_prefix: a review Pages job
    would replace production, so without the mode the review is the browsable artifact."""
    assert "review" not in listed["merge-request", "artifacts"]
    assert "review-artifacts" not in listed["merge-request", "pages-parallel"]


def test_the_ci_image_is_rebuilt_when_an_input_changes(origin: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Rebuilt on the default branch when an input changed or when asked; never for a stock image,
    nor in a merge request (its jobs use the default branch's image; make setup brings it to the
    merge request's locks). Unchanged inputs: no ci-image job (test_jobs_of_each_pipeline)."""
    cases = {
        "changed": ("default-branch", [], "uv.lock"),
        "asked": ("default-branch", ["CELLS_CI_IMAGE_REBUILD=1"], None),
        "stock": ("default-branch", ["CELLS_CI_IMAGE=python"], "uv.lock"),
        "merge-request": ("merge-request", [], "package-lock.json"),
    }

    def images(name: str) -> bool:
        source, extra, change = cases[name]
        jobs = jobs_run(origin, tmp_path_factory.mktemp(name), source, extra, change=change)
        built = set(IMAGES) & set(jobs)
        assert built in (set(), set(IMAGES)), jobs
        return bool(built)

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert dict(zip(cases, pool.map(images, cases), strict=True)) == {
            "changed": True,
            "asked": True,
            "stock": False,
            "merge-request": False,
        }


# --- one build, checked, then published; with which URLs ----------------------------------------


@dataclass(frozen=True)
class Case:
    source: str
    variables: tuple[str, ...]
    publisher: str
    published: str  # the artifact path of the publishing job
    site_url: str
    offline: str


CASES = {
    "production": Case("default-branch", (), "pages", "public/index.html", f"{PAGES}/", "false"),
    "review-artifacts": Case("merge-request", (), "review-artifacts", "site/index.html", f"{PAGES}/", "true"),
    # GitLab 17.7+ (fix_pages_ci_variables): CI_PAGES_URL already carries the path prefix
    "review-pages-prefixed": Case(
        "merge-request",
        (f"CI_PAGES_URL={PAGES}/mr-{IID}", "CELLS_REVIEW_MODE=pages-parallel"),
        "review",
        "public/index.html",
        f"{PAGES}/mr-{IID}/",
        "false",
    ),
    "no-pages": Case("default-branch", ("CI_PAGES_URL=",), "pages", "public/index.html", "", "false"),
}


@pytest.fixture(scope="module")
def pipelines(origin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Pipeline]]:
    def one(name: str) -> Pipeline:
        case = CASES[name]
        return run_pipeline(origin, tmp_path_factory.mktemp(name), case.source, list(case.variables))

    with ThreadPoolExecutor(max_workers=3) as pool:
        yield dict(zip(CASES, pool.map(one, CASES), strict=True))


@pytest.mark.parametrize("name", list(CASES))
def test_one_build_checked_then_published(pipelines: dict[str, Pipeline], name: str) -> None:
    case, pipeline = CASES[name], pipelines[name]
    built = pipeline.artifact("build", "site/index.html")
    assert built.startswith("built-by-job ") and built.count("\n") == 1
    assert f" for {case.site_url} offline={case.offline}\n" == built[built.index(" for ") :]
    # the link check read the build's artifact, not a site of its own
    assert f"checked: {built}" in pipeline.log("linkcheck")
    # the publishing job published that same artifact, for that same URL
    assert pipeline.artifact(case.publisher, case.published) == built
    if case.publisher != "review-artifacts":
        assert pipeline.artifact(case.publisher, "public/environment-url.txt") == f"{case.site_url}\n"
    assert pipeline.output.count("$ make ci-build") == 1


def test_without_a_pages_url_the_build_says_so_and_passes(pipelines: dict[str, Pipeline]) -> None:
    log = pipelines["no-pages"].log("build")
    assert "ci-site: no Pages URL (CI_PAGES_URL is empty" in log
    assert "Fix: enable Pages, or set CELLS_PAGES_URL" in log
    assert "site_url" not in log


# --- scripts/ci-site.sh alone: what it refuses -------------------------------------------------


def _ci_site(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("CI_", "CELLS_"))}
    return subprocess.run(
        [str(ROOT / "scripts" / "ci-site.sh")], env={**clean, **env}, capture_output=True, text=True, check=False
    )


def test_ci_site_refuses_a_url_without_scheme() -> None:
    result = _ci_site(CI_COMMIT_BRANCH="main", CI_DEFAULT_BRANCH="main", CELLS_PAGES_URL="docs.example.com")
    assert result.returncode == 1
    assert result.stderr.startswith("ci-site: CELLS_PAGES_URL=docs.example.com is not an http(s) URL (fix: ")
    assert result.stdout == ""


def test_ci_site_refuses_an_unknown_review_mode() -> None:
    result = _ci_site(CI_MERGE_REQUEST_IID="7", CELLS_REVIEW_MODE="parallel")
    assert result.returncode == 1
    assert "CELLS_REVIEW_MODE=parallel is not a review mode (fix: pages-parallel or artifacts)" in result.stderr


def test_ci_site_strips_only_this_merge_requests_prefix() -> None:
    result = _ci_site(
        CI_MERGE_REQUEST_IID="7", CELLS_REVIEW_MODE="pages-parallel", CI_PAGES_URL="https://g.example/p/mr-70"
    )
    assert "CELLS_SITE_URL=https://g.example/p/mr-70/mr-7/\n" in result.stdout


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (  # GitLab before 17.7, or a job that is not a Pages job: CI_PAGES_URL has no prefix
            {"CI_MERGE_REQUEST_IID": "7", "CELLS_REVIEW_MODE": "pages-parallel", "CI_PAGES_URL": "https://g.example/p"},
            "CELLS_SITE_URL=https://g.example/p/mr-7/\nCELLS_OFFLINE=false\nCELLS_PUBLISH=review-pages\n",
        ),
        (
            {
                "CI_COMMIT_BRANCH": "main",
                "CI_DEFAULT_BRANCH": "main",
                "CI_PAGES_URL": "https://g.example/p",
                "CELLS_PAGES_URL": "https://docs.example.com/",
            },
            "CELLS_SITE_URL=https://docs.example.com/\nCELLS_OFFLINE=false\nCELLS_PUBLISH=production\n",
        ),
        (
            {"CI_COMMIT_TAG": "v1", "CI_DEFAULT_BRANCH": "main", "CI_PAGES_URL": "https://g.example/p/"},
            "CELLS_SITE_URL=https://g.example/p/\nCELLS_OFFLINE=false\nCELLS_PUBLISH=none\n",
        ),
    ],
)
def test_ci_site_urls(env: dict[str, str], expected: str) -> None:
    result = _ci_site(**env)
    assert (result.returncode, result.stdout, result.stderr) == (0, expected, "")
