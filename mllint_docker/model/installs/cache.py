"""Does an install leave its download cache in the layer? `--no-cache-dir`, PIP_NO_CACHE_DIR and
pip config, uv's, poetry's and conda's equivalents, cache mounts, and a clean-up later in the same RUN."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from mllint_docker.model.installs.conda import CONDA_OPTIONS
from mllint_docker.model.installs.core import (
    CONDA_PROGRAMS,
    PIP_PROGRAM,
    Install,
    PipConfig,
    program_name,
    scan_options,
    unwrap,
)
from mllint_docker.model.shell import Command

if TYPE_CHECKING:
    from mllint_docker.model.dockerfile import Instruction


# Values pip accepts for a boolean option in the environment; for PIP_NO_CACHE_DIR every one of
# them, false ones included, disables the cache (pip keeps that for backwards compatibility).
PIP_BOOLEANS = frozenset({"y", "yes", "t", "true", "on", "1", "n", "no", "f", "false", "off", "0"})


TRUTHY = frozenset({"y", "yes", "t", "true", "on", "1"})


def cache_mounts(inst: "Instruction") -> list[str]:
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


def cache_handled(install: Install, config: dict[str, PipConfig], later: list[Command]) -> str | None:
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
    elif install.tool == "poetry":
        if install.has("no-cache"):
            return "--no-cache"
        cache_dir = env.get("POETRY_CACHE_DIR") or (
            posixpath.join(env["XDG_CACHE_HOME"], "pypoetry") if env.get("XDG_CACHE_HOME") else None)
        tail = ".cache/pypoetry"
    elif install.tool == "conda":
        for target in install.cache_mounts:
            if _norm(target).endswith("/pkgs"):
                return f"cache mount {target}"
        for cmd in later:
            words, _, _ = unwrap(cmd.words)
            if not words:
                continue
            name = program_name(words[0])
            if name in CONDA_PROGRAMS:
                opts, positionals = scan_options(words[1:], CONDA_OPTIONS)
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
        words, _, _ = unwrap(cmd.words)
        if not words:
            continue
        name, argv = program_name(words[0]), [w.value for w in words[1:]]
        if name == "rm" and any(_covers(a, cache_dir, tail) for a in argv if not a.startswith("-")):
            return f"`{' '.join(w.value for w in words)}`"
        if install.tool == "pip" and PIP_PROGRAM.match(name) and argv[:2] == ["cache", "purge"]:
            return "`pip cache purge`"
        if install.tool == "uv" and name == "uv" and argv[:2] == ["cache", "clean"]:
            return "`uv cache clean`"
        if install.tool == "poetry" and name == "poetry" and argv[:2] == ["cache", "clear"] and "--all" in argv:
            return f"`poetry {' '.join(argv)}`"
    return None
