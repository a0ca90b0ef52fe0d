"""Benchmark: analysing a >2 GB image tarball, against dive and against just reading the file.

    .venv/bin/python benchmarks/bench_image.py [--size-gb 2.2] [--dir DIR] [--keep]

Writes a `docker save` tarball (legacy layout) of ~80k files in 6 layers, shaped like an ML
image: a base of many small files and a few large libraries, a pip install with its cache left
behind, a model and a dataset copied in, a layer deleting the pip cache and rewriting part of the
site-packages (as `chmod -R` does), a retrained model written over the old one, and a small app
layer. Then times, each in its own process:
- floor: reading every byte of the tarball in 1 MiB chunks (and the pipe floor: the same through
  `cat FILE |`, the bound for reading `docker save` output);
- ours: analyze_tarball on the file (contents are skipped with seek: only headers are read);
- ours-pipe: analyze_tarball on `cat FILE |` (every byte read, as from `docker save`);
- dive: `CI=true dive --source docker-archive FILE --json ...`;
and ours' peak memory (ru_maxrss). Targets: ours >= 3x faster than dive, within 1.5x of the floor,
the same wasted bytes as dive.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mllint_docker.image.testing import write_image_tarball  # noqa: E402

MB = 1_000_000


def plan(scale: float) -> list[list[tuple]]:
    def n(x: int) -> int:
        return max(1, int(x * scale))

    site = "usr/local/lib/python3.11/site-packages"
    base = [("dir", "usr"), ("dir", "usr/lib"), ("dir", "usr/local"), ("dir", "usr/local/lib"),
            ("dir", "usr/local/lib/python3.11"), ("dir", site)]
    for d in range(400):
        base.append(("dir", f"usr/lib/pkg{d}"))
        for f in range(100):
            base.append(("file", f"usr/lib/pkg{d}/file{f}.py", n(8_000) + (f * 37) % 500))
    base += [("file", f"usr/lib/libbig{i}.so", n(30 * MB)) for i in range(10)]
    pip = []
    for d in range(300):
        pip.append(("dir", f"{site}/mod{d}"))
        pip += [("file", f"{site}/mod{d}/f{f}.py", n(10_000)) for f in range(100)]
    pip += [("dir", "root"), ("dir", "root/.cache"), ("dir", "root/.cache/pip"), ("dir", "root/.cache/pip/http")]
    for d in range(20):
        pip.append(("dir", f"root/.cache/pip/http/{d:02x}"))
        pip += [("file", f"root/.cache/pip/http/{d:02x}/e{f}", n(100_000)) for f in range(100)]
    model = [("dir", "app"), ("file", "app/model.safetensors", n(500 * MB)), ("file", "app/train.parquet", n(200 * MB))]
    cleanup = [("dir", "root/.cache"), ("whiteout", "root/.cache/pip"), ("dir", site)]
    for d in range(50):
        cleanup.append(("dir", f"{site}/mod{d}"))
        cleanup += [("file", f"{site}/mod{d}/f{f}.py", n(10_000)) for f in range(100)]
    retrain = [("dir", "app"), ("file", "app/model.safetensors", n(500 * MB))]
    app = [("dir", "app"), ("dir", "app/src")] + [("file", f"app/src/m{f}.py", n(10_000)) for f in range(2000)]
    return [base, pip, model, cleanup, retrain, app]


HISTORY = ["ADD rootfs.tar /", "RUN /bin/sh -c pip install -r requirements.txt # buildkit",
           "COPY model.safetensors train.parquet /app/ # buildkit",
           "RUN /bin/sh -c rm -rf /root/.cache/pip && chmod -R a+r /usr/local/lib # buildkit",
           "RUN /bin/sh -c python retrain.py # buildkit", "COPY src /app/src # buildkit"]

OURS = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from mllint_docker.image.analyze import analyze_tarball
t = time.perf_counter()
r = analyze_tarball(sys.stdin.buffer if {pipe!r} else {path!r})
dt = time.perf_counter() - t
print(json.dumps({{"seconds": dt, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "wasted": r.wasted_bytes, "efficiency": r.efficiency, "total": r.total_size,
                  "files": sum(len(layer.files) for layer in r.layers)}}))
"""

FLOOR = """
import sys, time
buf = bytearray(1 << 20)
t = time.perf_counter()
with open({path!r}, "rb", buffering=0) as f:
    while f.readinto(buf):
        pass
print(time.perf_counter() - t)
"""

PIPE_FLOOR = """
import sys, time
try:
    import fcntl
    fcntl.fcntl(0, 1031, 1 << 20)
except OSError:
    pass
buf = bytearray(1 << 20)
f = sys.stdin.buffer.raw
t = time.perf_counter()
while f.readinto(buf):
    pass
print(time.perf_counter() - t)
"""


def run_ours(path: Path, pipe: bool) -> dict:
    code = OURS.format(root=str(ROOT), pipe=pipe, path=str(path))
    if pipe:
        cat = subprocess.Popen(["cat", str(path)], stdout=subprocess.PIPE)
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], stdin=cat.stdout, capture_output=True, text=True)
        wall = time.perf_counter() - t
        cat.wait()
    else:
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        wall = time.perf_counter() - t
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    res = json.loads(out.stdout)
    res["wall"] = wall
    return res


def run_floor(path: Path, pipe: bool = False) -> float:
    if pipe:
        cat = subprocess.Popen(["cat", str(path)], stdout=subprocess.PIPE)
        out = subprocess.run([sys.executable, "-c", PIPE_FLOOR], stdin=cat.stdout, capture_output=True, text=True,
                             check=True)
        cat.wait()
    else:
        out = subprocess.run([sys.executable, "-c", FLOOR.format(path=str(path))], capture_output=True, text=True,
                             check=True)
    return float(out.stdout)


def run_dive(path: Path, workdir: Path) -> dict:
    dive = shutil.which("dive") or str(ROOT / ".venv" / "bin" / "dive")
    out = workdir / "dive.json"
    t = time.perf_counter()
    r = subprocess.run([dive, "--source", "docker-archive", str(path), "--json", str(out)],
                       env={**os.environ, "CI": "true"}, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if not out.exists():
        raise SystemExit(f"dive failed: {r.stdout}{r.stderr}")
    img = json.loads(out.read_text())["image"]
    out.unlink()
    return {"wall": wall, "wasted": img["inefficientBytes"], "efficiency": img["efficiencyScore"],
            "total": img["sizeBytes"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-gb", type=float, default=2.2, help="approximate tarball size (default 2.2)")
    ap.add_argument("--dir", default=None, help="where to write the tarball (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the tarball")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each timing; the best is kept")
    args = ap.parse_args()

    workdir = Path(args.dir or tempfile.mkdtemp(prefix="mllint-bench-image-"))
    workdir.mkdir(parents=True, exist_ok=True)
    need = int(args.size_gb * 1.3e9)
    free = shutil.disk_usage(workdir).free
    if free < need:
        raise SystemExit(f"not enough disk in {workdir}: {free / 1e9:.1f} GB free, {need / 1e9:.1f} GB needed")
    tar = workdir / "image.tar"
    try:
        t = time.perf_counter()
        layers = plan(args.size_gb / 2.2)
        write_image_tarball(tar, layers, fmt="docker-save", history=HISTORY)
        nfiles = sum(1 for layer in layers for e in layer if e[0] == "file")
        print(f"tarball: {tar.stat().st_size / 1e9:.2f} GB, {nfiles} files in {len(layers)} layers, "
              f"written in {time.perf_counter() - t:.1f} s")

        floor = min(run_floor(tar) for _ in range(args.repeat))
        pipe_floor = min(run_floor(tar, pipe=True) for _ in range(args.repeat))
        ours = min((run_ours(tar, False) for _ in range(args.repeat)), key=lambda r: r["wall"])
        pipe = min((run_ours(tar, True) for _ in range(args.repeat)), key=lambda r: r["wall"])
        dive = run_dive(tar, workdir)

        print(f"{'':12}{'seconds':>9}{'vs floor':>10}{'dive/x':>8}   "
              "(in-process; after /: wall clock of the whole process)")
        print(f"{'floor':12}{floor:9.2f}{1:10.2f}{dive['wall'] / floor:8.1f}")
        for name, r in (("ours", ours), ("ours-pipe", pipe)):
            print(f"{name:12}{r['seconds']:9.2f}{r['seconds'] / floor:10.2f}{dive['wall'] / r['seconds']:8.1f}"
                  f"   / {r['wall']:.2f} s wall ({dive['wall'] / r['wall']:.1f}x faster than dive), "
                  f"peak RSS {r['maxrss_kb'] / 1024:.0f} MiB")
        print(f"{'dive':12}{dive['wall']:9.2f}{dive['wall'] / floor:10.2f}{1:8.1f}   (wall)")
        print(f"pipe floor (cat FILE | read all): {pipe_floor:.2f} s; "
              f"ours-pipe is {pipe['seconds'] / pipe_floor:.2f}x it")
        print(f"wasted bytes: ours {ours['wasted']}, dive {dive['wasted']}; "
              f"efficiency: ours {ours['efficiency']:.12f}, dive {dive['efficiency']:.12f}; "
              f"total: ours {ours['total']}, dive {dive['total']}")
        checks = {
            ">= 3x faster than dive (wall clock)": dive["wall"] / ours["wall"] >= 3,
            "within 1.5x of the floor": ours["seconds"] <= 1.5 * floor,
            "same wasted bytes as dive": ours["wasted"] == dive["wasted"] == pipe["wasted"],
            "same efficiency as dive": abs(ours["efficiency"] - dive["efficiency"]) < 1e-12,
        }
        for what, ok in checks.items():
            print(f"{'PASS' if ok else 'FAIL'}: {what}")
        return 0 if all(checks.values()) else 1
    finally:
        if not args.keep:
            tar.unlink(missing_ok=True)
            if not args.dir:
                shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
