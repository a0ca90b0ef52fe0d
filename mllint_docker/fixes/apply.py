"""Applying edits to one file's text: positions to offsets, sorting, overlaps, line endings.

The text is the file as it is on disk (a UTF-8 BOM kept aside and put back, CRLF line endings kept:
an edit's `\n` becomes `\r\n` in a CRLF file). Lines are counted as the model counts them
(`str.splitlines`), columns in characters, both 1-based; `end` is exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mllint_docker.finding import Edit, Fix

BOM = b"\xef\xbb\xbf"


@dataclass(slots=True)
class Source:
    """One file's bytes, split into what edits change (text) and what they never touch (BOM)."""

    path: Path
    text: str
    bom: bool = False

    @classmethod
    def read(cls, path: Path) -> "Source":
        data = path.read_bytes()
        bom = data.startswith(BOM)
        return cls(path, data[len(BOM):].decode("utf-8", "surrogateescape") if bom else
                   data.decode("utf-8", "surrogateescape"), bom)

    def with_text(self, text: str) -> "Source":
        return Source(self.path, text, self.bom)

    def to_bytes(self) -> bytes:
        return (BOM if self.bom else b"") + self.text.encode("utf-8", "surrogateescape")

    @property
    def newline(self) -> str:
        first = self.text.find("\n")
        return "\r\n" if first > 0 and self.text[first - 1] == "\r" else "\n"


@dataclass(slots=True)
class Applied:
    text: str
    applied: list[Fix] = field(default_factory=list)
    applied_index: list[int] = field(default_factory=list)  # positions in the list given
    # Fixes left for a later pass because an edit overlaps one applied in this pass.
    deferred: list[Fix] = field(default_factory=list)
    # Fixes whose positions are outside the text (the file changed under them).
    invalid: list[Fix] = field(default_factory=list)


class _Offsets:
    def __init__(self, text: str):
        self.text = text
        self.starts: list[int] = []
        self.ends: list[int] = []  # end of each line's content (before its line break)
        pos = 0
        for piece in text.splitlines(keepends=True):
            self.starts.append(pos)
            content = piece.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
            self.ends.append(pos + len(content))
            pos += len(piece)

    def offset(self, line: int, column: int) -> int | None:
        if line == len(self.starts) + 1 and column == 1:
            return len(self.text)  # just past the last line (a file without a final newline too)
        if not 1 <= line <= len(self.starts) or column < 1:
            return None
        at = self.starts[line - 1] + column - 1
        return at if at <= self.ends[line - 1] or (column == 1) else None


def _span(offsets: _Offsets, edit: Edit) -> tuple[int, int] | None:
    start = offsets.offset(*edit.start)
    end = offsets.offset(*edit.end)
    if start is None or end is None or end < start:
        return None
    return start, end


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a[0] == a[1] and b[0] == b[1]:
        return a[0] == b[0]  # two insertions at one place: their order is not known
    return a[0] < b[1] and b[0] < a[1] or (a[0] == a[1] and b[0] < a[0] < b[1]) or (b[0] == b[1] and a[0] < b[0] < a[1])


def apply_fixes(text: str, fixes: list[Fix]) -> Applied:
    """Applies every fix whose edits do not overlap an earlier one (all of a fix's edits or none);
    the others are deferred. An edit identical to one applied (two findings, one repair) is applied once."""
    offsets = _Offsets(text)
    newline = "\r\n" if "\r\n" in text else "\n"
    result = Applied(text)
    taken: dict[tuple[int, int], str] = {}
    planned: list[tuple[int, int, str]] = []
    ordered = sorted(range(len(fixes)), key=lambda i: min((e.start for e in fixes[i].edits), default=(0, 0)))
    for i in ordered:
        fix = fixes[i]
        spans = [_span(offsets, e) for e in fix.edits]
        if not fix.edits or any(s is None for s in spans):
            result.invalid.append(fix)
            continue
        if all(taken.get(s) == e.content for s, e in zip(spans, fix.edits)):
            result.applied.append(fix)  # the same repair, already planned
            result.applied_index.append(i)
            continue
        if any(_overlaps(s, t) for s in spans for t in taken) or any(
                _overlaps(a, b) for i, a in enumerate(spans) for b in spans[i + 1:]):
            result.deferred.append(fix)
            continue
        for s, e in zip(spans, fix.edits):
            content = e.content.replace("\r\n", "\n")
            if newline == "\r\n":
                content = content.replace("\n", "\r\n")
            taken[s] = e.content
            planned.append((s[0], s[1], content))
        result.applied.append(fix)
        result.applied_index.append(i)
    out = text
    for start, end, content in sorted(planned, key=lambda p: (p[0], p[1]), reverse=True):
        out = out[:start] + content + out[end:]
    result.text = out
    return result
