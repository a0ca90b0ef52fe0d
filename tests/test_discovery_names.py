"""Which names are Dockerfiles, requirements, compose and ignore files: one definition, shared by
discovery and the pre-commit hook's `files` pattern, and `-v` says what was considered and skipped."""

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from helpers import found, lint, run_cli, write_tree
from mllint_docker.model.discovery import file_kind, hook_files_pattern

REPO = Path(__file__).resolve().parent.parent
BAD = "FROM python:latest\n"

# (path, kind discovery gives it), from names real projects use.
NAMES = [
    ("Dockerfile", "dockerfile"), ("dockerfile", "dockerfile"), ("Dockerfile.gpu", "dockerfile"),
    ("Dockerfile-cpu", "dockerfile"), ("Dockerfile-arm64", "dockerfile"), ("Dockerfile_gpu", "dockerfile"),
    ("dockerfile.dev", "dockerfile"), ("serve.Dockerfile", "dockerfile"), ("gpu.dockerfile", "dockerfile"),
    ("api-Dockerfile", "dockerfile"), ("Containerfile", "dockerfile"), ("Containerfile.cuda", "dockerfile"),
    ("docker/DOCKERFILE", "dockerfile"),
    ("requirements.txt", "requirements"), ("requirements-dev.txt", "requirements"),
    ("dev_requirements.txt", "requirements"), ("constraints.txt", "requirements"),
    ("requirements/base.txt", "requirements"),
    ("docker-compose.yml", "compose"), ("compose.yaml", "compose"), ("docker-compose.gpu.yaml", "compose"),
    (".dockerignore", "dockerignore"), ("Dockerfile.dockerignore", "dockerignore"),
    ("Dockerfile.md", None), ("dockerfile_utils.py", None), ("Dockerfile.j2", None), ("docs/dockerfile.rst", None),
    ("README.md", None), ("setup.py", None), ("requirements.in", None), ("GPUDockerfile", "dockerfile"), ("docker/CPUDockerfile", "dockerfile"),
]


@pytest.mark.parametrize("path,kind", NAMES, ids=[n for n, _ in NAMES])
def test_discovery_and_hook_agree(path, kind):
    assert file_kind(Path(path)) == kind
    assert bool(re.search(hook_files_pattern(), path)) == (kind is not None)


def test_hook_pattern_is_generated_from_discovery():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["files"] == hook_files_pattern(), (
        "regenerate the hook's files pattern: it must be mllint_docker.model.discovery.hook_files_pattern()")


def test_real_project_names_are_linted(tmp_path: Path):
    names = ["Dockerfile-cpu", "Dockerfile_gpu", "docker/Dockerfile-arm64", "dockerfile", "deploy/serve.Dockerfile"]
    write_tree(tmp_path, {**{n: BAD for n in names}, "Dockerfile.md": "# notes\n", "dockerfile_utils.py": "x = 1\n"})
    _, findings = lint(tmp_path)
    assert sorted({f for f, _ in found(findings, "base-image-unpinned")}) == sorted(names)
    assert not found(findings, "parse-error")


def test_verbose_lists_what_was_considered_and_skipped(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile-cpu": BAD, "Dockerfile.md": "# notes\n", "ignored/Dockerfile": BAD,
                          ".gitignore": "ignored/\n", "env/pyvenv.cfg": "home = /usr\n", "env/Dockerfile": BAD,
                          "vendor/Dockerfile": BAD, ".mllint-docker.toml": 'exclude = ["vendor"]\n'})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    code, _, err = run_cli(["check", ".", "-v", "-q"], tmp_path)
    assert code == 1
    assert "considered Dockerfile-cpu (dockerfile)" in err
    assert "skipped Dockerfile.md: named like a Dockerfile" in err
    assert "skipped ignored/: .gitignore excludes it" in err
    assert "skipped env/: a virtualenv" in err
    assert "skipped vendor/: matches `exclude`" in err
