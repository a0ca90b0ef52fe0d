"""The requirements and constraints files an install reads, resolved to the build-context files
that a COPY (or a bind mount) put where the install looks."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mllint_docker.model.installs.core import Install
from mllint_docker.model.installs.parse import installs
from mllint_docker.model.requirements import Requirement, RequirementsFile
from mllint_docker.model.shell import Word

if TYPE_CHECKING:
    from mllint_docker.model.dockerfile import Dockerfile, Instruction
    from mllint_docker.model.manifests import Manifest
    from mllint_docker.model.project import Project

_ARCHIVE = re.compile(r"\.(whl|tar\.gz|tgz|tar\.bz2|zip)$", re.I)


def requirement_files(df: "Dockerfile", project: "Project", install: Install) -> list[tuple[Word, RequirementsFile | None]]:
    """The `-r` files of an install, each resolved to the context file a COPY put there and parsed
    (which registers it, so the engine lints it too); None when no COPY from the context brings it."""
    return [(w, _context_requirements(df, project, install.instruction, w)) for w in install.requirement_files]


def constraint_pins(df: "Dockerfile", project: "Project", install: Install) -> dict[str, Requirement] | None:
    """Names pinned by the install's constraint files (`-c`, PIP_CONSTRAINT); None when one of them
    cannot be read (then nothing can be said about what it pins)."""
    pins: dict[str, Requirement] = {}
    for w in install.constraint_files:
        rf = _context_requirements(df, project, install.instruction, w, register=False)
        if rf is None:
            return None
        for f in [rf, *project.included_files(rf)]:
            for r in f.requirements:
                if r.pinned:
                    pins.setdefault(r.name, r)
    return pins


def project_installs(project: "Project"):
    """(Dockerfile, install) for every install of every Dockerfile of the project that parsed."""
    for df in project.dockerfiles:
        if df.error is None:
            for inst in installs(df):
                yield df, inst


def command_constraints(project: "Project", rf: RequirementsFile) -> dict[str, Requirement]:
    """Names pinned by constraint files that a Dockerfile's `pip install -r <rf> -c <file>` applies
    to `rf` (or to a file that includes it)."""
    table = project.memo.get("installs.command_constraints")
    if table is None:
        table = {}
        for df, inst in project_installs(project):
            if not inst.constraint_files or not inst.requirement_files:
                continue
            pins = constraint_pins(df, project, inst) or {}
            for _, target in requirement_files(df, project, inst):
                if target is None:
                    continue
                for f in [target, *project.included_files(target)]:
                    table.setdefault(f.path.resolve(), {}).update(pins)
        project.memo["installs.command_constraints"] = table
    return table.get(rf.path.resolve(), {})


def used_as_constraints(project: "Project", rf: RequirementsFile) -> bool:
    """The file is a constraints file (`-c` in a requirements file or a RUN), not an install list."""
    target = rf.path.resolve()
    for other in list(project.requirements.values()):
        if any(inc.kind == "constraint" and inc.path == target for inc in other.includes):
            return True
    table = project.memo.get("installs.constraint_files")
    if table is None:
        table = set()
        for df, inst in project_installs(project):
            for w in inst.constraint_files:
                path = _context_path(df, project, inst.instruction, w)
                if path is not None:
                    table.add(path.resolve())
        project.memo["installs.constraint_files"] = table
    return target in table


def register_requirement_files(df: "Dockerfile", project: "Project") -> None:
    """Parses (and so registers for linting) every requirements file the Dockerfile installs."""
    for inst in installs(df):
        requirement_files(df, project, inst)


def _context_path(df: "Dockerfile", project: "Project", inst: "Instruction", word: Word) -> Path | None:
    if word.unresolved or not word.value or "://" in word.value:
        return None
    key = ("installs.context_path", str(df.path), inst.line, word.value)
    if key not in project.memo:
        found = _bind_mounted(df, project, inst, word.value)
        if found is None:
            try:
                found = project.copied_context_file(df, inst, word.value)
            except (ImportError, OSError):
                found = None  # no context model available: the file cannot be followed
        project.memo[key] = found
    return project.memo[key]


def _bind_mounted(df: "Dockerfile", project: "Project", inst: "Instruction", image_path: str) -> Path | None:
    """`RUN --mount=type=bind,source=requirements.txt,target=/tmp/r.txt pip install -r /tmp/r.txt`:
    a bind mount without `from=` shows a context path at the target for the duration of the RUN."""
    target_path = posixpath.normpath(posixpath.join(project.workdir_at(df, inst), image_path))
    for spec in inst.flags.get("mount", []):
        parts = dict(p.split("=", 1) if "=" in p else (p, "") for p in spec.split(","))
        if parts.get("type") != "bind" or "from" in parts:
            continue
        target = parts.get("target") or parts.get("dst") or parts.get("destination")
        if not target:
            continue
        target = posixpath.normpath(posixpath.join(project.workdir_at(df, inst), target))
        source = (parts.get("source") or parts.get("src") or ".").lstrip("/")
        if target_path == target:
            rest = ""
        elif target_path.startswith(target.rstrip("/") + "/"):
            rest = target_path[len(target.rstrip("/")) + 1 :]
        else:
            continue
        root = project.context_choice(df).root
        candidate = (root / source / rest).resolve() if rest else (root / source).resolve()
        if _is_file(candidate) and (candidate == root or root in candidate.parents):
            return candidate
    return None


def _context_requirements(df, project, inst, word: Word, register: bool = True) -> RequirementsFile | None:
    path = _context_path(df, project, inst, word)
    if path is None or not _is_file(path):
        return None
    if not register and path.resolve() not in project.requirements:
        if not project.inside(path):
            return None  # out of the project: never read (requirements_file reports it when registering)
        from mllint_docker.model.requirements import parse_requirements

        key = ("installs.unregistered", str(path.resolve()))
        if key not in project.memo:
            project.memo[key] = parse_requirements(path)
        return project.memo[key]
    return project.requirements_file(path)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # unreadable directory, a name too long
        return False


# Dependency manifests and lock files ---------------------------------------------------------------

# What a project manager reads from its project directory: (manifest, lock) and their formats.
_MANAGER_FILES = {
    "poetry": (("pyproject.toml", "pyproject"), ("poetry.lock", "poetry-lock")),
    "uv": (("pyproject.toml", "pyproject"), ("uv.lock", "uv-lock")),
    "pdm": (("pyproject.toml", "pyproject"), ("pdm.lock", "pdm-lock")),
    "pipenv": (("Pipfile", "pipfile"), ("Pipfile.lock", "pipfile-lock")),
}
_DIR_OPTIONS = {"poetry": ("directory", "project"), "uv": ("project", "directory"), "pdm": ("project",)}


@dataclass(slots=True)
class ManifestUse:
    """A manifest or lock file an install reads, resolved to the build-context file a COPY (or a bind
    mount) put where the install looks."""

    install: Install
    role: str  # "environment" (conda -f), "project" (pyproject/Pipfile), "lock"
    image_path: str  # where the install reads it, as written or implied (`pyproject.toml`, `/app/uv.lock`)
    format: str
    path: Path | None = None  # the context file that is there; None when no COPY brings it
    manifest: "Manifest | None" = None
    extras: frozenset[str] = frozenset()  # `pip install .[gpu]`
    word: Word | None = None
    on_disk: Path | None = None  # the file in the build context, whether or not a COPY brings it

    @property
    def line(self) -> int:
        return self.word.line if self.word is not None else self.install.line


def manifest_uses(df: "Dockerfile", project: "Project", install: Install) -> list[ManifestUse]:
    """The manifests and locks an install reads: `conda env create -f`, `conda install --file`,
    `pip install .`/`-e .`, `poetry install`, `uv sync`, `pdm install`, `pipenv install`."""
    memo = project.memo.get("installs.manifest_uses")
    if memo is None:
        memo = project.memo["installs.manifest_uses"] = {}  # id of an install (they live as long as the project) -> uses
    cached = memo.get(id(install))
    if cached is not None:
        return cached
    uses: list[ManifestUse] = []
    if install.tool == "conda":
        for w in install.environment_files:
            fmt = _conda_format(w.value)
            uses.append(_resolve(df, project, ManifestUse(install, "environment", w.value, fmt, word=w)))
        if not install.environment_files and install.action in ("env-create", "env-update"):
            # `conda env create` with no file reads environment.yml in the working directory.
            uses.append(_resolve(df, project, ManifestUse(install, "environment", "environment.yml", "conda-env")))
    if install.tool in ("pip", "uv"):
        for w in install.lock_files:
            uses.append(_resolve(df, project, ManifestUse(install, "lock", w.value, "pylock", word=w)))
    if install.tool in ("pip", "uv") and install.action in ("install", "download", "wheel"):
        for w in install.local_paths:
            directory = re.sub(r"\[([^\]]*)\]$", "", w.value)
            if _ARCHIVE.search(directory) or w.unresolved:
                continue
            extras = re.search(r"\[([^\]]*)\]$", w.value)
            use = ManifestUse(install, "project", posixpath.normpath(posixpath.join(directory, "pyproject.toml")), "pyproject", word=w,
                              extras=frozenset(e.strip().lower() for e in extras.group(1).split(",")) if extras else frozenset())
            uses.append(_resolve(df, project, use))
    if install.tool in _MANAGER_FILES and install.action in ("install", "sync") and (
            install.tool != "pipenv" or not install.packages) and not install.program.endswith(" pip"):
        directory = "."
        for name in _DIR_OPTIONS.get(install.tool, ()):
            if install.values(name):
                directory = install.values(name)[-1].value
        (manifest, mfmt), (lock, lfmt) = _MANAGER_FILES[install.tool]
        if install.tool == "pipenv" and install.env.get("PIPENV_PIPFILE"):
            pipfile = install.env["PIPENV_PIPFILE"]
            directory, manifest = posixpath.dirname(pipfile) or ".", posixpath.basename(pipfile)
        if install.tool == "pdm" and install.values("lockfile"):
            lock = install.values("lockfile")[-1].value
        project_use = _resolve(df, project, ManifestUse(install, "project", posixpath.normpath(posixpath.join(directory, manifest)), mfmt))
        lock_use = _resolve(df, project, ManifestUse(install, "lock", posixpath.normpath(posixpath.join(directory, lock)), lfmt))
        if lock_use.on_disk is None:
            base = project_use.path.parent if project_use.path is not None else project.context_choice(df).root
            candidate = base / posixpath.basename(lock)
            lock_use.on_disk = candidate if project.inside(candidate) and _is_file(candidate) else None
        uses += [project_use, lock_use]
    found = memo[id(install)] = uses or ()  # most installs read none: one shared empty tuple
    return found


def register_manifests(df: "Dockerfile", project: "Project") -> None:
    """Parses (and so registers for linting) every manifest and lock file the Dockerfile installs from."""
    for inst in installs(df):
        manifest_uses(df, project, inst)


def manifest_installs(project: "Project") -> dict[Path, list[tuple["Dockerfile", ManifestUse]]]:
    """Every install of every Dockerfile that reads each manifest file (by resolved path)."""
    table = project.memo.get("installs.manifest_installs")
    if table is None:
        table = {}
        for df, inst in project_installs(project):
            for use in manifest_uses(df, project, inst):
                if use.path is not None:
                    table.setdefault(use.path.resolve(), []).append((df, use))
        project.memo["installs.manifest_installs"] = table
    return table


def earlier_pins(df: "Dockerfile", project: "Project", install: Install) -> dict[str, Requirement]:
    """Names pinned by what the install itself constrains (`-c`, PIP_CONSTRAINT) or what earlier
    installs of its stage chain put in from requirements files (`pip install -r requirements.lock`
    before `pip install .`): pip keeps an installed release that satisfies the project."""
    pins = dict(constraint_pins(df, project, install) or {}) if install.constraint_files else {}
    stage = df.stages[install.instruction.stage] if 0 <= install.instruction.stage < len(df.stages) else None
    chain = {s.index for s in stage.chain()} if stage is not None else set()
    for other in installs(df):
        if other.instruction.stage not in chain or not (
                other.instruction.line < install.instruction.line or other.instruction is install.instruction):
            continue
        for _, rf in requirement_files(df, project, other):
            if rf is None:
                continue
            for f in [rf, *project.included_files(rf)]:
                for r in f.requirements:
                    if r.pinned:
                        pins.setdefault(r.name, r)
    return pins


def _conda_format(name: str) -> str:
    from mllint_docker.model.manifests import CONDA_ENV, CONDA_EXPLICIT, CONDA_LOCK, manifest_format

    fmt = manifest_format(posixpath.basename(name))
    if fmt == CONDA_LOCK:
        return CONDA_LOCK
    return CONDA_ENV if name.lower().endswith((".yml", ".yaml")) else CONDA_EXPLICIT


def _resolve(df: "Dockerfile", project: "Project", use: ManifestUse) -> ManifestUse:
    word = use.word if use.word is not None and use.image_path == use.word.value else \
        Word(use.image_path, use.image_path, use.install.line, 1)
    if word.unresolved:
        return use
    path = _context_path(df, project, use.install.instruction, word)
    if path is not None and _is_file(path) and project.inside(path):
        use.path = path
        use.on_disk = path
        use.manifest = project.manifest(path, use.format)
    return use


def require_hashes_installs(project: "Project", rf: RequirementsFile) -> list[tuple["Dockerfile", Install]]:
    """Installs that read `rf` (or a file including it) in hash-checking mode: `--require-hashes`
    or PIP_REQUIRE_HASHES on the command."""
    table = project.memo.get("installs.require_hashes")
    if table is None:
        table = {}
        for df, inst in project_installs(project):
            on = inst.has("require-hashes") or inst.env.get("PIP_REQUIRE_HASHES", "").lower() in (
                "1", "true", "yes", "on", "y", "t")
            if not on:
                continue
            for _, target in requirement_files(df, project, inst):
                if target is None:
                    continue
                for f in [target, *project.included_files(target, kind="requirement")]:
                    table.setdefault(f.path.resolve(), []).append((df, inst))
        project.memo["installs.require_hashes"] = table
    return table.get(rf.path.resolve(), [])


def manifest_notes(project: "Project") -> list[str]:
    """For `-v`: each install that reads manifests or locks, and which context files those are."""
    from mllint_docker.finding import display_path

    notes = []
    for df, inst in project_installs(project):
        uses = manifest_uses(df, project, inst)
        if not uses:
            continue
        read = ", ".join(display_path(u.path) if u.path else f"{u.image_path} (not in the image here)" for u in uses)
        notes.append(f"{display_path(df.path)}:{inst.line}: `{inst.program} {inst.action.replace('-', ' ')}` reads {read}")
    return notes


def conda_spec_files(project: "Project") -> set[Path]:
    """Files a conda install reads with `--file` (match specs or an explicit list), even when their
    name looks like a requirements file (`conda install --file requirements.txt`): they are not pip's."""
    return {path for path, uses in manifest_installs(project).items()
            if any(u.install.tool == "conda" and u.format != "conda-env" for _, u in uses)}
