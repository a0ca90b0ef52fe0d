"""Finding a Docker engine for the tests that build real images.

MLLINT_TEST_DOCKER_HOST names the engine (CI sets it to `../shared/tools/docker-engine modern`);
else DOCKER_HOST, else the CLI's default. Without an engine the tests skip, except when CI is set:
then they fail. No image can be pulled here, so the base image is made locally: a root filesystem
with busybox-static's /bin/busybox as /bin/sh (and its applets), `docker import`ed.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

from mllint_docker.image.build import docker_available

BASE_IMAGE = "mllint-test-busybox:1"
APPLETS = ("sh", "rm", "mkdir", "cp", "mv", "ln", "dd", "head", "cat", "chmod", "chown", "touch", "echo", "ls",
           "true", "false", "find", "du", "sleep", "test", "[")


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def unavailable(reason: str):
    """Skips the test, or fails it in CI, where the Docker tests must run."""
    if in_ci():
        pytest.fail(f"CI is set but {reason}", pytrace=False)
    pytest.skip(reason)


def engine_env() -> dict[str, str]:
    env = dict(os.environ)
    host = os.environ.get("MLLINT_TEST_DOCKER_HOST")
    if host:
        env["DOCKER_HOST"] = host
    return env


def docker(env: dict[str, str], *args: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    r = subprocess.run(["docker", *args], env=env, capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed: {r.stderr.strip()}")
    return r


def rootfs_tar() -> bytes:
    busybox = shutil.which("busybox") or "/bin/busybox"
    if not os.path.exists(busybox):
        unavailable("busybox is not installed (apt-get install -y busybox-static)")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for d in ("bin", "tmp", "root", "etc", "home"):
            ti = tarfile.TarInfo(d)
            ti.type, ti.mode = tarfile.DIRTYPE, 0o1777 if d == "tmp" else 0o755
            t.addfile(ti)
        t.add(busybox, "bin/busybox")
        for a in APPLETS:
            ti = tarfile.TarInfo("bin/" + a)
            ti.type, ti.linkname = tarfile.SYMTYPE, "busybox"
            t.addfile(ti)
    return buf.getvalue()


def import_base_image(env: dict[str, str]) -> str:
    if docker(env, "image", "inspect", BASE_IMAGE, check=False).returncode != 0:
        with tempfile.NamedTemporaryFile(suffix=".tar") as f:
            f.write(rootfs_tar())
            f.flush()
            docker(env, "import", f.name, BASE_IMAGE)
    return BASE_IMAGE


def check_engine(env: dict[str, str]) -> None:
    problem = docker_available(env=env)
    if problem:
        unavailable(f"no Docker engine: {problem}")


def can_run(env: dict[str, str], base: str) -> str | None:
    """None when the engine can run a RUN step, else why not."""
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "Dockerfile").write_text(f"FROM {base}\nRUN true\n")
        r = docker(env, "build", "--network", "none", "--progress", "plain", tmp, check=False)
        if r.returncode != 0 and "unknown flag" in r.stderr:  # the classic builder
            r = docker(env, "build", "--network", "none", "-q", tmp, check=False)
    if r.returncode == 0:
        return None
    lines = [ln for ln in (r.stdout + r.stderr).splitlines() if ln.strip()]
    why = next((ln for ln in lines if "runc" in ln or "GLIBC" in ln), lines[-1] if lines else "unknown error")
    return f"the Docker engine cannot run a RUN step ({why.strip()}); the COPY-only image tests still ran"


SHARED_TOOLS = Path(__file__).resolve().parent.parent.parent / "shared" / "tools"


def local_python_base(env: dict[str, str]) -> str:
    """The Debian + Python base image `../shared/tools/local-base-image` makes (once, ~1 min)."""
    tool = SHARED_TOOLS / "local-base-image"
    if not tool.exists():
        unavailable(f"{tool} is missing")
    r = subprocess.run(["bash", str(tool)], env=env, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        unavailable(f"local-base-image failed: {r.stderr.strip()[-500:]}")
    return r.stdout.strip().splitlines()[-1]


@contextlib.contextmanager
def wheel_server(wheels: Path):
    """Serves a `pip download` directory on a loopback port, for `pip install --find-links` in a
    `--network host` build; yields its URL."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(wheels))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
