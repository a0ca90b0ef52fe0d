"""hashes-incomplete against pip itself: the files the rule flags are the files pip's hash-checking
mode rejects, and the ones it passes install (offline, from tiny wheels made here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import lint
from wheels import make_wheel


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    d = tmp_path_factory.mktemp("wheels")
    return d, {n: make_wheel(d, n, "1.0") for n in ("alpha", "beta")}


def pip_accepts(tmp_path: Path, wheels_dir: Path, requirements: str) -> bool:
    (tmp_path / "req.txt").write_text(requirements)
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--find-links", str(wheels_dir),
                           "--ignore-installed", "--disable-pip-version-check", "-r", str(tmp_path / "req.txt")],
                          capture_output=True, text=True, timeout=120)
    return proc.returncode == 0


CASES = [
    ("all hashed", "alpha==1.0 --hash=sha256:{alpha}\nbeta==1.0 --hash=sha256:{beta}\n"),
    ("one without", "alpha==1.0 --hash=sha256:{alpha}\nbeta==1.0\n"),
    ("hashed range", "alpha>=1.0 --hash=sha256:{alpha}\nbeta==1.0 --hash=sha256:{beta}\n"),
    ("require-hashes, none", "--require-hashes\nalpha==1.0\n"),
    ("no hashes", "alpha==1.0\nbeta==1.0\n"),
]


@pytest.mark.parametrize("case, text", CASES, ids=[c for c, _ in CASES])
def test_rule_agrees_with_pip(tmp_path: Path, wheels, case, text):
    wheels_dir, digests = wheels
    requirements = text.format(**digests)
    accepted = pip_accepts(tmp_path, wheels_dir, requirements)
    project = tmp_path / "project"
    project.mkdir()
    _, findings = lint(project, {"requirements.txt": requirements}, select="hashes-incomplete")
    assert accepted == (not findings), f"pip {'accepts' if accepted else 'rejects'} it, the rule found {findings}"
