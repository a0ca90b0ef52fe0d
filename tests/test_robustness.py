"""Bad input never crashes: each bad file gives a finding (with its line where there is one), every
other file is still linted, and the exit code is 1, not a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import lint, run_cli, write_tree
from mllint_docker import rules as registry
from mllint_docker.finding import Issue

GOOD = "FROM python:3.11.9-slim\nUSER app\n"


def names(findings: list[dict]) -> list[tuple[str, int | None, str]]:
    return sorted(((f["file"], f["line"], f["name"]) for f in findings), key=lambda t: (t[0], t[1] or 0, t[2]))


def test_each_bad_file_is_a_finding_and_the_rest_is_still_linted(tmp_path: Path):
    files = {
        "bin/Dockerfile": os.urandom(2000).replace(b"\0", b"\1") + b"\0",
        "latin1.Dockerfile": b"FROM python:latest\n# caf\xe9\nUSER app\n",
        "empty.Dockerfile": "",
        "syntax.Dockerfile": "FROM python:3.11.9-slim\nBOGUS x\n",
        "heredoc.Dockerfile": "FROM python:3.11.9-slim\nRUN <<EOF\necho never closed\n",
        "requirements.txt": "numpy==2.1.0\nthis is not valid!!\n-r missing.txt\n-r requirements-b.txt\n",
        "requirements-b.txt": "-r requirements.txt\n",
        "ok/Dockerfile": "FROM python:latest\nUSER app\n",
    }
    code, findings = lint(tmp_path, files)
    got = names(findings)
    assert code == 1
    assert ("bin/Dockerfile", None, "parse-error") in got
    assert ("empty.Dockerfile", None, "parse-error") in got
    assert ("syntax.Dockerfile", 2, "parse-error") in got
    assert ("heredoc.Dockerfile", 2, "parse-error") in got
    assert ("requirements.txt", 2, "parse-error") in got
    assert ("requirements.txt", 3, "broken-include") in got
    assert ("requirements.txt", 4, "broken-include") in got
    assert ("requirements-b.txt", 1, "broken-include") in got
    # Files that parse are still judged: non-UTF-8 bytes in a comment do not stop the rules.
    assert ("latin1.Dockerfile", 1, "base-image-unpinned") in got
    assert ("ok/Dockerfile", 1, "base-image-unpinned") in got


def test_huge_files_are_refused_not_read(tmp_path: Path):
    code, findings = lint(tmp_path, {"Dockerfile": 100 * 1024 * 1024, "requirements.txt": 100 * 1024 * 1024})
    assert code == 1
    assert names(findings) == [("Dockerfile", None, "parse-error"), ("requirements.txt", None, "parse-error")]
    assert "larger than" in findings[0]["message"]


def test_symlink_loops_and_fifos(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.11.9-slim\nCOPY . /app\nUSER app\n", ".dockerignore": ".git\n"})
    (tmp_path / "loop").mkdir()
    os.symlink("..", tmp_path / "loop" / "up")
    os.symlink("self", tmp_path / "self")
    os.mkfifo(tmp_path / "requirements-fifo.txt")
    code, findings = lint(tmp_path)
    assert code == 0 and findings == []  # loops are not followed; a FIFO is not a file to read


def test_unreadable_directory(tmp_path: Path, monkeypatch):
    write_tree(tmp_path, {"secret/Dockerfile": GOOD, "Dockerfile": "FROM python:latest\nUSER app\n"})
    real = os.scandir

    def scandir(path="."):
        if str(path).endswith("secret"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, findings = lint(tmp_path)
    got = names(findings)
    assert ("secret", None, "parse-error") in got
    assert ("Dockerfile", 1, "base-image-unpinned") in got


def test_a_failing_rule_is_reported_and_the_others_still_run(tmp_path: Path, monkeypatch):
    def explode(df, project):
        raise RuntimeError("boom")
        yield Issue(1, "never")

    registry.all_rules()
    monkeypatch.setitem(registry._registry, "MLD199", registry.Rule(
        "MLD199", "exploding-rule", "warning", "dockerfile", "test only", explode))
    code, findings = lint(tmp_path, {"Dockerfile": "FROM python:latest\nUSER app\n"},
                          extra=["--extend-select", "MLD199"])
    got = names(findings)
    assert ("Dockerfile", None, "internal-error") in got
    assert ("Dockerfile", 1, "base-image-unpinned") in got
    internal = next(f for f in findings if f["name"] == "internal-error")
    assert "exploding-rule" in internal["message"] and "boom" in internal["message"]


@pytest.mark.parametrize("args", [["check", "does-not-exist"], ["check", "--select", "no-such-rule"],
                                  ["check", "--config", "missing.toml"]])
def test_usage_errors_exit_2_with_a_message(tmp_path: Path, args):
    code, out, err = run_cli(args, tmp_path)
    assert code == 2
    assert "Traceback" not in out + err and err.strip()
