"""`.gitignore` semantics without running git: the model's reading of ignore files must agree with
`git check-ignore` (git is the reference here, in the tests only) on generated trees: nested
`.gitignore` files, negation, anchoring, `**`, trailing slashes, escapes, `.git/info/exclude`."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import run_cli, write_tree
from mllint_docker.model.discovery import GitIgnore

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is the reference")

FILES = ["a.txt", "b.log", "build/out.bin", "build/keep.txt", "src/a.txt", "src/deep/b.log", "src/deep/c.txt",
         "docs/build/x.md", "docs/readme.md", "logs/2024/x.log", "logs/keep.log", "data/raw/big.csv",
         "data/keep.csv", "#hash.txt", "!bang.txt", "sp ace.txt", "x[1].txt", "Dockerfile", "sub/Dockerfile",
         "sub/requirements.txt", "vendor/lib/Dockerfile", "tmp/a/b/c.txt"]
POOL = ["*.log", "!keep.log", "build/", "/a.txt", "a.txt", "**/deep/", "docs/**/x.md", "data/*", "!data/keep.csv",
        "\\#hash.txt", "\\!bang.txt", "sp\\ ace.txt", "x\\[1\\].txt", "*.txt", "!src/*.txt", "logs", "!logs/keep.log",
        "tmp/**", "!tmp/a/", "/sub/", "vendor", "Dockerfile", "!sub/Dockerfile", "deep", "*.csv", "# comment",
        "", "  ", "b.log ", "**/b.log", "src/**", "!src/deep/c.txt", "[ab].txt", "?.txt", "*/", "raw/"]
DIRS = ["", "src", "src/deep", "logs", "data", "docs", "sub", "tmp/a"]


def git_ignored(repo: Path, files: list[str]) -> set[str]:
    r = subprocess.run(["git", "-c", "core.fsmonitor=", "check-ignore", "--no-index", "--stdin", "-z"], cwd=repo,
                       input="\0".join(files).encode(), capture_output=True)
    assert r.returncode in (0, 1), r.stderr.decode()
    return {p for p in r.stdout.decode().split("\0") if p}


@pytest.mark.parametrize("seed", range(60))
def test_agrees_with_git_check_ignore(tmp_path: Path, seed: int):
    rng = random.Random(seed)
    repo = tmp_path / "repo"
    write_tree(repo, {f: "x\n" for f in FILES})
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for d in rng.sample(DIRS, rng.randint(2, 5)):
        (repo / d / ".gitignore").write_text("\n".join(rng.sample(POOL, rng.randint(2, 10))) + "\n")
    if rng.random() < 0.4:
        (repo / ".git" / "info").mkdir(exist_ok=True)
        (repo / ".git" / "info" / "exclude").write_text("\n".join(rng.sample(POOL, 3)) + "\n")
    expected = git_ignored(repo, FILES)
    gi = GitIgnore(repo)
    got = {f for f in FILES if gi.ignored(f)}
    assert got == expected, {".gitignore files": {str(p.relative_to(repo)): p.read_text() for p in repo.rglob(".gitignore")}}


def test_discovery_honours_nested_ignores_and_negation(tmp_path: Path):
    write_tree(tmp_path, {
        ".gitignore": "build/\n*.Dockerfile\n!keep.Dockerfile\n",
        "services/.gitignore": "/generated/\n",
        "Dockerfile": "FROM python:latest\n",
        "build/Dockerfile": "FROM python:latest\n",
        "x.Dockerfile": "FROM python:latest\n",
        "keep.Dockerfile": "FROM python:latest\n",
        "services/generated/Dockerfile": "FROM python:latest\n",
        "services/api/generated/Dockerfile": "FROM python:latest\n",
        ".git/info/exclude": "local/\n",
        "local/Dockerfile": "FROM python:latest\n",
    })
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    code, out, err = run_cli(["check", ".", "--isolated", "-q", "--select", "MLD101"], tmp_path)
    files = sorted({line.split(":", 1)[0] for line in out.splitlines()})
    assert files == ["Dockerfile", "keep.Dockerfile", "services/api/generated/Dockerfile"]
