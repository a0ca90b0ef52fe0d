"""Safe on untrusted pull requests: nothing outside the project is opened, no program runs during
`check`, and what a hostile tree holds reaches no output as a control sequence or a workflow command.

The trust-boundary tests put a secret in a file outside the project, point the project at it in
each way a fork could, and check that the secret appears in no output format, that the reference
is reported by name (`reference-outside-project`), and (through an audit hook) that the outside
directory was never opened at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from helpers import run_cli, write_tree

SECRET = "TOPSECRET-9f3a1c"
FORMATS = ["text", "json", "sarif", "github", "gitlab", "junit", "checkstyle", "html"]

_opened: list[str] | None = None


def _audit(event: str, args) -> None:
    if _opened is not None and event in ("open", "os.scandir", "os.listdir") and args and args[0] is not None:
        path = args[0]
        if isinstance(path, (str, bytes, os.PathLike)):
            _opened.append(os.fsdecode(path))


sys.addaudithook(_audit)


def every_output(project: Path, extra: list[str] | None = None) -> dict[str, tuple[int, str, str]]:
    """Runs `check` once per format (and -q, --statistics, -v) and returns (code, stdout, stderr)."""
    runs = {fmt: run_cli(["check", ".", "--isolated", "--format", fmt, *(extra or [])], project) for fmt in FORMATS}
    runs["quiet"] = run_cli(["check", ".", "--isolated", "-q", *(extra or [])], project)
    runs["verbose"] = run_cli(["check", ".", "--isolated", "-v", *(extra or [])], project)
    runs["statistics"] = run_cli(["check", ".", "--isolated", "--statistics", *(extra or [])], project)
    return runs


def outside_findings(project: Path) -> list[dict]:
    code, out, err = run_cli(["check", ".", "--isolated", "--format", "json"], project)
    assert code in (0, 1), err
    return [f for f in json.loads(out)["findings"] if f["name"] == "reference-outside-project"]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    d = tmp_path / "outside"
    write_tree(d, {
        "secret.txt": f"{SECRET}==1.0\n--index-url https://{SECRET}@example.com/simple\n",
        "Dockerfile": f"FROM {SECRET}:latest\nRUN echo {SECRET}\n",
        "compose.yaml": f"services:\n  x:\n    build: {{context: ., args: {{T: {SECRET}}}}}\n",
        ".dockerignore": f"[{SECRET}\n",
        "requirements.txt": f"{SECRET}\n",
    })
    return d


def assert_sealed(project: Path, outside: Path, expect: list[tuple[str, int | None, str]]):
    """The secret is in no output, the outside directory is never opened, and each reference is
    reported by name on its own file and line."""
    global _opened
    _opened = []
    try:
        runs = every_output(project)
    finally:
        opened, _opened = _opened, None
    for kind, (code, out, err) in runs.items():
        assert code in (0, 1), f"{kind}: exit {code}: {err}"
        assert SECRET not in out + err, f"the secret leaked into the {kind} output"
    leaked = [p for p in opened if Path(os.path.abspath(p)).is_relative_to(outside)]
    assert not leaked, f"opened outside the project: {leaked}"
    got = [(f["file"], f["line"], f["message"]) for f in outside_findings(project)]
    for file, line, words in expect:
        assert any(g[0] == file and g[1] == line and words in g[2] for g in got), f"no finding {file}:{line} {words!r} in {got}"


def test_absolute_and_dotdot_includes(tmp_path: Path, outside: Path):
    project = tmp_path / "project"
    write_tree(project, {"requirements.txt": f"numpy==2.1.0\n-r {outside / 'secret.txt'}\n-c ../outside/secret.txt\n"
                                             "-r sub/../../outside/secret.txt\n"})
    assert_sealed(project, outside, [
        ("requirements.txt", 2, f"-r {outside / 'secret.txt'}"),
        ("requirements.txt", 3, "-c ../outside/secret.txt"),
        ("requirements.txt", 4, "-r sub/../../outside/secret.txt"),
    ])
    # Not reported as missing either: its existence is not even looked up.
    code, out, _ = run_cli(["check", ".", "--isolated", "--format", "json"], project)
    assert not [f for f in json.loads(out)["findings"] if f["name"] == "broken-include"]


@pytest.mark.parametrize("build", [
    "{context: ../outside}",
    "{context: %(abs)s}",
    "{context: ., dockerfile: ../outside/Dockerfile}",
    "{context: ., dockerfile: %(abs)s/Dockerfile}",
])
def test_compose_context_or_dockerfile_outside(tmp_path: Path, outside: Path, build: str):
    project = tmp_path / "project"
    write_tree(project, {"compose.yaml": "services:\n  app:\n    build: " + build % {"abs": outside} + "\n",
                         "Dockerfile": "FROM python:3.11.9-slim\nUSER app\n"})
    assert_sealed(project, outside, [("compose.yaml", 2, "outside the project")])


def test_symlinks_to_outside_files(tmp_path: Path, outside: Path):
    project = tmp_path / "project"
    write_tree(project, {"app/main.py": "print()\n"})
    os.symlink(outside / "secret.txt", project / "requirements.txt")
    os.symlink(outside / "Dockerfile", project / "Dockerfile")
    os.symlink(outside / "compose.yaml", project / "compose.yaml")
    os.symlink("../../outside/requirements.txt", project / "app" / "requirements-dev.txt")
    assert_sealed(project, outside, [
        ("requirements.txt", None, f"symlink to {str(outside / 'secret.txt')!r}"),
        ("Dockerfile", None, "outside the project"),
        ("compose.yaml", None, "outside the project"),
        ("app/requirements-dev.txt", None, "symlink to '../../outside/requirements.txt'"),
    ])


def test_copy_sources_that_resolve_outside_the_context(tmp_path: Path, outside: Path):
    project = tmp_path / "project"
    write_tree(project, {
        "Dockerfile": "FROM python:3.11.9-slim\nCOPY ../../outside/secret.txt /r.txt\nCOPY reqs.txt /r2.txt\n"
                      "COPY ignore/ /i/\nRUN pip install -r /r.txt -r /r2.txt\nUSER app\n",
    })
    os.symlink(outside / "secret.txt", project / "reqs.txt")
    os.symlink(outside, project / "ignore")
    os.symlink(outside / ".dockerignore", project / ".dockerignore")
    assert_sealed(project, outside, [("reqs.txt", None, "outside the project"),
                                     (".dockerignore", None, "outside the project")])


def test_config_contexts_outside(tmp_path: Path, outside: Path):
    project = tmp_path / "project"
    write_tree(project, {"Dockerfile": "FROM python:3.11.9-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nUSER app\n",
                         ".mllint-docker.toml": f"contexts = {{ Dockerfile = '{outside}' }}\n"})
    global _opened
    _opened = []
    try:
        runs = {fmt: run_cli(["check", ".", "--format", fmt], project) for fmt in FORMATS}
    finally:
        opened, _opened = _opened, None
    for fmt, (code, out, err) in runs.items():
        assert code in (0, 1) and SECRET not in out + err, fmt
    assert not [p for p in opened if Path(os.path.abspath(p)).is_relative_to(outside)]
    findings = json.loads(runs["json"][1])["findings"]
    assert any(f["name"] == "reference-outside-project" and f["file"] == ".mllint-docker.toml" for f in findings)


def test_a_repository_is_the_boundary_not_the_path_given(tmp_path: Path):
    """Inside a repository, a sibling directory is part of the project: `-r ../shared/base.txt` from
    `services/a` is followed when linting `services/a` alone."""
    repo = tmp_path / "repo"
    write_tree(repo, {"services/a/requirements.txt": "-r ../../shared/base.txt\n", "shared/base.txt": "numpy\n"})
    (repo / ".git").mkdir()
    code, out, _ = run_cli(["check", "services/a", "--isolated", "--format", "json"], repo)
    findings = json.loads(out)["findings"]
    assert ("shared/base.txt", 1, "requirement-unpinned") in [(f["file"], f["line"], f["name"]) for f in findings]
    assert not [f for f in findings if f["name"] == "reference-outside-project"]


# No program runs ---------------------------------------------------------------------------------


def test_check_runs_no_program_even_with_a_hostile_git_config(tmp_path: Path, monkeypatch):
    marker = tmp_path / "fsmonitor-ran"
    repo = tmp_path / "repo"
    write_tree(repo, {"Dockerfile": "FROM python:latest\n", ".gitignore": "ignored/\n",
                      "ignored/Dockerfile": "FROM python:latest\n",
                      ".git/config": f"[core]\n\tfsmonitor = touch {marker}\n\thooksPath = /nonexistent\n",
                      ".git/HEAD": "ref: refs/heads/main\n"})
    started = []

    def refuse(*args, **kwargs):
        started.append(args)
        raise AssertionError("check started a program")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
    code, out, err = run_cli(["check", ".", "--isolated", "--format", "json"], repo)
    assert code == 1, err
    assert not marker.exists() and not started
    files = {f["file"] for f in json.loads(out)["findings"]}
    assert files == {"Dockerfile"}  # .gitignore still honoured, read as git would read it


# Output is inert ---------------------------------------------------------------------------------

HOSTILE_NAME = "x\n::error file=evil::pwned\x1b]0;title\x07\x1b[31m\u202e:100:root:x:0:0[bold]"


def hostile_project(root: Path) -> None:
    d = root / HOSTILE_NAME
    write_tree(d, {"Dockerfile": "FROM evil\x01img:latest\nRUN echo \x1b[2J :100: root:x:0:0 [red]x[/red]\n"})
    write_tree(root, {"requirements.txt": "numpy\n"})
    (root / os.fsdecode(b"bad\xff-requirements.txt")).write_text("pandas\n")


def test_every_format_is_well_formed_and_inert(tmp_path: Path):
    hostile_project(tmp_path)
    for kind, (code, out, err) in every_output(tmp_path).items():
        assert code == 1, f"{kind}: {err}"
        text = out + err
        for line in text.splitlines():
            if kind != "github":
                assert not line.startswith("::"), f"{kind}: a line-initial workflow command: {line!r}"
            else:
                assert line.startswith(("::warning file=", "::error file=", "::notice file=")), line
                assert "pwned" not in line.split("::", 2)[1] or "%0A" in line or "\\n" in line
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text, kind
        assert "\x01" not in text, kind
        if kind in ("text", "quiet", "verbose"):
            assert ":100:" in text and "root:x:0:0" in text and "💯" not in text and "❌" not in text
        if kind in ("junit", "checkstyle"):
            ET.fromstring(out.split("\n", 1)[1])
        if kind in ("json", "sarif", "gitlab"):
            json.loads(out)
    code, out, _ = run_cli(["check", ".", "--isolated", "-q"], tmp_path)
    assert "evil\\x01img" in out and "bad\\xff-requirements.txt" in out


def test_hostile_names_in_the_context_listing(tmp_path: Path):
    hostile_project(tmp_path)
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.11.9-slim\nCOPY . /app\n"})
    code, out, err = run_cli(["context", "."], tmp_path)
    assert code == 0, err
    assert "\x1b" not in out and not any(line.startswith("::") for line in out.splitlines())
    code, out, err = run_cli(["context", ".", "--format", "json"], tmp_path)
    assert code == 0 and json.loads(out)


@pytest.mark.parametrize("fmt", ["text", "github", "junit", "checkstyle", "json", "sarif", "gitlab", "html"])
def test_undecodable_file_names_under_a_strict_utf8_locale(tmp_path: Path, fmt: str):
    hostile_project(tmp_path)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict", "LC_ALL": "C.UTF-8", "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    for args in (["--format", fmt], ["--format", fmt, "-q", "-v"], ["--output", f"{fmt}:{tmp_path / 'report.out'}"]):
        r = subprocess.run([sys.executable, "-m", "mllint_docker", "check", ".", "--isolated", *args], cwd=tmp_path,
                           capture_output=True)
        assert r.returncode == 1, r.stderr.decode(errors="replace")
        assert b"Traceback" not in r.stderr and b"Error" not in r.stderr
        r.stdout.decode("utf-8")  # strict: every byte is UTF-8
        if args[0] == "--output":
            (tmp_path / "report.out").read_bytes().decode("utf-8")
    if fmt in ("text", "github"):
        assert b"bad\\xff-requirements.txt" in r.stdout


def test_diff_of_fixes_keeps_hostile_names_on_one_line(tmp_path: Path):
    d = tmp_path / "x\n::error file=evil::pwned"
    write_tree(d, {"Dockerfile": "FROM python:3.11.9-slim\nRUN pip install numpy==2.1.0\nUSER app\n"})
    code, out, err = run_cli(["check", ".", "--isolated", "--diff"], tmp_path)
    assert code in (0, 1), err
    assert not any(line.startswith("::") for line in out.splitlines())


def test_lock_files_out_of_the_project_are_not_read(tmp_path: Path, outside: Path):
    (outside / "uv.lock").write_text(f'version = 1\n[[package]]\nname = "numpy"\nversion = "{SECRET}"\n')
    project = tmp_path / "project"
    write_tree(project, {"requirements.txt": "numpy\n"})
    os.symlink(outside / "uv.lock", project / "uv.lock")
    assert_sealed(project, outside, [])


def test_a_config_symlinked_out_of_the_project_is_refused(tmp_path: Path, outside: Path):
    (outside / "token.toml").write_text(f'{SECRET} = "x"\nselect = ["{SECRET}"]\n')
    project = tmp_path / "project"
    write_tree(project, {"Dockerfile": "FROM python:3.11.9-slim\nUSER app\n"})
    os.symlink(outside / "token.toml", project / ".mllint-docker.toml")
    code, out, err = run_cli(["check", "."], project)
    assert code == 2 and SECRET not in out + err
    assert "symlink to a file outside the project" in err


def test_messages_that_name_hostile_files_stay_inert(tmp_path: Path, outside: Path):
    """Found by the fuzz suite: a symlink out of the project, named with a newline and a workflow
    command, is reported by name; the name must not start a line in any format (HTML included)."""
    project = tmp_path / "project"
    write_tree(project, {"Dockerfile": "FROM python:3.11.9-slim\nUSER app\n"})
    (project / "x\n::error file=a::b").mkdir()
    os.symlink(outside / "Dockerfile", project / "x\n::error file=a::b" / "Dockerfile")
    for kind, (code, out, err) in every_output(project).items():
        assert code in (0, 1), err
        lines = (out + err).splitlines()
        if kind == "github":
            assert all(line.startswith(("::warning file=", "::error file=", "::notice file=")) for line in lines)
        else:
            assert not any(line.lstrip().startswith("::") for line in lines), kind


def test_a_nested_config_symlinked_out_of_the_project_is_refused(tmp_path: Path, outside: Path):
    (outside / "token.toml").write_text(f'select = ["{SECRET}"]\n')
    project = tmp_path / "project"
    write_tree(project, {"Dockerfile": "FROM python:3.11.9-slim\nUSER app\n", "svc/Dockerfile": "FROM python:latest\n"})
    os.symlink(outside / "token.toml", project / "svc" / ".mllint-docker.toml")
    code, out, err = run_cli(["check", "."], project)
    assert code == 2 and SECRET not in out + err
    assert "symlink to a file outside the project" in err
