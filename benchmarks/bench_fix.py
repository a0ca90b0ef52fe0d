"""`mllint check --fix` against `mllint check` on every corpus Dockerfile, whole processes, best of
N wall times on fresh copies (target: fixing at most 1.5x checking).

    python benchmarks/bench_fix.py [--runs 5]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = next((d / "shared" / "corpus" / "dockerfiles" for d in ROOT.parents
               if (d / "shared" / "corpus" / "dockerfiles").is_dir()), ROOT.parent / "shared" / "corpus" / "dockerfiles")


def timed(args: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process): CPU time is steadier on a busy machine."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "corpus"
        shutil.copytree(CORPUS, work)
        cmd = [sys.executable, "-m", "mllint_docker", "check", str(work), "--isolated", "--format", "json", *args]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    n = len(list(CORPUS.glob("*")))
    variants = {"check": [], "fix": ["--fix"], "unsafe": ["--fix", "--unsafe-fixes"]}
    wall = {k: float("inf") for k in variants}
    cpu = {k: float("inf") for k in variants}
    for _ in range(args.runs):  # interleaved, so a busy machine slows every variant alike
        for k, extra in variants.items():
            w, c = timed(extra)
            wall[k], cpu[k] = min(wall[k], w), min(cpu[k], c)
    print(f"all {n} corpus Dockerfiles, best of {args.runs} (wall, CPU):")
    for k, label in (("check", "mllint check"), ("fix", "mllint check --fix"),
                     ("unsafe", "mllint check --fix --unsafe-fixes")):
        ratio = "" if k == "check" else (f"   ratio {wall[k] / wall['check']:.2f}x wall, {cpu[k] / cpu['check']:.2f}x CPU"
                                         + (" (target <= 1.5x)" if k == "fix" else ""))
        print(f"    {label:<36} {wall[k] * 1000:7.1f} ms {cpu[k] * 1000:7.1f} ms{ratio}")


if __name__ == "__main__":
    main()
