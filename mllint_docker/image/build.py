"""Building and reading images through the `docker` CLI.

Everything goes through the CLI as a subprocess, so whatever the user's `docker` talks to is what
we talk to: DOCKER_HOST, the current `docker context` (or `docker_context=`), a buildx builder
(`builder=`, e.g. a docker-container builder). Builds use BuildKit (`docker buildx build`) when
the buildx plugin is there, and the classic builder otherwise. Every failure raises one
ImageError whose message tells the user what to do.
"""

from __future__ import annotations

import collections
import os
import re
import shlex
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from mllint_docker.image.analyze import analyze_tarball
from mllint_docker.image.errors import ImageError
from mllint_docker.image.report import ImageReport

DOCKER = os.environ.get("MLLINT_DOCKER", "docker")
_START_HINT = ("Start one (`sudo systemctl start docker`, Docker Desktop, `colima start`, ...), or point "
               "DOCKER_HOST or `docker context use` at a running engine.")


def _docker(docker_context: str | None) -> list[str]:
    return [DOCKER] + (["--context", docker_context] if docker_context else [])


def _where(env: Mapping[str, str] | None, docker_context: str | None) -> str:
    env = env if env is not None else os.environ
    if docker_context:
        return f"docker context {docker_context!r}"
    if env.get("DOCKER_HOST"):
        return env["DOCKER_HOST"]
    if env.get("DOCKER_CONTEXT"):
        return f"docker context {env['DOCKER_CONTEXT']!r}"
    return "the current docker context"


def _run(args: list[str], env: Mapping[str, str] | None = None, timeout: float | None = 60,
         stdin: int | None = subprocess.DEVNULL) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, capture_output=True, text=True, env=dict(env) if env is not None else None,
                              timeout=timeout, stdin=stdin)
    except FileNotFoundError:
        raise ImageError(f"the `{DOCKER}` command is not installed: install Docker Engine or Docker Desktop "
                         "(https://docs.docker.com/get-docker/) and make sure `docker` is on PATH") from None
    except subprocess.TimeoutExpired:
        raise ImageError(f"`{shlex.join(args)}` did not answer within {timeout:.0f} s: is the Docker engine "
                         "running and reachable?") from None


def docker_available(*, docker_context: str | None = None, env: Mapping[str, str] | None = None) -> str | None:
    """None when a Docker engine answers, else a message for the user saying how to get one."""
    try:
        r = _run(_docker(docker_context) + ["version", "--format", "{{.Server.Version}}"], env, timeout=30)
    except ImageError as e:
        return e.message
    if r.returncode == 0 and r.stdout.strip():
        return None
    detail = next((ln.strip() for ln in (r.stderr or "").splitlines() if ln.strip()), "no answer")
    where = _where(env, docker_context)
    if "permission denied" in detail.lower():
        return (f"no permission to talk to the Docker engine at {where} ({detail}). Add yourself to the `docker` "
                "group (`sudo usermod -aG docker $USER`, then log in again) or use a rootless engine.")
    return f"no Docker engine answers at {where} ({detail}). {_START_HINT}"


def buildx_available(*, docker_context: str | None = None, env: Mapping[str, str] | None = None) -> bool:
    try:
        return _run(_docker(docker_context) + ["buildx", "version"], env, timeout=30).returncode == 0
    except ImageError:
        return False


def _require_engine(docker_context: str | None, env: Mapping[str, str] | None) -> None:
    problem = docker_available(docker_context=docker_context, env=env)
    if problem:
        raise ImageError(problem)


def build_image(dockerfile: str | os.PathLike, context: str | os.PathLike, target: str | None = None,
                build_args: Mapping[str, str] | None = None, builder: str | None = None, tag: str | None = None,
                quiet: bool = False, progress_cb: Callable[[str], None] | None = None, *,
                network: str | None = None, platform: str | None = None, docker_context: str | None = None,
                env: Mapping[str, str] | None = None, extra_args: Iterable[str] = (),
                timeout: float | None = None) -> str:
    """Builds `dockerfile` with `context` into the engine and returns the image id ("sha256:...").

    `progress_cb` gets each line of the build output; `quiet` asks the builder for none (errors
    still come back in the ImageError). `builder` names a buildx builder; its result is loaded
    into the engine so that `docker save` can read it.
    """
    _require_engine(docker_context, env)
    use_buildx = buildx_available(docker_context=docker_context, env=env)
    if builder and not use_buildx:
        raise ImageError(f"--builder {builder} needs the docker buildx plugin, which is not installed "
                         "(https://docs.docker.com/go/buildx/)")
    run_env = dict(env if env is not None else os.environ)
    with tempfile.TemporaryDirectory(prefix="mllint-build-") as tmp:
        iidfile = Path(tmp) / "iid"
        args = _docker(docker_context)
        if use_buildx:
            args += ["buildx", "build", "--load"]
            if builder:
                args += ["--builder", builder]
            args += ["--progress", "quiet" if quiet and progress_cb is None else "plain"]
        else:
            run_env["DOCKER_BUILDKIT"] = "0"
            args += ["build"] + (["--quiet"] if quiet and progress_cb is None else [])
        args += ["-f", os.fspath(dockerfile), "--iidfile", str(iidfile)]
        if target:
            args += ["--target", target]
        for k, v in (build_args or {}).items():
            args += ["--build-arg", f"{k}={v}"]
        if tag:
            args += ["-t", tag]
        if network:
            args += ["--network", network]
        if platform:
            args += ["--platform", platform]
        args += list(extra_args)
        args.append(os.fspath(context))
        tail: collections.deque[str] = collections.deque(maxlen=60)
        try:
            proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    text=True, errors="replace", env=run_env)
        except FileNotFoundError:
            raise ImageError(f"the `{DOCKER}` command is not installed: install Docker "
                             "(https://docs.docker.com/get-docker/)") from None
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer:
            timer.start()
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                line = line.rstrip("\n")
                tail.append(line)
                if progress_cb is not None:
                    progress_cb(line)
            rc = proc.wait()
        finally:
            if timer:
                timer.cancel()
        if rc != 0:
            log = "\n".join(tail).strip()
            raise ImageError(f"building {os.fspath(dockerfile)} failed (exit {rc})" + (f":\n{log}" if log else ""))
        image_id = iidfile.read_text().strip() if iidfile.exists() else ""
    if not image_id:
        if tag:
            return tag
        raise ImageError(f"building {os.fspath(dockerfile)} produced no image id")
    return image_id


def inspect_image(image: str, *, docker_context: str | None = None, env: Mapping[str, str] | None = None) -> dict:
    """`docker image inspect` of one image, as a dict."""
    import json

    r = _run(_docker(docker_context) + ["image", "inspect", image], env)
    if r.returncode != 0:
        raise ImageError(_no_image(image, r.stderr, docker_context, env))
    return json.loads(r.stdout)[0]


def remove_image(image: str, *, docker_context: str | None = None, env: Mapping[str, str] | None = None) -> None:
    _run(_docker(docker_context) + ["image", "rm", "--force", image], env)


def _no_image(image: str, stderr: str, docker_context: str | None, env: Mapping[str, str] | None) -> str:
    detail = (stderr or "").strip().splitlines()
    detail_s = detail[-1] if detail else "unknown error"
    if re.search(r"no such image|reference does not exist|not found", detail_s, re.I):
        return f"the image {image} is not in the Docker engine at {_where(env, docker_context)}: build or pull it first"
    problem = docker_available(docker_context=docker_context, env=env)
    return problem or f"docker cannot read the image {image}: {detail_s}"


def save_image(image: str, dest: str | os.PathLike, *, docker_context: str | None = None,
               env: Mapping[str, str] | None = None) -> None:
    """`docker save -o dest image`."""
    r = _run(_docker(docker_context) + ["save", "-o", os.fspath(dest), image], env, timeout=None)
    if r.returncode != 0:
        raise ImageError(_no_image(image, r.stderr, docker_context, env))


def _grow_pipe(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, 1031, 1 << 20)  # F_SETPIPE_SZ: fewer, larger reads
    except (ImportError, OSError):
        pass


def analyze_image(image: str, *, docker_context: str | None = None, env: Mapping[str, str] | None = None,
                  **kwargs) -> ImageReport:
    """Analyses an image of the engine by streaming `docker save` into analyze_tarball: no temp file."""
    try:
        proc = subprocess.Popen(_docker(docker_context) + ["save", image], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, bufsize=0,
                                env=dict(env) if env is not None else None)
    except FileNotFoundError:
        raise ImageError(f"the `{DOCKER}` command is not installed: install Docker "
                         "(https://docs.docker.com/get-docker/)") from None
    assert proc.stdout is not None and proc.stderr is not None
    _grow_pipe(proc.stdout.fileno())
    err: list[bytes] = []
    reader = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)
    reader.start()
    report = failure = None
    try:
        report = analyze_tarball(proc.stdout, **kwargs)
    except ImageError as e:
        failure = e
    finally:
        try:
            while proc.stdout.read(1 << 20):  # whatever follows the archive's end
                pass
        except OSError:
            pass
        rc = proc.wait()
        reader.join(timeout=10)
    if rc != 0:
        stderr = b"".join(err).decode("utf-8", "replace")
        raise ImageError(_no_image(image, stderr, docker_context, env))
    if failure is not None:
        raise failure
    assert report is not None
    return report


def analyze(target: str, *, docker_context: str | None = None, env: Mapping[str, str] | None = None,
            **kwargs) -> ImageReport:
    """`mllint image TARGET`: a `docker save` or OCI-layout tarball when TARGET is a file, else an
    image of the engine."""
    if os.path.isfile(target):
        return analyze_tarball(target, **kwargs)
    if os.path.isdir(target):
        raise ImageError(f"{target} is a directory: pass an image tarball (`docker save -o image.tar IMAGE`, "
                         "or `docker buildx build -o type=oci,dest=image.tar .`) or an image name")
    return analyze_image(target, docker_context=docker_context, env=env, **kwargs)


# ---------------------------------------------------------------------------------------------
# layers -> Dockerfile lines

_ARGS_PREFIX = re.compile(r"^\|\d+\s+(?:\S+=\S*\s+)*")  # `|2 A=1 B=2 ` before a RUN's command
_SHELL_PREFIX = re.compile(r"^(?:/bin/sh|/bin/bash|sh|bash)\s+-c\s+")
_HISTORY_KEYWORDS = {"RUN", "COPY", "ADD", "WORKDIR", "ENV", "USER", "LABEL", "EXPOSE", "CMD", "ENTRYPOINT",
                     "VOLUME", "HEALTHCHECK", "SHELL", "STOPSIGNAL", "ONBUILD", "MAINTAINER", "ARG"}


def parse_created_by(created_by: str) -> tuple[str, str]:
    """(KEYWORD, body) of a history entry, from BuildKit's or the classic builder's wording:
    `RUN /bin/sh -c pip install x # buildkit`, `COPY . /app # buildkit`,
    `/bin/sh -c #(nop) COPY file:ab12 in /app `, `|1 X=y /bin/sh -c make`."""
    s = created_by.strip()
    if s.endswith("# buildkit"):
        s = s[: -len("# buildkit")].rstrip()
    if "#(nop)" in s:
        s = s.split("#(nop)", 1)[1].strip()
        kw, _, body = s.partition(" ")
        return kw.upper(), body.strip()
    kw, _, body = s.partition(" ")
    if kw.upper() in _HISTORY_KEYWORDS and kw.isupper():
        kw = kw.upper()
    else:  # the classic builder's RUN: the bare command
        kw, body = "RUN", s
    if kw == "RUN":
        body = _ARGS_PREFIX.sub("", body.strip())
        body = _SHELL_PREFIX.sub("", body)
    return kw, body.strip()


def _norm(text: str) -> str:
    return " ".join(text.replace("\\\n", " ").split())


def _instruction_body(keyword: str, text: str) -> str:
    body = text.strip()
    if body[: len(keyword)].upper() == keyword:
        body = body[len(keyword):]
    body = body.strip()
    if keyword == "RUN":  # drop RUN flags (--mount=..., --network=...)
        while body.startswith("--"):
            _, _, body = body.partition(" ")
            body = body.lstrip()
    return body


def _score(history: tuple[str, str], instruction: tuple[int, str, str]) -> int:
    hk, hb = history
    _, ik, itext = instruction
    ik = ik.upper()
    if hk != ik:
        return 0
    ib = _instruction_body(ik, itext)
    if ik == "RUN":
        a, b = _norm(hb), _norm(ib)
        if b.startswith("["):  # exec form: BuildKit writes the joined words
            try:
                import json

                b = " ".join(json.loads(b))
            except ValueError:
                pass
        if a == b or (a and b and (a in b or b in a)):
            return 3
        return 1
    if ik in ("COPY", "ADD"):
        dest_h = _norm(hb).split(" ")[-1] if hb else ""
        dest_i = _norm(ib).split(" ")[-1] if ib else ""
        return 3 if dest_h and dest_h == dest_i else 2
    return 2


def attribute_layers(report: ImageReport, instructions: list[tuple[int, str, str]]) -> None:
    """Maps each layer to the Dockerfile instruction that made it: sets `layer.line` and
    `layer.instruction` (and keeps those of the base image's layers None).

    `instructions` are (line, KEYWORD, original text) of the built stage and the stages it builds
    FROM, in build order, FROM lines left out or in. History entries and instructions are aligned
    from the end (a best-scoring common subsequence), so the base image's own history entries stay
    unmatched.
    """
    hist = [parse_created_by(h.created_by) for h in report.history]
    ins = [t for t in instructions if t[1].upper() in _HISTORY_KEYWORDS]
    n, m = len(hist), len(ins)
    if not n or not m:
        return
    # best[i][j]: best score aligning hist[i:] with ins[j:]
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, nxt = best[i], best[i + 1]
        for j in range(m - 1, -1, -1):
            s = _score(hist[i], ins[j])
            v = max(nxt[j], row[j + 1])
            if s and nxt[j + 1] + s > v:
                v = nxt[j + 1] + s
            row[j] = v
    i = j = 0
    while i < n and j < m:
        s = _score(hist[i], ins[j])
        if best[i][j] == best[i + 1][j]:  # leave early history (the base image's) unmatched when we can
            i += 1
        elif s and best[i][j] == best[i + 1][j + 1] + s:
            entry = report.history[i]
            if entry.layer is not None and entry.layer < len(report.layers):
                layer = report.layers[entry.layer]
                layer.line, layer.instruction = ins[j][0], ins[j][2]
            i += 1
            j += 1
        else:
            j += 1
