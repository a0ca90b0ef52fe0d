"""The real pre-commit running this repository's hook on a scratch repository: it fails on a bad
Dockerfile and passes on a clean one. (pre-commit builds the hook's environment from this working
tree with pip, once; later runs reuse it.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import write_tree

REPO = Path(__file__).resolve().parent.parent


def _pre_commit(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(REPO / ".pytest_cache" / "pre-commit")}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "mllint", *args],
                          cwd=cwd, capture_output=True, text=True, env=env, timeout=900)


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    from docker_engine import unavailable  # skips on a laptop, fails under CI

    try:
        import pre_commit  # noqa: F401
    except ImportError:
        unavailable("pre-commit is not installed (pip install -r requirements-dev.txt)")
    if not (REPO / ".git").exists():
        unavailable("try-repo needs this checkout to be a git repository")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return tmp_path


def test_hook_fails_on_a_bad_dockerfile(scratch: Path):
    write_tree(scratch, {"Dockerfile": "FROM python:latest\nCOPY . /app\n", "requirements.txt": "torch>=2\n"})
    subprocess.run(["git", "add", "-A"], cwd=scratch, check=True)
    proc = _pre_commit(scratch, "--files", "Dockerfile", "requirements.txt")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    for expected in ("base-image-unpinned", "runs-as-root", "missing-dockerignore", "requirement-unpinned"):
        assert expected in proc.stdout


def test_hook_passes_on_a_clean_project(scratch: Path):
    write_tree(scratch, {"Dockerfile": "FROM python:3.11.9-slim\nCOPY app.py /app/\nUSER app\n",
                         ".dockerignore": ".git\n", "app.py": "print()\n"})
    subprocess.run(["git", "add", "-A"], cwd=scratch, check=True)
    proc = _pre_commit(scratch, "--all-files")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout


def test_hook_runs_on_a_changed_environment_file(scratch: Path):
    write_tree(scratch, {"environment.yml": "channels:\n  - conda-forge\ndependencies:\n  - numpy\n",
                         "uv.lock": "version = 1\n[[package]]\nname = \n"})
    subprocess.run(["git", "add", "-A"], cwd=scratch, check=True)
    proc = _pre_commit(scratch, "--files", "environment.yml", "uv.lock")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "environment.yml" in proc.stdout and "MLD205 manifest-unpinned" in proc.stdout
    assert "uv.lock" in proc.stdout and "MLD001 parse-error" in proc.stdout


def test_hook_runs_on_the_names_real_projects_use(scratch: Path):
    # The hook's `files` pattern comes from discovery's definition: these names reach the hook.
    write_tree(scratch, {"Dockerfile-cpu": "FROM python:latest\n", "docker/dockerfile": "FROM python:latest\n",
                         "Dockerfile.md": "# notes\n"})
    subprocess.run(["git", "add", "-A"], cwd=scratch, check=True)
    proc = _pre_commit(scratch, "--all-files")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Dockerfile-cpu" in proc.stdout and "docker/dockerfile" in proc.stdout
    assert "Dockerfile.md" not in proc.stdout


# The hook's `files:` pattern and discovery agree (no pre-commit needed) --------------------------

NAMES = [
    "Dockerfile", "dockerfile", "Dockerfile.gpu", "svc/Dockerfile.dev", "Containerfile", "Containerfile.arm",
    "serve.Dockerfile", "x.dockerfile", "a/b/train.DOCKERFILE", "Dockerfilex", "Dockerfile.dockerignore",
    "requirements.txt", "requirements-dev.txt", "dev-requirements.txt", "Requirements.TXT", "requirements.in",
    "requirements/base.txt", "requirements/notes.md", "constraints.txt", "constraints-cuda.txt", "x/constraints.txt",
    "docker-compose.yml", "compose.yaml", "compose.override.yml", "Compose.YAML", "docker-compose.json",
    ".dockerignore", "svc/.dockerignore", "serve.Dockerfile.dockerignore", "dockerignore",
    "model.pt", "weights/model.safetensors", "data/train.parquet", "data/x.CSV", "ckpt/last.ckpt", "a.tar.gz",
    "README.md", "setup.py", "src/app.py", "pyproject.toml", "Makefile", ".env", "notes.txt", "docs/compose.md",
]


def hook_pattern() -> str:
    import yaml

    return yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())[0]["files"]


@pytest.mark.parametrize("name", NAMES)
def test_hook_files_pattern_matches_what_discovery_lints(name: str):
    import re

    from mllint_docker.model.artefacts import is_data_file
    from mllint_docker.model.discovery import file_kind

    linted = file_kind(Path(name)) is not None or is_data_file(name)  # data files re-lint their Dockerfiles
    assert bool(re.search(hook_pattern(), name)) == linted


def test_a_data_file_added_to_a_context_relints_its_dockerfiles(tmp_path: Path):
    import json

    from helpers import run_cli

    write_tree(tmp_path, {"svc/Dockerfile": "FROM python:3.11.9-slim\nCOPY . /app\nUSER app\n", "svc/.dockerignore": ".git\n",
                          "svc/data/train.parquet": 3_000_000, "other/Dockerfile": "FROM python:latest\n"})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    code, out, _ = run_cli(["check", "svc/data/train.parquet", "--isolated", "--format", "json"], tmp_path)
    findings = json.loads(out)["findings"]
    assert code == 1
    assert {(f["file"], f["name"]) for f in findings} == {("svc/Dockerfile", "data-in-image")}
