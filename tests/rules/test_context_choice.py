"""Which build context a Dockerfile gets, and what context-bloat calls a run directory: one line per case.
Remote `ADD https://...` and `COPY --from` sources are never context sources."""

import subprocess
from pathlib import Path

from helpers import lint, run_cli, write_tree

APP = {"src/main.py": "print()\n", "requirements.txt": "numpy==1.26.4\n", ".dockerignore": ".git\n"}


def _context_of(tmp_path: Path, dockerfile: str, files: dict | None = None) -> str:
    write_tree(tmp_path, {"docker/Dockerfile": dockerfile, **APP, **(files or {})})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    _, _, err = run_cli(["check", ".", "-v", "--isolated", "-q"], tmp_path)
    line = next(l for l in err.splitlines() if "docker/Dockerfile: build context" in l)
    return line.split("build context ", 1)[1]


def test_root_when_sources_exist_only_there(tmp_path): assert _context_of(tmp_path, "FROM python:3.11.9-slim\nCOPY src /app\n").startswith(". (repository root")
def test_remote_add_is_not_a_context_source(tmp_path): assert _context_of(tmp_path, "FROM python:3.11.9-slim\nADD https://example.com/fonts/Arial.ttf /root/.config/\nCOPY src /app\n").startswith(". (repository root")
def test_git_add_is_not_a_context_source(tmp_path): assert _context_of(tmp_path, "FROM python:3.11.9-slim\nADD git@github.com:org/tools.git /tools\nCOPY requirements.txt /app/\n").startswith(". (repository root")
def test_copy_from_image_is_not_a_context_source(tmp_path): assert _context_of(tmp_path, "FROM python:3.11.9-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.5.4 /uv /bin/uv\nCOPY src /app\n").startswith(". (repository root")
def test_copy_from_stage_is_not_a_context_source(tmp_path): assert _context_of(tmp_path, "FROM python:3.11.9-slim AS b\nRUN mkdir /w\nFROM python:3.11.9-slim\nCOPY --from=b /w /w\nCOPY src /app\n").startswith(". (repository root")
def test_dockerfile_dir_when_sources_are_there(tmp_path): assert _context_of(tmp_path, "FROM python:3.11.9-slim\nCOPY entry.sh /\n", {"docker/entry.sh": "#!/bin/sh\n"}).startswith("docker (the Dockerfile's directory")


def test_no_missing_dockerignore_for_a_folder_that_is_not_the_context(tmp_path):
    write_tree(tmp_path, {"docker/Dockerfile": "FROM python:3.11.9-slim\nADD https://example.com/a.ttf /f/\nCOPY src /app\nUSER app\n", **APP})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    _, findings = lint(tmp_path, select="missing-dockerignore")
    assert findings == []


def test_run_directories_are_bloat(tmp_path):
    _, findings = lint(tmp_path, {"Dockerfile": "FROM python:3.11.9-slim\nCOPY . /app\n", ".dockerignore": ".git\n",
                                  "wandb/run-20240101_000000-abc/files/output.log": "x\n", "mlruns/0/meta.yaml": "x\n"},
                       select="context-bloat")
    assert sorted(f["message"].split(" sends ")[1].split(" (")[0] for f in findings) == ["mlruns/", "wandb/"]


def test_source_package_named_like_a_tool_is_not_runs(tmp_path):
    _, findings = lint(tmp_path, {"Dockerfile": "FROM python:3.11.9-slim\nCOPY . /app\n", ".dockerignore": ".git\n",
                                  "utils/loggers/wandb/__init__.py": "", "utils/loggers/wandb/wandb_utils.py": "import wandb\n",
                                  "utils/loggers/mlflow/__init__.py": "", "lightning_logs/__init__.py": ""},
                       select="context-bloat")
    assert findings == []


def test_no_missing_dockerignore_for_a_context_of_dockerfiles_alone(tmp_path):
    _, findings = lint(tmp_path, {"Dockerfile": "FROM python:3.11.9-slim\nCOPY . .\nUSER app\n", "gpu.Dockerfile": "FROM scratch\n"},
                       select="missing-dockerignore")
    assert findings == []
def test_root_when_the_local_install_needs_its_project_files(tmp_path): assert _context_of(tmp_path, "FROM python:3.11.9-slim\nWORKDIR /app\nCOPY . /app\nRUN pip install .\n", {"pyproject.toml": "[project]\nname='x'\n"}).startswith(". (repository root")
def test_root_when_the_requirements_are_there(tmp_path): assert _context_of(tmp_path, "FROM python:3.11.9-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n").startswith(". (repository root")
def test_dockerfile_dir_when_the_install_files_are_there(tmp_path): assert _context_of(tmp_path, "FROM python:3.11.9-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n", {"docker/requirements.txt": "x==1\n"}).startswith("docker (the Dockerfile's directory")
