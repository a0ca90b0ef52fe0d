from mllint_docker.model.installs import CONDA_PROGRAMS, INSTALLER_PACKAGES, constraint_pins, installs, requirement_files
from mllint_docker.rules import Issue, rule

INSTALL_ACTIONS = ("install", "download", "wheel", "add", "create", "update")


@rule("MLD202", "pip-install-unpinned", "warning", scope="dockerfile", hadolint=("DL3013",),
      summary="A package named on a pip/uv/conda/poetry install command in RUN has no exact version")
def check(df, project):
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
                                "matches when the image is built", column=p.word.column, fix=_fix(install, p))


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
