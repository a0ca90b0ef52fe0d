"""conda, mamba and micromamba: `install|create|update`, `env create|update` and conda match specs."""

from __future__ import annotations

import re

from mllint_docker.model.installs.core import (
    EXACT_VERSION,
    Install,
    OptionTable,
    Package,
    option_table,
    options_dict,
    scan_options,
)
from mllint_docker.model.requirements import canonical_name
from mllint_docker.model.shell import Word

CONDA_OPTIONS = option_table(
    "channel name prefix file solver repodata-fn subdir platform revision clone root-prefix rc-file "
    "experimental-solver log-level",
    "yes quiet all offline dry-run force-reinstall freeze-installed update-deps no-deps only-deps no-pin copy "
    "insecure use-local override-channels strict-channel-priority no-channel-priority json verbose update-all "
    "index-cache packages tarballs force-pkgs-dirs logfiles tempfiles help no-rc download-only",
    "c=channel n=name p=prefix y=yes q=quiet d=dry-run k=insecure v=verbose a=all i=index-cache t=tarballs "
    "l=logfiles h=help",
)


def parse_conda(inst, cmd, words, program, env) -> Install | None:
    table = CONDA_OPTIONS
    opts, positionals = scan_options(words[1:], table)
    if not positionals:
        return None
    sub = positionals[0].value
    if sub == "env" and len(positionals) > 1 and positionals[1].value in ("create", "update"):
        action, rest = f"env-{positionals[1].value}", []
    elif sub in ("install", "create", "update", "upgrade"):
        action, rest = ("update" if sub == "upgrade" else sub), positionals[1:]
    else:
        return None
    # `-f` is `--file` for micromamba and `conda env`, `--force` for conda/mamba install.
    if program == "micromamba" or action.startswith("env-"):
        opts, positionals = scan_options(words[1:], _with_short(table, "f", "file"))
        rest = positionals[1:] if not action.startswith("env-") else []
    install = Install(inst, cmd, words, "conda", program, action, options=options_dict(opts), env=env)
    install.environment_files.extend(v for k, v in opts if k == "file" and v is not None)
    for w in rest:
        install.packages.append(_conda_package(w))
    return install


def _with_short(table: OptionTable, letter: str, name: str) -> OptionTable:
    return OptionTable(table.values, table.flags, {**table.shorts, letter: name}, table.aliases, table.prefixes)


_CONDA_SPEC = re.compile(r"^(?:[\w.\-/:]+::)?([A-Za-z0-9_][A-Za-z0-9._-]*)\s*(.*)$")


def _conda_package(w: Word) -> Package:
    """conda's match specs: `numpy`, `numpy=1.26`, `numpy==1.26.4`, `numpy=1.26.4=py311h...`,
    `"numpy 1.26.4"`, `numpy>=1.2`, `conda-forge::numpy=1.26`."""
    value = w.value.strip()
    m = _CONDA_SPEC.match(value)
    if not m or value.startswith("$") or "$" in m.group(1):
        return Package(w, "unknown", "", None)
    name = canonical_name(m.group(1))
    spec = m.group(2).strip()
    bracket = re.match(r"^\[\s*version\s*=\s*['\"]?([^'\"\]]*)['\"]?", spec)
    if bracket:
        spec = bracket.group(1).strip()
    if "$" in spec:
        return Package(w, "requirement", name, True)
    if not spec:
        return Package(w, "requirement", name, False, "has no version")
    if spec.startswith("=="):
        version = spec[2:].split("=", 1)[0]
    elif spec.startswith("="):
        version = spec[1:].split("=", 1)[0]  # `=1.26` is conda's idiomatic pin (1.26.*)
    elif spec[0].isdigit():
        version = spec.split()[0]  # `numpy 1.26.4 [build]`
    else:
        version = ""
    if version and EXACT_VERSION.match(version):
        return Package(w, "requirement", name, True)
    if version.endswith("*"):
        return Package(w, "requirement", name, False, f"allows a wildcard of versions (`{spec}`)")
    return Package(w, "requirement", name, False, f"allows a range of versions (`{spec}`)")


def strict_channel_priority(df, install: Install) -> bool:
    """conda solves with strict channel priority: `--strict-channel-priority`, CONDA_CHANNEL_PRIORITY,
    or `conda config --set channel_priority strict` in a RUN up to this install (a `.condarc` written
    by the image is not followed)."""
    if install.has("strict-channel-priority"):
        return True
    if install.env.get("CONDA_CHANNEL_PRIORITY", "").lower() == "strict":
        return True
    for inst in df.instructions:
        if inst.keyword != "RUN" or inst.line > install.instruction.line:
            continue
        for cmd in inst.commands or []:
            argv = [w.value for w in cmd.words]
            if any(a.rsplit("/", 1)[-1] in ("conda", "mamba", "micromamba") for a in argv[:1]) and "config" in argv:
                joined = " ".join(argv)
                if re.search(r"channel[_-]priority[ =]+strict", joined):
                    return True
    return False
