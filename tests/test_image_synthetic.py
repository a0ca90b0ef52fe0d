"""The image engine on tarballs written directly (no engine needed): dive parity on random layer
stacks, the tarball layouts, streaming from a pipe, error messages, and layer attribution."""

from __future__ import annotations

import gzip
import io
import os
import random
import subprocess
import tarfile

import pytest

from mllint_docker.image import ImageError
from mllint_docker.image.analyze import analyze_tarball
from mllint_docker.image.build import attribute_layers, docker_available, parse_created_by
from mllint_docker.image.report import DELETED, OVERWRITTEN
from mllint_docker.image.testing import write_image_tarball
from test_image import assert_same_as_dive

LAYERS = [
    [("dir", "etc"), ("dir", "usr"), ("file", "usr/a", 1000), ("dir", "d1"), ("file", "d1/x", 300),
     ("file", "d1/y", 400), ("symlink", "usr/l", "a"), ("dir", "empty")],
    [("dir", "d2"), ("file", "d2/z", 5000), ("whiteout", "usr/a"), ("file", "usr/b", 77), ("dir", "empty")],
    [("whiteout", "d1"), ("opaque", "d2"), ("file", "d2/n", 10), ("hardlink", "usr/c", "usr/b"),
     ("whiteout", "nonexistent"), ("file", "zz", 3)],
    [("file", "usr/b", 99), ("whiteout", "d2")],
]


def random_layers(rng: random.Random, n_layers: int) -> list[list[tuple]]:
    """Layer stacks with the shapes real images have: nested directories, files written again,
    files and directories deleted, opaque directories, empty directories, links."""
    names = ["a", "b", "c", "lib", "data", ".hidden", "x.pt"]
    layers, known_files, known_dirs = [], [], []
    for i in range(n_layers):
        entries, seen = [], set()

        def add(e):
            if e[1] not in seen:
                seen.add(e[1])
                entries.append(e)

        for _ in range(rng.randint(1, 12)):
            op = rng.random()
            if op < 0.45 or not known_files:
                depth = rng.randint(1, 3)
                parts = [rng.choice(names) + str(rng.randint(0, 2)) for _ in range(depth)]
                for k in range(1, depth):
                    d = "/".join(parts[:k])
                    add(("dir", d))
                    known_dirs.append(d)
                p = "/".join(parts)
                if p in known_dirs:
                    continue
                add(("file", p, rng.choice([0, 1, 10, 100, 4096, 5000])))
                known_files.append(p)
            elif op < 0.6:
                p = rng.choice(known_files)
                parent = p.rpartition("/")[0]
                if parent:
                    add(("dir", parent))
                add(("file", p, rng.choice([1, 77, 300])))
            elif op < 0.72 and i > 0:
                p = rng.choice(known_files + known_dirs)
                parent = p.rpartition("/")[0]
                if parent:
                    add(("dir", parent))
                add(("whiteout", p))
            elif op < 0.8 and known_dirs and i > 0:
                d = rng.choice(known_dirs)
                add(("dir", d))
                add(("opaque", d))
            elif op < 0.9:
                d = "empty" + str(rng.randint(0, 2))
                add(("dir", d))
                known_dirs.append(d)
            else:
                p = "ln" + str(rng.randint(0, 3))
                kind = "symlink" if rng.random() < 0.5 else "hardlink"
                add((kind, p, rng.choice(known_files)))
        layers.append(entries)
    return layers


@pytest.mark.parametrize("fmt", ["docker-save", "docker-save-oci"])
def test_fixed_stack_matches_dive(tmp_path, fmt):
    tar = tmp_path / "image.tar"
    write_image_tarball(tar, LAYERS, fmt=fmt)
    r = analyze_tarball(tar)
    assert_same_as_dive(r, tar)
    assert (r.total_size, r.wasted_bytes) == (6889, 1176)
    assert r.docker_size == 6889 + len("a")  # the symlink's target length


@pytest.mark.parametrize("seed", range(25))
def test_random_stacks_match_dive(tmp_path, seed):
    rng = random.Random(seed)
    tar = tmp_path / "image.tar"
    write_image_tarball(tar, random_layers(rng, rng.randint(1, 6)), fmt="docker-save")
    r = analyze_tarball(tar)
    assert_same_as_dive(r, tar)
    # every byte a layer adds is either visible at the end or hidden by a later layer
    assert r.total_size == r.final_size + r.invisible_bytes
    assert sum(lay.wasted_created for lay in r.layers) == r.invisible_bytes


def test_all_layouts_and_compressions_agree(tmp_path):
    reports = {}
    for fmt, gz in (("docker-save", False), ("docker-save-oci", False), ("oci-layout", True), ("oci-layout", False)):
        tar = tmp_path / f"{fmt}-{gz}.tar"
        write_image_tarball(tar, LAYERS, fmt=fmt, gzip_layers=gz)
        reports[(fmt, gz)] = r = analyze_tarball(tar)
        assert r.format == fmt
    gz_whole = tmp_path / "whole.tar.gz"
    gz_whole.write_bytes(gzip.compress((tmp_path / "docker-save-False.tar").read_bytes()))
    reports["gz"] = analyze_tarball(gz_whole)
    figures = {k: (r.total_size, r.docker_size, r.wasted_bytes, r.efficiency, [lay.size for lay in r.layers],
                   [(w.added_in, w.removed_in, w.how, w.bytes) for w in r.waste]) for k, r in reports.items()}
    assert len(set(map(repr, figures.values()))) == 1, figures


def test_waste_accounting_honours_whiteouts_and_opaque_dirs(tmp_path):
    tar = tmp_path / "image.tar"
    write_image_tarball(tar, LAYERS)
    r = analyze_tarball(tar)
    got = {(w.added_in, w.removed_in, w.how): (w.bytes, w.files) for w in r.waste}
    assert got == {
        (0, 1, DELETED): (1000, 1),  # usr/a
        (0, 2, DELETED): (700, 2),  # d1/x, d1/y
        (1, 2, DELETED): (5000, 1),  # d2/z, hidden by the opaque d2
        (1, 3, OVERWRITTEN): (77, 1),  # usr/b
        (2, 3, DELETED): (10, 1),  # d2/n
    }
    assert [lay.wasted_created for lay in r.layers] == [1700, 5077, 10, 0]
    assert r.final_size == 99 + 3 and r.final_files == 4  # usr/b, usr/l, usr/c, zz
    assert r.invisible_bytes == 1700 + 5077 + 10


def test_reading_from_a_pipe_equals_reading_the_file(tmp_path):
    tar = tmp_path / "image.tar"
    write_image_tarball(tar, LAYERS, fmt="docker-save-oci")
    proc = subprocess.Popen(["cat", str(tar)], stdout=subprocess.PIPE, bufsize=0)
    piped = analyze_tarball(proc.stdout)
    proc.wait()
    direct = analyze_tarball(tar)
    assert (piped.total_size, piped.wasted_bytes, piped.efficiency, piped.image_id) == (
        direct.total_size, direct.wasted_bytes, direct.efficiency, direct.image_id)
    with open(tar, "rb") as f:
        assert analyze_tarball(io.BytesIO(f.read())).wasted_bytes == direct.wasted_bytes


def test_caches_data_files_and_config(tmp_path):
    tar = tmp_path / "image.tar"
    layers = [
        [("file", "bin/sh", 100)],
        [("file", "root/.cache/pip/http/1/2/abc", 2_000_000), ("file", "home/me/.cache/pip/wheels/x.whl", 500),
         ("file", "var/lib/apt/lists/lock", 0), ("file", "var/lib/apt/lists/deb_Packages", 40_000),
         ("file", "var/cache/apt/pkgcache.bin", 3_000_000), ("file", "opt/conda/pkgs/numpy-1.0/lib.so", 7000),
         ("file", "root/.cache/huggingface/hub/models--x/blobs/abc", 9000),
         ("file", "root/.cache/torch/hub/checkpoints/resnet.pth", 1_200_000),
         ("file", "app/pkg/__pycache__/m.cpython-311.pyc", 300), ("file", "usr/lib/python3/__pycache__/n.pyc", 200)],
        [("whiteout", "root/.cache/pip"), ("file", "app/model.onnx", 5_000_000), ("file", "app/tiny.csv", 10),
         ("file", "usr/lib/python3/site-packages/sk/data/big.csv", 1_000_000),
         ("file", "app/weights.bin.part", 2_000_000)],
    ]
    write_image_tarball(tar, layers, env=["PYTHONDONTWRITEBYTECODE=1", "HOME=/root"])
    r = analyze_tarball(tar)
    caches = {(c.kind, c.root, c.layer): (c.bytes, c.files, c.final_bytes) for c in r.caches}
    assert caches == {
        ("pip", "/root/.cache/pip", 1): (2_000_000, 1, 0),
        ("pip", "/home/me/.cache/pip", 1): (500, 1, 500),
        ("apt-lists", "/var/lib/apt/lists", 1): (40_000, 2, 40_000),
        ("apt-archives", "/var/cache/apt", 1): (3_000_000, 1, 3_000_000),
        ("conda-pkgs", "/opt/conda/pkgs", 1): (7000, 1, 7000),
        ("huggingface", "/root/.cache/huggingface", 1): (9000, 1, 9000),
        ("torch", "/root/.cache/torch", 1): (1_200_000, 1, 1_200_000),
        ("pycache", "**/__pycache__", 1): (500, 2, 500),
    }
    data = [(d.path, d.kind, d.layer, d.in_final, d.in_package) for d in r.data_files]
    assert data == [("/app/model.onnx", "model", 2, True, False),
                    ("/root/.cache/torch/hub/checkpoints/resnet.pth", "model", 1, True, False),
                    ("/usr/lib/python3/site-packages/sk/data/big.csv", "data", 2, True, True)]
    assert analyze_tarball(tar, data_threshold=5_000_001).data_files == []
    assert r.python_dont_write_bytecode and r.env("HOME") == "/root"
    assert r.largest_files[0].path == "/app/model.onnx"
    assert [lay.created_by for lay in r.layers] == ["layer 0", "layer 1", "layer 2"]


def test_long_paths_and_pax_headers(tmp_path):
    long_dir = "/".join(["d" * 60] * 4)
    tar = tmp_path / "image.tar"
    write_image_tarball(tar, [[("file", long_dir + "/f\u00e9.bin", 123), ("symlink", long_dir + "/l", "x" * 150)],
                              [("whiteout", long_dir + "/f\u00e9.bin")]])
    r = analyze_tarball(tar)
    assert r.layers[0].files == {"/" + long_dir + "/f\u00e9.bin": 123, "/" + long_dir + "/l": 0}
    assert r.layers[0].symlink_bytes == 150
    assert r.layers[1].whiteouts == ["/" + long_dir + "/f\u00e9.bin"]
    assert_same_as_dive(r, tar)


def test_not_an_image_and_truncated_tarballs(tmp_path):
    plain = tmp_path / "plain.tar"
    with tarfile.open(plain, "w") as t:
        ti = tarfile.TarInfo("hello.txt")
        ti.size = 5
        t.addfile(ti, io.BytesIO(b"hello"))
    with pytest.raises(ImageError, match="not an image tarball"):
        analyze_tarball(plain)
    tar = tmp_path / "image.tar"
    write_image_tarball(tar, [[("file", "big", 100_000)]], fmt="docker-save-oci")
    cut = tmp_path / "cut.tar"
    cut.write_bytes(tar.read_bytes()[:50_000])
    with pytest.raises(ImageError):
        analyze_tarball(cut)
    with pytest.raises(ImageError, match="cannot open"):
        analyze_tarball(tmp_path / "missing.tar")
    noise = tmp_path / "noise.bin"
    noise.write_bytes(os.urandom(4096))
    with pytest.raises(ImageError):
        analyze_tarball(noise)


def test_docker_available_explains_how_to_start_an_engine(tmp_path):
    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"}
    message = docker_available(env=env)
    assert message and "Start one" in message and "no-engine.sock" in message
    assert "not installed" in docker_available(env={**os.environ, "PATH": str(tmp_path)})


@pytest.mark.parametrize("created_by,expected", [
    ("RUN /bin/sh -c pip install torch # buildkit", ("RUN", "pip install torch")),
    ("RUN |2 A=1 B=2 /bin/sh -c make all # buildkit", ("RUN", "make all")),
    ("COPY . /app # buildkit", ("COPY", ". /app")),
    ("WORKDIR /app", ("WORKDIR", "/app")),
    ("/bin/sh -c #(nop) COPY file:ab12 in /app ", ("COPY", "file:ab12 in /app")),
    ("/bin/sh -c #(nop)  ENV A=b", ("ENV", "A=b")),
    ("/bin/sh -c apt-get update", ("RUN", "apt-get update")),
    ("|1 X=y /bin/sh -c make", ("RUN", "make")),
])
def test_parse_created_by(created_by, expected):
    assert parse_created_by(created_by) == expected


def test_attribute_layers_from_history(tmp_path):
    history = ["ADD rootfs.tar.xz / # buildkit", "RUN /bin/sh -c apt-get update # buildkit",
               "RUN /bin/sh -c apt-get update # buildkit", "COPY requirements.txt /app/ # buildkit",
               "RUN /bin/sh -c pip install -r /app/requirements.txt # buildkit", "COPY . /app # buildkit"]
    tar = tmp_path / "image.tar"
    write_image_tarball(tar, [[("file", f"f{i}", i + 1)] for i in range(len(history))], history=history)
    r = analyze_tarball(tar)
    attribute_layers(r, [(1, "FROM", "FROM python:3.11"), (2, "RUN", "RUN apt-get update"),
                         (3, "ARG", "ARG X"), (4, "COPY", "COPY requirements.txt /app/"),
                         (5, "RUN", "RUN --mount=type=cache,target=/root/.cache pip install -r /app/requirements.txt"),
                         (6, "COPY", "COPY . /app")])
    assert [lay.line for lay in r.layers] == [None, None, 2, 4, 5, 6]
    assert r.layers[4].instruction.startswith("RUN --mount")


def test_layer_of_follows_whiteouts_and_opaque_dirs(tmp_path):
    tar = tmp_path / "image.tar"
    write_image_tarball(tar, LAYERS)
    r = analyze_tarball(tar)
    assert r.layer_of("/usr/b") == 3
    assert r.layer_of("/usr/c") == 2
    assert r.layer_of("/usr/a") is None  # deleted in layer 1
    assert r.layer_of("/d1/x") is None  # its directory deleted in layer 2
    assert r.layer_of("/d2/z") is None  # hidden by the opaque d2 of layer 2
    assert r.layer_of("/nowhere") is None


def test_mutated_tarballs_raise_image_errors_only(tmp_path):
    """The one tar reader meets corrupt input with an ImageError, never another exception."""
    import random

    rng = random.Random(20261129)
    tar = tmp_path / "image.tar"
    write_image_tarball(tar, [[("file", "a", 3000), ("file", "b/c", 100)], [("whiteout", "a")]], fmt="docker-save-oci")
    data = tar.read_bytes()
    mutated = tmp_path / "mutated.tar"
    for _ in range(300):
        b = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        if rng.random() < 0.3:
            b = b[:rng.randrange(len(b))]
        mutated.write_bytes(bytes(b))
        try:
            analyze_tarball(mutated)
        except ImageError:
            pass
