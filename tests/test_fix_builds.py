"""Real builds of a fixed Dockerfile: tests/fixtures/fix-ml-build (an ML service installing numpy
from requirements.txt) is built as it is and after `mllint check --fix --unsafe-fixes`, from the
local Debian base image (`../shared/tools/local-base-image`) with wheels from a loopback index. Both
build, both import numpy and serve, and the fixed image is no larger."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from docker_engine import check_engine, docker, engine_env, unavailable
from helpers import run_cli

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "fix-ml-build"
BASE = "mllint-local/debian-python:bookworm"
TOOL = next((d / "shared" / "tools" / "local-base-image" for d in ROOT.parents
             if (d / "shared" / "tools" / "local-base-image").is_file()), None)


@pytest.fixture(scope="module")
def env():
    env = engine_env()
    check_engine(env)
    if docker(env, "image", "inspect", BASE, check=False).returncode != 0:
        if TOOL is None:
            unavailable(f"no {BASE} image and no ../shared/tools/local-base-image to make it")
        subprocess.run([str(TOOL)], env=env, check=True, capture_output=True, timeout=900)
    return env


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def wheel_index(tmp_path_factory):
    wheels = tmp_path_factory.mktemp("wheels")
    r = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "-d", str(wheels), "numpy==1.26.4",
                        "--only-binary=:all:", "--python-version", "3.11", "--platform", "manylinux2014_x86_64",
                        "--implementation", "cp"], capture_output=True, text=True)
    if r.returncode != 0:
        unavailable(f"cannot download the wheels for the build: {r.stderr.strip()[-300:]}")
    handler = functools.partial(_QuietHandler, directory=str(wheels))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def _build(env, context: Path, tag: str, index: str) -> int:
    r = docker(env, "build", "--network", "host", "-q", "-t", tag, "--build-arg", f"PIP_FIND_LINKS={index}",
               str(context), check=False, timeout=900)
    assert r.returncode == 0, f"{context.name} does not build:\n{r.stderr[-3000:]}"
    return int(docker(env, "image", "inspect", "-f", "{{.Size}}", tag).stdout.strip())


def test_the_fixed_dockerfile_builds_runs_and_is_no_larger(env, wheel_index, tmp_path: Path):
    original, fixed = tmp_path / "original", tmp_path / "fixed"
    shutil.copytree(FIXTURE, original)
    shutil.copytree(FIXTURE, fixed)
    code, out, err = run_cli(["check", ".", "--isolated", "--fix", "--unsafe-fixes"], fixed)
    assert (code, "fixed 10 findings in 2 files" in err) == (0, True), out + err
    assert (fixed / "Dockerfile").read_text() == (FIXTURE / "expected-fixed-dockerfile.txt").read_text()
    assert (fixed / ".dockerignore").read_text() == (FIXTURE / "expected-fixed-dockerignore.txt").read_text()
    tags = {"original": "mllint-fix-test:original", "fixed": "mllint-fix-test:fixed"}
    try:
        sizes = {name: _build(env, tmp_path / name, tag, wheel_index) for name, tag in tags.items()}
        for name, tag in tags.items():
            smoke = docker(env, "run", "--rm", "--network", "none", tag, "python", "-c", "import numpy", check=False)
            assert smoke.returncode == 0, f"{name}: {smoke.stderr}"
            served = docker(env, "run", "--rm", "--network", "none", tag, check=False)
            assert served.stdout.strip() == "model ready: 3", f"{name}: {served.stdout} {served.stderr}"
        user = docker(env, "run", "--rm", "--network", "none", tags["fixed"], "id", "-un").stdout.strip()
        assert user == "app"
        print(f"\nimage sizes: original {sizes['original']:,} B, fixed {sizes['fixed']:,} B "
              f"({sizes['original'] - sizes['fixed']:,} B smaller)")
        assert sizes["fixed"] <= sizes["original"]
    finally:
        docker(env, "image", "rm", "--force", *tags.values(), check=False)


def test_build_mode_says_when_the_engine_records_no_digest(env, tmp_path: Path, monkeypatch):
    from docker_engine import import_base_image
    from helpers import write_tree

    base = import_base_image(env)
    docker(env, "tag", base, "mllint-fix-untagged")  # `FROM mllint-fix-untagged` means :latest
    monkeypatch.setenv("DOCKER_HOST", env.get("DOCKER_HOST", ""))
    write_tree(tmp_path, {"Dockerfile": 'FROM mllint-fix-untagged\nCMD ["sh"]\n'})
    try:
        code, out, err = run_cli(["check", ".", "--isolated", "--build", "--network", "none", "-q", "--format", "json",
                                  "--select", "base-image-unpinned"], tmp_path)
    finally:
        docker(env, "image", "rm", "mllint-fix-untagged", check=False)
    import json

    (finding,) = json.loads(out)["findings"]  # once: the image check's wording replaces the static one
    assert "records no registry digest for `mllint-fix-untagged`" in finding["fix"], err
