"""Which manifests and lock files each install in RUN reads, resolved to the build-context files a
COPY (or a bind mount) put where the installer looks."""

from pathlib import Path

import pytest

from helpers import chdir, write_tree
from mllint_docker.engine.config import Config
from mllint_docker.model.installs import installs, manifest_uses
from mllint_docker.model.project import load_project

FILES = {
    "environment.yml": "dependencies:\n  - python=3.11\n", "specs.txt": "numpy=1.26\n", "conda-lock.yml": "package: []\n",
    "pyproject.toml": '[project]\nname = "a"\nversion = "1"\n', "poetry.lock": "", "uv.lock": "version = 1\n",
    "pdm.lock": "", "Pipfile": "[packages]\n", "Pipfile.lock": "{}", "pylock.toml": 'lock-version = "1.0"\n',
    "svc/pyproject.toml": '[project]\nname = "s"\nversion = "1"\n', "svc/uv.lock": "version = 1\n",
}
COPY = "FROM python:3.11.9-slim\nWORKDIR /app\nCOPY . .\n"

# command -> [(role, image path, context file or None)]
CASES = [
    ("conda env create -f environment.yml", [("environment", "environment.yml", "environment.yml")]),
    ("conda env create", [("environment", "environment.yml", "environment.yml")]),
    ("conda env update -n base --file environment.yml", [("environment", "environment.yml", "environment.yml")]),
    ("mamba env create -f /app/environment.yml", [("environment", "/app/environment.yml", "environment.yml")]),
    ("micromamba create -y -n a -f environment.yml", [("environment", "environment.yml", "environment.yml")]),
    ("micromamba create -y -n a -f conda-lock.yml", [("environment", "conda-lock.yml", "conda-lock.yml")]),
    ("conda install -y --file specs.txt", [("environment", "specs.txt", "specs.txt")]),
    ("pip install .", [("project", "pyproject.toml", "pyproject.toml")]),
    ("pip install -e '.[dev]'", [("project", "pyproject.toml", "pyproject.toml")]),
    ("python -m pip install ./svc", [("project", "svc/pyproject.toml", "svc/pyproject.toml")]),
    ("uv pip install --system .", [("project", "pyproject.toml", "pyproject.toml")]),
    ("poetry install --no-root", [("project", "pyproject.toml", "pyproject.toml"), ("lock", "poetry.lock", "poetry.lock")]),
    ("uv sync --locked", [("project", "pyproject.toml", "pyproject.toml"), ("lock", "uv.lock", "uv.lock")]),
    ("uv sync --locked --project svc", [("project", "svc/pyproject.toml", "svc/pyproject.toml"), ("lock", "svc/uv.lock", "svc/uv.lock")]),
    ("uv pip sync --system pylock.toml", [("lock", "pylock.toml", "pylock.toml")]),
    ("pdm install --prod", [("project", "pyproject.toml", "pyproject.toml"), ("lock", "pdm.lock", "pdm.lock")]),
    ("pipenv install --deploy --system", [("project", "Pipfile", "Pipfile"), ("lock", "Pipfile.lock", "Pipfile.lock")]),
    ("pipenv sync", [("project", "Pipfile", "Pipfile"), ("lock", "Pipfile.lock", "Pipfile.lock")]),
    ("pipenv install requests==2.32.3", []),
    ("pip install -r requirements.txt", []),
    ("uv pip sync requirements.txt", []),
]


def uses_of(tmp_path: Path, dockerfile: str):
    write_tree(tmp_path, {**FILES, "Dockerfile": dockerfile, "requirements.txt": "numpy==1.26.4\n"})
    with chdir(tmp_path):
        project = load_project([Path(".")], Config())
        df = project.dockerfiles[0]
        out = []
        for inst in installs(df):
            for u in manifest_uses(df, project, inst):
                rel = u.path.relative_to(tmp_path.resolve()).as_posix() if u.path else None
                out.append((u.role, u.image_path, rel))
        return out, project


@pytest.mark.parametrize("command, expected", CASES, ids=[c for c, _ in CASES])
def test_install_reads(tmp_path: Path, command, expected):
    got, _ = uses_of(tmp_path, COPY + f"RUN {command}\n")
    assert got == expected


def test_not_copied_yet(tmp_path: Path):
    got, _ = uses_of(tmp_path, "FROM python:3.11.9-slim\nWORKDIR /app\nCOPY pyproject.toml .\nRUN poetry install --no-root\nCOPY . .\n")
    assert got == [("project", "pyproject.toml", "pyproject.toml"), ("lock", "poetry.lock", None)]


def test_bind_mounted(tmp_path: Path):
    got, _ = uses_of(tmp_path, "FROM python:3.11.9-slim\nWORKDIR /app\n"
                               "RUN --mount=type=bind,source=uv.lock,target=uv.lock --mount=type=bind,source=pyproject.toml,"
                               "target=pyproject.toml uv sync --locked --no-install-project\n")
    assert got == [("project", "pyproject.toml", "pyproject.toml"), ("lock", "uv.lock", "uv.lock")]


def test_manifests_read_are_parsed_once_and_registered(tmp_path: Path):
    _, project = uses_of(tmp_path, COPY + "RUN poetry install --no-root && pip install .\n")
    paths = [p for p in project.manifests if p.name in ("pyproject.toml", "poetry.lock") and p.parent == tmp_path.resolve()]
    assert sorted(p.name for p in paths) == ["poetry.lock", "pyproject.toml"]


def test_verbose_says_what_each_install_reads(tmp_path: Path):
    from helpers import run_cli

    write_tree(tmp_path, {**FILES, "Dockerfile": "FROM python:3.11.9-slim\nWORKDIR /app\nCOPY pyproject.toml .\nRUN poetry install --no-root\n"})
    code, _out, err = run_cli(["check", ".", "--isolated", "-q", "-v"], tmp_path)
    assert "mllint: Dockerfile:4: `poetry install` reads pyproject.toml, poetry.lock (not in the image here)" in err
