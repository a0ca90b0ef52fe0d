import posixpath
import re

from mllint_docker.finding import Edit
from mllint_docker.model.discovery import is_dockerfile_name
from mllint_docker.model.installs import installs, installs_of, is_manifest, manifests_for
from mllint_docker.rules import Issue, rule
from mllint_docker.rules._edits import delete_lines, fix

WHOLE_CONTEXT = (".", "./", "/", "*", "./*")
PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


@rule("MLD102", "copy-before-deps-install", "warning", scope="dockerfile",
      summary="The source is copied before the dependency install, so every code edit re-runs the install")
def check(df, project):
    ctx = _context(project, df)
    found = installs(df)
    for spec in df.copies:
        copy = spec.instruction
        if not spec.from_context or not spec.sources:
            continue
        stage_installs = [i for i in found if i.instruction.stage == copy.stage and i.is_dependency_install]
        # Installing the installer (`pip install poetry==2.1.3`) is not installing the dependencies.
        earlier = [i for i in stage_installs if i.instruction.line < copy.line and not i.installs_tools_only]
        later = [i for i in stage_installs if i.instruction.line > copy.line and not _fine_after_source(i, earlier)]
        if not later:
            continue
        brought = _source_brought(ctx, spec)
        if brought is None:
            continue
        # Name the install that busts the cache: the first that installs dependencies, not the installer.
        install = next((i for i in later if not i.installs_tools_only), later[0])
        shown = " ".join(w.value for w in install.words[:6]) + (" …" if len(install.words) > 6 else "")
        yield Issue(copy.line, f"`{copy.keyword} {' '.join(copy.args)}` brings {brought} in before the dependency "
                               f"install on line {install.line} (`{shown}`): every source edit re-runs it",
                    fix=_fix(df, project, ctx, install, copy), edit=_move_install(df, project, ctx, install, copy))


# What may stand between the COPY and the install for the install to move above the COPY unchanged.
_MOVABLE_PAST = frozenset({"COPY", "ADD", "LABEL", "EXPOSE"})


def _move_install(df, project, ctx, install, copy):
    """Unsafe: copies the manifests the install reads, moves the install's RUN (with the comments
    above it) up before the COPY, and keeps the COPY after it:
    `COPY . .` / `RUN pip install -r requirements.txt` ->
    `COPY requirements.txt ./` / `RUN pip install -r requirements.txt` / `COPY . .`."""
    run = install.instruction
    if ctx is None or run.heredocs:
        return None
    in_run = installs_of(df, run)
    if any(i.installs_project for i in in_run):
        return None
    stage = df.stages[run.stage]
    between = [i for i in stage.instructions if copy.line < i.line < run.line]
    if any(i.keyword not in _MOVABLE_PAST for i in between):
        return None  # an ENV, WORKDIR, USER or RUN the install may depend on
    if len(in_run) != len([c for c in run.commands if not c.nested]):
        return None  # the RUN does more than install: it may need the source
    copies = []
    wanted = [m for i in in_run if i.from_manifest for m in manifests_for(i)]
    for image_path in dict.fromkeys(wanted):
        found = project.copied_context_file(df, run, image_path)
        if found is None:
            return None  # the manifest does not come from the context by a COPY we can follow
        copies.append((posixpath.relpath(str(found), str(ctx.root)), image_path))
    if not copies:
        manifest_lines = []  # `pip install kserve`: it reads nothing the COPY brings
    elif all(src == dest and "/" not in src for src, dest in copies):
        manifest_lines = [f"COPY {' '.join(src for src, _ in copies)} ./"]
    else:
        manifest_lines = [f"COPY {src} {dest}" for src, dest in copies]
    start = run.comments_above[0][0] if run.comments_above else run.line
    block = [df.line_text(n) for n in range(start, run.end_line + 1)]
    at = copy.comments_above[0][0] if copy.comments_above else copy.line
    return fix("unsafe", "Install before copying the source" + (" (with its manifests)" if copies else ""),
               Edit(df.path, (at, 1), (at, 1), "".join(x + "\n" for x in manifest_lines + block)),
               delete_lines(df, start, run.end_line))


def _fine_after_source(install, earlier) -> bool:
    """Installing the project itself after its source arrives is right once its dependencies were
    installed earlier from the manifests (or it is told to skip them)."""
    if not install.installs_project or install.requirement_files or any(p.name for p in install.packages):
        return False
    return bool(earlier) or install.has("no-deps", "only-root")


def _fix(df, project, ctx, install, copy) -> str:
    keyword = copy.keyword
    if not install.from_manifest or (ctx is not None and install.local_paths and not install.requirement_files
                                     and not any(_in_context(df, project, install, w.value) for w in install.local_paths)):
        return f"move this install above the `{keyword}`: it does not use the copied files"
    first = f"{_copy_manifests(manifests_for(install))}, run the install, then copy the rest"
    if install.installs_project:
        return (f"copy the dependency manifests first ({first}): install the dependencies alone before the source "
                "(`pip install -r requirements.txt`, `poetry install --no-root`, `uv sync --no-install-project`) and "
                "the project itself after it with `--no-deps`")
    return f"copy the dependency manifests first: {first}"


def _copy_manifests(manifests: list[str]) -> str:
    """`COPY a b ./` for files beside the WORKDIR; each file to its own path otherwise."""
    if all("/" not in m for m in manifests):
        return f"`COPY {' '.join(manifests)} ./`"
    return ", ".join(f"`COPY {posixpath.basename(m) if m.startswith('/') else m} {m}`" for m in manifests)


def _in_context(df, project, install, path: str) -> bool:
    """A local project the install names came from the build context (it has packaging metadata
    that a COPY brought), rather than from `git clone` or an earlier stage."""
    path = re.sub(r"\[[^\]]*\]$", "", path)  # `.[serve]`: the project with extras
    for name in PROJECT_FILES:
        try:
            if project.copied_context_file(df, install.instruction, posixpath.join(path, name)) is not None:
                return True
        except ImportError:
            return True
    return False


def _source_brought(ctx, spec) -> str | None:
    """What the COPY brings beyond dependency manifests, in words; None when it brings only
    manifests or single files."""
    for src in spec.sources:
        whole = src.strip() in WHOLE_CONTEXT
        if ctx is None:
            if whole:
                return "the whole build context"
            if src.endswith("/") and not is_manifest(src):
                return f"the directory `{src}`"
            continue
        try:
            entries = ctx.resolve_source(src)
        except (OSError, ValueError):
            continue
        clean = posixpath.normpath(src.strip().lstrip("/")) if src.strip("/. ") else "."
        if len(entries) == 1 and entries[0].path == clean:
            continue  # one named file, such as a config or an entrypoint script
        # The Dockerfile and ignore files are not source: editing them re-runs the build anyway.
        source = [e.path for e in entries if not is_manifest(e.path) and not _build_file(e.path)]
        if source:
            return "the whole build context" if whole else f"`{src}` ({len(source)} files besides manifests)"
    return None


def _build_file(path: str) -> bool:
    name = path.rpartition("/")[2]
    return is_dockerfile_name(name) or name.endswith(".dockerignore")


def _context(project, df):
    try:
        return project.context_for(df)
    except ImportError:
        return None  # no context model: judge by the COPY sources as written
