"""OS package managers: apt-get/apt, apk, yum/dnf/microdnf/zypper installs and apt's list clean-up."""

from __future__ import annotations

import re

_INSTALL = {"apt-get": ("install",), "apt": ("install",), "apk": ("add",), "yum": ("install",),
            "dnf": ("install",), "microdnf": ("install",), "zypper": ("install", "in")}


def os_packages(commands) -> list[tuple[str, int]]:
    """(package, line) for every package an apt/apk/yum/dnf install command names."""
    out = []
    for cmd in commands:
        if cmd.name in _INSTALL or cmd.name == "sudo":
            out.extend(_memo(cmd, "os-packages", _os_packages))
    return out


def _memo(cmd, key: str, compute):
    """`compute(cmd)`, once per command: several rules ask the same of every apt command."""
    memo = cmd.memo
    if memo is None:
        memo = cmd.memo = {}
    elif key in memo:
        return memo[key]
    found = memo[key] = compute(cmd)
    return found


_PACKAGE_END = re.compile(r"[=:<>]")


def _os_packages(cmd) -> list[tuple[str, int]]:
    prog, start = cmd.name, 1
    if prog == "sudo" and len(cmd.words) > 1:
        prog, start = cmd.argv[1].rsplit("/", 1)[-1], 2
    verbs = _INSTALL.get(prog)
    if not verbs:
        return []
    rest = cmd.words[start:]
    i = next((k for k, w in enumerate(rest) if w.value in verbs), None)
    if i is None:
        return []
    return [(_PACKAGE_END.split(w.value, maxsplit=1)[0], w.line) for w in rest[i + 1:] if not w.value.startswith("-")]


APT_PROGRAMS = ("apt-get", "apt", "aptitude")
OS_PACKAGE_PROGRAMS = tuple(_INSTALL)  # the programs `os_packages` reads
_APT = frozenset(APT_PROGRAMS)


def _apt(cmd) -> tuple[str, list[str]] | None:
    """(front end, verbs) of an apt command (behind `sudo` too), else None."""
    if cmd.name in _APT or cmd.name == "sudo":
        return _memo(cmd, "apt", _apt_verbs)
    return None


def _apt_verbs(cmd) -> tuple[str, list[str]] | None:
    argv = cmd.argv
    if cmd.name == "sudo" and len(argv) > 1:
        argv = argv[1:]
        prog = argv[0].rsplit("/", 1)[-1]
    else:
        prog = cmd.name
    if prog not in _APT:
        return None
    return prog, [a for a in argv[1:] if not a.startswith("-")]


def apt_program(cmd) -> str:
    """The apt front end a command runs, as the file writes it (`apt`, `apt-get`, `aptitude`), so
    messages and fixes speak the file's own command; `apt-get` for anything else."""
    a = _apt(cmd)
    return a[0] if a else "apt-get"


def apt_installs(commands) -> list:
    return [c for c in commands if (a := _apt(c)) and a[1][:1] == ["install"]]


def apk_adds(commands) -> list:
    """`apk add` commands (through `sudo` too)."""
    out = []
    for c in commands:
        if c.name not in ("apk", "sudo"):
            continue
        argv = c.argv[1:] if c.name == "sudo" else c.argv
        if argv and argv[0].rsplit("/", 1)[-1] == "apk" and [a for a in argv[1:] if not a.startswith("-")][:1] == ["add"]:
            out.append(c)
    return out


def removes_apk_cache(commands) -> bool:
    """A command of the same RUN deletes apk's download cache."""
    for c in commands:
        if c.name == "rm" and any(a.rstrip("/*").startswith("/var/cache/apk") or a.rstrip("/") == "/var/cache"
                                  for a in c.argv[1:]):
            return True
        if c.name == "apk" and "cache" in c.argv[1:2] and any(a in ("clean", "purge") for a in c.argv[2:]):
            return True
    return False


def apt_assumes_yes(cmd) -> bool:
    """An apt install that answers its own prompt: `-y`/`--yes`/`--assume-yes` (also in a cluster such
    as `-qy`), `-qq`/`-q=2`/`--quiet=2` (quiet level 2 implies yes), or `APT::Get::Assume-Yes`."""
    for a in cmd.argv[1:]:
        if a in ("--yes", "--assume-yes", "--force-yes", "-q=2", "--quiet=2") or "Assume-Yes=true" in a or "Assume-Yes=1" in a:
            return True
        if a.startswith("-") and not a.startswith("--") and ("y" in a[1:] or a[1:].count("q") >= 2):
            return True
    return False


def apt_updates(commands) -> list:
    return [c for c in commands if (a := _apt(c)) and a[1][:1] == ["update"]]


_BRACES = re.compile(r"\{([^{}]*,[^{}]*)\}")


def _braces(arg: str) -> list[str]:
    """The shell's brace expansion of one word: `/var/lib/{apt,dpkg}/` -> two paths."""
    if "{" not in arg:
        return [arg]
    m = _BRACES.search(arg)
    if not m:
        return [arg]
    return [x for part in m.group(1).split(",") for x in _braces(arg[: m.start()] + part + arg[m.end():])]


def removes_apt_lists(commands) -> bool:
    for c in commands:
        if c.name not in ("rm", "find"):
            continue
        argv = [x for a in c.argv for x in _braces(a)]
        if c.name == "rm" and any(a.startswith("/var/lib/apt/lists") or a.rstrip("/") in ("/var/lib/apt", "/var/lib")
                                   for a in argv[1:]):
            return True
        if c.name == "find" and any(a.startswith("/var/lib/apt/lists") for a in argv[1:]) and "-delete" in argv:
            return True
    return False


def cache_mounted(inst, directory: str) -> bool:
    """A `RUN --mount=type=cache` (or tmpfs) covers `directory`."""
    for m in inst.flags.get("mount", []):
        fields = dict(p.partition("=")[::2] for p in m.split(","))
        target = fields.get("target") or fields.get("dst") or fields.get("destination") or ""
        if fields.get("type") in ("cache", "tmpfs") and target and (directory + "/").startswith(target.rstrip("/") + "/"):
            return True
    return False
