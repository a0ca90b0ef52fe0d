"""One pass over a Dockerfile's RUN commands that finds every install, with the pip config in
force at each (cached on the Dockerfile)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mllint_docker.model.installs.cache import cache_handled, cache_mounts
from mllint_docker.model.installs.conda import parse_conda
from mllint_docker.model.installs.core import (
    CONDA_PROGRAMS,
    PIP_PROGRAM,
    Install,
    PipConfig,
    Setting,
    may_install,
    program_name,
    unwrap,
)
from mllint_docker.model.installs.indexes import indexes_for, pip_config_set
from mllint_docker.model.installs.managers import (
    PDM_OPTIONS,
    PIPENV_OPTIONS,
    PIPX_OPTIONS,
    POETRY_OPTIONS,
    parse_manager,
)
from mllint_docker.model.installs.pip import parse_pip, parse_uv, unquoted_operator
from mllint_docker.model.shell import Command, Word, is_python

if TYPE_CHECKING:
    from mllint_docker.model.dockerfile import Dockerfile, Instruction, Stage


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
        mounts = None
        commands = inst.commands
        for n, cmd in enumerate(commands):
            if not may_install(cmd):
                continue
            words, extra, stdin = unwrap(cmd.words)
            if not words:
                continue
            setting = pip_config_set(inst, cmd, words)
            if setting is not None:
                config[setting.key] = setting
                self.configs.append(setting)
                continue
            assigned = {**cmd.assignments, **extra}
            env = {**inst.env, **assigned} if assigned else inst.env
            install = _parse(inst, cmd, words, env)
            if install is None:
                continue
            install.assigned = assigned
            install.packages = [unquoted_operator(cmd, p) for p in install.packages]
            if mounts is None:
                mounts = cache_mounts(inst)
            install.cache_mounts = mounts
            install.packages_from_stdin = stdin
            install.indexes = indexes_for(install, config)
            variable = {"pip": "PIP_CONSTRAINT", "uv": "UV_CONSTRAINT"}.get(install.tool)
            for path in env.get(variable, "").split() if variable else ():
                install.constraint_files.append(Word(path, path, inst.line, 1))
            install.cache_handled = cache_handled(install, config, commands[n + 1 :])
            self.installs.append(install)


def _parse(inst: "Instruction", cmd: Command, words: list[Word], env: dict[str, str]) -> Install | None:
    name = program_name(words[0])
    if PIP_PROGRAM.match(name):
        return parse_pip(inst, cmd, words, words[1:], name, env)
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
                    return parse_pip(inst, cmd, words, rest, f"{name} -m pip", env)
                if module == "uv":
                    return parse_uv(inst, cmd, words, rest, f"{name} -m uv", env)
                return None
            j += 2 if v in ("-W", "-X") else 1
        return None
    if name == "uv":
        return parse_uv(inst, cmd, words, words[1:], "uv", env)
    if name in CONDA_PROGRAMS:
        return parse_conda(inst, cmd, words, name, env)
    if name == "poetry":
        return parse_manager(inst, cmd, words, "poetry", POETRY_OPTIONS, ("add", "install", "sync"), env)
    if name == "pipenv":
        return parse_manager(inst, cmd, words, "pipenv", PIPENV_OPTIONS, ("install", "sync"), env)
    if name == "pdm":
        return parse_manager(inst, cmd, words, "pdm", PDM_OPTIONS, ("add", "install", "sync"), env)
    if name == "pipx":
        return parse_manager(inst, cmd, words, "pipx", PIPX_OPTIONS, ("install",), env)
    return None


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
