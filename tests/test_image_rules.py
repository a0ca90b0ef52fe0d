"""Image rules and the `--build` / `mllint image` command line, with a real Docker engine: every image
rule page's Example is built and caught, its Use instead built and passed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from docker_engine import check_engine, engine_env, import_base_image
from helpers import doc_sections, materialise, run_cli, write_tree
from mllint_docker.docs import docs_dir
from mllint_docker.rules import all_rules

pytestmark = pytest.mark.docker

IMAGE_RULES = [r for r in all_rules() if r.scope == "image"]
DOC_BASE = "busybox:1.36.1"  # what the pages show; the tests build on a local busybox root filesystem


@pytest.fixture(scope="module")
def engine():
    env = engine_env()
    check_engine(env)
    return env, import_base_image(env)


@pytest.fixture
def docker_env(engine, monkeypatch):
    env, base = engine
    monkeypatch.setenv("DOCKER_HOST", env.get("DOCKER_HOST", ""))
    if not env.get("DOCKER_HOST"):
        monkeypatch.delenv("DOCKER_HOST")
    return base


def build_findings(root: Path, select: str) -> tuple[int, dict]:
    code, out, err = run_cli(["check", ".", "--build", "--network", "none", "-q", "--format", "json",
                              "--select", select], root)
    assert code in (0, 1), err
    return code, json.loads(out)


def localise(root: Path, base: str) -> None:
    df = root / "Dockerfile"
    df.write_text(df.read_text().replace(f"FROM {DOC_BASE}", f"FROM {base}"))


@pytest.mark.parametrize("rule", IMAGE_RULES, ids=lambda r: r.name)
def test_image_rule_pages_are_executed(rule, docker_env, tmp_path: Path):
    sections = doc_sections((docs_dir() / f"{rule.name}.md").read_text())
    bad, good = tmp_path / "bad", tmp_path / "good"
    materialise(bad, sections["Example"])
    materialise(good, sections["Use instead"])
    for root in (bad, good):
        localise(root, docker_env)
    _, doc = build_findings(bad, rule.code)
    assert [f for f in doc["findings"] if f["code"] == rule.code], "the Example must be caught"
    _, doc = build_findings(good, rule.code)
    assert not [f for f in doc["findings"] if f["code"] == rule.code], "the Use instead must pass"


def test_build_reports_layers_on_dockerfile_lines(docker_env, tmp_path: Path):
    write_tree(tmp_path, {
        "Dockerfile": (f"FROM {docker_env}\n"
                       "COPY model.pt /models/\n"
                       "RUN mkdir -p /root/.cache/pip && dd if=/dev/zero of=/root/.cache/pip/x bs=1k count=400\n"
                       "RUN dd if=/dev/zero of=/big bs=1M count=3\n"
                       "RUN rm /big\n"
                       "USER 1000\n"),
        "model.pt": b"\1" * 1_500_000,
        ".dockerignore": ".git\n",
    })
    code, doc = build_findings(tmp_path, "MLD5")
    assert code == 1
    got = sorted((f["name"], f["line"]) for f in doc["findings"])
    assert got == [("cache-in-layer", 3), ("data-in-layer", 2), ("image-wasted-space", 4)]
    image = doc["images"][0]
    assert image["dockerfile"] == "Dockerfile"
    assert [layer["line"] for layer in image["layers"]] == [None, 2, 3, 4, 5]
    assert image["layers"][3]["wasted_bytes"] == 3 * 1024 * 1024
    inspected = subprocess.run(["docker", "image", "inspect", "--format", "{{.Size}}", image["image"]],
                               capture_output=True, text=True, check=True)
    assert image["docker_size"] == int(inspected.stdout)
    assert set(image) >= {"dockerfile", "image", "size", "efficiency", "wasted_bytes", "layers", "largest_files"}


def test_multi_stage_final_image_is_small_and_clean(docker_env, tmp_path: Path):
    write_tree(tmp_path, {
        "Dockerfile": (f"FROM {docker_env} AS build\n"
                       "RUN dd if=/dev/zero of=/artifact bs=1k count=10 && dd if=/dev/zero of=/junk bs=1M count=4\n"
                       f"FROM {docker_env}\n"
                       "COPY --from=build /artifact /app/artifact\n"
                       "USER 1000\n"),
        ".dockerignore": ".git\n",
    })
    code, doc = build_findings(tmp_path, "MLD5")
    assert code == 0 and doc["findings"] == []
    assert doc["images"][0]["size"] < 3_000_000


def test_image_command_on_a_saved_tarball(docker_env, tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": f"FROM {docker_env}\nRUN dd if=/dev/zero of=/f bs=1M count=2\nRUN rm /f\n"})
    tag = "mllint-test-image-cmd:1"
    subprocess.run(["docker", "build", "--network", "none", "-q", "-t", tag, str(tmp_path)], check=True,
                   capture_output=True)
    tar = tmp_path / "image.tar"
    subprocess.run(["docker", "save", "-o", str(tar), tag], check=True)
    code, out, err = run_cli(["image", str(tar), "-f", "Dockerfile", "--format", "json"], tmp_path)
    assert code == 1, err
    doc = json.loads(out)
    assert [(f["name"], f["file"], f["line"]) for f in doc["findings"]] == [("image-wasted-space", "Dockerfile", 2)]
    code, out, _ = run_cli(["image", tag, "--format", "json"], tmp_path)
    assert json.loads(out)["images"][0]["wasted_bytes"] == doc["images"][0]["wasted_bytes"]


def test_no_engine_is_a_clear_exit_2(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    write_tree(tmp_path, {"Dockerfile": "FROM scratch\nCOPY . /\n"})
    code, out, err = run_cli(["check", ".", "--build"], tmp_path)
    assert code == 2 and "Docker engine" in err and "Traceback" not in err
    code, out, err = run_cli(["image", "some-image:1"], tmp_path)
    assert code == 2 and "Traceback" not in err


def test_build_uses_the_compose_services_args_and_target(docker_env, tmp_path: Path):
    """`check --build` builds a Dockerfile as the compose service does: without the service's BASE
    arg the FROM is empty and the build fails; without its target the last stage would be built."""
    write_tree(tmp_path, {
        "compose.yaml": f"services:\n  api:\n    build:\n      context: .\n      target: app\n"
                        f"      args:\n        BASE: {docker_env}\n",
        "Dockerfile": "ARG BASE\nFROM ${BASE} AS app\nCOPY blob /blob\nFROM app AS debug\nCOPY big /big\n",
        "blob": 10_000, "big": 90_000_000, ".dockerignore": ".git\n",
    })
    code, out, err = run_cli(["check", ".", "--build", "--network", "none", "-q", "--format", "json", "--isolated"],
                             tmp_path)
    assert code in (0, 1), err
    (image,) = json.loads(out)["images"]
    assert image["size"] < 50_000_000  # the `app` stage: `big` is only in `debug`
