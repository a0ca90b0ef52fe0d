"""`--fix` over the shared corpus (benchmarks/fix_corpus.py): every fixed Dockerfile reads the same to
BuildKit's parser except for the edited instructions, a second `--fix` changes nothing, and no
finding that had a fix survives."""

import importlib.util
import io
from pathlib import Path

import pytest

pytest.importorskip("dockerfile", reason="the BuildKit parser wrapper has wheels for Linux x86_64 only")

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "fix_corpus.py"


def _module():
    spec = importlib.util.spec_from_file_location("fix_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fix_over_the_corpus():
    module = _module()
    if not module.CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside this checkout")
    out = io.StringIO()
    result = module.run(module.CORPUS, out)
    print(out.getvalue())
    assert result["problems"] == []
    assert result["changed_files"] > 20
    counts = result["counts"]
    for rule in ("pip-cache-not-disabled", "apt-lists-not-cleaned", "apt-recommends", "add-instead-of-copy"):
        assert counts[rule]["with_fix"] > 0 and counts[rule]["after_with_fix"] == 0
