"""The project model: which files there are, each parsed once, and how they relate (a Dockerfile's
build context, the requirements files its RUN installs, includes and constraints).
"""

from __future__ import annotations

import glob
import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from mllint_docker.model.buffers import has_buffer
from mllint_docker.model.compose import ComposeFile, parse_compose
from mllint_docker.model.discovery import Settings, discover, git_root, is_dockerfile_name
from mllint_docker.model.dockerfile import (
    Dockerfile,
    Instruction,
    Stage,
    parse_dockerfile,
)
from typing import TYPE_CHECKING

from mllint_docker.model.requirements import (
    Include,
    Requirement,
    RequirementsFile,
    parse_requirements,
)

if TYPE_CHECKING:
    from mllint_docker.model.manifests import Manifest


@dataclass(slots=True)
class ContextChoice:
    root: Path
    reason: str  # "compose file x.yml", "config", "Dockerfile's directory", "repository root"


@dataclass
class Project:
    root: Path
    config: Settings
    dockerfiles: list[Dockerfile] = field(default_factory=list)
    requirements: dict[Path, RequirementsFile] = field(default_factory=dict)
    compose_files: list[ComposeFile] = field(default_factory=list)
    # Conda environment files, pyproject.toml, Pipfile and lock files, each parsed once.
    manifests: dict[Path, "Manifest"] = field(default_factory=dict)
    contexts: dict[Path, ContextChoice] = field(default_factory=dict)
    # Unreadable paths met during discovery: (path, message).
    errors: list[tuple[Path, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _scans: dict = field(default_factory=dict)
    _roots: dict = field(default_factory=dict)
    # Models derived from several files, computed once on first use (e.g. by `installs`).
    memo: dict = field(default_factory=dict, repr=False)
    # The trust boundary: nothing outside these directories is opened (the repository root, or the
    # path given when there is no repository). Empty: no boundary (a Project built by hand).
    boundary: tuple[Path, ...] = ()
    # References that lead outside the boundary, never followed: (file, line, message), in order.
    outside: list[tuple[Path, int | None, str]] = field(default_factory=list)

    # Trust boundary ----------------------------------------------------

    def inside(self, path: Path) -> bool:
        """Whether `path`, symlinks resolved, is within the project (so it may be opened)."""
        if not self.boundary:
            return True
        real = _real(path)
        return real is not None and any(real == b or b in real.parents for b in self.boundary)

    def refuse(self, file: Path, line: int | None, message: str) -> None:
        """Records a reference that leads outside the project; it names the reference, not content."""
        entry = (file, line, message)
        if entry not in self.outside:
            self.outside.append(entry)

    # Requirements ------------------------------------------------------

    def requirements_file(self, path: Path) -> RequirementsFile:
        """The parsed file, parsed once; its includes are parsed too (cycles and missing files are
        recorded on the include, see `broken_includes`)."""
        shown = path
        path = path.resolve()
        rf = self.requirements.get(path)
        if rf is None:
            if not self.inside(path):
                self.refuse(shown, None, f"{_link_note(shown)}; not read")
                return RequirementsFile(path)
            rf = parse_requirements(path)
            self.requirements[path] = rf
            for inc in rf.includes:
                if inc.path is not None and not self.inside(inc.path):
                    flag = "-r" if inc.kind == "requirement" else "-c"
                    self.refuse(path, inc.line, f"`{flag} {inc.target}` refers to a file outside the project; not read")
                    inc.path = None  # never opened, not even to see whether it exists
                    continue
                if inc.path is not None and _is_file(inc.path):
                    self.requirements_file(inc.path)
        return rf

    def broken_includes(self, rf: RequirementsFile) -> list[tuple[Include, str]]:
        out = []
        for inc in rf.includes:
            if inc.path is None:
                continue
            if not _is_file(inc.path):
                out.append((inc, f"included file {inc.target!r} does not exist"))
            elif self._reaches(inc.path, rf.path.resolve(), set()):
                out.append((inc, f"include cycle: {inc.target!r} includes this file again"))
        return out

    def _reaches(self, start: Path, goal: Path, seen: set[Path]) -> bool:
        if start == goal:
            return True
        if start in seen:
            return False
        seen.add(start)
        rf = self.requirements.get(start)
        return bool(rf) and any(i.path is not None and self._reaches(i.path, goal, seen) for i in rf.includes)

    def included_files(self, rf: RequirementsFile, kind: str | None = None) -> list[RequirementsFile]:
        """Files reachable through includes (each once), `kind` limiting the first step."""
        out, seen, stack = [], {rf.path.resolve()}, [(rf, True)]
        while stack:
            cur, first = stack.pop()
            for inc in cur.includes:
                if inc.path is None or inc.path in seen or not _is_file(inc.path):
                    continue
                if first and kind and inc.kind != kind:
                    continue
                seen.add(inc.path)
                sub = self.requirements_file(inc.path)
                out.append(sub)
                stack.append((sub, False))
        return out

    def constraints_for(self, rf: RequirementsFile) -> dict[str, Requirement]:
        """Names pinned exactly by a constraints file that applies to `rf`: one it includes with
        `-c`, or one included by any file that includes `rf` (pip applies constraints to the install)."""
        pins: dict[str, Requirement] = {}
        for path in self._constraint_files().get(rf.path.resolve(), ()):
            cf = self.requirements_file(path)
            for c in [cf, *self.included_files(cf)]:
                for r in c.requirements:
                    if r.pinned:
                        pins.setdefault(r.name, r)
        return pins

    def _constraint_files(self) -> dict[Path, list[Path]]:
        """For each requirements file, the constraints files that apply to it, in the order of the
        files that include it: one walk of each file's includes for the whole project, not one per
        question (a monorepo has hundreds of requirements files)."""
        cached = self.memo.get("constraint_files")
        if cached is not None and cached[0] == len(self.requirements):
            return cached[1]
        applies: dict[Path, list[Path]] = {}
        for root in list(self.requirements.values()):
            closure = [root, *self.included_files(root)]
            found = [inc.path for f in closure for inc in f.includes
                     if inc.kind == "constraint" and inc.path is not None and _is_file(inc.path)]
            if found:
                for f in closure:
                    applies.setdefault(f.path.resolve(), []).extend(found)
        self.memo["constraint_files"] = (len(self.requirements), applies)
        return applies

    def manifest(self, path: Path, fmt: str | None = None) -> "Manifest":
        """A dependency manifest or lock file, parsed once (see model/manifests)."""
        from mllint_docker.model.manifests import Manifest, manifest_format, parse_manifest

        shown = path
        path = path.resolve()
        m = self.manifests.get(path)
        if m is None:
            if not self.inside(path):
                self.refuse(shown, None, f"{_link_note(shown)}; not read")
                m = Manifest(path, fmt or manifest_format(path.name) or "", relevant=False)
                self.manifests[path] = m
                return m
            m = parse_manifest(path, fmt)
            self.manifests[path] = m
            # `- -r requirements.txt` in an environment file's `pip:` section: pip reads it from there.
            for target, line in m.meta.get("pip_requirements", []):
                if "://" in target:
                    continue
                req = path.parent / target
                if not self.inside(req):
                    self.refuse(path, line, f"`-r {target}` refers to a file outside the project; not read")
                elif _is_file(req):
                    self.requirements_file(req)
        return m

    # Build contexts -----------------------------------------------------

    def context_choice(self, df: Dockerfile) -> ContextChoice:
        choice = self.contexts.get(df.path.resolve())
        if choice is None:
            choice = ContextChoice(df.path.parent.resolve(), "the Dockerfile's directory")
        return choice

    def ignore_file(self, df: Dockerfile) -> Path | None:
        """The ignore file Docker would use for this Dockerfile's context, without walking it:
        `<Dockerfile>.dockerignore` beside the Dockerfile wins over the context's `.dockerignore`."""
        specific = Path(str(df.path) + ".dockerignore")
        if _is_file(specific):
            return specific
        general = self.context_choice(df).root / ".dockerignore"
        return general if _is_file(general) else None

    def context_for(self, df: Dockerfile):
        """The build context Docker would send for this Dockerfile, walked once per (root, ignore file)."""
        from mllint_docker.model.context import scan_context

        root = self.context_choice(df).root
        if not self.inside(root) or not _is_dir(root):
            return None
        key = (root, _ignore_key(root, df.path))
        ctx = self._scans.get(key)
        if ctx is None:
            ctx = scan_context(root, df.path, boundary=self.inside)
            if ctx.ignore.outside:
                self.refuse(ctx.ignore.path, None, f"{_link_note(ctx.ignore.path)}; not read")
            self._scans[key] = ctx
        return ctx

    def context_errors(self) -> list[tuple[Path, int | None, str]]:
        """What the build contexts walked so far could not read, as (file, line, message): ignore-file
        patterns Docker rejects (the build fails on them), unreadable directories."""
        out = []
        for key, ctx in self._scans.items():
            if ctx is None or key[0] == "copied":
                continue
            ig = ctx.ignore
            n_own = len(ctx.errors) - len(ig.errors)
            for rel, message in ctx.errors[:n_own]:
                out.append((ctx.root / rel, None, f"{message} (in the build context {_rel(ctx.root)})"))
            for line, message in ig.errors:
                out.append((ig.path or ctx.root / ".dockerignore", line or None, message))
        return out

    def copied_files(self, df: Dockerfile) -> list[tuple[object, list]]:
        """For each COPY/ADD from the build context: (CopySpec, the context entries it brings in),
        resolved once per Dockerfile."""
        key = ("copied", df.path.resolve())
        cached = self._scans.get(key)
        if cached is None:
            specs = [spec for spec in df.copies if spec.from_context and spec.sources]
            ctx = self.context_for(df) if specs else None
            cached = []
            if ctx is not None:
                for spec in specs:
                    brought = {e.path: e for src in spec.sources for e in ctx.resolve_source(src)}
                    cached.append((spec, [brought[k] for k in sorted(brought)]))
            self._scans[key] = cached
        return cached

    def workdir_at(self, df: Dockerfile, inst: Instruction) -> str:
        """The WORKDIR in force at an instruction, following the stages it derives from."""
        stage = df.stages[inst.stage] if 0 <= inst.stage < len(df.stages) else None
        if stage is None:
            return "/"
        workdir = "/"
        for s in reversed(stage.chain()):
            for i in s.instructions:
                if s is stage and i.line >= inst.line:
                    break
                if i.keyword == "WORKDIR" and i.expanded:
                    workdir = posixpath.normpath(posixpath.join(workdir, i.expanded[0]))
        return workdir

    def copied_context_file(self, df: Dockerfile, inst: Instruction, image_path: str) -> Path | None:
        """The context file that an earlier COPY/ADD of this stage chain put at `image_path`
        (relative paths resolved against the WORKDIR of `inst`); None when no COPY brings it."""
        ctx = self.context_for(df)
        if ctx is None:
            return None
        target = posixpath.normpath(posixpath.join(self.workdir_at(df, inst), image_path))
        stage = df.stages[inst.stage] if 0 <= inst.stage < len(df.stages) else None
        if stage is None:
            return None
        chain = {s.index for s in stage.chain()}
        found = None
        for spec in df.copies:
            ci = spec.instruction
            if ci.stage not in chain or (ci.stage == inst.stage and ci.line >= inst.line) or not spec.from_context:
                continue
            dest = posixpath.normpath(posixpath.join(self.workdir_at(df, ci), spec.dest))
            for src in spec.sources:
                for entry in ctx.resolve_source(src):
                    if _image_path(src, entry.path, dest, spec.dest, len(spec.sources)) == target:
                        found = ctx.root / entry.path
        return found


def _image_path(src: str, entry: str, dest: str, dest_raw: str, n_sources: int) -> str:
    """Where COPY puts context file `entry` that source `src` matched."""
    src_clean = posixpath.normpath(src.lstrip("/")) if src.strip("/.") else "."
    if src_clean == ".":
        return posixpath.join(dest, entry)
    if entry != src_clean and entry.startswith(src_clean + "/"):
        return posixpath.join(dest, entry[len(src_clean) + 1 :])  # a directory's contents
    # `.` and `..` are directories (the WORKDIR and its parent), so `COPY x .` copies into them.
    into_dir = dest_raw.endswith(("/", "/.", "/..")) or dest_raw in (".", "..")
    if into_dir or n_sources > 1 or any(c in src for c in "*?["):
        return posixpath.join(dest, posixpath.basename(entry))
    return dest


def _ignore_key(root: Path, dockerfile: Path) -> Path | None:
    specific = Path(str(dockerfile) + ".dockerignore")
    if _is_file(specific):
        return specific
    return None


# Loading -------------------------------------------------------------------


def project_boundary(paths: list[Path]) -> tuple[Path, ...]:
    """The directories a run may open: each given path's repository root, or the path itself (a
    named file: its directory) when it is in no repository."""
    out: list[Path] = []
    for p in paths:
        real = _real(p)
        if real is None:
            continue
        base = real if _is_dir(real) else real.parent
        top = git_root(base) or base
        if top not in out:
            out.append(top)
    return tuple(out)


def load_project(paths: list[Path], config: Settings) -> Project:
    """Discovers and parses every file once; nothing outside the project boundary is opened."""
    notes: list[str] = []
    found, errors = discover(paths, config, notes)
    # The repository of the named paths (not of the working directory): results do not depend on where it runs.
    root = next((r for p in paths if (r := git_root(Path(os.path.abspath(p)))) is not None), None) \
        or git_root(Path.cwd().resolve()) or Path.cwd().resolve()
    project = Project(root=root, config=config, errors=errors, boundary=project_boundary(paths), notes=notes)
    named = {p.resolve() for p in paths if _is_file(p) or has_buffer(p)}
    for c in found["compose"]:
        if not project.inside(c):
            project.refuse(c, None, f"{_link_note(c)}; not read")
            continue
        cf = parse_compose(c)
        project.compose_files.append(cf)
        for service, dockerfile, ctx, line in cf.builds:
            if not project.inside(ctx):
                project.refuse(c, line, f"service {service!r}: build context {str(ctx)!r} is outside the project; not read")
                continue
            if not project.inside(dockerfile):
                project.refuse(c, line, f"service {service!r}: Dockerfile {str(dockerfile)!r} is outside the project; not read")
                continue
            project.contexts.setdefault(dockerfile, ContextChoice(ctx, f"compose file {c.name} (service {service})"))
    dockerfile_paths = {p.resolve(): p for p in found["dockerfile"]}
    for di in found["dockerignore"]:
        # A changed .dockerignore lints the Dockerfiles whose context it filters.
        if di.name == ".dockerignore":
            for f in sorted(_listdir(di.parent)):
                if is_dockerfile_name(f.name) and _is_file(f):
                    dockerfile_paths.setdefault(f.resolve(), f)
        else:
            f = di.with_name(di.name[: -len(".dockerignore")])
            if _is_file(f):
                dockerfile_paths.setdefault(f.resolve(), f)
    explicit_reqs = [p for p in found["requirements"] if p.resolve() in named]  # named and not excluded
    explicit_reqs += [p for p in found.get("manifest", []) if p.resolve() in named]
    for req in explicit_reqs:
        # A changed requirements file (pre-commit passes only changed files) re-lints the Dockerfiles
        # beside it, which are the ones that COPY and install it in the usual layout.
        for f in sorted(_listdir(req.parent)):
            if is_dockerfile_name(f.name) and _is_file(f):
                dockerfile_paths.setdefault(f.resolve(), f)
    for data in found.get("data", []):
        # A data or model file added to a build context re-lints the Dockerfiles whose context holds it:
        # those of the directories above it, within the project.
        here = data.resolve().parent
        for d in [here, *here.parents]:
            if not project.inside(d):
                break
            for f in sorted(_listdir(d)):
                if is_dockerfile_name(f.name) and _is_file(f):
                    dockerfile_paths.setdefault(f.resolve(), f)
    for cf in project.compose_files:
        for _service, dockerfile, _ctx, _line in cf.builds:
            if dockerfile in project.contexts and _is_file(dockerfile):
                dockerfile_paths.setdefault(dockerfile, dockerfile)
    for resolved, shown in sorted(dockerfile_paths.items(), key=lambda kv: str(kv[1])):
        if not project.inside(shown):
            project.refuse(shown, None, f"{_link_note(shown)}; not read")
            continue
        settings = config.for_path(shown)  # the config closest to this Dockerfile
        df = parse_dockerfile(shown, build_args=settings.build_args)
        project.dockerfiles.append(df)
        if resolved not in project.contexts:
            project.contexts[resolved] = _choose_context(df, settings, root)
            if not project.inside(project.contexts[resolved].root):
                where = settings.path if settings.path is not None else shown
                project.refuse(where, None, f"build context {str(project.contexts[resolved].root)!r} for "
                                            f"{_rel(shown)} is outside the project; not read")
        choice = project.contexts[resolved]
        project.notes.append(f"{_rel(shown)}: build context {_rel(choice.root)} ({choice.reason})")
        project.notes.extend(f"{_rel(shown)}:{line}: {message}" for line, message in df.notes)
    for r in found["requirements"]:
        project.requirements_file(r)
    for m in found.get("manifest", []):
        project.manifest(m)
    return project


def _real(path: Path) -> Path | None:
    """The path with every symlink resolved, or None when the file system refuses (name too long)."""
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError, RuntimeError):
        return None


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # ENAMETOOLONG, EACCES, a NUL in the name
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def _listdir(path: Path) -> list[Path]:
    try:
        return list(path.iterdir())
    except OSError:
        return []


def _link_note(path: Path) -> str:
    """Says where a symlink leads, from the link itself (its target is a name in the tree, not content)."""
    try:
        return f"{_rel(path)} is a symlink to {os.readlink(path)!r}, outside the project"
    except (OSError, ValueError):
        return f"{_rel(path)} is outside the project"


def _rel(p: Path) -> str:
    from mllint_docker.finding import display_path

    return display_path(p)


def _choose_context(df: Dockerfile, config: Settings, repo_root: Path) -> ContextChoice:
    here = df.path.parent.resolve()
    for key, ctx in config.contexts.items():
        base = config.path.parent if config.path else Path.cwd()
        if (base / key).resolve() == df.path.resolve():
            return ContextChoice((base / ctx).resolve(), "config `contexts`")
    sources = [s for spec in df.copies if spec.from_context for s in spec.sources if s.strip("/.") and "$" not in s]
    if sources and repo_root != here and repo_root in here.parents:
        if not any(_exists(here, s) for s in sources) and all(_exists(repo_root, s) for s in sources):
            return ContextChoice(repo_root, "repository root: its COPY sources exist only there")
    whole = any(spec.from_context and any(not s.strip("/.") for s in spec.sources) for spec in df.copies)
    if whole and not sources and repo_root != here and repo_root in here.parents:
        # `COPY . .` then `pip install .` / `pip install -r requirements.txt`: the files the
        # install reads tell which directory is the context.
        needed = _install_reads(df)
        if needed and not any(_exists(here, n) for group in needed for n in group) and \
                all(any(_exists(repo_root, n) for n in group) for group in needed):
            return ContextChoice(repo_root, "repository root: the files its installs read after `COPY .` exist only there")
    return ContextChoice(here, "the Dockerfile's directory")


_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


def _install_reads(df: Dockerfile) -> list[tuple[str, ...]]:
    """Relative paths the Dockerfile's installs read from the copied context, each as a group of
    alternatives: `pip install .` reads one of the packaging files, `-r x.txt` reads x.txt."""
    from mllint_docker.model.installs import installs

    out: list[tuple[str, ...]] = []
    for install in installs(df):
        for w in install.local_paths:
            v = w.value.split("[", 1)[0].rstrip("/")
            if v in (".", "./") and not w.unresolved:
                out.append(_PROJECT_FILES)
        for w in install.requirement_files:
            if not w.value.startswith("/") and "$" not in w.value:
                out.append((w.value,))
    return out


def _exists(root: Path, source: str) -> bool:
    """Whether a COPY source exists under `root`, cleaned as Docker cleans it (`..` cannot leave the
    root) and never followed through a symlink that leads out of it."""
    rel = posixpath.normpath("/" + source).lstrip("/")
    wild = any(c in rel for c in "*?[")
    fixed = []
    for segment in rel.split("/"):
        if any(c in segment for c in "*?["):
            break
        fixed.append(segment)
    real, top = _real(root / "/".join(fixed)), _real(root)
    if real is None or top is None or not (real == top or top in real.parents):
        return False
    try:
        if wild:
            return bool(glob.glob(glob.escape(str(root)) + "/" + rel))
        return os.path.lexists(root / rel)
    except (OSError, ValueError):
        return False


def stage_of(df: Dockerfile, inst: Instruction) -> Stage | None:
    return df.stages[inst.stage] if 0 <= inst.stage < len(df.stages) else None
