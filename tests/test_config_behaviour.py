"""Config that behaves: each file uses the closest config above it, whatever the directory the linter
runs from and whether its file or its folder is named; gitignore-style globs; pragmas with reasons;
baselines keyed to the project root."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from helpers import run_cli, write_tree

BAD = "FROM python:latest\nUSER app\n"


def q(args: list[str], cwd: Path) -> tuple[int, list[str]]:
    code, out, err = run_cli(["check", *args, "-q", "--select", "MLD101,MLD103,MLD401,MLD108"], cwd)
    assert code in (0, 1), err
    return code, out.splitlines()


@pytest.fixture
def nested(tmp_path: Path) -> Path:
    write_tree(tmp_path, {
        ".mllint-docker.toml": 'ignore = ["single-stage-build-tools"]\n',
        "Dockerfile": BAD,
        "svc/.mllint-docker.toml": 'ignore = ["base-image-unpinned"]\n',
        "svc/Dockerfile": BAD,
        "svc/deep/Dockerfile": BAD,
    })
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return tmp_path


def test_each_file_uses_the_closest_config(nested: Path):
    _, lines = q(["."], nested)
    assert [l.split(": ")[0] + " " + l.split()[2] for l in lines] == [
        "Dockerfile:1:1 MLD101",
        "svc/Dockerfile:1:1 MLD103",
        "svc/deep/Dockerfile:1:1 MLD103",
    ]


@pytest.mark.parametrize("cwd, args", [(".", ["svc/deep/Dockerfile"]), (".", ["svc"]), ("svc", ["."]),
                                       ("svc", ["deep/Dockerfile"]), ("svc/deep", ["."]), ("svc/deep", ["Dockerfile"])])
def test_results_do_not_depend_on_where_it_runs_or_what_is_named(nested: Path, cwd: str, args: list[str]):
    _, lines = q(args, nested / cwd)
    codes = sorted({(l.split(":")[0].rsplit("/", 1)[-1], l.split()[2]) for l in lines if "deep" in l or cwd == "svc/deep"})
    assert codes == [("Dockerfile", "MLD103")]


def test_pyproject_counts_only_with_a_table(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": BAD,
                          ".mllint-docker.toml": 'ignore = ["base-image-unpinned"]\n',
                          "app/pyproject.toml": '[project]\nname = "app"\ndependencies = ["mllint-docker==0.1.0"]\n',
                          "app/Dockerfile": BAD})
    _, lines = q(["app"], tmp_path)
    assert not any("MLD101" in l for l in lines)  # the parent's config still applies: app's pyproject is not one
    write_tree(tmp_path, {"app/pyproject.toml": '[tool.mllint-docker]\nselect = ["MLD101"]\n'})
    code, out, _ = run_cli(["check", "app", "-q"], tmp_path)
    assert [l.split()[2] for l in out.splitlines()] == ["MLD101"]


def test_globs_are_gitignore_style(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": BAD, "svc/Dockerfile": BAD, "svc/a/Dockerfile": BAD, "a.Dockerfile": BAD,
                          ".mllint-docker.toml": 'exclude = ["a"]\n[per-file-ignores]\n"**/Dockerfile" = ["MLD101"]\n'})
    _, lines = q(["."], tmp_path)
    files = sorted({l.split(":")[0] for l in lines})
    assert files == ["Dockerfile", "a.Dockerfile", "svc/Dockerfile"]  # `a` excludes svc/a/, not a.Dockerfile
    assert [l.split(":")[0] for l in lines if "MLD101" in l] == ["a.Dockerfile"]  # `**/Dockerfile` matches the root one
    _, lines = q(["svc/a/Dockerfile"], tmp_path)
    assert lines == []  # a named file is excluded too (pre-commit)


def test_unknown_rules_in_per_file_ignores_are_errors(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": BAD, ".mllint-docker.toml": '[per-file-ignores]\n"svc/*" = ["runs-as-rot"]\n'})
    code, _, err = run_cli(["check", "."], tmp_path)
    assert code == 2
    assert err.strip() == (f"mllint: error: {tmp_path / '.mllint-docker.toml'}:2:12: per-file-ignores: unknown rule "
                           "'runs-as-rot'; did you mean 'runs-as-root'?")


PRAGMAS = """\
FROM python:3.11.9-slim
# mllint: disable=MLD108 -- cache mount below
RUN pip install numpy==2.1.0
RUN pip install scipy==1.14.1  # mllint: disable=pip-cache-not-disabled -- wheels only
RUN apt-get update && \\
    # mllint: disable=MLD108 -- removed at the end
    pip install pandas==2.2.3
# mllint: disable=MLD108,runs-as-root -- nothing to suppress here
RUN echo ok
RUN pip install torch==2.4.1
"""


def test_pragmas_with_reasons_trailing_and_inside_a_continued_run(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": PRAGMAS + "USER app\n"})
    _, lines = q([".", "--isolated"], tmp_path)
    assert [l.split(" ", 3)[2] + "@" + l.split(":")[1] for l in lines] == ["MLD108@10"]


def test_unused_pragmas_are_reported_when_selected(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": PRAGMAS + "USER app\n"})
    code, out, _ = run_cli(["check", ".", "--isolated", "-q", "--select", "MLD108,unused-pragma"], tmp_path)
    assert out.splitlines() == [
        "Dockerfile:8:1: warning MLD010 unused pragma for MLD108 (pip-cache-not-disabled): it suppresses nothing",
        "Dockerfile:8:1: warning MLD010 unused pragma for MLD401 (runs-as-root): the rule is not enabled",
        "Dockerfile:10:5: warning MLD108 `pip install` keeps a copy of every download in ~/.cache/pip, inside the layer",
    ]
    assert "MLD010" not in run_cli(["check", ".", "--isolated", "-q"], tmp_path)[1]  # off by default


def test_baselines_are_keyed_to_the_project_root(tmp_path: Path):
    write_tree(tmp_path, {"svc/Dockerfile": BAD, "svc/.dockerignore": ".git\n", ".mllint-docker.toml": ""})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    assert run_cli(["check", ".", "--write-baseline", "baseline.json"], tmp_path)[0] == 0
    # From the sub-directory, naming the baseline by its path there: the same findings are known.
    code, out, err = run_cli(["check", ".", "--baseline", "../baseline.json"], tmp_path / "svc")
    assert code == 0, out
    entries = json.loads((tmp_path / "baseline.json").read_text())["findings"]
    assert {e["file"] for e in entries} == {"svc/Dockerfile"}


def test_stale_baseline_entries_are_reported_and_pruned(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": BAD, ".dockerignore": ".git\n"})
    assert run_cli(["check", ".", "--isolated", "--write-baseline", "b.json"], tmp_path)[0] == 0
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.11.9-slim\nUSER app\n"})
    code, _, err = run_cli(["check", ".", "--isolated", "--baseline", "b.json"], tmp_path)
    assert code == 0
    assert "warning: 2 baseline entries match no finding any more (fixed or gone); `--write-baseline b.json` prunes them" in err
    code, _, err = run_cli(["check", ".", "--isolated", "--write-baseline", "b.json"], tmp_path)
    assert "wrote 0 findings to the baseline b.json (2 stale entries pruned)" in err
    assert json.loads((tmp_path / "b.json").read_text())["findings"] == []


def test_the_repository_root_context_does_not_depend_on_the_working_directory(tmp_path: Path):
    repo = tmp_path / "repo"
    write_tree(repo, {"docker/Dockerfile": "FROM python:3.11.9-slim\nCOPY src /app\nUSER app\n",
                      "src/main.py": "print()\n", ".dockerignore": ".git\n"})
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    inside = run_cli(["check", ".", "-v", "--isolated"], repo)
    outside = run_cli(["check", "repo", "-v", "--isolated"], tmp_path)
    assert inside[0] == outside[0] == 0
    assert "docker/Dockerfile: build context . (repository root" in inside[2]
    assert "repo/docker/Dockerfile: build context repo (repository root" in outside[2]


def test_gitignore_of_the_linted_repository_holds_from_another_repository(tmp_path: Path):
    write_tree(tmp_path, {"other/README.md": "x\n", "repo/.gitignore": "build/\n", "repo/build/Dockerfile": BAD,
                          "repo/Dockerfile": "FROM python:3.11.9-slim\nUSER app\n"})
    for d in ("other", "repo"):
        subprocess.run(["git", "init", "-q"], cwd=tmp_path / d, check=True)
    code, out, _ = run_cli(["check", "../repo", "-q", "--isolated"], tmp_path / "other")
    assert (code, out) == (0, "")
