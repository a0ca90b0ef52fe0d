"""One `.dockerignore` repair per build context, shared by missing-dockerignore, context-bloat and
data-in-image: each attaches the same edit, which the fixer applies once.

The patterns come from the context scan: directories that bloat it (.git, virtualenvs, caches,
notebook checkpoints, run logs), secret files (`.env`, keys) and the data/model files found. A
pattern that would exclude a file a specific COPY/ADD names (`COPY models/best.pt ...`) is left
out; the repair is unsafe when it excludes something a whole-context `COPY . .` brings into an
image (the image changes), safe otherwise (only what is sent changes). Exclusions go at the top of
an existing file, so the user's own `!` exceptions further down still win.
"""

from __future__ import annotations

import posixpath

from mllint_docker.finding import Edit, Fix
from mllint_docker.model.artefacts import BLOAT_DIRS, BLOAT_PATHS, RUN_DIRS, is_data_file, is_secret_file

WHOLE_CONTEXT = (".", "./", "/", "*", "./*", "")
# Written into a new file even when the context has none of them yet.
BASELINE = (".git", "**/__pycache__", "**/.ipynb_checkpoints", ".venv", "venv", ".env")
HEADER = "# Not sent to the Docker build (added by `mllint check --fix`)\n"


def _matches(pattern: str, path: str) -> bool:
    """Docker's semantics for the two pattern shapes written here: `a/b` (that path and what is
    beneath it) and `**/name` (a path segment `name` anywhere)."""
    if pattern.startswith("**/"):
        return pattern[3:] in path.split("/")
    return path == pattern or path.startswith(pattern + "/")


def _collapse(paths: set[str], ctx) -> list[str]:
    """Data files as the directories that hold nothing else, else one by one."""
    out, done = [], set()
    for p in sorted(paths):
        d = posixpath.dirname(p)
        best = p
        while d:
            if all(e.path in paths for e in ctx.under(d)):
                best = d
                d = posixpath.dirname(d)
            else:
                break
        if best not in done:
            done.add(best)
            out.append(best)
    return [p for p in out if not any(p != q and p.startswith(q + "/") for q in out)]


def dockerignore_fix(df, project) -> Fix | None:
    """The `.dockerignore` repair for this Dockerfile's build context, computed once per context."""
    ctx = project.context_for(df)
    if ctx is None:
        return None
    target = project.ignore_file(df) or ctx.root / ".dockerignore"
    key = ("fixes.dockerignore", ctx.root, target)
    if key not in project.memo:
        project.memo[key] = _plan(df, project, ctx, target)
    return project.memo[key]


def _plan(df, project, ctx, target) -> Fix | None:
    config = project.config
    found: dict[str, str] = {}  # pattern -> why
    data: set[str] = set()
    # A source package named like a tool's run directory (`utils/loggers/wandb/__init__.py`) is code:
    # never excluded, and `**/wandb` would drop it too, so a run directory is then named exactly.
    packages = {e.path.rpartition("/")[0] for e in ctx.entries
                if e.path.endswith("/__init__.py") and e.path.rpartition("/")[0].rpartition("/")[2] in RUN_DIRS}
    package_names = {p.rpartition("/")[2] for p in packages}
    for e in ctx.entries:
        parts = e.path.split("/")
        for i, part in enumerate(parts[:-1]):
            if part in BLOAT_DIRS:
                directory = "/".join(parts[: i + 1])
                if part in RUN_DIRS and directory in packages:
                    break
                exact = (i == 0 and part in (".git", ".venv", "venv")) or part in package_names
                found.setdefault(directory if exact else "**/" + part, BLOAT_DIRS[part])
                break
            for prefix, what in BLOAT_PATHS.items():
                if "/".join(parts[i:]).startswith(prefix + "/"):
                    found.setdefault("/".join(parts[:i] + [prefix]), what)
        if parts[-1] == "pyvenv.cfg" and len(parts) > 1:
            found.setdefault(posixpath.dirname(e.path), "virtualenv")
        if is_secret_file(e.path):
            found.setdefault(e.path, "secret")
        if not e.is_symlink and (e.size > config.large_file_size or (e.size > config.data_file_size and is_data_file(e.path))):
            data.add(e.path)
    for p in _collapse(data, ctx):
        found.setdefault(p, "data")
    if ctx.ignore.path is None:
        for p in BASELINE:
            found.setdefault(p, "baseline")
    # What the Dockerfiles of this context copy: files named one by one (never excluded), what a
    # directory or wildcard source brings (its data and secrets are wanted; its caches are not, but
    # dropping them changes the image) and whether a whole-context COPY brings everything.
    exact: set[str] = set()
    brought: set[str] = set()
    whole = False
    for other in project.dockerfiles:
        if other.error is not None or project.context_choice(other).root != ctx.root:
            continue
        for spec, entries in project.copied_files(other):  # resolved once per Dockerfile, shared
            if any(src.strip() in WHOLE_CONTEXT for src in spec.sources):
                whole = True
                continue
            paths = [e.path for e in entries]
            clean = [posixpath.normpath(src.strip().lstrip("/")) for src in spec.sources]
            if sorted(paths) == sorted(clean):
                exact.update(paths)  # files named one by one
            else:
                brought.update(paths)
    existing = {p.lstrip("/") for _, p in ctx.ignore.patterns}
    lines, unsafe = [], False
    for pattern, why in found.items():
        if pattern in existing:
            continue
        hits = [e.path for e in ctx.entries if _matches(pattern, e.path)]
        if any(h in exact for h in hits):
            continue  # a COPY names the file: it is wanted in the image
        if why in ("data", "secret") and any(h in brought for h in hits):
            continue  # `COPY data/ /data`: the data is wanted
        unsafe |= bool(hits) and (whole or any(h in brought for h in hits))
        lines.append(pattern)
    if not lines:
        return None
    head = HEADER if ctx.ignore.path is None else ""
    content = head + "".join(p + "\n" for p in lines)
    verb = "Create" if ctx.ignore.path is None else "Extend"
    return Fix("unsafe" if unsafe else "safe", f"{verb} {target.name} with {', '.join(lines[:4])}"
               + (f" and {len(lines) - 4} more" if len(lines) > 4 else ""),
               (Edit(target, (1, 1), (1, 1), content),))
