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
