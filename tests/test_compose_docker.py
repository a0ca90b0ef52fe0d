"""Compose is the truth for what a compose file means: on every compose project of the fixtures, our
model and `docker compose config` (Compose v2, Debian 13's docker-compose 2.26 from
`tests/compose-v2`) agree on the services, their images, build contexts, Dockerfiles, args and
targets, environment values, volumes, secrets, profiles and GPU reservations; and a file we report
as a parse error is one Compose refuses too.

Compose runs with an empty environment (no `.env` in the fixtures), so both sides resolve
`${VAR:-default}` from the file alone. Locally the test skips without Compose v2; in CI it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from docker_engine import unavailable
from mllint_docker.model.compose import compose_projects, load_compose

pytestmark = [pytest.mark.docker, pytest.mark.compose]

FIXTURES = Path(__file__).parent / "fixtures"
INSTALLED = Path("/opt/docker-compose-v2/usr/libexec/docker/cli-plugins/docker-compose")


def _is_v2(binary: str) -> bool:
    try:
        out = subprocess.run([binary, "version", "--short"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return out.strip().lstrip("v").startswith("2.")


def compose_binary() -> str:
    """MLLINT_TEST_COMPOSE, else what `tests/compose-v2` installs, else a v2 `docker-compose` on PATH."""
    for candidate in (os.environ.get("MLLINT_TEST_COMPOSE"), str(INSTALLED), shutil.which("docker-compose")):
        if candidate and os.path.exists(candidate) and _is_v2(candidate):
            return candidate
    unavailable("Compose v2 is not installed (run tests/compose-v2, or set MLLINT_TEST_COMPOSE)")
    raise AssertionError  # unreachable: unavailable() skips or fails


def _compose_files(case: Path) -> list[Path]:
    return sorted(p for p in case.rglob("*") if p.is_file() and p.name.lower().startswith(("compose", "docker-compose"))
                  and p.suffix in (".yaml", ".yml"))


def _projects() -> list[tuple[str, list[Path]]]:
    out = []
    for case in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        groups = compose_projects(_compose_files(case))
        loaded = [load_compose(g, case) for g in groups]
        for g, cf in zip(groups, loaded):
            if any(other is not cf and cf.path.resolve() in other.files[1:] for other in loaded):
                continue  # linted as part of the project that includes it
            out.append((str(g[0].relative_to(FIXTURES)), g))
    return out


PROJECTS = _projects()


def _unescape(value):
    """`docker compose config` writes a literal `$` as `$$` again."""
    if isinstance(value, str):
        return value.replace("$$", "$")
    if isinstance(value, dict):
        return {k: _unescape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unescape(v) for v in value]
    return value


def _count(value):
    return -1 if value in ("all", -1) else (int(value) if value is not None else None)


def theirs(binary: str, files: list[Path]) -> tuple[int, dict, str]:
    args = [binary, "--profile", "*"]
    for f in files:
        args += ["-f", str(f)]
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}
    r = subprocess.run(args + ["config", "--format", "json"], capture_output=True, text=True, env=env,
                       cwd=files[0].parent, timeout=120)
    if r.returncode != 0:
        return r.returncode, {}, r.stderr
    data = _unescape(json.loads(r.stdout))
    services = {}
    for name, s in data.get("services", {}).items():
        build = s.get("build")
        devices = s.get("deploy", {}).get("resources", {}).get("reservations", {}).get("devices", [])
        services[name] = {
            "image": s.get("image") if not build else None,
            "build": None if not build else {
                "context": build["context"],
                "dockerfile": str(Path(build["context"], build.get("dockerfile", "Dockerfile"))),
                "args": build.get("args", {}),
                "target": build.get("target"),
            },
            "environment": s.get("environment", {}),
            "volumes": sorted(((v["type"], v.get("source"), v["target"], bool(v.get("read_only"))) for v in s.get("volumes", [])), key=str),
            "secrets": sorted(x["source"] for x in s.get("secrets", [])),
            "profiles": sorted(s.get("profiles", [])),
            "runtime": s.get("runtime"),
            "privileged": bool(s.get("privileged")),
            "network_mode": s.get("network_mode"),
            "pid": s.get("pid"),
            "command": s.get("command"),
            "devices": [(d.get("driver"), _count(d.get("count")), sorted(d.get("capabilities", []))) for d in devices],
        }
    return 0, services, r.stderr


def ours(files: list[Path]):
    cf = load_compose(files, files[0].parent.parent)
    services = {}
    for name, s in cf.services.items():
        b = s.build
        node = s.get("privileged")
        command = s.get("command")
        services[name] = {
            "image": s.image.text() if s.image is not None and b is None else None,
            "build": None if b is None else {
                "context": str(b.context),
                "dockerfile": str(b.dockerfile),
                "args": {k: v.text() or "" for k, v in b.args.items() if v is not None},
                "target": b.target,
            },
            "environment": {k: v.value for k, v in s.environment.items()},
            "volumes": sorted(((v.type, v.source, v.target, v.read_only) for v in s.volumes), key=str),
            "secrets": sorted(s.secrets),
            "profiles": sorted(s.profiles),
            "runtime": s.get("runtime").text() if s.get("runtime") is not None else None,
            "privileged": bool(node is not None and node.is_true()),
            "network_mode": s.get("network_mode").text() if s.get("network_mode") is not None else None,
            "pid": s.get("pid").text() if s.get("pid") is not None else None,
            "command": s.words("command") if command is not None else None,
            "devices": [(d.driver, _count(d.count), sorted(d.capabilities)) for d in s.devices],
        }
    return cf, services


def test_there_are_compose_projects_to_compare():
    assert len(PROJECTS) >= 10, [p for p, _ in PROJECTS]


@pytest.mark.parametrize("files", [f for _, f in PROJECTS], ids=[p for p, _ in PROJECTS])
def test_compose_config_agrees(files: list[Path]):
    binary = compose_binary()
    code, expected, stderr = theirs(binary, files)
    cf, got = ours(files)
    if cf.errors:
        assert code != 0, f"we report {cf.errors[0]} but Compose reads the file"
        return
    assert code == 0, f"Compose refuses what we read without complaint: {stderr}"
    assert sorted(got) == sorted(expected), "services"
    for name in expected:
        for key in expected[name]:
            assert got[name][key] == expected[name][key], f"service {name}: {key}"
