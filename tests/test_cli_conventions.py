"""Command-line conventions a ruff or hadolint user expects: stdin, --exit-zero, colour, -q lines,
statistics as JSON, `mllint rules` in a pipe, hadolint codes, suggestions, config positions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from helpers import chdir, found, run_cli, write_tree
from mllint_docker.cli import main
from mllint_docker.rules import all_rules

BAD = "FROM python:latest\nUSER app\n"


def run_stdin(args: list[str], cwd: Path, text: str) -> tuple[int, str, str]:
    with chdir(cwd):
        result = CliRunner().invoke(main, args, input=text, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def run_process(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS")}
    return subprocess.run([sys.executable, "-m", "mllint_docker", *args], cwd=cwd, capture_output=True, text=True,
                          env={**base, **env})


# stdin ------------------------------------------------------------------------------------------

def test_stdin_is_linted_as_the_named_file_with_its_config_and_context(tmp_path: Path):
    write_tree(tmp_path, {"svc/Dockerfile": "FROM python:3.11.9-slim\nUSER app\n",
                          "svc/.mllint-docker.toml": 'ignore = ["runs-as-root"]\n', "svc/model.pt": 2_000_000})
    buffer = "FROM python:latest\nCOPY model.pt /m/\n"  # unsaved: the file on disk is clean
    code, out, _ = run_stdin(["check", "-", "--stdin-filename", "svc/Dockerfile", "-q"], tmp_path, buffer)
    assert code == 1
    assert out.splitlines() == [
        "svc/Dockerfile:1:1: warning MLD301 build context `svc` has no .dockerignore: COPY can bring in .git, "
        "virtualenvs, datasets and secrets",
        "svc/Dockerfile:1:1: warning MLD101 base image `python:latest` has the `latest` tag: builds change when the "
        "image is republished",
        "svc/Dockerfile:1:1: warning MLD103 the final image starts from `python:latest`, which ships compilers and "
        "headers that the running model does not need",
        "svc/Dockerfile:2:1: warning MLD303 copies 1 data/model file (2.0 MB) into the image: model.pt (2.0 MB)",
    ]
    names = {line.split()[2] for line in out.splitlines()}
    assert names == {"MLD101", "MLD103", "MLD301", "MLD303"}  # runs-as-root ignored by svc's config


def test_stdin_requirements_and_source_lines_come_from_the_buffer(tmp_path: Path):
    code, out, _ = run_stdin(["check", "-", "--stdin-filename", "requirements.txt", "--isolated", "--no-color"],
                             tmp_path, "numpy==2.1.0\ntorch>=2\n")
    assert code == 1
    assert "requirement-unpinned" in out and "│ torch>=2" in out and "1 file checked" in out


def test_stdin_filename_without_dash_is_a_usage_error(tmp_path: Path):
    assert run_cli(["check", ".", "--stdin-filename", "Dockerfile"], tmp_path)[0] == 2


# exit codes, colour, quiet, statistics ---------------------------------------------------------

def test_exit_zero(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": BAD})
    assert run_cli(["check", ".", "--isolated"], tmp_path)[0] == 1
    assert run_cli(["check", ".", "--isolated", "--exit-zero"], tmp_path)[0] == 0
    assert run_cli(["check", ".", "--isolated", "--exit-zero", "--select", "nope"], tmp_path)[0] == 2


def test_no_color_and_NO_COLOR_drop_bold_and_dim_too(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": BAD})
    styled = run_process(["check", ".", "--isolated"], tmp_path, FORCE_COLOR="1")
    assert "\x1b[" in styled.stdout  # a terminal gets styles
    assert "\x1b[" not in run_process(["check", ".", "--isolated"], tmp_path, FORCE_COLOR="1", NO_COLOR="1").stdout
    assert "\x1b[" not in run_process(["check", ".", "--isolated", "--no-color"], tmp_path, FORCE_COLOR="1").stdout


def test_quiet_lines_are_problem_matcher_lines(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.11.9-slim\nRUN pip install --no-cache-dir torch\n"})
    code, out, _ = run_cli(["check", ".", "--isolated", "-q", "--select", "MLD202,MLD401,MLD301"], tmp_path)
    assert code == 1
    assert out.splitlines() == [
        "Dockerfile:1:1: warning MLD401 the container runs as root: the final stage sets no USER",
        "Dockerfile:2:32: warning MLD202 `torch` has no version: `pip install` takes whatever matches when the image is built",
    ]
    import re

    pattern = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning|info) (?P<code>MLD\d{3}) .+$")
    assert all(pattern.match(line) for line in out.splitlines()), out
    assert "-:" not in out


def test_statistics_honours_json(tmp_path: Path):
    write_tree(tmp_path, {"a/Dockerfile": BAD, "b/Dockerfile": BAD})
    code, out, _ = run_cli(["check", ".", "--isolated", "--statistics", "--format", "json", "--select", "MLD101"], tmp_path)
    assert code == 1
    assert json.loads(out) == [{"code": "MLD101", "name": "base-image-unpinned", "severity": "warning", "count": 2}]


# mllint rules in a pipe -------------------------------------------------------------------------

def test_rules_in_a_pipe_are_tab_separated_and_never_cut(tmp_path: Path):
    proc = run_process(["rules"], tmp_path, COLUMNS="40")
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0 and len(lines) == len(all_rules())
    rows = {line.split("\t")[0]: line.split("\t") for line in lines}
    for r in all_rules():
        assert rows[r.code][:5] == [r.code, r.name, r.severity, "on" if r.default else "off", r.summary]
    assert rows["MLD101"][5] == "DL3006,DL3007"


# hadolint codes ---------------------------------------------------------------------------------

def test_hadolint_codes_work_where_rule_names_do(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": BAD, "sub/Dockerfile": BAD})
    code, out, _ = run_cli(["check", ".", "--isolated", "-q", "--ignore", "DL3007"], tmp_path)
    assert "MLD101" not in out
    assert run_cli(["check", ".", "--isolated", "--ignore", "DL3008"], tmp_path)[0] == 1  # hadolint's own: nothing to do
    code, _, err = run_cli(["check", ".", "--isolated", "--select", "DL3008"], tmp_path)
    assert code == 2 and "DL3008" in err and "no mllint-docker equivalent" in err
    code, out, _ = run_cli(["explain", "DL3007"], tmp_path)
    assert code == 0 and out.startswith("# base-image-unpinned (MLD101)")
    write_tree(tmp_path, {".mllint-docker.toml": '[per-file-ignores]\n"sub/" = ["DL3007"]\n'})
    code, out, _ = run_cli(["check", ".", "-q", "--select", "MLD101"], tmp_path)
    assert [line.split(":")[0] for line in out.splitlines()] == ["Dockerfile"]


def test_hadolint_yaml_ignored_list_is_honoured_unless_turned_off(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": BAD, ".hadolint.yaml": "ignored:\n  - DL3007\n  - DL3008\n"})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    code, out, _ = run_cli(["check", ".", "-q", "--select", "MLD101,MLD103"], tmp_path)
    assert "MLD101" not in out and "MLD103" in out
    write_tree(tmp_path, {".mllint-docker.toml": "respect-hadolint-config = false\n"})
    code, out, _ = run_cli(["check", ".", "-q", "--select", "MLD101,MLD103"], tmp_path)
    assert "MLD101" in out
    write_tree(tmp_path, {".mllint-docker.toml": "", ".hadolint.yaml": "ignored: [DL3007\n"})
    code, _, err = run_cli(["check", "."], tmp_path)
    assert code == 2 and ".hadolint.yaml:" in err and "invalid YAML" in err


# suggestions and positions ----------------------------------------------------------------------

def test_unknown_rules_suggest_the_closest_in_flags_and_config(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": BAD})
    code, _, err = run_cli(["check", ".", "--isolated", "--ignore", "base-image-unpined"], tmp_path)
    assert code == 2
    assert err.strip() == "mllint: error: --ignore: unknown rule 'base-image-unpined'; did you mean 'base-image-unpinned'?"
    write_tree(tmp_path, {".mllint-docker.toml": 'fail-on = "error"\nignore = [\n  "runs-as-root",\n  "base-image-unpined",\n]\n'})
    code, _, err = run_cli(["check", "."], tmp_path)
    assert code == 2
    assert err.strip() == (f"mllint: error: {tmp_path / '.mllint-docker.toml'}:4:3: ignore: unknown rule "
                           "'base-image-unpined'; did you mean 'base-image-unpinned'?")


def test_config_errors_give_file_line_and_column(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": BAD, "pyproject.toml": '[project]\nname = "x"\n\n[tool.mllint-docker]\nfail-onn = "error"\n'})
    code, _, err = run_cli(["check", "."], tmp_path)
    assert code == 2 and f"{tmp_path / 'pyproject.toml'}:5:1: unknown key 'fail-onn' (did you mean 'fail-on'?" in err
    write_tree(tmp_path, {"pyproject.toml": '[tool.mllint-docker]\nselect = ["MLD1"\nfail-on = "error"\n'})
    code, _, err = run_cli(["check", "."], tmp_path)
    assert code == 2 and f"{tmp_path / 'pyproject.toml'}:3:1: invalid TOML" in err
    write_tree(tmp_path, {"pyproject.toml": '[tool.mllint-docker]\n\ndata-file-size = "lots"\n'})
    code, _, err = run_cli(["check", "."], tmp_path)
    assert code == 2 and f"{tmp_path / 'pyproject.toml'}:3:1: data-file-size:" in err


# nothing to lint, image rules without --build ----------------------------------------------------

def test_zero_files_is_a_warning(tmp_path: Path):
    write_tree(tmp_path, {"README.md": "hello\n"})
    code, out, err = run_cli(["check", ".", "--isolated"], tmp_path)
    assert code == 0
    assert "warning: no files to lint under ." in err
    assert "All clear" not in out and "0 files checked" in out


def test_image_rules_selected_without_build_are_explained(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.11.9-slim\nUSER app\n", ".dockerignore": ".git\n"})
    code, _, err = run_cli(["check", ".", "--isolated", "--select", "MLD5"], tmp_path)
    assert code == 0
    assert "MLD501, MLD502, MLD503, MLD504 are image rules: they run only with --build" in err
    assert "image rules" not in run_cli(["check", ".", "--isolated", "--select", "ALL"], tmp_path)[2]


def test_hadolint_yaml_override_levels_set_our_severities_below_our_own_config(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": "FROM python:latest\nRUN pip install flask\nUSER app\n",
                          ".hadolint.yaml": "override:\n  error: [DL3007]\n  style: [DL3013]\n  info:\n"})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    code, out, _ = run_cli(["check", ".", "--format", "json", "--select", "MLD101,MLD202"], tmp_path)
    severities = {f["name"]: f["severity"] for f in json.loads(out)["findings"]}
    assert severities == {"base-image-unpinned": "error", "pip-install-unpinned": "info"}
    write_tree(tmp_path, {".mllint-docker.toml": '[severity]\nbase-image-unpinned = "info"\n'})
    code, out, _ = run_cli(["check", ".", "--format", "json", "--select", "MLD101"], tmp_path)
    assert [f["severity"] for f in json.loads(out)["findings"]] == ["info"]
    write_tree(tmp_path, {".hadolint.yaml": "override:\n  fatal: [DL3007]\n"})
    code, _, err = run_cli(["check", "."], tmp_path)
    assert code == 2 and ".hadolint.yaml: override: unknown level 'fatal'" in err
