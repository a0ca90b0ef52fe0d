"""Bad input never crashes: each bad file gives a finding (with its line where there is one), every
other file is still linted, and the exit code is 1, not a traceback."""

from __future__ import annotations

import json
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


# The crash list of a fuzzing and hostile-tree session: each one a finding or a clear error now. ---


def check_json(root: Path, *extra: str) -> tuple[int, list[dict], str]:
    code, out, err = run_cli(["check", ".", "--format", "json", *extra], root)
    assert "Traceback" not in out + err and "internal error" not in err, err
    return code, (json.loads(out)["findings"] if code in (0, 1) else []), err


def test_names_longer_than_the_file_system_allows(tmp_path: Path):
    long = "a" * 300
    write_tree(tmp_path, {"requirements.txt": f"numpy==2.1.0\n-r {long}.txt\n",
                          "compose.yaml": f"services:\n  app:\n    build: {long}\n  b:\n    build: {{context: ., dockerfile: {long}}}\n",
                          "Dockerfile": f"FROM python:3.11.9-slim\nCOPY {long} /x\nCOPY {long}/* /y/\nUSER app\n"})
    # A Dockerfile whose `<name>.dockerignore` would be longer than a file name may be.
    write_tree(tmp_path, {"d" * 240 + ".Dockerfile": "FROM python:3.11.9-slim\nCOPY . /app\nUSER app\n"})
    code, findings, _ = check_json(tmp_path, "--isolated", "--select", "ALL")
    assert ("requirements.txt", 2, "broken-include") in names(findings)
    assert not [f for f in findings if f["name"] == "internal-error"]
    assert any(f["file"] == "d" * 240 + ".Dockerfile" for f in findings)


def test_unreadable_copy_source_directory(tmp_path: Path, monkeypatch):
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.11.9-slim\nCOPY src/ /app/\nCOPY requirements.txt .\n"
                                        "RUN pip install -r requirements.txt\nUSER app\n",
                          "src/locked/x.py": "x", "requirements.txt": "numpy==2.1.0\n", ".dockerignore": ".git\n"})
    real = os.scandir

    def scandir(path="."):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, findings, _ = check_json(tmp_path, "--isolated")
    assert ("src/locked", None, "parse-error") in names(findings)
    assert "Permission denied" in next(f["message"] for f in findings if f["file"] == "src/locked")


@pytest.mark.parametrize("compose", [
    "services:\n  a:\n    build: " + "[" * 1000 + "]" * 1000 + "\n",
    "services:\n  a:\n    build:\n      context: .\n      x: " + "1" * 5000 + "\n",
    "services:\n  a:\n    build: {context: " + "[" * 200 + "]" * 200 + "}\n",
], ids=["nested-1000", "5000-digit-number", "context-not-a-string"])
def test_hostile_compose_files(tmp_path: Path, compose: str):
    write_tree(tmp_path, {"compose.yaml": compose, "Dockerfile": GOOD})
    code, findings, _ = check_json(tmp_path, "--isolated")
    assert code in (0, 1)
    if "context:" not in compose or "x:" in compose:
        assert [(f["file"], f["name"]) for f in findings] == [("compose.yaml", "parse-error")]


@pytest.mark.parametrize("config, words", [
    ("select = " + "[" * 1000 + "]" * 1000, "nested too deeply"),
    ("severity = " + "{a=" * 600 + "1" + "}" * 600, "invalid TOML"),
    ("data-file-size = " + "9" * 5000, "invalid TOML"),
    ("data-file-size = inf", "data-file-size: expected a finite size"),
    ("data-file-size = -inf", "data-file-size: expected a finite size"),
    ("data-file-size = 1e400", "data-file-size: expected a finite size"),
    ("data-file-size = nan", "data-file-size: expected a finite size"),
    ("large-file-size = -5", "large-file-size: expected a size of 0 or more"),
    ("context-size = '-5MB'", "context-size: expected a size"),
    ("context-size = '99999999999999999999999TB'", "context-size: size too large"),
    ("image-budgets = { Dockerfile = -1 }", "image-budgets: expected a size of 0 or more"),
])
def test_bad_config_values_are_config_errors(tmp_path: Path, config: str, words: str):
    write_tree(tmp_path, {".mllint-docker.toml": config + "\n", "Dockerfile": GOOD})
    code, out, err = run_cli(["check", "."], tmp_path)
    assert code == 2 and "Traceback" not in err and "internal error" not in err
    assert ".mllint-docker.toml" in err and words in err, err


def test_bad_copy_globs(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.11.9-slim\nCOPY [!] /w/\nCOPY [^] /w/\nCOPY x[ /w/\nCOPY []a] /w/\nUSER app\n",
                          "!": "bang", ".dockerignore": ".git\n"})
    code, findings, _ = check_json(tmp_path, "--isolated", "--select", "ALL")
    assert not [f for f in findings if f["name"] == "internal-error"]
    code, out, err = run_cli(["context", ".", "--format", "json"], tmp_path)
    assert code == 0, err
    files = {f["path"]: f["copied_by"] for f in json.loads(out)["contexts"][0]["files"]}
    assert files["!"] == [2]  # Go's `[!]` is a class holding `!`, not a negation


def test_ignore_patterns_docker_rejects_are_located(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.11.9-slim\nCOPY . /app\nUSER app\n",
                          ".dockerignore": "*.pyc\n[^]\n[!]\n\\e\nok/\n"})
    code, findings, _ = check_json(tmp_path, "--isolated")
    assert [(f["file"], f["line"]) for f in findings if f["name"] == "parse-error"] == [(".dockerignore", 2), (".dockerignore", 4)]


def test_fifos_are_skipped_and_said_with_verbose(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": GOOD, ".dockerignore": ".git\n"})
    os.mkfifo(tmp_path / "requirements-pipe.txt")
    os.mkfifo(tmp_path / "Dockerfile.fifo")
    code, out, err = run_cli(["check", ".", "--isolated", "-v", "-q"], tmp_path)
    assert code == 0, err
    assert "skipped requirements-pipe.txt: not a regular file (a FIFO)" in err
    assert "skipped Dockerfile.fifo: not a regular file (a FIFO)" in err


def test_one_undecodable_requirements_line(tmp_path: Path):
    write_tree(tmp_path, {"requirements.txt": b"numpy==2.1.0\npandas # caf\xe9\nscipy\n-r other.txt\n",
                          "other.txt": "torch\n",
                          "requirements-latin1.txt": b"# -*- coding: latin-1 -*-\nrequests # caf\xe9\n"})
    code, findings, _ = check_json(tmp_path, "--isolated")
    got = names(findings)
    assert ("requirements.txt", 2, "parse-error") in got
    assert ("requirements.txt", 3, "requirement-unpinned") in got
    assert ("other.txt", 1, "requirement-unpinned") in got  # includes still followed
    assert ("requirements-latin1.txt", 2, "requirement-unpinned") in got  # pip honours the coding line
    assert not [f for f in findings if f["file"] == "requirements-latin1.txt" and f["name"] == "parse-error"]


def test_an_unexpected_exception_is_one_line_and_exit_2(tmp_path: Path, monkeypatch):
    from mllint_docker.model import project

    def boom(*a, **k):
        raise KeyError("surprise")

    monkeypatch.setattr(project, "discover", boom)
    write_tree(tmp_path, {"Dockerfile": GOOD})
    code, out, err = run_cli(["check", ".", "--isolated"], tmp_path)
    assert code == 2
    assert err.strip() == "mllint: internal error, please report: KeyError: 'surprise'"
    assert "Traceback" not in out + err


@pytest.mark.parametrize("args", [["check", "a" * 300], ["context", "a" * 300], ["context", ".", "-f", "b" * 300]])
def test_paths_too_long_on_the_command_line(tmp_path: Path, args):
    code, out, err = run_cli(args, tmp_path)
    assert code == 2 and err.startswith("mllint: error:") and "too long" in err


def test_lock_files_that_are_fifos_or_nested_too_deeply(tmp_path: Path):
    write_tree(tmp_path, {"requirements.txt": "numpy\n", "sub/requirements.txt": "pandas\n",
                          "sub/poetry.lock": "x = " + "[" * 2000 + "]" * 2000 + "\n"})
    os.mkfifo(tmp_path / "uv.lock")
    code, findings, _ = check_json(tmp_path, "--isolated")
    assert ("requirements.txt", 1, "requirement-unpinned") in names(findings)
    assert ("sub/requirements.txt", 1, "requirement-unpinned") in names(findings)
