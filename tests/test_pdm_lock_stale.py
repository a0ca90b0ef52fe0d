"""lock-file-stale on pdm.lock against PDM itself: real pdm.lock/pyproject pairs of the corpus, the
pyproject then changed, and the rule must call the lock stale exactly when `pdm lock --check` does
(it compares the same content hash, offline)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import lint

ENVIRONMENTS = next((p / "shared" / "corpus" / "environments" for p in Path(__file__).resolve().parents
                     if (p / "shared" / "corpus" / "environments").is_dir()), None)
# pyproject.toml and pdm.lock of the same repository and commit (corpus manifest.tsv)
PAIRS = [("0051-pyproject.toml", "0111-pdm.lock"), ("0052-pyproject.toml", "0112-pdm.lock"),
         ("0053-pyproject.toml", "0114-pdm.lock"), ("0054-pyproject.toml", "0115-pdm.lock")]


def _dependencies_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith("dependencies = ["))


def _requires_python(text: str, spec: str) -> str:
    """`requires-python` set to `spec` (replaced where written, else added to [project])."""
    line = f'requires-python = "{spec}"'
    if re.search(r"^requires-python\s*=", text, re.M):
        return re.sub(r"^requires-python\s*=.*$", line, text, count=1, flags=re.M)
    return text.replace("[project]\n", f"[project]\n{line}\n", 1)


EDITS = [
    ("unchanged", lambda t: t),
    ("another tool's table", lambda t: t + "\n[tool.an-edit]\nx = 1\n"),
    ("dependency added", lambda t: t.replace(_dependencies_line(t), _dependencies_line(t).replace("[", '["left-pad>=1", ', 1), 1)),
    ("requires-python", lambda t: _requires_python(t, ">=3.13")),
    ("optional dependencies added", lambda t: t + '\n[project.optional-dependencies]\nextra-edit = ["left-pad"]\n'
        if "[project.optional-dependencies]" not in t else t.replace("[project.optional-dependencies]\n",
                                                                  '[project.optional-dependencies]\nextra-edit = ["left-pad"]\n', 1)),
    ("dependency group added", lambda t: t + '\n[dependency-groups]\nedit = ["left-pad"]\n'
        if "[dependency-groups]" not in t else t.replace("[dependency-groups]\n", '[dependency-groups]\nedit = ["left-pad"]\n', 1)),
    ("pdm resolution override", lambda t: t + '\n[tool.pdm.resolution.overrides]\nleft-pad = ">=1"\n'
        if "[tool.pdm.resolution" not in t else t),
]


def _pdm() -> str:
    found = shutil.which("pdm", path=str(Path(sys.executable).parent)) or shutil.which("pdm")
    if found is None:
        if os.environ.get("CI"):  # CI installs requirements-dev.txt: the comparison must run there
            pytest.fail("pdm is not installed")
        pytest.skip("pdm is not installed (pip install -r requirements-dev.txt)")
    return found


@pytest.mark.skipif(ENVIRONMENTS is None, reason="the shared corpus is not beside the repository")
@pytest.mark.parametrize("pair", PAIRS, ids=[p[1] for p in PAIRS])
def test_the_rule_and_pdm_agree_on_every_edit(tmp_path: Path, pair):
    pdm = _pdm()
    source_pyproject, source_lock = (ENVIRONMENTS / name for name in pair)
    original = source_pyproject.read_text(encoding="utf-8")
    disagreements, stale = [], 0
    for case, change in EDITS:
        d = tmp_path / case.replace(" ", "-")
        d.mkdir()
        (d / "pyproject.toml").write_text(change(original), encoding="utf-8")
        shutil.copyfile(source_lock, d / "pdm.lock")
        env = {**os.environ, "PDM_HOME": str(d / ".pdm-home"), "PDM_CACHE_DIR": str(d / ".pdm-cache"),
               "PDM_CHECK_UPDATE": "false", "PDM_IGNORE_ACTIVE_VENV": "1"}
        checked = subprocess.run([pdm, "lock", "--check"], cwd=d, env=env, capture_output=True, text=True, timeout=120)
        assert checked.returncode in (0, 1), checked.stderr
        _, findings = lint(d, select="lock-file-stale")
        ours = [f for f in findings if f["file"].endswith("pdm.lock")]
        stale += checked.returncode == 1
        if bool(ours) != (checked.returncode == 1):
            disagreements.append((case, "pdm: " + ("stale" if checked.returncode else "fresh"), ours))
    assert not disagreements
    assert stale >= len(EDITS) - 3  # the edits that change what PDM hashes are seen as such
