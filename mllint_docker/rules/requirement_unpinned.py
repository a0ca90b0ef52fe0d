from mllint_docker.finding import Edit, Fix
from mllint_docker.model.installs import command_constraints, installs, pin_problem, requirement_files, used_as_constraints
from mllint_docker.model.locks import locks_for
from mllint_docker.model.requirements import written_name
from mllint_docker.rules import Issue, also, rule


@rule("MLD201", "requirement-unpinned", "warning", scope="requirements",
      summary="A requirements line does not pin one release (`==`/`===`, or a commit/hash for URLs)")
def check(rf, project, installed: dict[str, str] | None = None):
    if rf.path.name.lower().startswith("constraint") or used_as_constraints(project, rf):
        return  # a constraints file only narrows what another file installs
    pins = {**project.constraints_for(rf), **command_constraints(project, rf)}
    for req in rf.requirements:
        problem = pin_problem(req)
        if problem is None or (req.name and req.name in pins):
            continue
        yield Issue(req.line, f"`{written_name(req)}` {problem}: each build may install a different release", fix=_fix(req),
                    edit=_pin(rf, req, project, installed), file=rf.path if installed is not None else None)


@also("MLD201", "image")
def check_image(target, project):
    """With --build / `mllint image`: the requirements files the Dockerfile installs, pinned to what
    the image really installed."""
    df = target.dockerfile
    if df is None or df.error is not None:
        return
    seen = set()
    for install in installs(df):
        for _word, rf in requirement_files(df, project, install):
            if rf is not None and rf.path.resolve() not in seen:
                seen.add(rf.path.resolve())
                yield from check(rf, project, target.distributions)


def _pin(rf, req, project, installed: dict[str, str] | None = None):
    """Unsafe: `numpy>=1.20` -> `numpy==1.26.4`, the version the built image has (with --build /
    `mllint image`) or a lock file of the project holds (uv.lock, poetry.lock, pylock.toml,
    pip-compile output); nothing when neither knows one."""
    if req.url is not None or not req.name or req.editable:
        return None
    if installed and req.name in installed:
        version, source = installed[req.name], "the built image"
    else:
        locked = locks_for(project, rf.path.parent)
        version, source = locked.version(req.name), (locked.sources[0].name if locked.sources else "")
    columns = rf.specifier_columns(req)
    if version is None or columns is None:
        return None  # no version known, or a line written in a form the edit would not fit
    start, end = columns
    return Fix("unsafe", f"Pin `{req.name}=={version}` from {source}",
               (Edit(rf.path, (req.line, start), (req.line, end), f"=={version}"),))


def _fix(req) -> str:
    if req.url is not None and "+" in req.url.split("://", 1)[0]:
        return "pin the full commit: `@<40-character sha>`"
    if req.url is not None:
        return "point at a release file or add its hash: `#sha256=<digest>`"
    name = req.name or "<name>"
    return (f"pin one version, e.g. `{name}==<version>`, or lock the file with `pip-compile` / `uv pip compile` "
            "and keep ranges in a `.in` file")
