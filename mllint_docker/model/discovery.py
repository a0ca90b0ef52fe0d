"""Discovery: which files under the given paths are Dockerfiles, requirements, compose or
`.dockerignore` files, by name, honouring `exclude` and `.gitignore`."""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
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
}
# Kinds a file has by its directory: `requirements/base.txt`.
DIR_PATTERNS: dict[str, str] = {"requirements": r"requirements/[^/]*\.txt"}
_NAME_RX = {kind: re.compile(rx, re.I) for kind, rx in NAME_PATTERNS.items()}
_DIR_RX = {kind: re.compile(rx, re.I) for kind, rx in DIR_PATTERNS.items()}


def hook_files_pattern() -> str:
    """The `files` regex of the pre-commit hook, generated from the patterns discovery uses."""
    alternatives = [*NAME_PATTERNS.values(), *DIR_PATTERNS.values()]
    return "(?i)(^|/)(" + "|".join(alternatives) + ")$"


def is_dockerfile_name(name: str) -> bool:
    return bool(_NAME_RX["dockerfile"].fullmatch(name))


def file_kind(path: Path) -> str | None:
    """`dockerfile`, `requirements`, `compose`, `dockerignore` or None, by name as discovery does."""
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


def _is_venv(path: str) -> bool:
    return os.path.exists(os.path.join(path, "pyvenv.cfg")) or os.path.isdir(os.path.join(path, "conda-meta"))


def git_root(start: Path) -> Path | None:
    for d in [start, *start.parents]:
        if (d / ".git").exists():
            return d
    return None


def _git_ignored(root: Path, paths: list[Path]) -> set[Path]:
    """Which of `paths` .gitignore excludes, asked of git itself (one call)."""
    if not paths:
        return set()
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "check-ignore", "-z", "--stdin"],
            input="\0".join(str(p) for p in paths).encode(),
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    return {Path(p).resolve() for p in out.stdout.decode(errors="replace").split("\0") if p}


def _excluded(rel: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(rel, p.rstrip("/") + "/*") for p in patterns)


def discover(paths: list[Path], config: Settings,
             log: list[str] | None = None) -> tuple[dict[str, list[Path]], list[tuple[Path, str]]]:
    """Finds the files to lint under `paths`; named files are taken whatever their name, unless excluded.
    `log` receives one line per file considered and per file or directory skipped, and why (`-v`)."""
    note = log.append if log is not None else (lambda _line: None)
    found: dict[str, list[Path]] = {"dockerfile": [], "requirements": [], "compose": [], "dockerignore": []}
    errors: list[tuple[Path, str]] = []
    walked: dict[str, list[Path]] = {k: [] for k in found}
    cwd = config.path.parent if config.path else Path.cwd()  # `exclude` globs are relative to the config
    for p in paths:
        if p.is_file():
            # `exclude` applies to named files too, so a pre-commit run over every file honours it.
            if config.exclude and _excluded(os.path.relpath(p.resolve(), cwd.resolve()).replace(os.sep, "/"), config.exclude):
                note(f"skipped {p}: matches `exclude`")
                continue
            kind = file_kind(p) or "dockerfile"  # an explicitly named file of no known name: a Dockerfile
            found[kind].append(p)
            note(f"considered {p} ({kind}, named on the command line)")
            continue
        if not p.is_dir():
            errors.append((p, "no such file or directory" if not p.exists() else "not a regular file"))
            continue
        stack = [str(p)]
        while stack:
            d = stack.pop()
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
                    note(f"skipped {rel}{'/' if is_dir else ''}: matches `exclude`")
                    continue
                if is_dir:
                    if e.name in SKIP_DIRS or _is_venv(e.path):
                        if e.name not in ("__pycache__", ".git", ".hg", ".svn"):
                            note(f"skipped {rel}/: {'a virtualenv' if _is_venv(e.path) else 'a tool directory'}")
                        continue
                    stack.append(e.path)
                elif _is_file(e):
                    kind = file_kind(Path(e.path))
                    if kind:
                        walked[kind].append(Path(e.path))
                    elif looks_like_dockerfile(e.name):
                        note(f"skipped {rel}: named like a Dockerfile, but its extension says it is not one "
                             "(name it on the command line to lint it)")
    candidates = [f for fs in walked.values() for f in fs]
    repo = git_root(Path.cwd().resolve()) or next((r for p in paths if (r := git_root(p.resolve()))), None)
    ignored = _git_ignored(repo, candidates) if repo else set()
    for kind, files in walked.items():
        for f in files:
            if f.resolve() in ignored:
                note(f"skipped {f}: .gitignore excludes it")
            else:
                found[kind].append(f)
                note(f"considered {f} ({kind})")
    for kind in found:
        uniq = {f.resolve(): f for f in found[kind]}
        found[kind] = sorted(uniq.values(), key=lambda f: str(f))
    return found, errors
