"""The composite GitHub Action: no side effects on the user's job, inputs never evaluated by the
shell, annotations by default, SARIF by input, no upload from forks. Its Lint step is run here with
bash as the runner would."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from helpers import write_tree

REPO = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((REPO / "action.yml").read_text())
STEPS = ACTION["runs"]["steps"]
BIN = Path(os.environ.get("VIRTUAL_ENV", Path(__import__("sys").executable).parent.parent)) / "bin" / "mllint-docker"


def step(name: str) -> dict:
    return next(s for s in STEPS if s.get("name") == name)


def test_no_side_effects_on_the_job():
    assert not any("setup-python" in s.get("uses", "") for s in STEPS)
    for s in STEPS:
        script = s.get("run", "")
        assert "GITHUB_ENV" not in script and "GITHUB_PATH" not in script
        assert "${{" not in script, f"step {s['name']!r} puts an expression into the script: use env"


def test_annotations_by_default_and_no_upload_from_forks():
    assert ACTION["inputs"]["report"]["default"] == "annotations"
    upload = next(s for s in STEPS if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert "steps.lint.outputs.sarif == 'true'" in upload["if"]
    assert "!github.event.pull_request.head.repo.fork" in upload["if"]


def run_lint(tmp_path: Path, **inputs: str) -> tuple[subprocess.CompletedProcess, dict]:
    if not BIN.exists():
        pytest.skip("mllint-docker is not installed in this environment")
    out = tmp_path / "github_output"
    out.write_text("")
    s = step("Lint")
    env = {**{k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}, "GITHUB_OUTPUT": str(out),
           "MLLINT_BIN": str(BIN), "MLLINT_PATHS": ".", "MLLINT_ARGS": "--isolated", "MLLINT_FAIL_ON": "warning",
           "MLLINT_REPORT": "annotations", "MLLINT_SARIF": "mllint.sarif", **inputs}
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", s["run"]], cwd=tmp_path / "repo", env=env, capture_output=True, text=True)
    outputs = dict(line.split("=", 1) for line in out.read_text().splitlines())
    return proc, outputs


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write_tree(tmp_path / "repo", {"Dockerfile": "FROM python:latest\nUSER app\n"})
    return tmp_path


def test_lint_step_annotates_and_reports_the_exit_code(repo: Path):
    proc, outputs = run_lint(repo)
    assert outputs == {"exit-code": "1"}
    assert "::warning file=Dockerfile,line=1,title=MLD101 base-image-unpinned::" in proc.stdout
    assert not (repo / "repo" / "mllint.sarif").exists()


def test_lint_step_writes_sarif_by_input(repo: Path):
    proc, outputs = run_lint(repo, MLLINT_REPORT="sarif")
    assert outputs == {"exit-code": "1", "sarif": "true"}
    assert (repo / "repo" / "mllint.sarif").is_file() and "::warning" not in proc.stdout


def test_inputs_are_never_evaluated(repo: Path):
    proc, outputs = run_lint(repo, MLLINT_ARGS="--isolated $(touch pwned) `touch pwned2`", MLLINT_PATHS="Dockerfile *")
    assert not (repo / "repo" / "pwned").exists() and not (repo / "repo" / "pwned2").exists()
    assert outputs["exit-code"] == "2"
