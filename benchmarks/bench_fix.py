"""`mllint check --fix` against `mllint check` on every corpus Dockerfile, whole processes, best of
N wall times on fresh copies (target: fixing at most 1.5x checking).

    python benchmarks/bench_fix.py [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = next((d / "shared" / "corpus" / "dockerfiles" for d in ROOT.parents
               if (d / "shared" / "corpus" / "dockerfiles").is_dir()), ROOT.parent / "shared" / "corpus" / "dockerfiles")


def timed(args: list[str]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "corpus"
        shutil.copytree(CORPUS, work)
        cmd = [sys.executable, "-m", "mllint_docker", "check", str(work), "--isolated", "--format", "json", *args]
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    n = len(list(CORPUS.glob("*")))
    variants = {"check": [], "fix": ["--fix"], "unsafe": ["--fix", "--unsafe-fixes"]}
    best = {k: float("inf") for k in variants}
    for _ in range(args.runs):  # interleaved, so a busy machine slows every variant alike
        for k, extra in variants.items():
            best[k] = min(best[k], timed(extra))
    check, fix, unsafe = best["check"], best["fix"], best["unsafe"]
    print(f"all {n} corpus Dockerfiles, best of {args.runs}:")
    print(f"    mllint check                         {check * 1000:7.1f} ms")
    print(f"    mllint check --fix                   {fix * 1000:7.1f} ms   ratio {fix / check:.2f}x (target <= 1.5x)")
    print(f"    mllint check --fix --unsafe-fixes    {unsafe * 1000:7.1f} ms   ratio {unsafe / check:.2f}x")


if __name__ == "__main__":
    main()
