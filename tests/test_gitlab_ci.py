"""``.gitlab-ci.yml`` is valid for GitLab and runs only Makefile targets."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from helpers import ROOT, run

CI_FILE = ROOT / ".gitlab-ci.yml"


def check_jsonschema() -> str:
    found = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert found, "check-jsonschema is a dev dependency"
    return found


@pytest.mark.slow  # check-jsonschema, a process
def test_valid_against_gitlab_schema() -> None:
    result = run([check_jsonschema(), "--builtin-schema", "vendor.gitlab-ci", str(CI_FILE)])
    assert result.code == 0, result.output


@pytest.mark.slow  # check-jsonschema, a process
def test_schema_check_catches_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / ".gitlab-ci.yml"
    broken.write_text(CI_FILE.read_text().replace("  stage: lint\n", "  stage: lint\n  when: sometimes\n", 1))
    result = run([check_jsonschema(), "--builtin-schema", "vendor.gitlab-ci", str(broken)])
    assert result.code != 0


def test_pipeline_shape_and_make_targets() -> None:
    config = yaml.safe_load(CI_FILE.read_text())
    assert config["stages"] == ["lint", "test", "build", "linkcheck", "deploy"]
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):", makefile, re.M))
    jobs = {name: job for name, job in config.items() if isinstance(job, dict) and "script" in job}
    assert {"lint", "test", "build", "linkcheck", "pages", "review"} <= set(jobs)
    for name in ("lint", "test", "build", "linkcheck"):
        (command,) = jobs[name]["script"]
        assert command.startswith("make "), (name, command)
        assert command.split()[1] in targets
    for name in ("pages", "review"):  # publish what GitLab Pages serves precompressed
        assert jobs[name]["script"] == ["make public"]
    assert "public" in targets
    assert jobs["review"]["pages"]["path_prefix"].startswith("mr-")
    assert {"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"} in jobs["pages"]["rules"]
    assert config["default"]["image"] == "$CELLS_CI_IMAGE:$PYTHON_VERSION"  # ci/Dockerfile: nothing installed in jobs
    assert "cache" not in config["default"]


def test_published_site_is_built_for_its_own_url() -> None:
    """pages and review publish the build job's artifact, so that build knows the URL each
    deployment is served at (canonical links and the sitemap use it): scripts/ci-site.sh computes
    it once, and its dotenv report gives the same URL to the environments
    (tests/test_ci_pipeline.py runs the pipeline)."""
    config = yaml.safe_load(CI_FILE.read_text())
    assert config["build"]["artifacts"]["reports"]["dotenv"] == "ci-site.env"
    assert config["pages"]["environment"]["url"] == config["review"]["environment"]["url"] == "$CELLS_SITE_URL"
    for job in ("pages", "review", "review-artifacts"):
        assert "build" in config[job]["needs"] and "linkcheck" in config[job]["needs"]


def test_ci_run_runs_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text().splitlines()
    commands = [
        line
        for line in script
        if line.strip() and not line.startswith("#") and not line.startswith("set ") and not line.startswith("cd ")
    ]
    assert commands == ["make test"]
    assert "make test" in (ROOT / "README.md").read_text()
