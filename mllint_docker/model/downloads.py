"""Files a RUN downloads with curl or wget, where they land, and whether the same RUN removes them.
Read from the shell model (each command's argv and redirections), so `\\`-continued lines,
heredocs and `sh -c` are all seen."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

from mllint_docker.model.shell import Command

# Archives and packages: what is usually unpacked or installed, then forgotten.
ARCHIVE = re.compile(r"\.(zip|tar|tar\.gz|tgz|tar\.xz|txz|tar\.bz2|tbz2?|tar\.zst|7z|gz|xz|bz2|deb|rpm|whl|apk|"
                     r"run|msi)$", re.I)
# Shell scripts count only as the self-extracting installers they often are (Miniconda is 100 MB+);
# a few-KB `install.sh` left behind is not worth a finding.
_INSTALLER_SCRIPT = re.compile(r"(conda|forge|mamba|anaconda|cuda|cudnn|nvidia|linux-(x86_64|aarch64|amd64|arm64))"
                               r"[^/]*\.sh$", re.I)


def is_bulky(name: str) -> bool:
    """An archive, a package or a self-extracting installer: what stays heavy once unpacked."""
    return bool(ARCHIVE.search(name) or _INSTALLER_SCRIPT.search(name))
_WGET_VALUES = {"-O", "--output-document", "-P", "--directory-prefix", "-o", "--output-file", "-a", "--append-output",
                "-e", "--execute", "-t", "--tries", "-T", "--timeout", "-U", "--user-agent", "--header", "--user",
                "--password", "-w", "--wait", "--limit-rate", "-i", "--input-file", "--post-data", "--method",
                "--body-data", "--ca-certificate", "--certificate", "--private-key"}
_CURL_VALUES = {"-o", "--output", "-H", "--header", "-u", "--user", "-A", "--user-agent", "-d", "--data", "-X",
                "--request", "-e", "--referer", "-m", "--max-time", "--retry", "--retry-delay", "--retry-max-time",
                "-w", "--write-out", "-b", "--cookie", "-c", "--cookie-jar", "-F", "--form", "--connect-timeout",
                "-x", "--proxy", "-r", "--range", "-T", "--upload-file", "-C", "--continue-at", "--output-dir",
                "-K", "--config", "--cacert", "--cert", "--key", "-E", "-z", "--time-cond", "--limit-rate",
                "--create-dirs-mode", "-Y", "-y", "--url"}


@dataclass(frozen=True, slots=True)
class Download:
    command: Command
    url: str
    path: str  # where the file lands, as the command names it (relative to the working directory or absolute)

    @property
    def name(self) -> str:
        return posixpath.basename(self.path)


def _url_name(url: str) -> str:
    return posixpath.basename(url.split("?", 1)[0].split("#", 1)[0].rstrip("/"))


def _scan(argv: list[str], values: set[str]) -> tuple[list[tuple[str, str | None]], list[str]]:
    opts, positionals, i = [], [], 0
    while i < len(argv):
        a = argv[i]
        if a.startswith("--") and "=" in a:
            k, _, v = a.partition("=")
            opts.append((k, v))
        elif a in values and i + 1 < len(argv):
            opts.append((a, argv[i + 1]))
            i += 1
        elif a.startswith("-") and len(a) > 1 and not a.startswith("--"):
            # clustered short flags: `-qO-`, `-fsSLo x`, `-sLO`
            j = 1
            while j < len(a):
                flag = "-" + a[j]
                if flag in values:
                    rest = a[j + 1 :]
                    if rest:
                        opts.append((flag, rest))
                    elif i + 1 < len(argv):
                        opts.append((flag, argv[i + 1]))
                        i += 1
                    break
                opts.append((flag, None))
                j += 1
        elif a.startswith("--"):
            opts.append((a, None))
        else:
            positionals.append(a)
        i += 1
    return opts, positionals


def downloads(cmd: Command) -> list[Download]:
    """The files a curl/wget command writes to disk (not to standard output)."""
    argv = cmd.argv
    name = cmd.name
    if name not in ("wget", "curl") or len(argv) < 2:
        return []
    stdout_redirect = next((w.value for op, w in cmd.redirects if op in (">", ">>", "&>")), None)
    if name == "wget":
        opts, positionals = _scan(argv[1:], _WGET_VALUES)
        urls = [p for p in positionals if re.match(r"^(https?|ftp)://", p)]
        out = [v for k, v in opts if k in ("-O", "--output-document")]
        prefix = next((v for k, v in reversed(opts) if k in ("-P", "--directory-prefix")), None)
        if out:
            target = out[-1]
            if target in ("-", "/dev/null") or not urls:
                return []
            return [Download(cmd, urls[0], target)]
        return [Download(cmd, u, posixpath.join(prefix, _url_name(u)) if prefix else _url_name(u)) for u in urls
                if _url_name(u)]
    opts, positionals = _scan(argv[1:], _CURL_VALUES)
    urls = [p for p in positionals if re.match(r"^(https?|ftp)://", p)] + [v for k, v in opts if k == "--url" and v]
    if not urls:
        return []
    outputs = [v for k, v in opts if k in ("-o", "--output") and v]
    remote = sum(1 for k, _ in opts if k in ("-O", "--remote-name", "--remote-name-all"))
    outdir = next((v for k, v in reversed(opts) if k == "--output-dir"), None)
    found = []
    for i, u in enumerate(urls):
        if i < len(outputs):
            target = outputs[i]
            if target in ("-", "/dev/null"):
                continue
        elif remote and _url_name(u):
            target = _url_name(u)
        elif i == 0 and stdout_redirect and stdout_redirect not in ("/dev/null",):
            target = stdout_redirect
        else:
            continue
        found.append(Download(cmd, u, posixpath.join(outdir, target) if outdir and not target.startswith("/") else target))
    return found


def home(path: str) -> str:
    """`~/x`, `$HOME/x` -> `/root/x` (a RUN runs as root unless USER says otherwise)."""
    return re.sub(r"^(~|\$HOME|\$\{HOME\})(?=/|$)", "/root", path)


def removes(cmd: Command, path: str, cwd: str) -> bool:
    """Whether `cmd` deletes the file at `path` (relative paths taken from `cwd`), or moves it
    into place (then it is the thing installed)."""
    argv = cmd.argv
    if cmd.name == "mv":  # moved into place: the file is what was installed, not a leftover
        argv = argv[:-1]
    elif cmd.name not in ("rm", "unlink", "shred") and not (cmd.name == "find" and "-delete" in argv):
        return False
    target = posixpath.normpath(posixpath.join(cwd, home(path)))
    for a in argv[1:]:
        if a.startswith("-") and cmd.name != "find":
            continue
        a = home(a)
        full = posixpath.normpath(posixpath.join(cwd, a)) if a else a
        if not full:
            continue
        if full == target or target.startswith(full.rstrip("/") + "/") or fnmatchcase(target, full) or \
                fnmatchcase(posixpath.basename(path), a) or (cmd.name == "find" and target.startswith(full.rstrip("/") + "/")):
            return True
        if "*" in full and fnmatchcase(target, full.rstrip("*") + "*"):
            return True
    return False
