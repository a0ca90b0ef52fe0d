"""Runs mllint on one generated project and checks what every user and CI system would rely on:
exit 0/1/2 (2 only with a clear `mllint: error:` line), no traceback, no internal-error finding,
every output format well-formed (JSON parses, SARIF validates, XML parses, GitHub output is one
workflow command per line and text output none), nothing outside the project opened or echoed,
and a time bound."""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
import warnings
from pathlib import Path
from xml.etree import ElementTree as ET

from strategies import OUTSIDE, SECRET

# CPU seconds per example, all five runs included (CPU time, not wall time: CI machines are shared).
TIME_BOUND = float(os.environ.get("MLLINT_FUZZ_TIME_BOUND", "10"))
_SCHEMA = None
_opened: list[str] | None = None


def _audit(event: str, args) -> None:
    if _opened is not None and event in ("open", "os.scandir", "os.listdir") and args and isinstance(args[0], (str, bytes)):
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


def sarif_validator():
    global _SCHEMA
    if _SCHEMA is None:
        import jsonschema

        schema = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text())
        _SCHEMA = jsonschema.validators.validator_for(schema)(schema)
    return _SCHEMA


def materialise(root: Path, files: dict[str, str | bytes], tree: list | None = None) -> Path:
    """root/project with `files` (and `tree` entries), root/outside holding the secret."""
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"{SECRET}==1\n")
    (outside / "Dockerfile").write_text(f"FROM {SECRET}\n")
    project = root / "project"
    project.mkdir()
    for rel, content in files.items():
        _write(project, rel, content)
    for rel, kind, payload in tree or []:
        p = project / rel
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            if kind == "dir":
                p.mkdir(exist_ok=True)
            elif kind == "fifo":
                os.mkfifo(p)
            elif kind == "symlink":
                os.symlink(str(payload).replace(OUTSIDE, str(outside)), p)
            else:
                name = {"dockerfile": "", "requirements": "", "dockerignore": "", "compose": ""}[kind]
                _write(project, rel + name, payload)
        except (OSError, ValueError):
            continue  # a name the file system refuses: the tree is what it is
    return project


def _write(project: Path, rel: str, content) -> None:
    p = project / rel
    try:
        if p.is_symlink() or (p.exists() and not p.is_file()):
            return  # an earlier entry made it a FIFO (opening it would block), a link or a directory
        p.parent.mkdir(parents=True, exist_ok=True)
        data = content if isinstance(content, bytes) else str(content).replace(OUTSIDE, str(project.parent / "outside"))
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape"))
    except (OSError, ValueError):
        pass


_WORKFLOW = re.compile(r"^::(error|warning|notice) file=[^\n]*::")


def check_project(project: Path, extra: list[str] | None = None) -> list[str]:
    """Runs `check` (every format, -q, -v) and `context`; returns the problems found (empty: good)."""
    from helpers import run_cli

    global _opened
    problems: list[str] = []
    reports = project.parent / "reports"
    reports.mkdir(exist_ok=True)
    outs = {fmt: reports / f"report.{fmt}" for fmt in ("json", "sarif", "github", "gitlab", "junit", "checkstyle", "text", "html")}
    args = ["check", ".", "--format", "text", *[f"--output={fmt}:{path}" for fmt, path in outs.items()], *(extra or [])]
    start = time.process_time()
    _opened = []
    try:
        runs = {"text": _run(run_cli, args, project),
                "quiet": _run(run_cli, ["check", ".", "-q", "-v", "--format", "text", *(extra or [])], project),
                "github-stdout": _run(run_cli, ["check", ".", "--format", "github", *(extra or [])], project),
                "context": _run(run_cli, ["context", ".", "--format", "text"], project),
                "context-json": _run(run_cli, ["context", ".", "--format", "json"], project)}
    finally:
        opened, _opened = _opened, None
    elapsed = time.process_time() - start
    if elapsed > TIME_BOUND:
        problems.append(f"took {elapsed:.1f} s of CPU (bound {TIME_BOUND} s)")
    outside = project.parent / "outside"
    leaked = sorted({p for p in opened if os.path.abspath(p).startswith(str(outside))})
    if leaked:
        problems.append(f"opened outside the project: {leaked[:3]}")
    for name, (code, out, err, exc) in runs.items():
        if exc is not None:
            problems.append(f"{name}: raised {exc!r}")
            continue
        if code not in (0, 1, 2):
            problems.append(f"{name}: exit {code}")
        if "Traceback" in out + err or "internal error" in err:
            problems.append(f"{name}: {err.strip()[-300:]}")
        if code == 2 and not err.startswith("mllint: error:"):
            problems.append(f"{name}: exit 2 without a clear error: {err[:200]!r}")
        if SECRET in out + err:
            problems.append(f"{name}: the secret outside the project was printed")
        if "\x1b" in out + err or "\x07" in out + err:
            problems.append(f"{name}: a terminal escape reached the output")
        if name in ("text", "quiet", "context") and any(line.startswith("::") for line in (out + err).splitlines()):
            problems.append(f"{name}: a line-initial workflow command")
        if name == "github-stdout" and code in (0, 1):
            bad = [line for line in out.splitlines() if not _WORKFLOW.match(line)]
            if bad:
                problems.append(f"github: a line that is not one annotation: {bad[0][:120]!r}")
        if name == "context-json" and code == 0:
            try:
                json.loads(out)
            except ValueError as e:
                problems.append(f"context json: {e}")
    code = runs["text"][0]
    if code in (0, 1) and runs["text"][3] is None:
        problems += _check_reports(outs)
    return problems


# What Python prints on a user's terminal by default (DeprecationWarning only for __main__'s own code)
_SILENT = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)


def _run(run_cli, args: list[str], cwd: Path):
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            code, out, err = run_cli(args, cwd)
        shown = [w for w in caught if not issubclass(w.category, _SILENT)]
        if shown:  # a warning would reach the terminal: report it as output the user sees
            err += "".join(f"{w.category.__name__}: {w.message}\n" for w in shown)
            return code, out, err, AssertionError(f"a Python warning reached the user: {shown[0].category.__name__}: {shown[0].message}")
        return code, out, err, None
    except BaseException as exc:  # noqa: BLE001 - the harness reports whatever escapes
        if isinstance(exc, KeyboardInterrupt):
            raise
        return None, "", "", exc


def _check_reports(outs: dict[str, Path]) -> list[str]:
    problems = []
    try:
        texts = {fmt: p.read_bytes().decode("utf-8") for fmt, p in outs.items()}
    except (OSError, UnicodeDecodeError) as e:
        return [f"report unreadable or not UTF-8: {e}"]
    try:
        doc = json.loads(texts["json"])
        internal = [f for f in doc["findings"] if f["name"] == "internal-error"]
        if internal:
            problems.append(f"internal-error finding: {internal[0]['message'][:300]}")
    except ValueError as e:
        problems.append(f"json: {e}")
    try:
        errors = sorted(sarif_validator().iter_errors(json.loads(texts["sarif"])), key=str)
        if errors:
            problems.append(f"sarif invalid: {errors[0].message[:200]}")
    except ValueError as e:
        problems.append(f"sarif: {e}")
    try:
        json.loads(texts["gitlab"])
    except ValueError as e:
        problems.append(f"gitlab: {e}")
    for fmt in ("junit", "checkstyle"):
        try:
            ET.fromstring(texts[fmt].encode("utf-8"))
        except ET.ParseError as e:
            problems.append(f"{fmt}: malformed XML: {e}")
    for line in texts["github"].splitlines():
        if not _WORKFLOW.match(line):
            problems.append(f"github report: {line[:120]!r}")
            break
    from html.parser import HTMLParser

    try:
        HTMLParser().feed(texts["html"])
    except Exception as e:  # noqa: BLE001
        problems.append(f"html: {e}")
    if "<script" in texts["html"].lower():
        problems.append("html report: a script element")
    for fmt in ("text", "junit", "checkstyle", "html"):
        if any(line.startswith("::") for line in texts[fmt].splitlines()):
            problems.append(f"{fmt} report: a line-initial workflow command")
        if "\x1b" in texts[fmt]:
            problems.append(f"{fmt} report: a terminal escape")
    return problems


def run_example(files: dict[str, str | bytes], tree: list | None = None, extra: list[str] | None = None) -> None:
    """Materialises one example in a fresh directory and raises AssertionError with its problems."""
    with tempfile.TemporaryDirectory(prefix="mllint-fuzz-") as d:
        project = materialise(Path(d), files, tree)
        problems = check_project(project, extra)
    assert not problems, "\n".join(problems)
