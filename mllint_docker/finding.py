"""A finding is plain data; reporters turn a list of them into text, JSON, SARIF and the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SEVERITIES = ("info", "warning", "error")
# How sure a fix is, as ruff says it: `safe` keeps what the file means, `unsafe` may change it (only
# with --unsafe-fixes), `display` is shown and never applied.
APPLICABILITIES = ("safe", "unsafe", "display")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text of `file` from `start` up to (not including) `end` with `content`. Positions
    are (line, column), both 1-based, columns counted in characters; start == end inserts."""

    file: Path
    start: tuple[int, int]
    end: tuple[int, int]
    content: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A repair as data: rules build it from the file's own words; one fixer applies it."""

    applicability: str  # one of APPLICABILITIES
    message: str
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    name: str
    severity: str
    file: Path
    line: int | None
    column: int | None
    message: str
    fix: str | None = None  # the hint, in words
    # The rule's code and name are on the finding; rules do not know about output.
    extra: dict = field(default_factory=dict, compare=False, hash=False)
    edit: Fix | None = field(default=None, compare=False, hash=False)  # an applicable repair, if any

    def sort_key(self) -> tuple:
        return (display_path(self.file), self.line or 0, self.column or 0, self.code)


@dataclass(frozen=True, slots=True)
class Issue:
    """What a rule yields: where and what; the engine adds code, name, severity and file."""

    line: int | None
    message: str
    column: int | None = None
    fix: str | None = None  # the hint, in words
    file: Path | None = None  # set when the finding belongs to another file (e.g. an included requirements file)
    edit: Fix | None = None  # an applicable repair, if any


_DISPLAYED: dict = {}  # (path, working directory) -> shown path: reports ask once per finding


def display_path(path: Path) -> str:
    """Path relative to the current directory with `/` separators, as every report shows it."""
    import os

    key = (path, os.getcwd())
    shown = _DISPLAYED.get(key)
    if shown is not None:
        return shown
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = str(path)
    shown = rel.replace(os.sep, "/")
    if len(_DISPLAYED) < 65536:
        _DISPLAYED[key] = shown
    return shown
