"""What a stranger installing a release meets: one version, a changelog entry for it, true install
instructions, and a warning when PyPI's unrelated `mllint` package shadows the `mllint` command.
(`.ci/release-check`, run by CI, builds the sdist and wheel, runs `twine check` and smoke-tests the
wheel in a fresh virtualenv.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from mllint_docker import __version__

REPO = Path(__file__).resolve().parent.parent


def test_the_version_lives_in_one_place():
    meta = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert meta["project"]["dynamic"] == ["version"] and "version" not in meta["project"]
    assert meta["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "mllint_docker.__version__"}


def test_the_changelog_has_the_version():
    text = (REPO / "CHANGELOG.md").read_text()
    assert f"## {__version__}" in text


def test_readme_install_instructions_are_true_today():
    readme = (REPO / "README.md").read_text()
    assert "pip install ." in readme and "python -m build" in readme
    assert not re.search(r"pip install mllint-docker(?!\S)", readme), "not on a package index yet"
    assert "unrelated `mllint`" in readme


def _run_as(name: str, tmp_path: Path, shadow: bool) -> str:
    if shadow:
        (tmp_path / "mllint").mkdir(exist_ok=True)
        (tmp_path / "mllint" / "__init__.py").write_text("")
    code = f"import sys; sys.argv[0] = {name!r}; from mllint_docker.cli import main; main(['rules', '--format', 'json'])"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env).stderr


def test_the_unrelated_mllint_package_is_detected(tmp_path: Path):
    assert "unrelated `mllint` package" in _run_as("/usr/bin/mllint", tmp_path, shadow=True)
    assert _run_as("/usr/bin/mllint-docker", tmp_path, shadow=True) == ""
    (tmp_path / "clean").mkdir()
    assert _run_as("/usr/bin/mllint", tmp_path / "clean", shadow=False) == ""
