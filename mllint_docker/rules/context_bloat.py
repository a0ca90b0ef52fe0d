import posixpath
from collections import defaultdict

from mllint_docker.model.artefacts import BLOAT_DIRS, BLOAT_PATHS
from mllint_docker.units import format_size
from mllint_docker.finding import display_path
from mllint_docker.rules import Issue, rule
from mllint_docker.rules._dockerignore import dockerignore_fix


def _bloat_kind(path: str) -> tuple[str, str] | None:
    """(directory, what it is) when a context path lies inside a directory that should not be sent."""
    parts = path.split("/")
    for i, part in enumerate(parts[:-1]):
        if part in BLOAT_DIRS:
            return "/".join(parts[: i + 1]), BLOAT_DIRS[part]
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
    for e in ctx.entries:
        kind = _bloat_kind(e.path)
        if kind:
            groups[kind][0] += e.size
            groups[kind][1] += 1
    where = display_path(ctx.root)
    for (directory, what), (size, count) in sorted(groups.items(), key=lambda kv: -kv[1][0]):
        yield Issue(None, f"the build context `{where}` sends {directory}/ ({what}: {count} files, "
                          f"{format_size(size)}) that nothing excludes",
                    fix=f"add `{directory if '/' in directory else '**/' + directory}` to the context's .dockerignore",
                    edit=dockerignore_fix(df, project))
    if ctx.total_size > project.config.context_size:
        yield Issue(None, f"the build context `{where}` is {format_size(ctx.total_size)} "
                          f"(over {format_size(project.config.context_size)}): every build sends and hashes it",
                    fix="run `mllint context` to see what is sent, largest first, and exclude what no COPY needs")
