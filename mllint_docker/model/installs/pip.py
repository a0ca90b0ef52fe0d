"""pip and uv: their options, and the packages, requirements and constraints files they install."""

from __future__ import annotations

import re
from functools import lru_cache

from mllint_docker.model.installs.core import (
    PACKAGE_NAME,
    VCS_URL,
    Install,
    Package,
    egg_name,
    is_local,
    is_manifest_name,
    is_pylock_name,
    option_table,
    options_dict,
    pin_problem,
    placeholder,
    scan_options,
)
from mllint_docker.model.requirements import Requirement, canonical_name
from mllint_docker.model.shell import Command, Word

PIP_OPTIONS = option_table(
    "requirement constraint editable index-url extra-index-url find-links trusted-host target prefix root src "
    "platform python-version implementation abi no-binary only-binary progress-bar proxy retries timeout "
    "exists-action cert client-cert cache-dir log log-file upgrade-strategy root-user-action config-settings "
    "global-option install-option build-option report python keyring-provider use-feature use-deprecated build "
    "wheel-dir dest group resume-retries",
    "no-cache-dir upgrade user no-deps pre force-reinstall ignore-installed quiet verbose no-index no-build-isolation "
    "no-warn-script-location disable-pip-version-check break-system-packages require-hashes no-compile compile "
    "dry-run isolated no-input no-color require-virtualenv no-python-version-warning prefer-binary no-clean "
    "ignore-requires-python use-pep517 no-use-pep517 check-build-dependencies no-warn-conflicts help version yes "
    "only-deps",
    "r=requirement c=constraint e=editable i=index-url f=find-links t=target b=build w=wheel-dir d=dest "
    "C=config-settings U=upgrade I=ignore-installed q=quiet v=verbose h=help V=version y=yes",
    prefixes=True,
)


UV_OPTIONS = option_table(
    "requirements constraints overrides editable index-url extra-index-url index default-index find-links "
    "index-strategy keyring-provider python target prefix upgrade-package reinstall-package no-binary only-binary "
    "python-version python-platform cache-dir config-setting resolution prerelease exclude-newer link-mode "
    "no-build-isolation-package allow-insecure-host build-constraints extra group only-group no-group torch-backend "
    "directory project config-file color rev tag branch optional package script marker bounds refresh-package "
    "no-install-package python-preference output-file with with-requirements env-file",
    "no-cache system upgrade no-deps quiet verbose offline native-tls frozen locked no-dev dev all-extras "
    "no-install-project no-install-workspace only-dev inexact exact break-system-packages require-hashes "
    "reinstall no-build-isolation strict compile-bytecode no-sources raw-sources no-sync active no-progress "
    "all-groups no-editable only-deps isolated no-project refresh help version user",
    "r=requirements c=constraints e=editable i=index-url f=find-links p=python P=upgrade-package C=config-setting "
    "b=build-constraints m=marker o=output-file n=no-cache U=upgrade q=quiet v=verbose h=help V=version",
    "requirement=requirements constraint=constraints override=overrides build-constraint=build-constraints "
    "trusted-host=allow-insecure-host no-cache-dir=no-cache",
)


def parse_pip(inst, cmd, words, args, program, env) -> Install | None:
    opts, positionals = scan_options(args, PIP_OPTIONS)
    if not positionals or positionals[0].value not in ("install", "download", "wheel"):
        return None
    install = Install(inst, cmd, words, "pip", program, positionals[0].value, options=options_dict(opts), env=env)
    _fill_pip_like(install, opts, positionals[1:], "requirement", "constraint")
    return install


def parse_uv(inst, cmd, words, args, program, env) -> Install | None:
    opts, positionals = scan_options(args, UV_OPTIONS)
    if not positionals:
        return None
    sub = positionals[0].value
    if sub == "pip" and len(positionals) > 1 and positionals[1].value in ("install", "sync"):
        action, rest, program = positionals[1].value, positionals[2:], f"{program} pip"
    elif sub in ("add", "sync"):
        action, rest = sub, positionals[1:]
    else:
        return None
    install = Install(inst, cmd, words, "uv", program, action, options=options_dict(opts), env=env)
    if program.endswith("pip") and action == "sync":
        install.requirement_files.extend(w for w in rest if not is_manifest_name(w.value))
        install.lock_files.extend(w for w in rest if is_pylock_name(w.value))
        return install
    _fill_pip_like(install, opts, rest, "requirements", "constraints")
    return install


def _fill_pip_like(install: Install, opts, positionals: list[Word], req_key: str, con_key: str) -> None:
    for key, value in opts:
        if value is None:
            continue
        if key == req_key:
            if is_pylock_name(value.value):
                install.lock_files.append(value)
            elif not is_manifest_name(value.value):
                install.requirement_files.append(value)
        elif key == con_key:
            install.constraint_files.append(value)
        elif key == "editable":
            install.editables.append(value)
            # `-e` takes a project directory or a VCS URL, never an index name: `-e gguf-py` is a path.
            if is_local(value.value) or not (VCS_URL.match(value.value) or "://" in value.value):
                install.local_paths.append(value)
            else:
                install.packages.append(pip_package(value, editable=True))
    for w in positionals:
        if is_local(w.value):
            install.local_paths.append(w)
        else:
            install.packages.append(pip_package(w))


@lru_cache(maxsize=4096)
def _pep508(value: str) -> tuple[str, str, str | None, str | None] | None:
    """(name, specifier, url, marker) of a PEP 508 requirement, by `packaging`; None when invalid.
    Cached: a monorepo's Dockerfiles name the same requirements again and again."""
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Pep508

    try:
        parsed = Pep508(value)
    except InvalidRequirement:
        return None
    return parsed.name, str(parsed.specifier), parsed.url, str(parsed.marker) if parsed.marker else None


def pip_package(w: Word, editable: bool = False) -> Package:
    value = w.value.strip()
    if w.unresolved:
        m = PACKAGE_NAME.match(value)
        if not m or value.startswith("$"):
            return Package(w, "unknown", "", None, editable=editable)
        rest = value[m.end() :].strip()
        name = canonical_name(m.group(1))
        if "$" in m.group(1) or (rest and rest[0] not in "=<>!~;@"):
            return Package(w, "unknown", "", None, editable=editable)
        if re.match(r"^===?\s*\$", rest):
            return Package(w, "requirement", name, True, editable=editable)  # `torch==${TORCH_VERSION}`
        value = placeholder(value)
    if VCS_URL.match(value) or "://" in value:
        url = value.split(" @ ", 1)[-1].strip() if " @ " in value else value
        name = egg_name(url) or (canonical_name(value.split("@", 1)[0].strip()) if " @ " in value else "")
        req = Requirement(name, "", w.line, value, url=url, editable=editable)
        problem = pin_problem(req)
        return Package(w, "url", name, problem is None, problem, req, editable)
    parsed = _pep508(value)
    if parsed is None:
        return Package(w, "unknown", "", None, editable=editable)
    written_name, specifier, url, marker = parsed
    name = canonical_name(written_name)
    if url:
        req = Requirement(name, "", w.line, value, url=url, editable=editable)
    else:
        req = Requirement(name, specifier, w.line, value, editable=editable, marker=marker)
    problem = pin_problem(req)
    return Package(w, "url" if url else "requirement", name, problem is None, problem, req, editable)


def unquoted_operator(cmd: Command, p: Package) -> Package:
    """`pip install numpy>=1.2` unquoted: the shell sends stdout to a file `=1.2` and pip installs
    plain `numpy`, newest release."""
    end = p.word.column + len(p.word.raw)
    for op, target in cmd.redirects:
        if op in (">", ">>") and target.line == p.word.line and target.column - len(op) == end:
            written = f"{p.spec}{op}{target.value}"
            return Package(p.word, p.kind, p.name, False,
                           f"is not quoted: the shell reads `{op}{target.value}` as a redirection to a file, so "
                           f"the installer gets plain `{p.spec}`",
                           p.requirement, p.editable, written)
    return p
