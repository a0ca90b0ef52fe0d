"""A finding is plain data; reporters turn a list of them into text, JSON, SARIF and the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SEVERITIES = ("info", "warning", "error")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    name: str
    severity: str
    file: Path
    line: int | None
    column: int | None
    message: str
    fix: str | None = None
    # The rule's code and name are on the finding; rules do not know about output.
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def sort_key(self) -> tuple:
        return (display_path(self.file), self.line or 0, self.column or 0, self.code)


@dataclass(frozen=True, slots=True)
class Issue:
    """What a rule yields: where and what; the engine adds code, name, severity and file."""

    line: int | None
    message: str
    column: int | None = None
    fix: str | None = None
    file: Path | None = None  # set when the finding belongs to another file (e.g. an included requirements file)


def display_path(path: Path) -> str:
    """Path relative to the current directory with `/` separators, as every report shows it."""
    import os

    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = str(path)
    return rel.replace(os.sep, "/")
