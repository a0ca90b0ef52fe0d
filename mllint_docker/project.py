"""The project model: which files there are, each parsed once, and how they relate (a Dockerfile's
build context, the requirements files its RUN installs, includes and constraints).
"""

from __future__ import annotations

import fnmatch
import glob
import os
import posixpath
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from mllint_docker.config import Config
from mllint_docker.dockerfile import Dockerfile, Instruction, Stage, parse_dockerfile, read_text
from mllint_docker.requirements import Include, Requirement, RequirementsFile, parse_requirements

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


@dataclass(slots=True)
class ComposeFile:
    path: Path
    # (service, dockerfile path, context dir, line of the service's build key)
    builds: list[tuple[str, Path, Path, int | None]] = field(default_factory=list)
    error: tuple[int | None, str] | None = None


@dataclass(slots=True)
class ContextChoice:
    root: Path
    reason: str  # "compose file x.yml", "config", "Dockerfile's directory", "repository root"


@dataclass
class Project:
    root: Path
    config: Config
    dockerfiles: list[Dockerfile] = field(default_factory=list)
    requirements: dict[Path, RequirementsFile] = field(default_factory=dict)
    compose_files: list[ComposeFile] = field(default_factory=list)
    contexts: dict[Path, ContextChoice] = field(default_factory=dict)
    # Unreadable paths met during discovery: (path, message).
    errors: list[tuple[Path, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _scans: dict = field(default_factory=dict)
    _roots: dict = field(default_factory=dict)
    # Models derived from several files, computed once on first use (e.g. by `installs`).
    memo: dict = field(default_factory=dict, repr=False)

    # Requirements ------------------------------------------------------

    def requirements_file(self, path: Path) -> RequirementsFile:
        """The parsed file, parsed once; its includes are parsed too (cycles and missing files are
        recorded on the include, see `broken_includes`)."""
        path = path.resolve()
        rf = self.requirements.get(path)
        if rf is None:
            rf = parse_requirements(path)
            self.requirements[path] = rf
            for inc in rf.includes:
                if inc.path is not None and inc.path.is_file():
                    self.requirements_file(inc.path)
        return rf

    def broken_includes(self, rf: RequirementsFile) -> list[tuple[Include, str]]:
        out = []
        for inc in rf.includes:
            if inc.path is None:
                continue
            if not inc.path.is_file():
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
                if inc.path is None or inc.path in seen or not inc.path.is_file():
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
        target = rf.path.resolve()
        for root in list(self.requirements.values()):
            closure = [root, *self.included_files(root)]
            if not any(f.path.resolve() == target for f in closure):
                continue
            for f in closure:
                for inc in f.includes:
                    if inc.kind == "constraint" and inc.path is not None and inc.path.is_file():
                        cf = self.requirements_file(inc.path)
                        for c in [cf, *self.included_files(cf)]:
                            for r in c.requirements:
                                if r.pinned:
                                    pins.setdefault(r.name, r)
        return pins

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
        if specific.is_file():
            return specific
        general = self.context_choice(df).root / ".dockerignore"
        return general if general.is_file() else None

    def context_for(self, df: Dockerfile):
        """The build context Docker would send for this Dockerfile, walked once per (root, ignore file)."""
        from mllint_docker.context import scan_context

        root = self.context_choice(df).root
        if not root.is_dir():
            return None
        key = (root, _ignore_key(root, df.path))
        ctx = self._scans.get(key)
        if ctx is None:
            ctx = scan_context(root, df.path)
            self._scans[key] = ctx
        return ctx

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
    if specific.is_file():
        return specific
    return None


# Discovery -----------------------------------------------------------------


def _is_file(entry: os.DirEntry) -> bool:
    """A regular file, or a symlink to one; a symlink loop or a dangling link is neither."""
    try:
        return entry.is_file()
    except OSError:
        return False


def _is_venv(path: str) -> bool:
    return os.path.exists(os.path.join(path, "pyvenv.cfg")) or os.path.isdir(os.path.join(path, "conda-meta"))


def _git_root(start: Path) -> Path | None:
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


def discover(paths: list[Path], config: Config) -> tuple[dict[str, list[Path]], list[tuple[Path, str]]]:
    """Finds the files to lint under `paths`; named files are taken whatever their name, unless excluded."""
    found: dict[str, list[Path]] = {"dockerfile": [], "requirements": [], "compose": [], "dockerignore": []}
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
    git_root = _git_root(Path.cwd().resolve()) or next((r for p in paths if (r := _git_root(p.resolve()))), None)
    ignored = _git_ignored(git_root, candidates) if git_root else set()
    for kind, files in walked.items():
        found[kind].extend(f for f in files if f.resolve() not in ignored)
    for kind in found:
        uniq = {f.resolve(): f for f in found[kind]}
        found[kind] = sorted(uniq.values(), key=lambda f: str(f))
    return found, errors


def parse_compose(path: Path) -> ComposeFile:
    cf = ComposeFile(path)
    text, reason = read_text(path, 4 * 1024 * 1024)
    if text is None:
        cf.error = (None, reason or "unreadable")
        return cf
    import yaml  # only when a compose file exists

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        cf.error = (mark.line + 1 if mark else None, f"invalid YAML: {getattr(err, 'problem', err)}")
        return cf
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        return cf
    lines = _service_lines(node)
    for name, svc in services.items():
        if not isinstance(svc, dict) or "build" not in svc:
            continue
        build = svc["build"]
        if isinstance(build, str):
            context, dockerfile = build, "Dockerfile"
        elif isinstance(build, dict):
            if "dockerfile_inline" in build:
                continue
            context, dockerfile = str(build.get("context", ".")), str(build.get("dockerfile", "Dockerfile"))
        else:
            continue
        if re.match(r"^[a-z]+://|^git@", context):
            continue  # a remote context: nothing local to read
        ctx = (path.parent / context).resolve()
        cf.builds.append((str(name), (ctx / dockerfile).resolve(), ctx, lines.get(str(name))))
    return cf


def _service_lines(node) -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        for k, v in node.value:
            if k.value == "services":
                for sk, _ in v.value:
                    out[str(sk.value)] = sk.start_mark.line + 1
    except (AttributeError, TypeError, ValueError):
        pass
    return out


def load_project(paths: list[Path], config: Config) -> Project:
    """Discovers and parses every file once."""
    found, errors = discover(paths, config)
    root = _git_root(Path.cwd().resolve()) or Path.cwd().resolve()
    project = Project(root=root, config=config, errors=errors)
    for c in found["compose"]:
        cf = parse_compose(c)
        project.compose_files.append(cf)
        for service, dockerfile, ctx, _line in cf.builds:
            project.contexts.setdefault(dockerfile, ContextChoice(ctx, f"compose file {c.name} (service {service})"))
    dockerfile_paths = {p.resolve(): p for p in found["dockerfile"]}
    for di in found["dockerignore"]:
        # A changed .dockerignore lints the Dockerfiles whose context it filters.
        if di.name == ".dockerignore":
            for f in sorted(di.parent.iterdir()):
                if is_dockerfile_name(f.name) and f.is_file():
                    dockerfile_paths.setdefault(f.resolve(), f)
        else:
            f = di.with_name(di.name[: -len(".dockerignore")])
            if f.is_file():
                dockerfile_paths.setdefault(f.resolve(), f)
    named = {p.resolve() for p in paths if p.is_file()}
    explicit_reqs = [p for p in found["requirements"] if p.resolve() in named]  # named and not excluded
    for req in explicit_reqs:
        # A changed requirements file (pre-commit passes only changed files) re-lints the Dockerfiles
        # beside it, which are the ones that COPY and install it in the usual layout.
        for f in sorted(req.parent.iterdir()):
            if is_dockerfile_name(f.name) and f.is_file():
                dockerfile_paths.setdefault(f.resolve(), f)
    for cf in project.compose_files:
        for _service, dockerfile, _ctx, _line in cf.builds:
            if dockerfile.is_file():
                dockerfile_paths.setdefault(dockerfile, dockerfile)
    for resolved, shown in sorted(dockerfile_paths.items(), key=lambda kv: str(kv[1])):
        df = parse_dockerfile(shown, build_args=config.build_args)
        project.dockerfiles.append(df)
        if resolved not in project.contexts:
            project.contexts[resolved] = _choose_context(df, config, root)
        choice = project.contexts[resolved]
        project.notes.append(f"{_rel(shown)}: build context {_rel(choice.root)} ({choice.reason})")
    for r in found["requirements"]:
        project.requirements_file(r)
    return project


def _rel(p: Path) -> str:
    from mllint_docker.finding import display_path

    return display_path(p)


def _choose_context(df: Dockerfile, config: Config, repo_root: Path) -> ContextChoice:
    here = df.path.parent.resolve()
    for key, ctx in config.contexts.items():
        base = config.path.parent if config.path else Path.cwd()
        if (base / key).resolve() == df.path.resolve():
            return ContextChoice((base / ctx).resolve(), "config `contexts`")
    sources = [s for spec in df.copies if spec.from_context for s in spec.sources if s.strip("/.") and "$" not in s]
    if sources and repo_root != here and repo_root in here.parents:
        if not any(_exists(here, s) for s in sources) and all(_exists(repo_root, s) for s in sources):
            return ContextChoice(repo_root, "repository root: its COPY sources exist only there")
    return ContextChoice(here, "the Dockerfile's directory")


def _exists(root: Path, source: str) -> bool:
    rel = source.lstrip("/")
    if any(c in rel for c in "*?["):
        return bool(glob.glob(str(root / rel)))
    return (root / rel).exists()


def stage_of(df: Dockerfile, inst: Instruction) -> Stage | None:
    return df.stages[inst.stage] if 0 <= inst.stage < len(df.stages) else None
