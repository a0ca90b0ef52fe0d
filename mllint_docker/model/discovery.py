"""Discovery: which files under the given paths are Dockerfiles, requirements, compose,
`.dockerignore` or dependency manifest files (conda, pyproject, Pipfile, lock files), by name, honouring `exclude` and `.gitignore`."""

from __future__ import annotations

import os
import re
import stat
import warnings
from pathlib import Path
from typing import Protocol

from mllint_docker.model.artefacts import DATA_FILE_SUFFIXES, is_data_file
from mllint_docker.model.buffers import has_buffer


class Settings(Protocol):
    """What the model reads of the configuration (the engine's validated `Config` has these)."""

    path: Path | None  # the config file; `exclude` and `contexts` are relative to its directory
    exclude: list[str]
    contexts: dict[str, str]
    build_args: dict[str, str]

    def excluded(self, path: Path, named: bool = False) -> bool:
        """Whether `exclude` (of the config that applies there) leaves `path` out."""

    def for_path(self, path: Path) -> "Settings":
        """The settings that apply to `path` (the closest config above it)."""


SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox", ".mypy_cache",
                       ".pytest_cache", ".ruff_cache", "site-packages", ".venv", "venv", ".eggs"})
# The names each kind of file goes by: ONE definition. Discovery matches a file's name (and, for
# `requirements/*.txt`, its parent) against these; the pre-commit hook's `files` pattern in
# .pre-commit-hooks.yaml is `hook_files_pattern()` (tests/test_precommit.py keeps them equal).
# Names compare case-insensitively: `dockerfile`, `Dockerfile-cpu`, `Dockerfile_gpu`, `gpu.Dockerfile`.
_NOT_A_DOCKERFILE = (r"(?![^/]*\.(?:dockerignore|py|pyc|ipynb|md|rst|txt|sh|bash|ps1|json|ya?ml|toml|cfg|ini|lock|"
                     r"j2|jinja2?|tmpl|tpl|template|orig|bak|swp|patch|diff|go|rs|js|ts|html)$)")
NAME_PATTERNS: dict[str, str] = {
    "dockerfile": _NOT_A_DOCKERFILE + r"(?:(?:docker|container)file(?:[._-][^/]*)?|[^/]+(?:docker|container)file)",
    "requirements": r"[^/]*requirements[^/]*\.txt|constraints[^/]*\.txt",
    "compose": r"(?:docker-)?compose[^/]*\.ya?ml",
    "dockerignore": r"[^/]*\.dockerignore",
    # Dependency manifests and lock files (model/manifests says which format each name is).
    "manifest": r"(?:[^/]*[-_.])?(?:conda-lock\.ya?ml|(?:environment|conda)(?:[-_.][^/]*)?\.ya?ml|pyproject\.toml|"
                r"pipfile|pipfile\.lock|uv\.lock|poetry\.lock|pdm\.lock|pylock(?:\.[^/]+)?\.toml|conda[^/]*\.lock)",
}
# Kinds a file has by its directory: `requirements/base.txt`.
DIR_PATTERNS: dict[str, str] = {"requirements": r"requirements/[^/]*\.txt"}
_NAME_RX = {kind: re.compile(rx, re.I) for kind, rx in NAME_PATTERNS.items()}
_DIR_RX = {kind: re.compile(rx, re.I) for kind, rx in DIR_PATTERNS.items()}


def hook_files_pattern() -> str:
    """The `files` regex of the pre-commit hook, generated from the patterns discovery uses, plus
    data and model files (a named one re-lints the Dockerfiles whose build context holds it)."""
    data = r"[^/]*\.(?:" + "|".join(re.escape(s.lstrip(".")) for s in DATA_FILE_SUFFIXES) + ")"
    alternatives = [*NAME_PATTERNS.values(), *DIR_PATTERNS.values(), data]
    return "(?i)(^|/)(" + "|".join(alternatives) + ")$"


def is_dockerfile_name(name: str) -> bool:
    return bool(_NAME_RX["dockerfile"].fullmatch(name))


def file_kind(path: Path) -> str | None:
    """`dockerfile`, `requirements`, `compose`, `dockerignore`, `manifest` or None, by name as discovery does."""
    name = path.name
    for kind, rx in _NAME_RX.items():
        if rx.fullmatch(name):
            return kind
    for kind, rx in _DIR_RX.items():
        if rx.fullmatch(f"{path.parent.name}/{name}"):
            return kind
    return None


def looks_like_dockerfile(name: str) -> bool:
    """Named like a Dockerfile but not taken as one (`Dockerfile.md`, `dockerfile_utils.py`): `-v` says so."""
    low = name.lower()
    return ("dockerfile" in low or "containerfile" in low) and not low.endswith(".dockerignore") and not is_dockerfile_name(name)


def _is_file(entry: os.DirEntry) -> bool:
    """A regular file, or a symlink to one; a symlink loop or a dangling link is neither."""
    try:
        return entry.is_file()
    except OSError:
        return False


def _is_special(entry: os.DirEntry) -> str | None:
    """`a FIFO`, `a socket`, `a device` for entries that are neither files, directories nor symlinks."""
    try:
        mode = entry.stat(follow_symlinks=False).st_mode
    except OSError:
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return None


def _is_venv(path: str) -> bool:
    return os.path.exists(os.path.join(path, "pyvenv.cfg")) or os.path.isdir(os.path.join(path, "conda-meta"))


def git_root(start: Path) -> Path | None:
    for d in [start, *start.parents]:
        if (d / ".git").exists():
            return d
    return None


class GitIgnore:
    """git's ignore rules, read from the tree as git reads them, without running git (which would
    honour the tree's own `.git/config`, e.g. `core.fsmonitor = <command>`): every `.gitignore` from
    the repository root down, the deeper file deciding first and the last matching line of a file
    winning (`!` re-includes), then `.git/info/exclude`; nothing under an ignored directory can be
    re-included. Patterns are pathspec's implementation of git's wildmatch. Symlinked `.gitignore`
    files are not followed (git does not follow them either), and nothing outside the repository
    is read (no global `core.excludesFile`)."""

    def __init__(self, repo: Path):
        self.repo = repo
        self._specs: dict[str, object | None] = {}
        self._dirs: dict[str, bool] = {}
        git = repo / ".git"
        self._exclude = self._read(git / "info" / "exclude") if git.is_dir() and not git.is_symlink() else None

    @staticmethod
    def _read(path: Path):
        try:
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode) or st.st_size > 4 * 1024 * 1024:
                return None
            lines = path.read_bytes().decode("utf-8", "surrogateescape").splitlines()
        except OSError:
            return None
        from pathspec import GitIgnoreSpec  # only in a repository

        try:
            with warnings.catch_warnings():  # `[[x]`: Python's regex FutureWarning is not the user's business
                warnings.simplefilter("ignore", FutureWarning)
                spec = GitIgnoreSpec.from_lines(lines)
        except Exception:  # a pattern pathspec cannot compile: git would skip it, so skip the file's rules
            return None
        return spec if len(spec) else None

    def _spec(self, rel_dir: str):
        if rel_dir not in self._specs:
            self._specs[rel_dir] = self._read(self.repo / rel_dir / ".gitignore" if rel_dir else self.repo / ".gitignore")
        return self._specs[rel_dir]

    def _decide(self, rel: str, is_dir: bool) -> bool:
        parts = rel.split("/")
        suffix = "/" if is_dir else ""
        for k in range(len(parts) - 1, -1, -1):
            spec = self._spec("/".join(parts[:k]))
            if spec is not None:
                result = spec.check_file("/".join(parts[k:]) + suffix)
                if result.include is not None:
                    return bool(result.include)
        if self._exclude is not None:
            result = self._exclude.check_file(rel + suffix)
            if result.include is not None:
                return bool(result.include)
        return False

    def ignored(self, rel: str, is_dir: bool = False) -> bool:
        """Whether git ignores `rel` (posix, relative to the repository root)."""
        parts = rel.split("/")
        for i in range(1, len(parts)):
            parent = "/".join(parts[:i])
            hit = self._dirs.get(parent)
            if hit is None:
                hit = self._dirs[parent] = self._decide(parent, True)
            if hit:
                return True
        if is_dir:
            hit = self._dirs.get(rel)
            if hit is None:
                hit = self._dirs[rel] = self._decide(rel, True)
            return hit
        return self._decide(rel, False)


def discover(paths: list[Path], config: Settings, notes: list[str] | None = None) -> tuple[dict[str, list[Path]], list[tuple[Path, str]]]:
    """Finds the files to lint under `paths`; named files are taken whatever their name, unless excluded.
    `notes` receives one line per file considered and per file or directory skipped, and why (`-v`)."""
    note = notes.append if notes is not None else (lambda _line: None)
    found: dict[str, list[Path]] = {"dockerfile": [], "requirements": [], "compose": [], "dockerignore": [], "data": [],
                                    "manifest": []}
    errors: list[tuple[Path, str]] = []
    walked: dict[str, list[Path]] = {k: [] for k in found}
    # The repository of the named paths first: what is ignored does not depend on the working directory.
    repo = next((r for p in paths if (r := git_root(p.resolve()))), None) or git_root(Path.cwd().resolve())
    gitignore = GitIgnore(repo) if repo else None
    for p in paths:
        if p.is_file() or has_buffer(p):
            # `exclude` applies to named files too, so a pre-commit run over every file honours it.
            if config.excluded(p, named=True):
                note(f"skipped {p}: matches `exclude`")
                continue
            # A named data or model file is not linted itself: it re-lints the Dockerfiles around it (project.py).
            # Any other named file of no known name is taken for a Dockerfile.
            kind = file_kind(p) or ("data" if is_data_file(p.name) else "dockerfile")
            found[kind].append(p)
            note(f"considered {p} ({kind}, named on the command line)")
            continue
        if not p.is_dir():
            errors.append((p, "no such file or directory" if not p.exists() else "not a regular file"))
            continue
        top = os.path.realpath(p)
        in_repo = repo is not None and (top == str(repo) or top.startswith(str(repo).rstrip("/") + "/"))
        base = os.path.relpath(top, repo).replace(os.sep, "/") if in_repo else None
        if base == ".":
            base = ""
        if in_repo and base and gitignore.ignored(base, True):
            note(f"skipped {p}/: .gitignore excludes it")
            continue
        stack = [(str(p), base)]
        while stack:
            d, git_rel = stack.pop()
            try:
                with os.scandir(d) as it:
                    entries = list(it)
            except OSError as err:
                errors.append((Path(d), f"cannot read directory: {err.strerror or err}"))
                continue
            for e in entries:
                try:
                    is_dir = e.is_dir(follow_symlinks=False)
                except OSError:
                    continue
                rel = os.path.relpath(e.path).replace(os.sep, "/")
                if config.excluded(Path(e.path)):
                    note(f"skipped {rel}{'/' if is_dir else ''}: matches `exclude`")
                    continue
                child = None if git_rel is None else (f"{git_rel}/{e.name}" if git_rel else e.name)
                if is_dir:
                    if e.name in SKIP_DIRS or _is_venv(e.path):
                        if e.name not in ("__pycache__", ".git", ".hg", ".svn"):
                            note(f"skipped {rel}/: {'a virtualenv' if _is_venv(e.path) else 'a tool directory'}")
                        continue
                    if child is not None and gitignore.ignored(child, True):
                        note(f"skipped {rel}/: .gitignore excludes it")
                        continue
                    stack.append((e.path, child))
                elif _is_file(e):
                    kind = file_kind(Path(e.path))
                    if kind and child is not None and gitignore.ignored(child):
                        note(f"skipped {rel}: .gitignore excludes it")
                    elif kind:
                        walked[kind].append(Path(e.path))
                        note(f"considered {rel} ({kind})")
                    elif looks_like_dockerfile(e.name):
                        note(f"skipped {rel}: named like a Dockerfile, but its extension says it is not one "
                             "(name it on the command line to lint it)")
                elif _is_special(e):
                    note(f"skipped {rel}: not a regular file ({_is_special(e)})")
    for kind, files in walked.items():
        found[kind].extend(files)
    for kind in found:
        uniq = {f.resolve(): f for f in found[kind]}
        found[kind] = sorted(uniq.values(), key=lambda f: str(f))
    return found, errors
