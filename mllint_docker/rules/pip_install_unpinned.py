from mllint_docker.model.installs import CONDA_PROGRAMS, INSTALLER_PACKAGES, constraint_pins, installs, requirement_files

from mllint_docker.finding import Edit
from mllint_docker.model.locks import locks_for
from mllint_docker.rules import Issue, also, rule
from mllint_docker.rules._edits import fix, word_span

INSTALL_ACTIONS = ("install", "download", "wheel", "add", "create", "update")


@rule("MLD202", "pip-install-unpinned", "warning", scope="dockerfile", hadolint=("DL3013",),
      summary="A package named on a pip/uv/conda/poetry install command in RUN has no exact version")
def check(df, project):
    yield from _issues(df, project, None)


@also("MLD202", "image")
def check_image(target, project):
    """With --build / `mllint image`: the same findings, pinned to what the image really installed."""
    if target.dockerfile is not None and target.dockerfile.error is None:
        yield from _issues(target.dockerfile, project, target.distributions)


def _issues(df, project, installed: dict[str, str] | None):
    for install in installs(df):
        # `-r FILE` is judged in the file itself: parsing it here registers it with the engine.
        requirement_files(df, project, install)
        if install.action not in INSTALL_ACTIONS:
            continue
        unpinned = [p for p in install.packages if p.pinned is False and not _exempt(install, p.name)]
        if not unpinned:
            continue
        pins = constraint_pins(df, project, install) if install.constraint_files else {}
        if pins is None:
            continue  # a constraints file we cannot read may pin them all
        for p in unpinned:
            if p.name in pins:
                continue
            yield Issue(p.line, f"`{p.shown}` {p.problem}: `{install.program} {install.action}` takes whatever "
                                "matches when the image is built", column=p.word.column, fix=_fix(install, p),
                        edit=_pin(df, project, install, p, installed))


def _pin(df, project, install, p, installed: dict[str, str] | None = None):
    """Unsafe: `pip install numpy` -> `pip install numpy==1.26.4`, the version the built image has
    (with --build / `mllint image`) or a lock file in the build context holds (uv.lock,
    poetry.lock, pylock.toml, pip-compile output); never a guess."""
    if install.tool not in ("pip", "uv") or p.kind != "requirement" or not p.name:
        return None
    if installed and p.name in installed:
        version, source = installed[p.name], "the built image"
    else:
        locked = locks_for(project, project.context_choice(df).root)
        version, source = locked.version(p.name), (locked.sources[0].name if locked.sources else "")
    span = word_span(df, p.word)
    parts = p.written_parts
    if version is None or span is None or parts is None:
        return None
    quote, name = parts
    return fix("unsafe", f"Pin `{p.name}=={version}` from {source}",
               Edit(df.path, span[0], span[1], f"{quote}{name}=={version}{quote}"))


def _exempt(install, name: str) -> bool:
    """The installer itself (`pip install --upgrade pip setuptools wheel`, `conda update conda`)."""
    return name in INSTALLER_PACKAGES or (install.tool == "conda" and name in CONDA_PROGRAMS)


def _fix(install, p) -> str:
    if p.kind == "url":
        return "pin the full commit (`@<40-character sha>`) or add the file's `#sha256=<digest>`"
    name = p.name or "<name>"
    if install.tool == "conda":
        return f"pin it: `{name}=<version>` (or install from a locked environment file)"
    if install.tool == "poetry":
        return f"pin it: `{name}@<version>`, or declare it in pyproject.toml and run `poetry install` from the lock"
    return f"pin it: `{name}==<version>`, or install from a locked requirements file (`pip install -r requirements.txt`)"
