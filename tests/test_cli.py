"""The command line as a user meets it: exit codes, selection, config, pragmas, discovery, output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import found, lint, run_cli, write_tree

BAD = "FROM python:latest\nUSER app\n"  # one base-image-unpinned finding on line 1


def test_exit_codes_follow_fail_on(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": BAD})
    assert run_cli(["check", "."], tmp_path)[0] == 1
    assert run_cli(["check", ".", "--fail-on", "error"], tmp_path)[0] == 0
    write_tree(tmp_path, {".mllint-docker.toml": 'severity = { "base-image-unpinned" = "error" }\n'})
    assert run_cli(["check", ".", "--fail-on", "error"], tmp_path)[0] == 1
    assert run_cli(["check", ".", "--fail-on", "nonsense"], tmp_path)[0] == 2


@pytest.mark.parametrize("selector", ["MLD101", "base-image-unpinned", "MLD1"])
def test_select_by_code_name_or_prefix(tmp_path: Path, selector: str):
    _, findings = lint(tmp_path, {"Dockerfile": "FROM python:latest\n"}, select=selector)
    names = {f["name"] for f in findings}
    assert "base-image-unpinned" in names and "runs-as-root" not in names
    assert all(f["code"].startswith("MLD1") for f in findings)


def test_ignore_and_extend_select(tmp_path: Path):
    _, findings = lint(tmp_path, {"Dockerfile": "FROM python:latest\n"}, extra=["--ignore", "runs-as-root,MLD101"])
    assert not found(findings, "runs-as-root") and not found(findings, "base-image-unpinned")


def test_config_errors_name_file_and_key(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": BAD, "pyproject.toml": '[tool.mllint-docker]\nfail-onn = "error"\n'})
    code, _, err = run_cli(["check", "."], tmp_path)
    assert code == 2 and "pyproject.toml" in err and "fail-onn" in err and "fail-on" in err
    write_tree(tmp_path, {"pyproject.toml": '[tool.mllint-docker]\nignore = ["no-such-rule"]\n'})
    code, _, err = run_cli(["check", "."], tmp_path)
    assert code == 2 and "no-such-rule" in err
    write_tree(tmp_path, {"pyproject.toml": '[tool.mllint-docker]\ndata-file-size = "lots"\n'})
    code, _, err = run_cli(["check", "."], tmp_path)
    assert code == 2 and "data-file-size" in err


def test_per_file_ignores(tmp_path: Path):
    write_tree(tmp_path, {"dev/Dockerfile": BAD, "prod/Dockerfile": BAD,
                          ".mllint-docker.toml": '[per-file-ignores]\n"dev/*" = ["base-image-unpinned"]\n'})
    _, findings = lint(tmp_path)
    assert found(findings, "base-image-unpinned") == [("prod/Dockerfile", 1)]


def test_pragmas(tmp_path: Path):
    dockerfile = (
        "# mllint: disable=base-image-unpinned\n"
        "FROM python:latest AS a\n"
        "# hadolint ignore=DL3007\n"
        "FROM ubuntu:latest AS b\n"
        "FROM alpine:latest\n"
        "# mllint: disable=no-such-rule\n"
        "USER root\n"
    )
    _, findings = lint(tmp_path, {"Dockerfile": dockerfile})
    assert found(findings, "base-image-unpinned") == [("Dockerfile", 5)]
    assert found(findings, "unknown-rule") == [("Dockerfile", 6)]
    assert found(findings, "runs-as-root") == [("Dockerfile", 7)]


def test_file_wide_pragmas(tmp_path: Path):
    _, findings = lint(tmp_path, {"Dockerfile": "FROM python:latest\n# hadolint global ignore=DL3002\n"
                                                "FROM ubuntu\n# mllint: disable-file=MLD101\n"})
    assert findings == []


def test_requirements_trailing_pragma(tmp_path: Path):
    _, findings = lint(tmp_path, {"requirements.txt": "torch>=2.3  # mllint: disable=requirement-unpinned\nnumpy\n"})
    assert found(findings, "requirement-unpinned") == [("requirements.txt", 2)]


def test_json_report_schema_and_order(tmp_path: Path):
    write_tree(tmp_path, {"b/Dockerfile": BAD, "a/Dockerfile": "FROM ubuntu\nFROM python:latest\nUSER app\n"})
    code, out, _ = run_cli(["check", ".", "--format", "json"], tmp_path)
    doc = json.loads(out)
    assert set(doc) == {"version", "findings", "summary"}
    keys = [(f["file"], f["line"]) for f in doc["findings"]]
    assert keys == sorted(keys, key=lambda k: (k[0], k[1] or 0))
    assert keys[0] == ("a/Dockerfile", 1) and all("\\" not in f for f, _ in keys)
    assert set(doc["findings"][0]) >= {"code", "name", "severity", "file", "line", "column", "message"}
    assert doc["summary"]["findings"] == len(doc["findings"])


def test_text_output_has_no_colour_when_piped(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": BAD})
    proc = subprocess.run([sys.executable, "-m", "mllint_docker", "check", "."], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": __import__("os").environ["PATH"], "NO_COLOR": "1", "FORCE_COLOR": ""})
    assert proc.returncode == 1
    assert "\x1b[" not in proc.stdout
    assert "Dockerfile" in proc.stdout and "FROM python:latest" in proc.stdout and "base-image-unpinned" in proc.stdout


def test_discovery_patterns_and_skips(tmp_path: Path):
    files = {name: BAD for name in ("Dockerfile", "Dockerfile.gpu", "serve.Dockerfile", "x.dockerfile", "Containerfile",
                                    ".venv/Dockerfile", "node_modules/p/Dockerfile", "ignored/Dockerfile")}
    files[".venv/pyvenv.cfg"] = "home = /usr\n"
    files[".gitignore"] = "ignored/\n"
    write_tree(tmp_path, files)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    _, findings = lint(tmp_path)
    assert sorted({f for f, _ in found(findings, "base-image-unpinned")}) == sorted(
        ["Containerfile", "Dockerfile", "Dockerfile.gpu", "serve.Dockerfile", "x.dockerfile"])


def test_explicit_files_are_linted(tmp_path: Path):
    write_tree(tmp_path, {"odd-name": BAD, "requirements-dev.txt": "pytest\n", "other/Dockerfile": BAD})
    code, out, _ = run_cli(["check", "odd-name", "requirements-dev.txt", "--format", "json"], tmp_path)
    files = {f["file"] for f in json.loads(out)["findings"]}
    assert files == {"odd-name", "requirements-dev.txt"}


def test_compose_defines_the_context(tmp_path: Path):
    write_tree(tmp_path, {
        "compose.yaml": "services:\n  api:\n    build:\n      context: .\n      dockerfile: docker/api.Dockerfile\n",
        "docker/api.Dockerfile": "FROM python:3.11.9-slim\nCOPY app /app\nUSER app\n",
        "app/main.py": "print()\n",
    })
    code, out, err = run_cli(["check", ".", "-v", "--format", "json"], tmp_path)
    assert "compose file compose.yaml" in err
    assert found(json.loads(out)["findings"], "missing-dockerignore") == [("docker/api.Dockerfile", None)]


def test_repository_root_context_is_said_with_verbose(tmp_path: Path):
    write_tree(tmp_path, {"docker/Dockerfile": "FROM python:3.11.9-slim\nCOPY src /app\nUSER app\n",
                          "src/main.py": "print()\n", ".dockerignore": ".git\n"})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    code, out, err = run_cli(["check", ".", "-v"], tmp_path)
    assert "repository root" in err
    assert code == 0


def test_context_command_json(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": "FROM scratch\nCOPY model.pt /m/\nCOPY src /src\n", "model.pt": 5000,
                          "src/a.py": "x\n", "notes.txt": "n", ".dockerignore": "notes.txt\n"})
    code, out, _ = run_cli(["context", ".", "--format", "json"], tmp_path)
    assert code == 0
    ctx = json.loads(out)["contexts"][0]
    assert ctx["dockerfile"] == "Dockerfile" and ctx["ignore_file"] == ".dockerignore"
    files = {f["path"]: (f["size"], f["copied_by"]) for f in ctx["files"]}
    assert files["model.pt"] == (5000, [2]) and files["src/a.py"] == (2, [3])
    assert "notes.txt" not in files and ctx["total_size"] == sum(s for s, _ in files.values())
    assert ctx["files"][0]["path"] == "model.pt"  # largest first


def test_rules_and_explain(tmp_path: Path):
    code, out, _ = run_cli(["rules", "--format", "json"], tmp_path)
    rules = json.loads(out)
    assert code == 0 and any(r["name"] == "base-image-unpinned" for r in rules)
    code, out, _ = run_cli(["explain", "MLD101"], tmp_path)
    assert code == 0 and out.startswith("# base-image-unpinned (MLD101)")
    assert run_cli(["explain", "nope"], tmp_path)[0] == 2


def test_this_repository_passes_its_own_rules():
    repo = Path(__file__).resolve().parent.parent
    code, out, err = run_cli(["check", ".", "--format", "json"], repo)
    assert code == 0, out
    assert (repo / "Dockerfile").is_file()


def test_a_changed_requirements_file_or_dockerignore_relints_the_dockerfile_beside_it(tmp_path: Path):
    write_tree(tmp_path, {"svc/Dockerfile": "FROM python:latest\nCOPY . /app\nUSER app\n",
                          "svc/requirements.txt": "numpy==2.1.0\n", "svc/.dockerignore": ".git\n"})
    for changed in ("svc/requirements.txt", "svc/.dockerignore"):
        code, out, _ = run_cli(["check", changed, "--isolated", "--format", "json"], tmp_path)
        assert ("svc/Dockerfile", 1) in found(json.loads(out)["findings"], "base-image-unpinned")


def test_exclude_holds_for_named_files_and_what_they_pull_in(tmp_path: Path):
    write_tree(tmp_path, {"pyproject.toml": '[tool.mllint-docker]\nexclude = ["fixtures"]\n',
                          "fixtures/bad/Dockerfile": "FROM python:latest\nRUN pip install -r requirements.txt\n",
                          "fixtures/bad/requirements.txt": "torch\n", "fixtures/bad/.mllint-docker.toml": "",
                          "Dockerfile": "FROM python:3.11.9-slim\nUSER app\n"})
    code, out, _ = run_cli(["check", "fixtures/bad/Dockerfile", "fixtures/bad/requirements.txt", "Dockerfile",
                            "--format", "json"], tmp_path)
    assert code == 0 and json.loads(out)["findings"] == []
