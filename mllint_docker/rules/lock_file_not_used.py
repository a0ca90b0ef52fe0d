import posixpath

from mllint_docker.model.installs import installs, manifest_uses
from mllint_docker.model.manifests.conda import conda_lock_for
from mllint_docker.rules import Issue, rule

_TRUTHY = ("1", "true", "yes", "on", "y", "t")


@rule("MLD206", "lock-file-not-used", "warning", scope="dockerfile",
      summary="poetry/uv/pdm/pipenv/conda install without their lock file, or in a mode that may re-resolve it")
def check(df, project):
    for install in installs(df):
        uses = manifest_uses(df, project, install)
        lock = next((u for u in uses if u.role == "lock"), None)
        program = f"{install.program} {install.action}"
        if lock is not None:
            name = posixpath.basename(lock.image_path)
            if lock.path is None:
                if lock.on_disk is not None:
                    yield Issue(install.line, f"`{program}` runs without {name} in the image (no COPY brings it before "
                                              "this RUN): it resolves the dependencies again at build time",
                                column=install.command.column, fix=f"COPY {name} beside the manifest before the install")
                elif any(u.role == "project" and u.path is not None for u in uses) \
                        and not _copies_a(df, name, install.instruction.stage):
                    # Only where the project's manifest is in the image: without it the context is not the
                    # one the file is built with. A COPY that names the lock shows the lock is used.
                    yield Issue(install.line, f"`{program}` has no {name} to install from (none in the build context): "
                                              "each build resolves the dependencies anew",
                                column=install.command.column, fix=_make_lock(install.tool))
                continue
            problem = _mode_problem(install)
            if problem:
                yield Issue(install.line, problem, column=install.command.column, fix=_mode_fix(install))
        elif install.tool == "conda":
            for use in uses:
                if use.format != "conda-env" or use.path is None:
                    continue
                ctx = project.context_choice(df).root
                lock = conda_lock_for(project, use.path, (ctx,))
                found = (posixpath.relpath(str(lock), str(ctx)) if ctx in lock.parents else lock.name) if lock else None
                if found:
                    yield Issue(use.line, f"`{program} -f {use.image_path}` solves the environment file again, "
                                          f"although the build context has the lock `{found}`",
                                column=use.word.column if use.word else None,
                                fix=f"COPY {found} and install it: `conda-lock install -n <env> {found}`, "
                                    f"`micromamba create -n <env> -f {found}`, or for an explicit list "
                                    f"`conda create -n <env> --file {found}`")


def _mode_problem(install) -> str | None:
    env = install.env
    if install.tool == "uv" and install.action == "sync" and not install.program.endswith(" pip"):
        if install.has("locked", "frozen") or env.get("UV_LOCKED", "").lower() in _TRUTHY \
                or env.get("UV_FROZEN", "").lower() in _TRUTHY:
            return None
        return ("`uv sync` without `--locked` or `--frozen` updates uv.lock when it no longer matches pyproject.toml "
                "and installs the new resolution: the lock stops being the source of truth")
    if install.tool == "pipenv" and install.action == "install":
        if install.has("deploy", "ignore-pipfile") or env.get("PIPENV_DEPLOY", "").lower() in _TRUTHY:
            return None
        return ("`pipenv install` without `--deploy` re-locks when Pipfile.lock is out of date and installs "
                "whatever the new lock says")
    if install.tool == "pdm" and install.action == "install":
        if install.has("frozen-lockfile", "frozen", "check", "no-lock") or env.get("PDM_FROZEN_LOCKFILE", "").lower() in _TRUTHY:
            return None
        return "`pdm install` without `--frozen-lockfile` or `--check` re-locks when pdm.lock is out of date"
    return None


def _mode_fix(install) -> str:
    return {"uv": "`uv sync --locked` (fail when the lock is stale) or `--frozen` (install the lock as it is)",
            "pipenv": "`pipenv install --deploy` (or `pipenv sync`)",
            "pdm": "`pdm install --frozen-lockfile` (or `pdm sync`)"}.get(install.tool, "install from the lock")


def _make_lock(tool: str) -> str:
    return {"poetry": "run `poetry lock`, commit poetry.lock and COPY it with pyproject.toml",
            "uv": "run `uv lock`, commit uv.lock and COPY it with pyproject.toml; then `uv sync --locked`",
            "pdm": "run `pdm lock`, commit pdm.lock and COPY it with pyproject.toml",
            "pipenv": "run `pipenv lock`, commit Pipfile.lock and COPY it with the Pipfile; then `pipenv install --deploy`",
            }.get(tool, "commit a lock file")


def _copies_a(df, name: str, stage: int) -> bool:
    """A COPY of the stage names a file called `name` (`COPY pyproject.toml uv.lock ./`)."""
    return any(spec.instruction.stage == stage and any(posixpath.basename(src.rstrip("/")) == name for src in spec.sources)
               for spec in df.copies)
