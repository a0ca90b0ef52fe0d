"""Differential test: our Dockerfile model against BuildKit's own Go parser (PyPI `dockerfile`) on
every fixture Dockerfile and every Dockerfile of the shared corpus: same instructions, same line
ranges, same flags and arguments, same heredoc bodies, and the same files rejected."""

from pathlib import Path

import pytest

from mllint_docker.model.dockerfile import parse_dockerfile
from mllint_docker.model.discovery import is_dockerfile_name

dockerfile = pytest.importorskip("dockerfile", reason="the BuildKit parser wrapper has wheels for Linux x86_64 only")

ROOT = Path(__file__).resolve().parent
CORPUS = ROOT.parent.parent / "shared" / "corpus" / "dockerfiles"


def _files() -> list[Path]:
    fixtures = [p for p in (ROOT / "fixtures").rglob("*") if p.is_file() and is_dockerfile_name(p.name)]
    corpus = sorted(CORPUS.glob("*")) if CORPUS.is_dir() else []
    return sorted(fixtures) + corpus


FILES = _files()


def test_the_corpus_is_there():
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside this checkout")
    assert len(list(CORPUS.glob("*"))) > 100


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_same_as_buildkit(path: Path):
    text = path.read_bytes().decode("utf-8", "replace")
    ours = parse_dockerfile(path)
    try:
        theirs = dockerfile.parse_string(text)
    except dockerfile.GoParseError as err:
        assert ours.error is not None, f"BuildKit rejects this file ({err}) but we accept it"
        return
    assert ours.error is None, f"we reject a file BuildKit accepts: {ours.error}"
    assert len(ours.instructions) == len(theirs), [i.keyword for i in ours.instructions]
    for mine, go in zip(ours.instructions, theirs):
        where = f"line {go.start_line} {go.cmd}"
        assert mine.keyword == go.cmd.upper(), where
        assert (mine.line, mine.end_line) == (go.start_line, go.end_line), where
        assert mine.json == go.json, where
        flags = sorted(f"--{k}" + (f"={v}" if v or f"--{k}=" in mine.original else "") for k, vs in mine.flags.items() for v in vs)
        assert flags == sorted(go.flags), where
        args = mine.args
        if mine.keyword in ("ENV", "LABEL"):  # ours keeps BuildKit's (key, value, delimiter) triples
            args = [a for i, a in enumerate(args) if i % 3 != 2]
        assert tuple(args) == tuple(go.value), where
        assert [(h.name, h.content) for h in mine.heredocs] == [(h.name, h.content) for h in go.heredocs], where
