from mllint_docker.finding import display_path
from mllint_docker.model.installs import CONDA_PROGRAMS, INSTALLER_PACKAGES, earlier_pins, manifest_installs
from mllint_docker.model.manifests import CONDA_ENV, CONDA_SPECS, PYPROJECT
from mllint_docker.model.manifests.conda import conda_lock_for
from mllint_docker.model.manifests.pyproject import requirements_for
from mllint_docker.rules import Issue, rule

EXEMPT = INSTALLER_PACKAGES | CONDA_PROGRAMS  # the installer itself: `- pip`, `- conda`


@rule("MLD205", "manifest-unpinned", "warning", scope="manifest",
      summary="A conda environment file, or a pyproject the image installs with `pip install .`, allows more than one release")
def check(m, project):
    uses = manifest_installs(project).get(m.path.resolve(), [])
    if m.format in (CONDA_ENV, CONDA_SPECS):
        if not uses and (conda_lock_for(project, m.path) is not None
                         or any(df.error is None for df in project.dockerfiles)):
            return  # the lock is what gets installed, or the images install something else
        for e in m.entries:
            if e.pinned is False and e.name not in EXEMPT:
                where = "the `pip:` section of " if e.section == "pip" else ""
                yield Issue(e.line, f"`{e.text}` in {where}{_kind(m)} {e.problem}: each build solves it again and "
                                    "may install a different release", column=e.column, fix=_conda_fix(e))
    elif m.format == PYPROJECT:
        seen = set()
        for df, use in uses:
            install = use.install
            if use.role != "project" or install.tool not in ("pip", "uv") or install.action != "install" \
                    or install.has("no-deps"):
                continue
            pins = earlier_pins(df, project, install)
            for e in requirements_for(m, set(use.extras)):
                if e.pinned is not False or e.local or e.name in pins or (e.line, e.column) in seen:
                    continue
                seen.add((e.line, e.column))
                shown = " ".join(w.value for w in install.words[:4])
                yield Issue(e.line, f"`{e.text}` {e.problem}, and `{shown}` ({display_path(df.path)}:{install.line}) "
                                    "installs it with no lock or constraints: each build may resolve a different release",
                            column=e.column,
                            fix="install from a lock (`uv export`/`pip-compile` to a pinned requirements file, "
                                "then `pip install -r requirements.lock` and `pip install --no-deps .`) or add `-c constraints.txt`")


def _kind(m) -> str:
    return "this conda environment" if m.format == CONDA_ENV else "this conda spec list"


def _conda_fix(e) -> str:
    if e.source and "://" in e.source:
        return "pin the full commit (`@<40-character sha>`) or point at a release file with its `#sha256=` hash"
    if e.kind == "conda":
        return (f"pin it (`{e.name}=<version>`), or lock the environment with conda-lock and install the lock "
                "(`conda-lock install`, `micromamba create -f conda-lock.yml`)")
    return f"pin it: `{e.name}==<version>`"

