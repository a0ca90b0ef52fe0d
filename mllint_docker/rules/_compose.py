"""Helpers the compose rules share: where to put a finding on a service's value, and edits made
from the file's own text."""

from __future__ import annotations

from mllint_docker.finding import Edit, Fix, Issue


def at(node, message: str, fix: str | None = None, edit: Fix | None = None, key: bool = True) -> Issue:
    """An issue on a compose value (on its key when it has one), in the file where it is written."""
    span = (node.key_span if key and node.key_span is not None else None) or node.span
    return Issue(span.line, message, column=span.column, fix=fix, file=span.file, edit=edit)


def scalar_text_span(cf, node) -> tuple[int, int, int] | None:
    """(line, first column, end column) of a one-line scalar's characters, quotes excluded, when the
    file's text there is exactly what was parsed; None otherwise (no edit is offered then)."""
    s = node.span
    if s.line != s.end_line or node.raw is None or node.unresolved or "$" in (node.raw or ""):
        return None
    text = cf.line_text(s.file, s.line)[s.column - 1 : s.end_column - 1]
    if node.style is None and text == node.raw:
        return s.line, s.column, s.end_column
    if node.style in ("'", '"') and text == f"{node.style}{node.raw}{node.style}":
        return s.line, s.column + 1, s.end_column - 1
    return None


def insert(file, line: int, column: int, content: str) -> Edit:
    return Edit(file, (line, column), (line, column), content)
