"""Context scan against the floor: a bare recursive os.scandir walk that stats every entry.

    python benchmarks/bench_context.py [--files 200000] [--dir /tmp/mllint-bench-context]

Generates (once) a tree of N files shaped like an ML repository (source, notebooks, a data
directory, a virtualenv, .git objects, __pycache__) with a realistic .dockerignore, then prints the
best of 5 runs of each and the ratio. Target: scan_context at most 1.3x the bare walk.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from mllint_docker.model.context import scan_context

IGNORE = """\
.git
.venv
**/__pycache__
**/*.pyc
*.egg-info
.ipynb_checkpoints
data/
!data/keep.csv
wandb/
mlruns/
*.ckpt
node_modules
"""


def generate(root: Path, n: int) -> None:
    marker = root / f".generated-{n}"
    if marker.exists():
        return
    root.mkdir(parents=True, exist_ok=True)
    (root / ".dockerignore").write_text(IGNORE)
    (root / "Dockerfile").write_text("FROM python:3.11-slim\nCOPY . /app\n")
    parts = {  # share of files per top-level area
        "src": 0.30, ".git/objects": 0.20, ".venv/lib/site-packages": 0.25, "data": 0.10,
        "notebooks": 0.05, "wandb/run": 0.05, "tests": 0.05,
    }
    made = 0
    for area, share in parts.items():
        count = int(n * share)
        for i in range(count):
            d = root / area / f"d{i // 200:04d}" / f"s{(i // 20) % 10}"
            if i % 20 == 0:
                d.mkdir(parents=True, exist_ok=True)
                if area == "src":
                    (d / "__pycache__").mkdir(exist_ok=True)
            name = f"f{i}.py" if area in ("src", "tests") else f"f{i}.bin"
            (d / name).write_bytes(b"x" * (i % 97))
            made += 1
    while made < n:
        (root / "src" / f"extra{made}.py").write_text("pass\n")
        made += 1
    (root / "data" / "keep.csv").write_text("a,b\n")
    marker.write_text("")


def bare_walk(root: str) -> int:
    count = 0
    stack = [root]
    while stack:
        d = stack.pop()
        with os.scandir(d) as it:
            for e in it:
                st = e.stat(follow_symlinks=False)
                count += 1
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                del st
    return count


def best(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=200_000)
    ap.add_argument("--dir", default="/tmp/mllint-bench-context")
    args = ap.parse_args()
    root = Path(args.dir)
    generate(root, args.files)
    entries = bare_walk(str(root))
    ctx = scan_context(root)
    t_walk = best(lambda: bare_walk(str(root)))
    t_scan = best(lambda: scan_context(root))
    print(f"tree: {entries} entries; context sends {len(ctx.entries)} files, {ctx.total_size} bytes")
    print(f"bare os.scandir walk (stat every entry): {t_walk * 1000:8.1f} ms")
    print(f"scan_context (.dockerignore applied):    {t_scan * 1000:8.1f} ms")
    print(f"ratio scan/walk: {t_scan / t_walk:.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
