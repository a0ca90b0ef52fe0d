"""Differential test of the build-context model against a real Docker engine: for generated trees
and ignore files covering every `.dockerignore` semantic, BuildKit's local export of
`FROM scratch` + `COPY . /` is exactly the context Docker sends; `scan_context` must list the same
files, sizes and symlinks. Docker 26 (`docker-engine modern`) is the truth; Docker 20.10 differs
only where patterns hold regexp characters."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from docker_engine import check_engine, docker, engine_env
from helpers import write_tree
from mllint_docker.model.context import scan_context

pytestmark = pytest.mark.docker

COMMON = {
    "foo": "root foo",
    "a/foo": "nested foo",
    "a/b/foo": "deeper foo",
    "a/b/z.txt": "z",
    "a/readme.md": "nested readme",
    "readme.md": "root readme",
    "x.pyc": "pyc",
    "pkg/mod/y.pyc": "pyc2",
    "pkg/mod/y.py": "py",
    "data/big.csv": "1,2,3\n" * 100,
    "data/keep.csv": "keep",
    "data/sub/keep.csv": "keep2",
    "data/sub/drop.bin": "drop",
    "important.txt": "i",
    "other.txt": "o",
    "src/gen/out.c": "gen",
    "src/main.c": "main",
    "build/artifact": "art",
    "docs/x.md": "docs",
    "notes/n.md": "notes",
    "logs/a.log": "log",
    "file1.txt": "1",
    "fileA.txt": "A",
    "loga.txt": "la",
    "logb.txt": "lb",
    ".env": "SECRET=1",
    ".env.local": "SECRET=2",
    "#hash": "hash-named file",
    "deep/er/still/here.txt": "deep",
    "log1.txt": "l1",
    "bel\x07": "a BEL in the name",
    "!x": "bang",
    "bx": "bx",
}

CASES = {
    "bare-name-root-only": ["foo"],
    "double-star": ["**/foo", "a/**/z.txt", "**/*.pyc"],
    "exception-under-excluded-dir": ["data", "!data/keep.csv", "!data/sub/*.csv"],
    "last-match-wins": ["*.txt", "!important.txt", "!other.txt", "other.txt"],
    "comments-and-blanks": ["# a comment", "", "   ", "  #hash", "foo   "],
    "cleaning": ["/src/gen", "./build", "docs/../notes", "a//b"],
    "trailing-slash": ["logs/", "deep/"],
    "star-stays-in-segment": ["*.md", "*/foo"],
    "question-and-classes": ["file?.txt", "log[^a].txt"],
    "dot-files": [".env*"],
    "excluding-dockerfile-and-ignore-file": ["Dockerfile", ".dockerignore", "x.pyc"],
    "exclude-all-but": ["*", "!src", "!data/keep.csv"],
    "deep-exception": ["deep", "!deep/er/still/here.txt"],
    # moby copies `\\x` escapes into a Go regexp: Go's syntax shows through.
    "go-regexp-escapes": ["file\\d.txt", "log[[:alpha:]].txt", "bel\\a", "\\pL"],
    "go-classes-and-quotes": ["log[[:digit:]].txt", "file[\\w]*", "\\Qimportant\\E.txt"],
    "bang-class-is-literal": ["[!]x"],
}

# Patterns Docker 26 refuses (the build fails): each is reported, on its line of .dockerignore.
REJECTED = ["[^]", "[]", "x\\", "[a-", "\\e", "\\1"]


@pytest.fixture(scope="module")
def env():
    e = engine_env()
    check_engine(e)
    return e


def exported(env, context: Path, out: Path, dockerfile: Path | None = None) -> set[tuple[str, int, bool]]:
    args = ["build", "--network", "none", "-q", "-o", f"type=local,dest={out}"]
    if dockerfile is not None:
        args += ["-f", str(dockerfile)]
    docker({**env, "DOCKER_BUILDKIT": "1"}, *args, str(context))
    found = set()
    for dirpath, dirnames, filenames in os.walk(out):
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            found.add((os.path.relpath(p, out).replace(os.sep, "/"), st.st_size, os.path.islink(p)))
    return found


def ours(context: Path, dockerfile: Path | None = None) -> set[tuple[str, int, bool]]:
    return {(e.path, e.size, e.is_symlink) for e in scan_context(context, dockerfile).entries}


@pytest.mark.parametrize("name", sorted(CASES))
def test_context_matches_docker(env, tmp_path: Path, name: str):
    ctx = tmp_path / "ctx"
    write_tree(ctx, {**COMMON, "Dockerfile": "FROM scratch\nCOPY . /\n", ".dockerignore": "\n".join(CASES[name]) + "\n"})
    os.symlink("foo", ctx / "link-to-foo")
    os.symlink("/nonexistent/outside", ctx / "a" / "dangling")
    assert ours(ctx) == exported(env, ctx, tmp_path / "out")


@pytest.mark.parametrize("specific", ["*.md\n!readme.md\n", ""], ids=["patterns", "empty"])
def test_dockerfile_specific_ignore_file_wins(env, tmp_path: Path, specific: str):
    ctx = tmp_path / "ctx"
    write_tree(ctx, {**COMMON, "docker/build.Dockerfile": "FROM scratch\nCOPY . /\n",
                     "docker/build.Dockerfile.dockerignore": specific, ".dockerignore": "*\n"})
    df = ctx / "docker" / "build.Dockerfile"
    assert ours(ctx, df) == exported(env, ctx, tmp_path / "out", df)


@pytest.mark.parametrize("pattern", REJECTED)
def test_patterns_docker_rejects_are_reported(env, tmp_path: Path, pattern: str):
    import json

    from helpers import run_cli

    ctx = tmp_path / "ctx"
    write_tree(ctx, {"Dockerfile": "FROM scratch\nCOPY . /\n", ".dockerignore": f"*.pyc\n{pattern}\n", "a": "a"})
    for _ in range(3):  # under load BuildKit may report the cancelled session instead of the pattern error
        r = docker({**env, "DOCKER_BUILDKIT": "1"}, "build", "--network", "none", "-q", "-o",
                   f"type=local,dest={tmp_path / 'out'}", str(ctx), check=False)
        if "context canceled" not in r.stderr:
            break
    assert r.returncode != 0 and "pattern" in r.stderr
    code, out, err = run_cli(["check", ".", "--isolated", "--format", "json"], ctx)
    got = [(f["file"], f["line"], f["name"]) for f in json.loads(out)["findings"]]
    assert (".dockerignore", 2, "parse-error") in got
