"""Reporters turn a list of findings into output. They know nothing about rules."""

from __future__ import annotations

from collections import Counter
from typing import Callable

from mllint_docker.finding import Finding, display_path

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit", "checkstyle", "html")


def summary(findings: list[Finding], files_checked: int) -> dict:
    by_severity = Counter(f.severity for f in findings)
    return {
        "files": files_checked,
        "findings": len(findings),
        "by_severity": {s: by_severity.get(s, 0) for s in ("error", "warning", "info")},
        "by_rule": dict(sorted(Counter(f.name for f in findings).items())),
    }


def finding_dict(f: Finding) -> dict:
    d = {
        "code": f.code,
        "name": f.name,
        "severity": f.severity,
        "file": display_path(f.file),
        "line": f.line,
        "column": f.column,
        "message": f.message,
    }
    if f.edit is not None and f.edit.edits:
        d["fix"] = fix_dict(f.edit)
        if f.fix:
            d["hint"] = f.fix  # the repair in words, as before
    elif f.fix:
        d["fix"] = f.fix
    return d


def fix_dict(fix) -> dict:
    """ruff's shape: applicability, message and edits with 1-based, end-exclusive positions."""
    return {
        "applicability": fix.applicability,
        "message": fix.message,
        "edits": [{"file": display_path(e.file), "start": {"line": e.start[0], "column": e.start[1]},
                   "end": {"line": e.end[0], "column": e.end[1]}, "content": e.content} for e in fix.edits],
    }


def fixable_counts(findings: list[Finding], unsafe_fixes: bool = False) -> tuple[int, int]:
    """(fixes `--fix` applies, further fixes that need `--unsafe-fixes`)."""
    safe = sum(1 for f in findings if f.edit is not None and f.edit.edits and f.edit.applicability == "safe")
    unsafe = sum(1 for f in findings if f.edit is not None and f.edit.edits and f.edit.applicability == "unsafe")
    return (safe + unsafe, 0) if unsafe_fixes else (safe, unsafe)


def applied_with(f: Finding, unsafe_fixes: bool = False) -> bool:
    """The finding's fix is applied by `--fix` (with `--unsafe-fixes` when given)."""
    if f.edit is None or not f.edit.edits:
        return False
    return f.edit.applicability == "safe" or (unsafe_fixes and f.edit.applicability == "unsafe")


def get(name: str) -> Callable:
    import importlib

    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}")
    return importlib.import_module(f"mllint_docker.reporters.{name}").render
