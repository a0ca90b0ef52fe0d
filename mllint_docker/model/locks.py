"""Lock files as a source of exact versions: `uv.lock`, `poetry.lock`, `pylock.toml` (PEP 751,
also `pylock.<name>.toml`) and pip-tools output (a requirements file whose header says
`pip-compile` / `uv pip compile`). A name locked at more than one version (per-platform forks) has
no single answer and is left out: a pin is taken from a lock, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mllint_docker.model.requirements import canonical_name

LOCK_NAMES = ("uv.lock", "poetry.lock", "pylock.toml")
MAX_LOCK_BYTES = 16 * 1024 * 1024


@dataclass(slots=True)
class Locked:
    versions: dict[str, str] = field(default_factory=dict)  # canonical name -> the one locked version
    sources: list[Path] = field(default_factory=list)  # the lock files read

    def version(self, name: str) -> str | None:
        return self.versions.get(canonical_name(name))


def _toml_packages(path: Path) -> list[tuple[str, str]]:
    import tomllib

    try:
        if path.stat().st_size > MAX_LOCK_BYTES:
            return []
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError, ValueError):
        return []
    packages = data.get("package") or data.get("packages") or []
    out = []
    for p in packages if isinstance(packages, list) else []:
        if isinstance(p, dict) and isinstance(p.get("name"), str) and isinstance(p.get("version"), str):
            source = p.get("source")
            if isinstance(source, dict) and ("editable" in source or "virtual" in source):
                continue  # the project itself
            out.append((p["name"], p["version"]))
    return out


def _compiled_packages(path: Path, parse) -> list[tuple[str, str]]:
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:2000]
    except OSError:
        return []
    if "pip-compile" not in head and "uv pip compile" not in head:
        return []
    rf = parse(path)
    return [(r.name, r.pinned_version) for r in rf.requirements if r.name and r.pinned_version]


def _regular(path: Path) -> bool:
    """A regular file (a FIFO named uv.lock would block the read forever)."""
    import stat

    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def read_locks(directory: Path, parse=None, within=None) -> Locked:
    """The versions locked by the lock files in `directory` (not its subdirectories); `parse` reads
    a requirements file (the project's, so each is parsed once); `within(path)` says whether a file
    may be opened (the project's trust boundary: a lock file symlinked out of it is not read)."""
    if parse is None:
        from mllint_docker.model.requirements import parse_requirements as parse
    pairs: dict[str, set[str]] = {}
    locked = Locked()
    try:
        names = sorted(p.name for p in directory.iterdir())
    except OSError:
        return locked
    for name in names:
        path = directory / name
        is_lock = name in LOCK_NAMES or (name.startswith("pylock.") and name.endswith(".toml")) or name.endswith(".txt")
        if not is_lock or not _regular(path) or (within is not None and not within(path)):
            continue
        if name in LOCK_NAMES or (name.startswith("pylock.") and name.endswith(".toml")):
            found = _toml_packages(path)
        elif name.endswith(".txt") and path.is_file():
            found = _compiled_packages(path, parse)
        else:
            continue
        if found:
            locked.sources.append(path)
        for n, v in found:
            pairs.setdefault(canonical_name(n), set()).add(v)
    locked.versions = {n: next(iter(vs)) for n, vs in pairs.items() if len(vs) == 1}
    return locked


def _parsed(project, path: Path):
    """The project's parse of a requirements file when it has one (not registering a new one)."""
    from mllint_docker.model.requirements import parse_requirements

    return project.requirements.get(path.resolve()) or parse_requirements(path)


def locks_for(project, directory: Path) -> Locked:
    """The lock files of `directory`, or of the nearest parent with any up to the project root;
    read once per directory."""
    directory = directory.resolve()
    root = Path(project.root).resolve()
    d = directory
    while True:
        if not project.inside(d):
            return Locked()  # nothing outside the project is opened
        key = ("locks", d)
        if key not in project.memo:
            project.memo[key] = read_locks(d, lambda p: _parsed(project, p), getattr(project, "inside", None))
        if project.memo[key].sources or d == root or root not in d.parents:
            return project.memo[key]
        d = d.parent
