"""lock-file-stale on uv.lock against uv itself: `uv lock` makes the lock (offline, from tiny wheels),
the pyproject is then changed, and the rule must call the lock stale exactly when
`uv lock --check` does."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from helpers import lint
from wheels import make_wheel

BASE = ('[project]\nname = "app"\nversion = "1.0"\nrequires-python = ">=3.8"\ndescription = "x"\n'
        'dependencies = ["alpha>=1.0"]\n\n[project.optional-dependencies]\nfast = ["beta>=1.0"]\n\n'
        '[dependency-groups]\ndev = ["gamma>=1.0"]\n')

# (case, how the pyproject changes after `uv lock`)
EDITS = [
    ("unchanged", lambda t: t),
    ("description only", lambda t: t.replace('description = "x"', 'description = "y"')),
    ("version only", lambda t: t.replace('version = "1.0"', 'version = "1.1"')),
    ("specifier", lambda t: t.replace('"alpha>=1.0"', '"alpha>=2.0"')),
    ("same set, other spelling", lambda t: t.replace('"alpha>=1.0"', '"alpha >= 1.0"')),
    ("dependency added", lambda t: t.replace('["alpha>=1.0"]', '["alpha>=1.0", "beta>=1.0"]')),
    ("dependency removed", lambda t: t.replace('["alpha>=1.0"]', "[]")),
    ("extra changed", lambda t: t.replace('fast = ["beta>=1.0"]', 'fast = ["beta>=2.0"]')),
    ("extra added", lambda t: t.replace('fast = ["beta>=1.0"]', 'fast = ["beta>=1.0"]\nall = ["gamma>=1.0"]')),
    ("group changed", lambda t: t.replace('dev = ["gamma>=1.0"]', 'dev = ["gamma>=2.0"]')),
    ("group added", lambda t: t + 'lint = ["beta>=1.0"]\n'),
    ("requires-python", lambda t: t.replace('requires-python = ">=3.8"', 'requires-python = ">=3.10"')),
    ("requires-python spelled otherwise", lambda t: t.replace('requires-python = ">=3.8"', 'requires-python = ">= 3.8"')),
    ("requires-python with an upper bound", lambda t: t.replace('requires-python = ">=3.8"', 'requires-python = ">=3.8,<4"')),
    ("extras on a dependency", lambda t: t.replace('"alpha>=1.0"', '"alpha[cli]>=1.0"')),
]


def _uv() -> str:
    try:
        from uv import find_uv_bin
    except ImportError:
        pytest.skip("uv is not installed (pip install -r requirements-dev.txt)")
    return find_uv_bin()


@pytest.fixture(scope="module")
def wheel_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("wheels")
    for name in ("alpha", "beta", "gamma"):
        for version in ("1.0", "2.0"):
            make_wheel(d, name, version)
    return d


def uv(args: list[str], cwd: Path, wheel_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "UV_CACHE_DIR": str(cwd / ".uv-cache"), "UV_NO_INDEX": "1", "UV_FIND_LINKS": str(wheel_dir),
           "UV_OFFLINE": "1", "UV_NO_CONFIG": "1"}
    return subprocess.run([_uv(), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("case, edit", EDITS, ids=[c for c, _ in EDITS])
def test_rule_agrees_with_uv(tmp_path: Path, wheel_dir: Path, case, edit):
    (tmp_path / "pyproject.toml").write_text(BASE)
    made = uv(["lock"], tmp_path, wheel_dir)
    assert made.returncode == 0, made.stderr
    (tmp_path / "pyproject.toml").write_text(edit(BASE))
    check = uv(["lock", "--check"], tmp_path, wheel_dir)
    assert check.returncode in (0, 1), check.stderr
    uv_says_stale = check.returncode != 0
    for junk in (tmp_path / ".uv-cache", tmp_path / ".venv"):
        subprocess.run(["rm", "-rf", str(junk)], check=True)
    _, findings = lint(tmp_path, select="lock-file-stale")
    assert bool(findings) == uv_says_stale, f"uv says {'stale' if uv_says_stale else 'fresh'}: {findings}\n{check.stderr}"


def test_simplified_requires_python_is_not_stale(tmp_path: Path, wheel_dir: Path):
    """uv writes `>=3.11,<3.12` as `==3.11.*` in the lock: the same range, not a change."""
    text = BASE.replace('requires-python = ">=3.8"', 'requires-python = ">=3.11,<3.12"')
    (tmp_path / "pyproject.toml").write_text(text)
    assert uv(["lock"], tmp_path, wheel_dir).returncode == 0
    assert uv(["lock", "--check"], tmp_path, wheel_dir).returncode == 0
    subprocess.run(["rm", "-rf", str(tmp_path / ".uv-cache")], check=True)
    _, findings = lint(tmp_path, select="lock-file-stale")
    assert findings == []
