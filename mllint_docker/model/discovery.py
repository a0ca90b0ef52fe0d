"""Discovery: which files under the given paths are Dockerfiles, requirements, compose,
`.dockerignore` or dependency manifest files (conda, pyproject, Pipfile, lock files), by name, honouring `exclude` and `.gitignore`."""

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
    from mllint_docker.model.manifests import manifest_format

    if manifest_format(name):
        return "manifest"  # conda environment files, pyproject.toml, Pipfile, lock files
    return None


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


def discover(paths: list[Path], config: Settings) -> tuple[dict[str, list[Path]], list[tuple[Path, str]]]:
    """Finds the files to lint under `paths`; named files are taken whatever their name, unless excluded."""
    found: dict[str, list[Path]] = {"dockerfile": [], "requirements": [], "compose": [], "dockerignore": [],
                                    "manifest": []}
    errors: list[tuple[Path, str]] = []
    walked: dict[str, list[Path]] = {k: [] for k in found}
    cwd = config.path.parent if config.path else Path.cwd()  # `exclude` globs are relative to the config
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
                    continue
                if is_dir:
                    if e.name in SKIP_DIRS or _is_venv(e.path):
                        continue
                    stack.append(e.path)
                elif _is_file(e):
                    kind = file_kind(Path(e.name)) if e.name != "requirements" else None
                    if kind is None and Path(d).name == "requirements" and e.name.endswith(".txt"):
                        kind = "requirements"
                    if kind:
                        walked[kind].append(Path(e.path))
    candidates = [f for fs in walked.values() for f in fs]
    repo = git_root(Path.cwd().resolve()) or next((r for p in paths if (r := git_root(p.resolve()))), None)
    ignored = _git_ignored(repo, candidates) if repo else set()
    for kind, files in walked.items():
        found[kind].extend(f for f in files if f.resolve() not in ignored)
    for kind in found:
        uniq = {f.resolve(): f for f in found[kind]}
        found[kind] = sorted(uniq.values(), key=lambda f: str(f))
    return found, errors
