"""Discovery: which files under the given paths are Dockerfiles, requirements, compose or
`.dockerignore` files, by name, honouring `exclude` and `.gitignore`."""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from pathlib import Path
from typing import Protocol


class Settings(Protocol):
    """What the model reads of the configuration (the engine's validated `Config` has these)."""

    path: Path | None  # the config file; `exclude` and `contexts` are relative to its directory
    exclude: list[str]
    contexts: dict[str, str]
    build_args: dict[str, str]


SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox", ".mypy_cache",
                       ".pytest_cache", ".ruff_cache", "site-packages", ".venv", "venv", ".eggs"})
_REQ_NAME = re.compile(r"^(.*requirements.*|constraints.*)\.txt$", re.I)
_COMPOSE_NAME = re.compile(r"^(docker-compose.*|compose.*)\.ya?ml$", re.I)


def is_dockerfile_name(name: str) -> bool:
    low = name.lower()
    if low.endswith(".dockerignore"):
        return False
    return (
        name in ("Dockerfile", "dockerfile", "Containerfile")
        or name.startswith("Dockerfile.")
        or name.startswith("Containerfile.")
        or low.endswith(".dockerfile")
    )


def file_kind(path: Path) -> str | None:
    """`dockerfile`, `requirements`, `compose`, `dockerignore` or None, by name as discovery does."""
    name = path.name
    if is_dockerfile_name(name):
        return "dockerfile"
    if _REQ_NAME.match(name) or (path.parent.name == "requirements" and name.endswith(".txt")):
        return "requirements"
    if _COMPOSE_NAME.match(name):
        return "compose"
    if name.endswith(".dockerignore"):
        return "dockerignore"
    return None


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


def _excluded(rel: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(rel, p.rstrip("/") + "/*") for p in patterns)


def discover(paths: list[Path], config: Settings, notes: list[str] | None = None) -> tuple[dict[str, list[Path]], list[tuple[Path, str]]]:
    """Finds the files to lint under `paths`; named files are taken whatever their name, unless excluded.
    `notes` receives what was skipped and why (FIFOs, sockets, devices), for `-v`."""
    found: dict[str, list[Path]] = {"dockerfile": [], "requirements": [], "compose": [], "dockerignore": []}
    errors: list[tuple[Path, str]] = []
    walked: dict[str, list[Path]] = {k: [] for k in found}
    cwd = config.path.parent if config.path else Path.cwd()  # `exclude` globs are relative to the config
    repo = git_root(Path.cwd().resolve()) or next((r for p in paths if (r := git_root(p.resolve()))), None)
    gitignore = GitIgnore(repo) if repo else None
    for p in paths:
        if p.is_file():
            # `exclude` applies to named files too, so a pre-commit run over every file honours it.
            if config.exclude and _excluded(os.path.relpath(p.resolve(), cwd.resolve()).replace(os.sep, "/"), config.exclude):
                continue
            kind = file_kind(p) or "dockerfile"  # an explicitly named file of no known name: a Dockerfile
            found[kind].append(p)
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
                rel = os.path.relpath(e.path, cwd).replace(os.sep, "/")
                if config.exclude and _excluded(rel, config.exclude):
                    continue
                child = None if git_rel is None else (f"{git_rel}/{e.name}" if git_rel else e.name)
                if is_dir:
                    if e.name in SKIP_DIRS or _is_venv(e.path):
                        continue
                    if child is not None and gitignore.ignored(child, True):
                        continue
                    stack.append((e.path, child))
                elif _is_file(e):
                    kind = file_kind(Path(e.name)) if e.name != "requirements" else None
                    if kind is None and Path(d).name == "requirements" and e.name.endswith(".txt"):
                        kind = "requirements"
                    if kind and not (child is not None and gitignore.ignored(child)):
                        walked[kind].append(Path(e.path))
                elif notes is not None and _is_special(e):
                    notes.append(f"skipped {os.path.relpath(e.path, cwd)}: not a regular file ({_is_special(e)})")
    for kind, files in walked.items():
        found[kind].extend(files)
    for kind in found:
        uniq = {f.resolve(): f for f in found[kind]}
        found[kind] = sorted(uniq.values(), key=lambda f: str(f))
    return found, errors
