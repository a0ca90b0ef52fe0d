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
    if f.fix:
        d["fix"] = f.fix
    return d


def get(name: str) -> Callable:
    import importlib

    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}")
    return importlib.import_module(f"mllint_docker.reporters.{name}").render
