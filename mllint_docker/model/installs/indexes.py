"""Where an install downloads from: index options, PIP_/UV_ variables and `pip config set`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mllint_docker.model.installs.core import PIP_PROGRAM, Index, Install, PipConfig, program_name
from mllint_docker.model.shell import Command, Word, is_python

if TYPE_CHECKING:
    from mllint_docker.model.dockerfile import Instruction


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


def indexes_for(install: Install, config: dict[str, PipConfig]) -> list[Index]:
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


def pip_config_set(inst: "Instruction", cmd: Command, words: list[Word]) -> PipConfig | None:
    """`pip config [--global|--user|--site] set <section>.<key> <value>`."""
    name = program_name(words[0])
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
