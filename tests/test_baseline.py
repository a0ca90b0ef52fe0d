"""Baselines: adopt the linter on a project with old findings, fail only on new ones."""

import json
from pathlib import Path

from helpers import run_cli, write_tree

OLD = "FROM python:3.11.9-slim\nRUN pip install --no-cache-dir torch\nUSER app\n"


def check(tmp_path: Path, *extra: str):
    code, out, err = run_cli(["check", ".", "--isolated", "--format", "json", *extra], tmp_path)
    return code, json.loads(out)["findings"] if out.strip().startswith("{") else None


def test_baselined_findings_survive_line_shifts_and_new_ones_fail(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": OLD, ".dockerignore": ".git\n"})
    code, _, err = run_cli(["check", ".", "--isolated", "--write-baseline", "baseline.json"], tmp_path)
    assert code == 0 and (tmp_path / "baseline.json").is_file()
    assert check(tmp_path, "--baseline", "baseline.json") == (0, [])
    # Lines inserted above: the old finding is still known.
    write_tree(tmp_path, {"Dockerfile": "# build the server\n\n" + OLD})
    assert check(tmp_path, "--baseline", "baseline.json") == (0, [])
    # The same mistake once more, elsewhere: new.
    write_tree(tmp_path, {"Dockerfile": "# build the server\n\n" + OLD + "RUN pip install --no-cache-dir torch\n"})
    code, findings = check(tmp_path, "--baseline", "baseline.json")
    assert code == 1 and sorted((f["name"], f["line"]) for f in findings) == [("pip-install-unpinned", 6), ("torch-default-index", 6)]


def test_a_bad_baseline_is_a_usage_error(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": OLD, "baseline.json": "{not json"})
    code, _, err = run_cli(["check", ".", "--baseline", "baseline.json"], tmp_path)
    assert code == 2 and "baseline" in err
