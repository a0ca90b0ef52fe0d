"""Shared test helpers: materialise a tiny project, lint it in-process, read findings as a user would."""

from __future__ import annotations

import json
import os
import re
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner

from mllint_docker.cli import main

DEFAULT_NAMES = {"dockerfile": "Dockerfile", "requirements": "requirements.txt", "dockerignore": ".dockerignore",
                 "toml": ".mllint-docker.toml", "yaml": "compose.yaml"}
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([kKmMgG]?)B?$")


@contextmanager
def chdir(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def parse_size(text: str) -> int:
    m = _SIZE.match(text.strip())
    assert m, f"bad size {text!r}"
    return int(float(m.group(1)) * {"": 1, "k": 10**3, "m": 10**6, "g": 10**9}[m.group(2).lower()])


def write_tree(root: Path, files: dict[str, str | bytes | int]) -> None:
    """`str`/`bytes` are contents; an `int` makes a sparse file of that many bytes."""
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, int):
            with open(p, "wb") as f:
                f.truncate(content)
        elif isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")


def run_cli(args: list[str], cwd: Path) -> tuple[int, str, str]:
    with chdir(cwd):
        result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def lint(root: Path, files: dict | None = None, select: str | None = None, extra: list[str] | None = None) -> tuple[int, list[dict]]:
    """Writes `files` under root, runs `mllint check . --format json`, returns (exit code, findings)."""
    if files:
        write_tree(root, files)
    args = ["check", ".", "--format", "json"] + (["--select", select] if select else []) + (extra or [])
    if not (root / ".mllint-docker.toml").is_file() and "--config" not in args:
        args.append("--isolated")  # a fixture is a project of its own: no config from the repository above it
    code, out, err = run_cli(args, root)
    assert code in (0, 1), f"exit {code}: {err}"
    return code, json.loads(out)["findings"]


def found(findings: list[dict], rule: str) -> list[tuple[str, int | None]]:
    return [(f["file"], f["line"]) for f in findings if rule in (f["name"], f["code"])]


def catches(tmp_path: Path, rule: str, dockerfile: str, line: int | None = None, files: dict | None = None) -> list[dict]:
    _, findings = lint(tmp_path, {"Dockerfile": dockerfile, **(files or {})}, select=rule)
    hits = [f for f in findings if rule in (f["name"], f["code"])]
    assert hits, f"{rule} should catch:\n{dockerfile}"
    if line is not None:
        assert line in [f["line"] for f in hits], f"{rule} expected on line {line}, got {[f['line'] for f in hits]}"
    return hits


def passes(tmp_path: Path, rule: str, dockerfile: str, files: dict | None = None) -> None:
    _, findings = lint(tmp_path, {"Dockerfile": dockerfile, **(files or {})}, select=rule)
    hits = [f for f in findings if rule in (f["name"], f["code"])]
    assert not hits, f"{rule} should pass:\n{dockerfile}\nbut found {hits}"


# Rule pages --------------------------------------------------------------------------------------

_BLOCK = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```", re.S | re.M)


def doc_sections(text: str) -> dict[str, list[tuple[str, str, str]]]:
    """`## Example` / `## Use instead` sections -> [(lang, file name, content)]."""
    out: dict[str, list] = {}
    for part in re.split(r"^## ", text, flags=re.M)[1:]:
        title, _, body = part.partition("\n")
        blocks = []
        for lang, info, content in _BLOCK.findall(body):
            m = re.search(r"file=(\S+)", info)
            blocks.append((lang, m.group(1) if m else DEFAULT_NAMES.get(lang, ""), content))
        out[title.strip()] = blocks
    return out


def materialise(root: Path, blocks: list[tuple[str, str, str]]) -> None:
    files: dict[str, str | int] = {}
    for lang, name, content in blocks:
        if lang == "tree":  # `path size` lines: files of that size (sparse)
            for line in content.splitlines():
                if line.strip():
                    path, size = line.rsplit(None, 1)
                    files[path] = parse_size(size)
        else:
            assert name, f"code block of language {lang!r} needs file=NAME"
            files[name] = content
    write_tree(root, files)
