"""Dependency manifests beyond requirements files, and the lock files that go with them.

One shape for every format: a `Manifest` (conda environment file, pyproject.toml, Pipfile, a lock
file) with its `Entry`s (name, specifier or conda match spec, markers, source, hashes, line and
column), its conda channels, and for lock files the `Locked` packages and what the lock records it
was made from. One module per family: `conda.py` (environment files, conda-lock, explicit lists),
`pyproject.py` (PEP 621, PEP 735 groups, Poetry, PDM, uv), `pipfile.py` (Pipfile, Pipfile.lock),
`locks.py` (uv.lock, poetry.lock, pdm.lock, pylock.toml), `stale.py` (does a lock match its
manifest), `toml_lines.py` (lines for what tomllib parsed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

MAX_MANIFEST_BYTES = 64 * 1024 * 1024  # lock files of large projects run to tens of MB

# Formats -> the family that parses them.
CONDA_ENV, CONDA_LOCK, CONDA_EXPLICIT = "conda-env", "conda-lock", "conda-explicit"
CONDA_SPECS = "conda-specs"  # a list of match specs for `conda install --file`
PYPROJECT, PIPFILE, PIPFILE_LOCK = "pyproject", "pipfile", "pipfile-lock"
UV_LOCK, POETRY_LOCK, PDM_LOCK, PYLOCK = "uv-lock", "poetry-lock", "pdm-lock", "pylock"
LOCK_FORMATS = frozenset({CONDA_LOCK, CONDA_EXPLICIT, PIPFILE_LOCK, UV_LOCK, POETRY_LOCK, PDM_LOCK, PYLOCK})

# By name; an optional prefix ending in `-`, `_` or `.` is allowed (`dev-environment.yml`,
# `cuda.pylock.toml`), as projects name variants that way.
_P = r"^(?:.*[-_.])?"
_NAMES = [
    (re.compile(_P + r"conda-lock\.ya?ml$|\.conda-lock\.ya?ml$", re.I), CONDA_LOCK),
    (re.compile(_P + r"(environment|conda)([-_.][^/]*)?\.ya?ml$", re.I), CONDA_ENV),
    (re.compile(_P + r"pyproject\.toml$", re.I), PYPROJECT),
    (re.compile(_P + r"pipfile$", re.I), PIPFILE),
    (re.compile(_P + r"pipfile\.lock$", re.I), PIPFILE_LOCK),
    (re.compile(_P + r"uv\.lock$", re.I), UV_LOCK),
    (re.compile(_P + r"poetry\.lock$", re.I), POETRY_LOCK),
    (re.compile(_P + r"pdm\.lock$", re.I), PDM_LOCK),
    (re.compile(_P + r"pylock(\.[^/]+)?\.toml$", re.I), PYLOCK),
    (re.compile(r"^(?:.*[-_.])?conda[^/]*\.lock$", re.I), CONDA_EXPLICIT),
]


def manifest_format(name: str) -> str | None:
    """The format a file name says, as discovery finds files; None for any other name."""
    for pattern, fmt in _NAMES:
        if pattern.search(name):
            return fmt
    return None


@dataclass(slots=True)
class Entry:
    """One declared dependency: a PEP 508 requirement, a Poetry/Pipfile table, or a conda match spec."""

    name: str  # canonical (PEP 503) for PyPI names, lower case for conda
    spec: str  # the version part as written: `>=2,<3`, `^1.2`, `=1.26`, "" for none
    line: int
    column: int
    text: str  # the whole entry as written, for messages
    kind: str = "pypi"  # "pypi" or "conda"
    section: str = "dependencies"  # `dependencies`, `pip`, `optional-dependencies.gpu`, `group.dev`, `dev-packages`
    marker: str | None = None
    source: str | None = None  # a URL, a path, `git+...@rev`, an index or channel name
    hashes: tuple[str, ...] = ()
    pinned: bool | None = True  # one release only; None when a variable hides it
    problem: str | None = None  # why it is not pinned, for messages
    local: bool = False  # a path on disk (`-e .`, `{ path = "../lib" }`): nothing to pin
    optional: bool = False  # an extra or a group: installed only when asked for

    @property
    def is_interpreter(self) -> bool:
        return self.name == "python"


@dataclass(slots=True)
class Locked:
    """One package a lock file fixes."""

    name: str
    version: str
    line: int
    hashes: int = 0  # how many file hashes it records
    source: str | None = None


@dataclass(slots=True)
class Manifest:
    path: Path
    format: str
    entries: list[Entry] = field(default_factory=list)
    channels: list[tuple[str, int]] = field(default_factory=list)  # conda channels with their lines
    locked: list[Locked] = field(default_factory=list)  # lock files: what they fix
    # What a lock records it was made from: Poetry's `content-hash`, uv's root requires-dist,
    # conda-lock's input hash; a pyproject's tools (`poetry`, `pdm`, `uv`) and project name.
    meta: dict = field(default_factory=dict)
    errors: list[tuple[int | None, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    relevant: bool = True  # False: the name matched but the content is something else (a CI `conda.yml`)

    @property
    def is_lock(self) -> bool:
        return self.format in LOCK_FORMATS

    def error(self, line: int | None, message: str) -> None:
        self.errors.append((line, message))

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""


def parse_manifest(path: Path, fmt: str | None = None) -> Manifest:
    """Parses one file of any manifest or lock format; every failure becomes a located error."""
    from mllint_docker.model.dockerfile import read_text

    fmt = fmt or manifest_format(path.name) or CONDA_EXPLICIT
    m = Manifest(path, fmt)
    text, reason = read_text(path, MAX_MANIFEST_BYTES)
    if text is None:
        m.error(None, reason or "unreadable")
        return m
    m.lines = text.splitlines()
    try:
        if fmt in (CONDA_ENV, CONDA_LOCK, CONDA_EXPLICIT, CONDA_SPECS):
            from mllint_docker.model.manifests import conda as family
        elif fmt == PYPROJECT:
            from mllint_docker.model.manifests import pyproject as family
        elif fmt in (PIPFILE, PIPFILE_LOCK):
            from mllint_docker.model.manifests import pipfile as family
        else:
            from mllint_docker.model.manifests import locks as family
        family.parse(m, text)
    except RecursionError:
        m.error(None, "nested too deeply to read")
    return m
