"""Package installs in RUN: which tool installs what, from which index, keeping which cache.

Built once per Dockerfile from the shell model (`inst.commands`, so shell form, JSON form, heredocs
and `sh -c` alike, each word with its own line): pip / pip3 / pipX.Y / `python -m pip`, `uv pip
install|sync`, `uv add|sync`, conda / mamba / micromamba `install|create|update` and `env
create|update`, `poetry add|install|sync`, `pipenv install|sync`, `pdm add|install|sync`, `pipx
install`. Wrappers in front (`sudo`, `env A=1`, `conda run -n x`, `poetry run`, `xargs`, `timeout`, ...) are looked
through. Rules ask `installs(df)` / `installs_of(df, inst)` and `requirement_files(...)`; none
re-reads a command line.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mllint_docker.requirements import Requirement, RequirementsFile, canonical_name
from mllint_docker.shell import Command, Word, is_python

if TYPE_CHECKING:
    from mllint_docker.dockerfile import Dockerfile, Instruction, Stage
    from mllint_docker.project import Project

PIP_PROGRAM = re.compile(r"^pip(\d+(\.\d+)*)?$")
CONDA_PROGRAMS = frozenset({"conda", "mamba", "micromamba"})
# The installer and its build backend: `pip install --upgrade pip setuptools wheel` bootstraps the
# tool rather than choosing the application's dependencies (see pip-install-unpinned.md).
INSTALLER_PACKAGES = frozenset({"pip", "setuptools", "wheel"})
# Values pip accepts for a boolean option in the environment; for PIP_NO_CACHE_DIR every one of
# them, false ones included, disables the cache (pip keeps that for backwards compatibility).
PIP_BOOLEANS = frozenset({"y", "yes", "t", "true", "on", "1", "n", "no", "f", "false", "off", "0"})
TRUTHY = frozenset({"y", "yes", "t", "true", "on", "1"})
PYTORCH_INDEX_HOST = "download.pytorch.org"


# The model ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Package:
    """One package argument of an install command, judged as a requirements line would be."""

    word: Word
    kind: str  # "requirement" (a name and specifier), "url" (VCS or archive), "path" (local), "unknown"
    name: str  # canonical project name; "" for paths and unknowns
    pinned: bool | None  # None when a variable hides what is installed
    problem: str | None = None  # why it is not pinned, for messages
    requirement: Requirement | None = None  # pip/uv/pipenv syntax only
    editable: bool = False
    written: str | None = None  # the argument as the user typed it, when the shell split it

    @property
    def line(self) -> int:
        return self.word.line

    @property
    def spec(self) -> str:
        return self.word.value

    @property
    def shown(self) -> str:
        return self.written or self.word.value

    @property
    def local_version(self) -> str | None:
        """`cpu` for `torch==2.1.0+cpu`."""
        version = self.requirement.pinned_version if self.requirement else None
        return version.split("+", 1)[1] if version and "+" in version else None


@dataclass(frozen=True, slots=True)
class Index:
    """A package source an install uses: an option on the command, a variable, or pip config."""

    url: str
    kind: str  # "index", "extra", "find-links", "trusted-host"
    origin: str  # "option", "env", "config"
    name: str  # as the user wrote it: `--extra-index-url`, `PIP_EXTRA_INDEX_URL`, `global.index-url`
    line: int
    word: Word | None = None

    @property
    def host(self) -> str:
        return _host(self.url) if self.kind != "trusted-host" else self.url.split(":", 1)[0].lower()

    @property
    def is_pytorch(self) -> bool:
        """PyTorch's wheel index or a mirror of it (`.../whl/cpu`, `.../pytorch-wheels/cu121`)."""
        url = self.url.lower()
        return (self.host == PYTORCH_INDEX_HOST or "pytorch" in url
                or bool(re.search(r"/whl/(cpu|cu\d+|rocm[\d.]*|xpu)(/|$)", url)))


@dataclass(slots=True)
class Install:
    instruction: "Instruction"
    command: Command
    words: list[Word]  # the install command's own words (wrappers dropped)
    tool: str  # "pip", "uv", "conda", "poetry", "pipenv", "pdm", "pipx"
    program: str  # as written, for messages: `pip3`, `python3 -m pip`, `uv pip`, `mamba`
    action: str  # install, download, wheel, sync, add, create, update, env-create, env-update
    packages: list[Package] = field(default_factory=list)
    requirement_files: list[Word] = field(default_factory=list)  # -r FILE (and `uv pip sync FILE`)
    constraint_files: list[Word] = field(default_factory=list)  # -c FILE and PIP_CONSTRAINT
    editables: list[Word] = field(default_factory=list)  # -e values
    local_paths: list[Word] = field(default_factory=list)  # `.`, ./pkg, dist/x.whl, `-e .`
    environment_files: list[Word] = field(default_factory=list)  # conda -f/--file
    # Every option seen: canonical long name -> its values (None for a flag).
    options: dict[str, list[Word | None]] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)  # ARG/ENV in force plus the command's assignments
    assigned: dict[str, str] = field(default_factory=dict)  # assignments on this command only
    cache_mounts: list[str] = field(default_factory=list)  # targets of cache/tmpfs mounts on the RUN
    packages_from_stdin: bool = False  # `xargs pip install`: names come from input
    indexes: list[Index] = field(default_factory=list)
    # How the tool's download cache is kept out of the layer (`--no-cache-dir`, a cache mount, ...);
    # None when it stays in the layer. Conda: its package cache (`conda clean -a` later in the RUN).
    cache_handled: str | None = None

    @property
    def line(self) -> int:
        return self.command.line

    def has(self, *names: str) -> bool:
        return any(n in self.options for n in names)

    def values(self, name: str) -> list[Word]:
        return [w for w in self.options.get(name, []) if w is not None]

    @property
    def upgrade(self) -> bool:
        return self.has("upgrade")

    @property
    def installs_project(self) -> bool:
        """Installs the build context's own code (`pip install .`, `poetry install`, `uv sync`)."""
        if self.local_paths:
            return True
        if self.tool == "poetry" and self.action in ("install", "sync"):
            return not self.has("no-root")
        if self.tool == "uv" and self.action == "sync":
            return not self.has("no-install-project", "only-deps")
        if self.tool == "pdm" and self.action in ("install", "sync"):
            return not self.has("no-self")
        return False

    @property
    def from_manifest(self) -> bool:
        """Installs what a dependency manifest in the context lists (requirements, lock, env file,
        pyproject), so the manifest must be in the image first."""
        if self.requirement_files or self.local_paths or self.environment_files:
            return True
        if self.action in ("sync", "env-create", "env-update"):
            return True
        if self.tool in ("poetry", "pdm") and self.action == "install":
            return True
        if self.tool == "pipenv" and self.action == "install" and not self.packages:
            return True
        return False

    @property
    def is_dependency_install(self) -> bool:
        """Installs third-party packages (not only `pip install --upgrade pip`)."""
        if self.from_manifest or self.packages_from_stdin:
            return True
        return any(p.name not in INSTALLER_PACKAGES for p in self.packages)


@dataclass(frozen=True, slots=True)
class Setting:
    """A variable set by ARG or ENV, on the line where the pair is written."""

    instruction: "Instruction"
    name: str
    value: str
    line: int


@dataclass(frozen=True, slots=True)
class PipConfig:
    """`pip config set global.index-url URL`: pip configuration written by a RUN."""

    instruction: "Instruction"
    command: Command
    key: str  # without the section: `index-url`, `trusted-host`, `no-cache-dir`
    value: Word | None

    @property
    def line(self) -> int:
        return self.command.line


# Public API -------------------------------------------------------------------------------------


def installs(df: "Dockerfile") -> list[Install]:
    """Every package install in the Dockerfile's RUNs, in file order (cached on the Dockerfile)."""
    found = df.memo.get("installs")
    if found is None:
        found = _Builder(df).run()
        df.memo["installs"] = found
    return found


def installs_of(df: "Dockerfile", inst: "Instruction") -> list[Install]:
    return [i for i in installs(df) if i.instruction is inst]


def pip_config(df: "Dockerfile") -> list[PipConfig]:
    installs(df)
    return df.memo["pip_config"]


def settings(df: "Dockerfile") -> list[Setting]:
    """ARG defaults and ENV values of every stage, each on its own line."""
    found = df.memo.get("settings")
    if found is None:
        found = []
        for inst in df.instructions:
            if inst.keyword == "ENV":
                a = inst.args
                pairs = [(a[i], a[i + 1]) for i in range(0, len(a) - 2, 3)]
            elif inst.keyword == "ARG":
                pairs = [tuple(x.split("=", 1)) for x in inst.args if "=" in x]
            else:
                continue
            for name, value in pairs:
                found.append(Setting(inst, name, _strip_quotes(value), _pair_line(df, inst, name)))
        df.memo["settings"] = found
    return found


def build_only(df: "Dockerfile", stage: "Stage") -> bool:
    """A stage whose layers never ship: the final image does not derive from it, and a later stage
    uses it (`COPY --from` or `FROM`), so it is a builder rather than another build target."""
    final = df.final_stage
    if final is None or stage.index in {s.index for s in final.chain()}:
        return False
    for s in df.stages[stage.index + 1 :]:
        if s.base_stage is not None and s.base_stage.index == stage.index:
            return True
    return any(c.from_stage is not None and c.from_stage.index == stage.index for c in df.copies)


def requirement_files(df: "Dockerfile", project: "Project", install: Install) -> list[tuple[Word, RequirementsFile | None]]:
    """The `-r` files of an install, each resolved to the context file a COPY put there and parsed
    (which registers it, so the engine lints it too); None when no COPY from the context brings it."""
    return [(w, _context_requirements(df, project, install.instruction, w)) for w in install.requirement_files]


def constraint_pins(df: "Dockerfile", project: "Project", install: Install) -> dict[str, Requirement] | None:
    """Names pinned by the install's constraint files (`-c`, PIP_CONSTRAINT); None when one of them
    cannot be read (then nothing can be said about what it pins)."""
    pins: dict[str, Requirement] = {}
    for w in install.constraint_files:
        rf = _context_requirements(df, project, install.instruction, w, register=False)
        if rf is None:
            return None
        for f in [rf, *project.included_files(rf)]:
            for r in f.requirements:
                if r.pinned:
                    pins.setdefault(r.name, r)
    return pins


def command_constraints(project: "Project", rf: RequirementsFile) -> dict[str, Requirement]:
    """Names pinned by constraint files that a Dockerfile's `pip install -r <rf> -c <file>` applies
    to `rf` (or to a file that includes it)."""
    table = project.memo.get("installs.command_constraints")
    if table is None:
        table = {}
        for df in project.dockerfiles:
            if df.error is not None:
                continue
            for inst in installs(df):
                if not inst.constraint_files or not inst.requirement_files:
                    continue
                pins = constraint_pins(df, project, inst) or {}
                for _, target in requirement_files(df, project, inst):
                    if target is None:
                        continue
                    for f in [target, *project.included_files(target)]:
                        table.setdefault(f.path.resolve(), {}).update(pins)
        project.memo["installs.command_constraints"] = table
    return table.get(rf.path.resolve(), {})


def used_as_constraints(project: "Project", rf: RequirementsFile) -> bool:
    """The file is a constraints file (`-c` in a requirements file or a RUN), not an install list."""
    target = rf.path.resolve()
    for other in list(project.requirements.values()):
        if any(inc.kind == "constraint" and inc.path == target for inc in other.includes):
            return True
    table = project.memo.get("installs.constraint_files")
    if table is None:
        table = set()
        for df in project.dockerfiles:
            if df.error is not None:
                continue
            for inst in installs(df):
                for w in inst.constraint_files:
                    path = _context_path(df, project, inst.instruction, w)
                    if path is not None:
                        table.add(path.resolve())
        project.memo["installs.constraint_files"] = table
    return target in table


def register_requirement_files(df: "Dockerfile", project: "Project") -> None:
    """Parses (and so registers for linting) every requirements file the Dockerfile installs."""
    for inst in installs(df):
        requirement_files(df, project, inst)


def pin_problem(req: Requirement) -> str | None:
    """Why a requirement does not pin one release, in words for a message; None when it does."""
    if req.pinned:
        return None
    if req.url is not None:
        if _is_local(req.url) or (req.editable and not (_VCS.match(req.url) or "://" in req.url)):
            return None
        if _VCS.match(req.url) or req.url.startswith("git://"):
            ref = _vcs_ref(req.url)
            return (f"points at `{ref}`, not a full 40-character commit hash (a branch, tag or short hash can move)"
                    if ref else "names no commit, so it installs whatever the default branch holds")
        return "is a URL with neither a version in its file name nor a `#sha256=` hash"
    spec = req.specifier.strip()
    if not spec:
        return "has no version"
    if "==" in spec and "*" in spec:
        return f"allows a wildcard of versions (`{spec}`)"
    return f"allows a range of versions (`{spec}`)"


# Building ---------------------------------------------------------------------------------------


@dataclass
class _Options:
    """An option table: long name -> (key, takes a value); short letter -> long name."""

    values: frozenset[str]
    flags: frozenset[str]
    shorts: dict[str, str]
    aliases: dict[str, str] = field(default_factory=dict)
    prefixes: bool = False  # optparse accepts unambiguous prefixes of long options (pip)

    def long(self, name: str) -> str | None:
        name = self.aliases.get(name, name)
        if name in self.values or name in self.flags:
            return name
        if self.prefixes:
            hits = [n for n in (*self.values, *self.flags) if n.startswith(name)]
            if len(hits) == 1:
                return hits[0]
        return None

    def takes_value(self, name: str) -> bool:
        return name in self.values


def _table(values: str, flags: str, shorts: str, aliases: str = "", prefixes: bool = False) -> _Options:
    return _Options(frozenset(values.split()), frozenset(flags.split()),
                    dict(p.split("=") for p in shorts.split()), dict(p.split("=") for p in aliases.split()), prefixes)


PIP_OPTIONS = _table(
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
UV_OPTIONS = _table(
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
CONDA_OPTIONS = _table(
    "channel name prefix file solver repodata-fn subdir platform revision clone root-prefix rc-file "
    "experimental-solver log-level",
    "yes quiet all offline dry-run force-reinstall freeze-installed update-deps no-deps only-deps no-pin copy "
    "insecure use-local override-channels strict-channel-priority no-channel-priority json verbose update-all "
    "index-cache packages tarballs force-pkgs-dirs logfiles tempfiles help no-rc download-only",
    "c=channel n=name p=prefix y=yes q=quiet d=dry-run k=insecure v=verbose a=all i=index-cache t=tarballs "
    "l=logfiles h=help",
)
POETRY_OPTIONS = _table(
    "group source extras python platform markers directory project with without only",
    "no-root only-root sync no-interaction no-ansi dry-run lock editable allow-prereleases dev no-dev optional "
    "compile all-extras all-groups no-directory quiet verbose no-cache no-plugins help",
    "G=group E=extras C=directory P=project n=no-interaction q=quiet v=verbose e=editable D=dev h=help",
)
PIPENV_OPTIONS = _table(
    "python pypi-mirror requirements index categories extra-index-url",
    "system deploy dev ignore-pipfile skip-lock site-packages verbose quiet clear keep-outdated selective-upgrade "
    "pre help",
    "r=requirements i=index v=verbose q=quiet d=dev h=help",
)
PIPX_OPTIONS = _table(
    "suffix python pip-args index-url preinstall backend spec",
    "include-deps force verbose quiet editable system-site-packages global fetch-missing-python help",
    "f=force v=verbose q=quiet e=editable h=help",
)
PDM_OPTIONS = _table(
    "group project global-project venv lockfile python",
    "no-self no-editable no-isolation dry-run prod dev frozen-lockfile no-lock check no-default verbose quiet help",
    "G=group p=project L=lockfile d=dev v=verbose q=quiet h=help",
)


def _scan(words: list[Word], table: _Options) -> tuple[list[tuple[str, Word | None]], list[Word]]:
    """Splits arguments into (option, value) pairs and positionals, as the tool's parser would."""
    opts: list[tuple[str, Word | None]] = []
    positionals: list[Word] = []
    i = 0
    while i < len(words):
        w = words[i]
        v = w.value
        if v == "--":
            positionals.extend(words[i + 1 :])
            break
        if v.startswith("--") and len(v) > 2:
            name, eq, inline = v[2:].partition("=")
            key = table.long(name) or name
            if eq:
                opts.append((key, _sub_word(w, inline, len(v) - len(inline))))
            elif table.takes_value(key) and i + 1 < len(words):
                opts.append((key, words[i + 1]))
                i += 1
            else:
                opts.append((key, None))
        elif v.startswith("-") and len(v) > 1 and not w.unresolved:
            j = 1
            while j < len(v):
                key = table.shorts.get(v[j], v[j])
                if table.takes_value(key):
                    rest = v[j + 1 :].lstrip("=")
                    if rest:
                        opts.append((key, _sub_word(w, rest, len(v) - len(rest))))
                    elif i + 1 < len(words):
                        opts.append((key, words[i + 1]))
                        i += 1
                    else:
                        opts.append((key, None))
                    break
                opts.append((key, None))
                j += 1
        else:
            positionals.append(w)
        i += 1
    return opts, positionals


def _sub_word(w: Word, value: str, offset: int) -> Word:
    return Word(value, value, w.line, w.column + offset, "$" in value and w.unresolved)


def _as_dict(opts: list[tuple[str, Word | None]]) -> dict[str, list[Word | None]]:
    out: dict[str, list[Word | None]] = {}
    for k, v in opts:
        out.setdefault(k, []).append(v)
    return out


def _base(word: Word) -> str:
    return word.value.rsplit("/", 1)[-1]


# Wrappers: (program, option letters/names taking a value).
_SUDO_VALUES = {"-u", "-g", "-h", "-C", "-D", "-p", "-r", "-t", "-U", "-T", "--user", "--group", "--host",
                "--close-from", "--chdir", "--prompt", "--role", "--type", "--other-user", "--command-timeout"}
_XARGS_VALUES = {"-n", "-I", "-i", "-P", "-L", "-l", "-d", "-s", "-a", "-E", "--max-args", "--max-procs",
                 "--replace", "--delimiter", "--arg-file", "--max-lines", "--max-chars", "--eof"}
_ENV_VALUES = {"-u", "--unset", "-C", "--chdir", "-S", "--split-string"}
_RUN_VALUES = {"-n", "--name", "-p", "--prefix", "--cwd", "-a", "--attach", "-e", "--env", "--python",
               "--with", "--directory", "--project", "--package", "--extra", "--group", "--env-file", "--index",
               "-r", "--root-prefix", "--with-requirements"}
_PLAIN_WRAPPERS = {"time", "nohup", "exec", "command", "builtin", "nice", "ionice", "stdbuf", "eatmydata",
                   "chronic", "catchsegv", "unbuffer"}
_VALUE_WRAPPERS = {"nice": {"-n", "--adjustment"}, "ionice": {"-c", "-n", "--class", "--classdata"}}


def _skip_options(words: list[Word], i: int, values: set[str]) -> int:
    while i < len(words) and words[i].value.startswith("-") and words[i].value != "-":
        v = words[i].value
        if v == "--":
            return i + 1
        i += 2 if (v in values and "=" not in v) else 1
    return i


def _unwrap(words: list[Word]) -> tuple[list[Word], dict[str, str], bool]:
    """Drops wrappers in front of the real program: (its words, assignments made by `env`,
    whether arguments come from standard input (`xargs`))."""
    extra: dict[str, str] = {}
    stdin = False
    i = 0
    for _ in range(8):
        if i >= len(words):
            break
        name = _base(words[i])
        nxt = words[i + 1].value if i + 1 < len(words) else ""
        if name == "sudo":
            i = _skip_options(words, i + 1, _SUDO_VALUES)
            while i < len(words) and re.match(r"^[A-Za-z_]\w*=", words[i].value):
                k, _, v = words[i].value.partition("=")
                extra[k] = v
                i += 1
        elif name == "env":
            i = _skip_options(words, i + 1, _ENV_VALUES)
            while i < len(words) and re.match(r"^[A-Za-z_]\w*=", words[i].value):
                k, _, v = words[i].value.partition("=")
                extra[k] = v
                i += 1
        elif name in _PLAIN_WRAPPERS:
            i = _skip_options(words, i + 1, _VALUE_WRAPPERS.get(name, set()))
        elif name == "timeout":
            i = _skip_options(words, i + 1, {"-k", "-s", "--kill-after", "--signal"}) + 1
        elif name == "xargs":
            i = _skip_options(words, i + 1, _XARGS_VALUES)
            stdin = True
        elif name in ("gosu", "su-exec"):
            i += 2
        elif name in (*CONDA_PROGRAMS, "poetry", "pipenv", "pdm", "uv", "hatch", "rye") and nxt == "run":
            i = _skip_options(words, i + 2, _RUN_VALUES)
        else:
            break
    return words[i:], extra, stdin


class _Builder:
    def __init__(self, df: "Dockerfile"):
        self.df = df
        self.installs: list[Install] = []
        self.configs: list[PipConfig] = []

    def run(self) -> list[Install]:
        config_at_end: dict[int, dict[str, PipConfig]] = {}
        for stage in self.df.stages:
            config = dict(config_at_end.get(stage.base_stage.index, {})) if stage.base_stage is not None else {}
            for inst in stage.instructions:
                if inst.keyword != "RUN" or not inst.commands:
                    continue
                self.instruction(inst, config)
            config_at_end[stage.index] = config
        self.df.memo["pip_config"] = self.configs
        return self.installs

    def instruction(self, inst: "Instruction", config: dict[str, PipConfig]) -> None:
        mounts = _cache_mounts(inst)
        commands = inst.commands
        for n, cmd in enumerate(commands):
            words, extra, stdin = _unwrap(cmd.words)
            if not words:
                continue
            setting = _pip_config_set(inst, cmd, words)
            if setting is not None:
                config[setting.key] = setting
                self.configs.append(setting)
                continue
            assigned = {**cmd.assignments, **extra}
            env = {**inst.env, **assigned}
            install = _parse(inst, cmd, words, env)
            if install is None:
                continue
            install.assigned = assigned
            install.packages = [_unquoted_operator(cmd, p) for p in install.packages]
            install.cache_mounts = mounts
            install.packages_from_stdin = stdin
            install.indexes = _indexes(install, config)
            variable = {"pip": "PIP_CONSTRAINT", "uv": "UV_CONSTRAINT"}.get(install.tool)
            for path in env.get(variable, "").split() if variable else ():
                install.constraint_files.append(Word(path, path, inst.line, 1))
            install.cache_handled = _cache_handled(install, config, commands[n + 1 :])
            self.installs.append(install)


def _parse(inst: "Instruction", cmd: Command, words: list[Word], env: dict[str, str]) -> Install | None:
    name = _base(words[0])
    if PIP_PROGRAM.match(name):
        return _pip(inst, cmd, words, words[1:], name, env)
    if is_python(name):
        j = 1
        while j < len(words) and words[j].value.startswith("-"):
            v = words[j].value
            module, rest = None, []
            if v == "-m" and j + 1 < len(words):
                module, rest = words[j + 1].value, words[j + 2 :]
            elif v.startswith("-m") and len(v) > 2:
                module, rest = v[2:], words[j + 1 :]
            elif v == "-c":
                return None
            if module is not None:
                if PIP_PROGRAM.match(module):
                    return _pip(inst, cmd, words, rest, f"{name} -m pip", env)
                if module == "uv":
                    return _uv(inst, cmd, words, rest, f"{name} -m uv", env)
                return None
            j += 2 if v in ("-W", "-X") else 1
        return None
    if name == "uv":
        return _uv(inst, cmd, words, words[1:], "uv", env)
    if name in CONDA_PROGRAMS:
        return _conda(inst, cmd, words, name, env)
    if name == "poetry":
        return _simple(inst, cmd, words, "poetry", POETRY_OPTIONS, ("add", "install", "sync"), env)
    if name == "pipenv":
        return _simple(inst, cmd, words, "pipenv", PIPENV_OPTIONS, ("install", "sync"), env)
    if name == "pdm":
        return _simple(inst, cmd, words, "pdm", PDM_OPTIONS, ("add", "install", "sync"), env)
    if name == "pipx":
        return _simple(inst, cmd, words, "pipx", PIPX_OPTIONS, ("install",), env)
    return None


def _pip(inst, cmd, words, args, program, env) -> Install | None:
    opts, positionals = _scan(args, PIP_OPTIONS)
    if not positionals or positionals[0].value not in ("install", "download", "wheel"):
        return None
    install = Install(inst, cmd, words, "pip", program, positionals[0].value, options=_as_dict(opts), env=env)
    _fill_pip_like(install, opts, positionals[1:], "requirement", "constraint")
    return install


def _uv(inst, cmd, words, args, program, env) -> Install | None:
    opts, positionals = _scan(args, UV_OPTIONS)
    if not positionals:
        return None
    sub = positionals[0].value
    if sub == "pip" and len(positionals) > 1 and positionals[1].value in ("install", "sync"):
        action, rest, program = positionals[1].value, positionals[2:], f"{program} pip"
    elif sub in ("add", "sync"):
        action, rest = sub, positionals[1:]
    else:
        return None
    install = Install(inst, cmd, words, "uv", program, action, options=_as_dict(opts), env=env)
    if program.endswith("pip") and action == "sync":
        install.requirement_files.extend(w for w in rest if not _is_manifest_name(w.value))
        return install
    _fill_pip_like(install, opts, rest, "requirements", "constraints")
    return install


def _fill_pip_like(install: Install, opts, positionals: list[Word], req_key: str, con_key: str) -> None:
    for key, value in opts:
        if value is None:
            continue
        if key == req_key:
            if not _is_manifest_name(value.value):
                install.requirement_files.append(value)
        elif key == con_key:
            install.constraint_files.append(value)
        elif key == "editable":
            install.editables.append(value)
            # `-e` takes a project directory or a VCS URL, never an index name: `-e gguf-py` is a path.
            if _is_local(value.value) or not (_VCS.match(value.value) or "://" in value.value):
                install.local_paths.append(value)
            else:
                install.packages.append(_pip_package(value, editable=True))
    for w in positionals:
        if _is_local(w.value):
            install.local_paths.append(w)
        else:
            install.packages.append(_pip_package(w))


def _conda(inst, cmd, words, program, env) -> Install | None:
    table = CONDA_OPTIONS
    opts, positionals = _scan(words[1:], table)
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
        opts, positionals = _scan(words[1:], _with_short(table, "f", "file"))
        rest = positionals[1:] if not action.startswith("env-") else []
    install = Install(inst, cmd, words, "conda", program, action, options=_as_dict(opts), env=env)
    install.environment_files.extend(v for k, v in opts if k == "file" and v is not None)
    for w in rest:
        install.packages.append(_conda_package(w))
    return install


def _with_short(table: _Options, letter: str, name: str) -> _Options:
    return _Options(table.values, table.flags, {**table.shorts, letter: name}, table.aliases, table.prefixes)


def _simple(inst, cmd, words, tool, table, actions, env) -> Install | None:
    opts, positionals = _scan(words[1:], table)
    if not positionals or positionals[0].value not in actions:
        return None
    install = Install(inst, cmd, words, tool, tool, positionals[0].value, options=_as_dict(opts), env=env)
    if tool == "pipenv":
        install.requirement_files.extend(v for k, v in opts if k == "requirements" and v is not None)
    for w in positionals[1:]:
        if _is_local(w.value):
            install.local_paths.append(w)
        elif tool == "poetry":
            install.packages.append(_poetry_package(w))
        else:
            install.packages.append(_pip_package(w))
    return install


# Package arguments ---------------------------------------------------------------------------


_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?")
_VCS = re.compile(r"^(git|hg|svn|bzr)\+", re.I)
_ARCHIVE = re.compile(r"\.(whl|tar\.gz|tgz|tar\.bz2|tar\.xz|zip)$", re.I)


def _is_local(value: str) -> bool:
    """`.`, `./pkg`, `/wheels/x.whl`, `dist/*.whl`, `file:///...`: something already on disk."""
    v = value.strip()
    if not v or "://" in v and not v.lower().startswith("file:"):
        return False
    if v.lower().startswith("file:"):
        return True
    if _VCS.match(v) or " @ " in v or re.match(r"^[A-Za-z0-9._-]+(\[[^\]]*\])?\s*@", v):
        return False
    v = re.sub(r"\[[^\]]*\]$", "", v)  # `.[dev]`, `./pkg[gpu]`: a local project with extras
    return v in (".", "..") or v.startswith(("./", "../", "/", "~")) or "/" in v or bool(_ARCHIVE.search(v))


def _is_manifest_name(value: str) -> bool:
    """uv accepts pyproject.toml / setup.py / setup.cfg as `-r`: those are not requirements files."""
    return value.rsplit("/", 1)[-1] in ("pyproject.toml", "setup.py", "setup.cfg")


def _placeholder(value: str) -> str:
    return re.sub(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*", "0", value)


def _pip_package(w: Word, editable: bool = False) -> Package:
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Pep508

    value = w.value.strip()
    if w.unresolved:
        m = _NAME.match(value)
        if not m or value.startswith("$"):
            return Package(w, "unknown", "", None, editable=editable)
        rest = value[m.end() :].strip()
        name = canonical_name(m.group(1))
        if "$" in m.group(1) or (rest and rest[0] not in "=<>!~;@"):
            return Package(w, "unknown", "", None, editable=editable)
        if re.match(r"^===?\s*\$", rest):
            return Package(w, "requirement", name, True, editable=editable)  # `torch==${TORCH_VERSION}`
        value = _placeholder(value)
    if _VCS.match(value) or "://" in value:
        url = value.split(" @ ", 1)[-1].strip() if " @ " in value else value
        name = _egg_name(url) or (canonical_name(value.split("@", 1)[0].strip()) if " @ " in value else "")
        req = Requirement(name, "", w.line, value, url=url, editable=editable)
        problem = pin_problem(req)
        return Package(w, "url", name, problem is None, problem, req, editable)
    try:
        parsed = Pep508(value)
    except InvalidRequirement:
        return Package(w, "unknown", "", None, editable=editable)
    name = canonical_name(parsed.name)
    if parsed.url:
        req = Requirement(name, "", w.line, value, url=parsed.url, editable=editable)
    else:
        req = Requirement(name, str(parsed.specifier), w.line, value, editable=editable,
                          marker=str(parsed.marker) if parsed.marker else None)
    problem = pin_problem(req)
    return Package(w, "url" if parsed.url else "requirement", name, problem is None, problem, req, editable)


def _unquoted_operator(cmd: Command, p: Package) -> Package:
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


def _egg_name(url: str) -> str:
    m = re.search(r"[#&]egg=([A-Za-z0-9._-]+)", url)
    return canonical_name(m.group(1)) if m else ""


_CONDA_SPEC = re.compile(r"^(?:[\w.\-/:]+::)?([A-Za-z0-9_][A-Za-z0-9._-]*)\s*(.*)$")
_EXACT = re.compile(r"^\d[\w.+!-]*$")


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
    if version and _EXACT.match(version):
        return Package(w, "requirement", name, True)
    if version.endswith("*"):
        return Package(w, "requirement", name, False, f"allows a wildcard of versions (`{spec}`)")
    return Package(w, "requirement", name, False, f"allows a range of versions (`{spec}`)")


def _poetry_package(w: Word) -> Package:
    """poetry's `name@1.2.3` (exact), `name==1.2.3`, `name@^1.2` (caret range), `name@latest`."""
    value = w.value.strip()
    if value.startswith("$") or _VCS.match(value) or "://" in value:
        return _pip_package(w) if not value.startswith("$") else Package(w, "unknown", "", None)
    name, at, constraint = value.partition("@")
    m = _NAME.match(name)
    if not m:
        return Package(w, "unknown", "", None)
    cname = canonical_name(m.group(1))
    if not at:
        return _pip_package(w)
    constraint = constraint.strip()
    exact = constraint[2:] if constraint.startswith("==") else constraint
    if "$" in constraint or _EXACT.match(exact):
        return Package(w, "requirement", cname, True)
    if constraint == "latest":
        return Package(w, "requirement", cname, False, "asks for the latest release (`@latest`)")
    return Package(w, "requirement", cname, False, f"allows a range of versions (`@{constraint}`)")


def _vcs_ref(url: str) -> str | None:
    tail = url.split("://", 1)[-1].split("#", 1)[0]
    path = tail.split("/", 1)[-1] if "/" in tail else ""
    return path.rsplit("@", 1)[1] if "@" in path else None


# Indexes, caches, configuration ----------------------------------------------------------------


_INDEX_ENV = {
    "pip": (("PIP_INDEX_URL", "index"), ("PIP_EXTRA_INDEX_URL", "extra"), ("PIP_FIND_LINKS", "find-links"),
            ("PIP_TRUSTED_HOST", "trusted-host")),
    "uv": (("UV_INDEX_URL", "index"), ("UV_DEFAULT_INDEX", "index"), ("UV_EXTRA_INDEX_URL", "extra"),
           ("UV_INDEX", "extra"), ("UV_FIND_LINKS", "find-links"), ("UV_INSECURE_HOST", "trusted-host")),
}
_INDEX_OPTIONS = {
    "index-url": "index", "default-index": "index", "extra-index-url": "extra", "index": "extra",
    "find-links": "find-links", "trusted-host": "trusted-host", "allow-insecure-host": "trusted-host",
    "pypi-mirror": "index",
}


def _indexes(install: Install, config: dict[str, PipConfig]) -> list[Index]:
    out: list[Index] = []
    for key, values in install.options.items():
        kind = _INDEX_OPTIONS.get(key)
        if kind is None or (key == "index" and install.tool not in ("uv", "pipenv")):
            continue
        for w in values:
            if w is not None:
                for url in w.value.split():
                    out.append(Index(_uv_index_url(url), kind, "option", f"--{key}", w.line, w))
    for var, kind in _INDEX_ENV.get(install.tool, ()):
        for url in install.env.get(var, "").split():
            out.append(Index(_uv_index_url(url), kind, "env", var, install.line))
    if install.tool == "pip":
        for key, kind in (("index-url", "index"), ("extra-index-url", "extra"), ("find-links", "find-links"),
                          ("trusted-host", "trusted-host")):
            setting = config.get(key)
            if setting is not None and setting.value is not None:
                for url in setting.value.value.split():
                    out.append(Index(url, kind, "config", f"pip config {key}", setting.line, setting.value))
    return out


def _uv_index_url(value: str) -> str:
    """uv's `--index name=https://...` names an index; the URL is after the `=`."""
    if "=" in value and "://" in value.split("=", 1)[1]:
        return value.split("=", 1)[1]
    return value


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _cache_mounts(inst: "Instruction") -> list[str]:
    targets = []
    for spec in inst.flags.get("mount", []):
        parts = dict(p.split("=", 1) if "=" in p else (p, "") for p in spec.split(","))
        if parts.get("type") in ("cache", "tmpfs"):
            target = parts.get("target") or parts.get("dst") or parts.get("destination")
            if target:
                targets.append(target.rstrip("/") or "/")
    return targets


def _norm(path: str) -> str:
    path = re.sub(r"^(~|\$HOME|\$\{HOME\})(?=/|$)", "/root", path.strip())
    path = re.sub(r"(/\*)+$", "", path)
    return posixpath.normpath(path) if path else path


def _covers(target: str, cache_dir: str | None, default_tail: str) -> bool:
    """A mount or removal at `target` takes the cache with it: the cache dir or one of its parents,
    or (for the default location under any home) a path ending in `.cache/<tool>` or `.cache`."""
    t = _norm(target)
    if cache_dir:
        c = _norm(cache_dir)
        return t == c or c.startswith(t.rstrip("/") + "/")
    return t.endswith("/" + default_tail) or t.endswith("/.cache") or t in (".cache", default_tail)


def _cache_handled(install: Install, config: dict[str, PipConfig], later: list[Command]) -> str | None:
    env = install.env
    if install.tool == "pip":
        if install.has("no-cache-dir"):
            return "--no-cache-dir"
        if env.get("PIP_NO_CACHE_DIR", "").lower() in PIP_BOOLEANS:
            return "PIP_NO_CACHE_DIR"
        if "no-cache-dir" in config:
            return "pip config no-cache-dir"
        explicit = (install.values("cache-dir") or [None])[-1]
        cache_dir = explicit.value if explicit else env.get("PIP_CACHE_DIR") or (
            posixpath.join(env["XDG_CACHE_HOME"], "pip") if env.get("XDG_CACHE_HOME") else None)
        tail = ".cache/pip"
    elif install.tool == "uv":
        if install.has("no-cache"):
            return "--no-cache"
        if env.get("UV_NO_CACHE", "").lower() in TRUTHY:
            return "UV_NO_CACHE"
        explicit = (install.values("cache-dir") or [None])[-1]
        cache_dir = explicit.value if explicit else env.get("UV_CACHE_DIR") or (
            posixpath.join(env["XDG_CACHE_HOME"], "uv") if env.get("XDG_CACHE_HOME") else None)
        tail = ".cache/uv"
    elif install.tool == "conda":
        for target in install.cache_mounts:
            if _norm(target).endswith("/pkgs"):
                return f"cache mount {target}"
        for cmd in later:
            words, _, _ = _unwrap(cmd.words)
            if not words:
                continue
            name = _base(words[0])
            if name in CONDA_PROGRAMS:
                opts, positionals = _scan(words[1:], CONDA_OPTIONS)
                keys = {k for k, _ in opts}
                if positionals and positionals[0].value == "clean" and "dry-run" not in keys and \
                        keys & {"all", "tarballs", "packages", "force-pkgs-dirs"}:
                    return f"`{' '.join(w.value for w in words)}`"
            if name == "rm" and any(_norm(w.value).endswith("/pkgs") for w in words[1:]):
                return f"`{' '.join(w.value for w in words)}`"
        return None
    else:
        return "not applicable"
    for target in install.cache_mounts:
        if _covers(target, cache_dir, tail):
            return f"cache mount {target}"
    for cmd in later:
        words, _, _ = _unwrap(cmd.words)
        if not words:
            continue
        name, argv = _base(words[0]), [w.value for w in words[1:]]
        if name == "rm" and any(_covers(a, cache_dir, tail) for a in argv if not a.startswith("-")):
            return f"`{' '.join(w.value for w in words)}`"
        if install.tool == "pip" and PIP_PROGRAM.match(name) and argv[:2] == ["cache", "purge"]:
            return "`pip cache purge`"
        if install.tool == "uv" and name == "uv" and argv[:2] == ["cache", "clean"]:
            return "`uv cache clean`"
    return None


def _pip_config_set(inst: "Instruction", cmd: Command, words: list[Word]) -> PipConfig | None:
    """`pip config [--global|--user|--site] set <section>.<key> <value>`."""
    name = _base(words[0])
    args = words[1:]
    if is_python(name) and len(args) >= 2 and args[0].value == "-m" and PIP_PROGRAM.match(args[1].value):
        args = args[2:]
    elif not PIP_PROGRAM.match(name):
        return None
    positionals = [w for w in args if not w.value.startswith("-")]
    if len(positionals) < 3 or positionals[0].value != "config" or positionals[1].value != "set":
        return None
    key = positionals[2].value.split(".", 1)[-1]
    return PipConfig(inst, cmd, key, positionals[3] if len(positionals) > 3 else None)


# Requirements files in the build context ------------------------------------------------------


def _context_path(df: "Dockerfile", project: "Project", inst: "Instruction", word: Word) -> Path | None:
    if word.unresolved or not word.value or "://" in word.value:
        return None
    key = ("installs.context_path", str(df.path), inst.line, word.value)
    if key not in project.memo:
        found = _bind_mounted(df, project, inst, word.value)
        if found is None:
            try:
                found = project.copied_context_file(df, inst, word.value)
            except (ImportError, OSError):
                found = None  # no context model available: the file cannot be followed
        project.memo[key] = found
    return project.memo[key]


def _bind_mounted(df: "Dockerfile", project: "Project", inst: "Instruction", image_path: str) -> Path | None:
    """`RUN --mount=type=bind,source=requirements.txt,target=/tmp/r.txt pip install -r /tmp/r.txt`:
    a bind mount without `from=` shows a context path at the target for the duration of the RUN."""
    target_path = posixpath.normpath(posixpath.join(project.workdir_at(df, inst), image_path))
    for spec in inst.flags.get("mount", []):
        parts = dict(p.split("=", 1) if "=" in p else (p, "") for p in spec.split(","))
        if parts.get("type") != "bind" or "from" in parts:
            continue
        target = parts.get("target") or parts.get("dst") or parts.get("destination")
        if not target:
            continue
        target = posixpath.normpath(posixpath.join(project.workdir_at(df, inst), target))
        source = (parts.get("source") or parts.get("src") or ".").lstrip("/")
        if target_path == target:
            rest = ""
        elif target_path.startswith(target.rstrip("/") + "/"):
            rest = target_path[len(target.rstrip("/")) + 1 :]
        else:
            continue
        root = project.context_choice(df).root
        candidate = (root / source / rest).resolve() if rest else (root / source).resolve()
        if candidate.is_file() and (candidate == root or root in candidate.parents):
            return candidate
    return None


def _context_requirements(df, project, inst, word: Word, register: bool = True) -> RequirementsFile | None:
    path = _context_path(df, project, inst, word)
    if path is None or not path.is_file():
        return None
    if not register and path.resolve() not in project.requirements:
        from mllint_docker.requirements import parse_requirements

        key = ("installs.unregistered", str(path.resolve()))
        if key not in project.memo:
            project.memo[key] = parse_requirements(path)
        return project.memo[key]
    return project.requirements_file(path)


# ARG/ENV lines ----------------------------------------------------------------------------------


def _strip_quotes(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _pair_line(df: "Dockerfile", inst: "Instruction", name: str) -> int:
    pattern = re.compile(rf"(^|[\s]){re.escape(name)}(=|\s|$)")
    for n in range(inst.line, inst.end_line + 1):
        text = df.line_text(n)
        if n == inst.line:
            text = re.sub(r"^\s*\w+", "", text, count=1)
        if pattern.search(text):
            return n
    return inst.line


# Dependency manifests --------------------------------------------------------------------------

_MANIFEST = re.compile(
    r"^(.*requirements.*\.(txt|in)|constraints.*\.txt|pyproject\.toml|poetry\.lock|uv\.lock|pdm\.lock|"
    r"pipfile(\.lock)?|setup\.(py|cfg)|(conda-)?environment.*\.ya?ml|conda-lock\.ya?ml|.*\.conda-lock\.ya?ml|"
    r"readme(\..*)?|license(\..*)?|licence(\..*)?|manifest\.in|\.python-version|version(\.txt)?)$", re.I)


def is_manifest(path: str) -> bool:
    """A file that declares dependencies or that packaging metadata reads (README, LICENSE, VERSION
    for setup.py), so copying it before the install does not bust the install's cache."""
    parts = path.rstrip("/").split("/")
    name, parent = parts[-1], (parts[-2] if len(parts) > 1 else "")
    return bool(_MANIFEST.match(name)) or (parent.lower() == "requirements" and name.endswith((".txt", ".in")))


def manifests_for(install: Install) -> list[str]:
    """The files to COPY before this install so it can run without the source."""
    if install.requirement_files:
        return [w.value for w in install.requirement_files] + [w.value for w in install.constraint_files]
    if install.environment_files:
        return [w.value for w in install.environment_files]
    return {"poetry": ["pyproject.toml", "poetry.lock"], "uv": ["pyproject.toml", "uv.lock"],
            "pipenv": ["Pipfile", "Pipfile.lock"], "pdm": ["pyproject.toml", "pdm.lock"],
            "conda": ["environment.yml"]}.get(install.tool, ["pyproject.toml"])
