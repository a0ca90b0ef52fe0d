"""Python project managers: poetry, pipenv, pdm and pipx."""

from __future__ import annotations

from mllint_docker.model.installs.core import (
    EXACT_VERSION,
    PACKAGE_NAME,
    VCS_URL,
    Install,
    Package,
    is_local,
    option_table,
    options_dict,
    scan_options,
)
from mllint_docker.model.installs.pip import pip_package
from mllint_docker.model.requirements import canonical_name
from mllint_docker.model.shell import Word

POETRY_OPTIONS = option_table(
    "group source extras python platform markers directory project with without only",
    "no-root only-root sync no-interaction no-ansi dry-run lock editable allow-prereleases dev no-dev optional "
    "compile all-extras all-groups no-directory quiet verbose no-cache no-plugins help",
    "G=group E=extras C=directory P=project n=no-interaction q=quiet v=verbose e=editable D=dev h=help",
)


PIPENV_OPTIONS = option_table(
    "python pypi-mirror requirements index categories extra-index-url",
    "system deploy dev ignore-pipfile skip-lock site-packages verbose quiet clear keep-outdated selective-upgrade "
    "pre help",
    "r=requirements i=index v=verbose q=quiet d=dev h=help",
)


PIPX_OPTIONS = option_table(
    "suffix python pip-args index-url preinstall backend spec",
    "include-deps force verbose quiet editable system-site-packages global fetch-missing-python help",
    "f=force v=verbose q=quiet e=editable h=help",
)


PDM_OPTIONS = option_table(
    "group project global-project venv lockfile python",
    "no-self no-editable no-isolation dry-run prod dev frozen-lockfile no-lock check no-default verbose quiet help",
    "G=group p=project L=lockfile d=dev v=verbose q=quiet h=help",
)


def parse_manager(inst, cmd, words, tool, table, actions, env) -> Install | None:
    opts, positionals = scan_options(words[1:], table)
    if not positionals or positionals[0].value not in actions:
        return None
    install = Install(inst, cmd, words, tool, tool, positionals[0].value, options=options_dict(opts), env=env)
    if tool == "pipenv":
        install.requirement_files.extend(v for k, v in opts if k == "requirements" and v is not None)
    for w in positionals[1:]:
        if is_local(w.value):
            install.local_paths.append(w)
        elif tool == "poetry":
            install.packages.append(_poetry_package(w))
        else:
            install.packages.append(pip_package(w))
    return install


def _poetry_package(w: Word) -> Package:
    """poetry's `name@1.2.3` (exact), `name==1.2.3`, `name@^1.2` (caret range), `name@latest`."""
    value = w.value.strip()
    if value.startswith("$") or VCS_URL.match(value) or "://" in value:
        return pip_package(w) if not value.startswith("$") else Package(w, "unknown", "", None)
    name, at, constraint = value.partition("@")
    m = PACKAGE_NAME.match(name)
    if not m:
        return Package(w, "unknown", "", None)
    cname = canonical_name(m.group(1))
    if not at:
        return pip_package(w)
    constraint = constraint.strip()
    exact = constraint[2:] if constraint.startswith("==") else constraint
    if "$" in constraint or EXACT_VERSION.match(exact):
        return Package(w, "requirement", cname, True)
    if constraint == "latest":
        return Package(w, "requirement", cname, False, "asks for the latest release (`@latest`)")
    return Package(w, "requirement", cname, False, f"allows a range of versions (`@{constraint}`)")
