import posixpath
from collections import defaultdict

from mllint_docker.model.artefacts import BLOAT_DIRS, BLOAT_PATHS, RUN_DIRS
from mllint_docker.units import format_size
from mllint_docker.finding import display_path
from mllint_docker.rules import Issue, rule
from mllint_docker.rules._dockerignore import dockerignore_fix


def _bloat_kind(path: str, packages: frozenset[str]) -> tuple[str, str] | None:
    """(directory, what it is) when a context path lies inside a directory that should not be sent."""
    parts = path.split("/")
    for i, part in enumerate(parts[:-1]):
        if part in BLOAT_DIRS:
            directory = "/".join(parts[: i + 1])
            if part in RUN_DIRS and directory in packages:
                return None  # source code named after the tool, not its runs
            return directory, BLOAT_DIRS[part]
        for prefix, what in BLOAT_PATHS.items():
            if "/".join(parts[i:]).startswith(prefix + "/"):
                return "/".join(parts[:i] + [prefix]), what
    if parts[-1] == "pyvenv.cfg":
        return posixpath.dirname(path) or ".", "virtualenv"
    return None


@rule("MLD302", "context-bloat", "info", scope="dockerfile",
      summary="The build context is larger than `context-size`, or sends .git, virtualenvs, caches or run logs")
def check(df, project):
    if not any(spec.from_context and spec.sources for spec in df.copies):
        return
    ctx = project.context_for(df)
    if ctx is None:
        return
    groups: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    packages = frozenset(e.path.rpartition("/")[0] for e in ctx.entries
                         if e.path.endswith("/__init__.py") and e.path.rpartition("/")[0].rpartition("/")[2] in RUN_DIRS)
    for e in ctx.entries:
        kind = _bloat_kind(e.path, packages)
        if kind:
            groups[kind][0] += e.size
            groups[kind][1] += 1
    where = display_path(ctx.root)
    for (directory, what), (size, count) in sorted(groups.items(), key=lambda kv: -kv[1][0]):
        # `**/wandb` would also drop a source package of that name: then name the directory itself.
        same_name = any(p.rpartition("/")[2] == directory.rpartition("/")[2] for p in packages)
        pattern = directory if "/" in directory or same_name else "**/" + directory
        yield Issue(None, f"the build context `{where}` sends {directory}/ ({what}: {count} file{'s' if count != 1 else ''}, "
                          f"{format_size(size)}) that nothing excludes",
                    fix=f"add `{pattern}` to the context's .dockerignore",
                    edit=dockerignore_fix(df, project))
    if ctx.total_size > project.config.context_size:
        yield Issue(None, f"the build context `{where}` is {format_size(ctx.total_size)} "
                          f"(over {format_size(project.config.context_size)}): every build sends and hashes it",
                    fix="run `mllint context` to see what is sent, largest first, and exclude what no COPY needs")
