"""The requirements and constraints files an install reads, resolved to the build-context files
that a COPY (or a bind mount) put where the install looks."""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import TYPE_CHECKING

from mllint_docker.model.installs.core import Install
from mllint_docker.model.installs.parse import installs
from mllint_docker.model.requirements import Requirement, RequirementsFile
from mllint_docker.model.shell import Word

if TYPE_CHECKING:
    from mllint_docker.model.dockerfile import Dockerfile, Instruction
    from mllint_docker.model.project import Project


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


def command_constraints(project: "Project", rf: RequirementsFile) -> dict[str, Requirement]:
    """Names pinned by constraint files that a Dockerfile's `pip install -r <rf> -c <file>` applies
    to `rf` (or to a file that includes it)."""
    table = project.memo.get("installs.command_constraints")
    if table is None:
        table = {}
        for df in project.dockerfiles:
            if df.error is not None:
                continue
            for inst in installs(df):
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
        for df in project.dockerfiles:
            if df.error is not None:
                continue
            for inst in installs(df):
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
