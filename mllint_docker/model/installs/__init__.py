"""Package installs in RUN: which tool installs what, from which index, keeping which cache.

Built once per Dockerfile from the shell model (`inst.commands`, so shell form, JSON form, heredocs
and `sh -c` alike, each word with its own line). One shared core (`core.py`: the `Install` model,
option scanning, wrappers such as `sudo`, `env A=1`, `conda run -n x`, `xargs` looked through), one
module per family of installers (`pip.py` for pip and uv, `conda.py`, `managers.py` for poetry,
pipenv, pdm and pipx, `os_packages.py` for apt/apk/yum/dnf), and the judgements that read them
(`indexes.py`, `cache.py`, `files.py`). Rules ask `installs(df)` / `installs_of(df, inst)` and
`requirement_files(...)`; none re-reads a command line.
"""

from mllint_docker.model.installs.core import (
    CONDA_PROGRAMS,
    INSTALLER_PACKAGES,
    Index,
    Install,
    Package,
    PipConfig,
    Setting,
    is_manifest,
    manifests_for,
    pin_problem,
)
from mllint_docker.model.installs.conda import strict_channel_priority
from mllint_docker.model.installs.files import (
    ManifestUse,
    command_constraints,
    conda_spec_files,
    earlier_pins,
    manifest_installs,
    manifest_uses,
    register_manifests,
    require_hashes_installs,
    constraint_pins,
    register_requirement_files,
    requirement_files,
    used_as_constraints,
)
from mllint_docker.model.installs.os_packages import (
    APT_PROGRAMS,
    OS_PACKAGE_PROGRAMS,
    apk_adds,
    apt_assumes_yes,
    removes_apk_cache,
    apt_installs,
    apt_program,
    apt_updates,
    cache_mounted,
    os_packages,
    removes_apt_lists,
)
from mllint_docker.model.installs.parse import build_only, installs, installs_of, pip_config, settings

__all__ = [
    "APT_PROGRAMS", "OS_PACKAGE_PROGRAMS", "apk_adds", "apt_assumes_yes", "removes_apk_cache",
    "CONDA_PROGRAMS", "INSTALLER_PACKAGES", "Index", "Install", "Package", "PipConfig", "Setting",
    "apt_installs", "apt_program", "apt_updates", "build_only", "cache_mounted", "command_constraints", "constraint_pins",
    "installs", "installs_of", "is_manifest", "manifests_for", "os_packages", "pin_problem", "pip_config",
    "register_requirement_files", "ManifestUse", "earlier_pins", "manifest_installs", "manifest_uses",
    "register_manifests", "strict_channel_priority", "conda_spec_files", "require_hashes_installs", "removes_apt_lists", "requirement_files", "settings", "used_as_constraints",
]
