"""Unsaved text standing in for files on disk: `mllint check -` (stdin) and the editor server lint a
buffer with the project on disk around it. Every reader of a linted file asks here first."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

_BUFFERS: dict[Path, str] = {}


def _key(path: Path) -> Path:
    return Path(path).resolve()


def buffer_text(path: Path) -> str | None:
    """The buffer's text for `path`, or None when the file is read from disk."""
    if not _BUFFERS:
        return None
    return _BUFFERS.get(_key(path))


def has_buffer(path: Path) -> bool:
    return buffer_text(path) is not None


@contextmanager
def buffers(texts: dict[Path, str]) -> Iterator[None]:
    """While the block runs, these paths read as the given texts (whether or not they exist)."""
    saved = dict(_BUFFERS)
    _BUFFERS.update({_key(p): t for p, t in texts.items()})
    try:
        yield
    finally:
        _BUFFERS.clear()
        _BUFFERS.update(saved)
