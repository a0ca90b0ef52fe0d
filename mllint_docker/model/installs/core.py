"""The shared core of the install model: what an install is (`Install`, `Package`, `Index`,
`PipConfig`, `Setting`), option tables and the scanner that reads a command's words against one,
the wrappers looked through in front of an installer (`sudo`, `env A=1`, `conda run -n x`, `poetry
run`, `xargs`, `timeout`, ...), package-argument helpers and the dependency manifests an install reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mllint_docker.model.requirements import Requirement, canonical_name
from mllint_docker.model.shell import Command, Word

if TYPE_CHECKING:
    from mllint_docker.model.dockerfile import Instruction

PIP_PROGRAM = re.compile(r"^pip(\d+(\.\d+)*)?$")
CONDA_PROGRAMS = frozenset({"conda", "mamba", "micromamba"})
# The installer and its build backend: `pip install --upgrade pip setuptools wheel` bootstraps the
# tool rather than choosing the application's dependencies (see pip-install-unpinned.md).
INSTALLER_PACKAGES = frozenset({"pip", "setuptools", "wheel"})
PYTORCH_INDEX_HOST = "download.pytorch.org"
# Installers and environment managers: `pip install poetry==2.1.3` or `pip install uv` installs the
# tool that will install the dependencies, not the dependencies.
TOOL_PACKAGES = INSTALLER_PACKAGES | frozenset({
    "poetry", "poetry-core", "poetry-plugin-export", "poetry-plugin-bundle", "uv", "pipenv", "pdm", "pipx",
    "virtualenv", "pip-tools", "hatch", "hatchling", "flit", "flit-core", "conda-lock", "build", "installer",
    "micropipenv", "rye", "setuptools-scm", "keyring", "certifi",
})


# The model ------------------------------------------------------------------------------------


# A package argument as written: an optional quote, name[extras], a version specifier or none.
_PLAIN_PACKAGE_WORD = re.compile(r"^(['\"]?)([A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?)\s*((?:[<>=!~]=?=?\s*[\w.*+!-]+\s*,?\s*)*)\1$")


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
    def written_parts(self) -> tuple[str, str] | None:
        """(quote, `name[extras]`) when the argument is written as a name with at most a version
        specifier, quoted as one word or not (`numpy`, `'torch[cpu]>=2'`): the form a pin can replace."""
        m = _PLAIN_PACKAGE_WORD.match(self.word.raw)
        return (m.group(1), m.group(2)) if m else None

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
    lock_files: list[Word] = field(default_factory=list)  # PEP 751 `pylock.toml` given to `-r` / `uv pip sync`
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
        if self.requirement_files or self.local_paths or self.environment_files or self.lock_files:
            return True
        if self.action in ("sync", "env-create", "env-update"):
            return True
        if self.tool in ("poetry", "pdm") and self.action == "install":
            return True
        if self.tool == "pipenv" and self.action == "install" and not self.packages:
            return True
        return False

    @property
    def installs_tools_only(self) -> bool:
        """Installs only installers (`pip install poetry==2.1.3`, `pip install uv`): the dependency
        install is still to come."""
        return (not self.from_manifest and not self.packages_from_stdin and bool(self.packages)
                and all(p.name in TOOL_PACKAGES for p in self.packages))

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


def pin_problem(req: Requirement) -> str | None:
    """Why a requirement does not pin one release, in words for a message; None when it does."""
    if req.pinned:
        return None
    if req.url is not None:
        if is_local(req.url) or (req.editable and not (VCS_URL.match(req.url) or "://" in req.url)):
            return None
        if VCS_URL.match(req.url) or req.url.startswith("git://"):
            ref = vcs_ref(req.url)
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
class OptionTable:
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


def option_table(values: str, flags: str, shorts: str, aliases: str = "", prefixes: bool = False) -> OptionTable:
    return OptionTable(frozenset(values.split()), frozenset(flags.split()),
                    dict(p.split("=") for p in shorts.split()), dict(p.split("=") for p in aliases.split()), prefixes)


def scan_options(words: list[Word], table: OptionTable) -> tuple[list[tuple[str, Word | None]], list[Word]]:
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


def options_dict(opts: list[tuple[str, Word | None]]) -> dict[str, list[Word | None]]:
    out: dict[str, list[Word | None]] = {}
    for k, v in opts:
        out.setdefault(k, []).append(v)
    return out


def program_name(word: Word) -> str:
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


# Programs `unwrap` looks through, and those `_parse`/`pip_config_set` read: any other first
# program installs nothing (most commands of a RUN; tested before anything else is looked at).
_WRAPPERS = frozenset({"sudo", "env", "timeout", "xargs", "gosu", "su-exec", *_PLAIN_WRAPPERS, *CONDA_PROGRAMS,
                       "poetry", "pipenv", "pdm", "uv", "hatch", "rye", "pipx"})


def may_install(cmd: Command) -> bool:
    """Whether a command may be (or wrap) a package install or a pip setting: a wrapper, pip, or
    Python running a module (`python -m pip`, `python3 -mpip`; `python -c ...` installs nothing)."""
    name = cmd.name
    if name in _WRAPPERS or name.startswith("pip"):
        return True
    return name.startswith("python") and any(a.startswith("-m") for a in cmd.argv[1:])


def unwrap(words: list[Word]) -> tuple[list[Word], dict[str, str], bool]:
    """Drops wrappers in front of the real program: (its words, assignments made by `env`,
    whether arguments come from standard input (`xargs`))."""
    extra: dict[str, str] = {}
    stdin = False
    i = 0
    for _ in range(8):
        if i >= len(words):
            break
        name = program_name(words[i])
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


# Package arguments ---------------------------------------------------------------------------


PACKAGE_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?")
VCS_URL = re.compile(r"^(git|hg|svn|bzr)\+", re.I)
_ARCHIVE = re.compile(r"\.(whl|tar\.gz|tgz|tar\.bz2|tar\.xz|zip)$", re.I)


def is_local(value: str) -> bool:
    """`.`, `./pkg`, `/wheels/x.whl`, `dist/*.whl`, `file:///...`: something already on disk."""
    v = value.strip()
    if not v or "://" in v and not v.lower().startswith("file:"):
        return False
    if v.lower().startswith("file:"):
        return True
    if VCS_URL.match(v) or " @ " in v or re.match(r"^[A-Za-z0-9._-]+(\[[^\]]*\])?\s*@", v):
        return False
    v = re.sub(r"\[[^\]]*\]$", "", v)  # `.[dev]`, `./pkg[gpu]`: a local project with extras
    return v in (".", "..") or v.startswith(("./", "../", "/", "~")) or "/" in v or bool(_ARCHIVE.search(v))


def is_manifest_name(value: str) -> bool:
    """uv accepts pyproject.toml / setup.py / setup.cfg (and a PEP 751 pylock.toml) as `-r`: those are
    not requirements files."""
    name = value.rsplit("/", 1)[-1]
    return name in ("pyproject.toml", "setup.py", "setup.cfg") or is_pylock_name(name)


def is_pylock_name(value: str) -> bool:
    return bool(re.match(r"^pylock(\.[^/]+)?\.toml$", value.rsplit("/", 1)[-1], re.I))


def placeholder(value: str) -> str:
    return re.sub(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*", "0", value)


def egg_name(url: str) -> str:
    m = re.search(r"[#&]egg=([A-Za-z0-9._-]+)", url)
    return canonical_name(m.group(1)) if m else ""


EXACT_VERSION = re.compile(r"^\d[\w.+!-]*$")


def vcs_ref(url: str) -> str | None:
    tail = url.split("://", 1)[-1].split("#", 1)[0]
    path = tail.split("/", 1)[-1] if "/" in tail else ""
    return path.rsplit("@", 1)[1] if "@" in path else None


# Indexes, caches, configuration ----------------------------------------------------------------


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


# Requirements files in the build context ------------------------------------------------------


# ARG/ENV lines ----------------------------------------------------------------------------------


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
    if install.lock_files:
        return [w.value for w in install.lock_files]
    return {"poetry": ["pyproject.toml", "poetry.lock"], "uv": ["pyproject.toml", "uv.lock"],
            "pipenv": ["Pipfile", "Pipfile.lock"], "pdm": ["pyproject.toml", "pdm.lock"],
            "conda": ["environment.yml"]}.get(install.tool, ["pyproject.toml"])
