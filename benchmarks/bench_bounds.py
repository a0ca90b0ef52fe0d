"""Bounded time and memory on hostile or very large input: whole `mllint` processes, each against a
peer or a bare baseline run in the same invocation on the same generated input.

    python benchmarks/bench_bounds.py [--runs 3] [--only NAME ...] [--context-files 300000]

Cases (inputs are generated in a temporary directory, corpus-like where the corpus has the data):

  env-doubling   `ENV A=${A}${A}` twenty times          vs the same file with `ENV A=x${A}` (linear)
  requirements   50,000-line requirements file           vs pip's own requirements-file parser
  dockerignore   20,000 patterns over 300 files           vs the same tree with a 1-line .dockerignore
  run-lines      100,000 RUN instructions (time, memory)  vs hadolint on the same file
  monorepo-N     N services: Dockerfile + requirements    per-service time at 150/300/600 (linear)
  context        `mllint context .` on a large tree       vs `mllint check .` on the same tree

Time is the best of --runs wall times; memory is the child's peak RSS (os.wait4). Prints one table:
case, ours, baseline/peer, ratio, target, pass/fail.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = next((p / "shared" / "corpus" for p in ROOT.parents if (p / "shared" / "corpus").is_dir()),
              ROOT.parent / "shared" / "corpus")  # ../shared/corpus, also from a nested worktree
MLLINT = [sys.executable, "-m", "mllint_docker"]


def run(cmd: list[str], cwd: Path | None = None, runs: int = 1) -> tuple[float, float]:
    """Best wall time (s) and highest peak RSS (MB) over `runs` runs of a whole process."""
    best, peak = float("inf"), 0.0
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1) or "Traceback" in err:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
        best = min(best, elapsed)
        peak = max(peak, usage.ru_maxrss / 1024)
    return best, peak


def hadolint() -> str | None:
    return shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")


def corpus(kind: str, pattern: str) -> list[Path]:
    return sorted((CORPUS / kind).glob(pattern))


# Inputs ------------------------------------------------------------------------------------------


def make_env_doubling(d: Path, doubling: bool) -> Path:
    body = "ENV A=${A}${A}\n" if doubling else "ENV A=x${A}\n"
    text = "FROM python:3.11-slim\nENV A=ab\n" + body * 20 + 'RUN echo "$A" > /a\nCOPY $A /app/\n'
    (d / "Dockerfile").write_text(text)
    return d / "Dockerfile"


def requirement_lines() -> list[str]:
    """Every line of the corpus's requirements files but includes (their targets would be missing)."""
    out = []
    for p in corpus("requirements", "*.txt"):
        for line in p.read_text(errors="replace").splitlines():
            if line.lstrip().startswith(("-r", "-c", "--requirement", "--constraint")):
                continue
            out.append(line)
    return out


def make_requirements(d: Path, n: int) -> Path:
    src = requirement_lines()
    lines = []
    i = 0
    while len(lines) < n:
        line = src[i % len(src)]
        # keep continuations whole: a line ending in `\` is followed by its next line
        lines.append(line)
        i += 1
    while lines and lines[-1].endswith("\\"):
        lines.pop()
    (d / "requirements.txt").write_text("\n".join(lines) + "\n")
    return d / "requirements.txt"


def make_ignore_tree(d: Path, patterns: int) -> None:
    for i in range(300):
        sub = d / f"pkg{i % 10}" / f"mod{i % 7}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"f{i}.{('py', 'txt', 'csv', 'bin', 'json')[i % 5]}").write_text("x" * (i % 50))
    (d / "Dockerfile").write_text("FROM python:3.11-slim\nCOPY . /app\nCOPY pkg1 /pkg1\nCOPY pkg*/mod3/*.py /py/\n")
    shapes = ("pkg{a}/mod{b}/f{i}.tmp", "**/*.ext{i}", "data{i}/", "!pkg{a}/keep{i}.txt", "*.cache{i}",
              "pkg{a}/**/gen{i}", "build{i}", "**/out{i}/**", "pkg?/mod[0-3]/x{i}", "logs/{i}/*.log")
    if patterns == 1:
        lines = ["*.tmp"]
    else:
        lines = [shapes[i % len(shapes)].format(i=i, a=i % 10, b=i % 7) for i in range(patterns)]
    (d / ".dockerignore").write_text("\n".join(lines) + "\n")


def make_run_lines(d: Path, n: int) -> Path:
    cmds = ("apt-get update && apt-get install -y --no-install-recommends curl=7.88 && rm -rf /var/lib/apt/lists/*",
            "pip install --no-cache-dir numpy==1.26.{i}", "echo step {i} >> /log", "cd /app && make target{i}",
            "python -c 'print({i})'")
    lines = ["FROM python:3.11-slim", "WORKDIR /app"]
    lines += ["RUN " + cmds[i % len(cmds)].format(i=i) for i in range(n)]
    (d / "Dockerfile").write_text("\n".join(lines) + "\n")
    return d / "Dockerfile"


def make_monorepo(d: Path, services: int) -> None:
    dfs = corpus("dockerfiles", "*.Dockerfile")
    reqs = corpus("requirements", "*.txt")
    for i in range(services):
        s = d / "services" / f"svc{i:04d}"
        s.mkdir(parents=True)
        shutil.copyfile(dfs[i % len(dfs)], s / "Dockerfile")
        shutil.copyfile(reqs[i % len(reqs)], s / "requirements.txt")
        (s / "app.py").write_text("print('hi')\n")
    nested = reqs[0].parent / "nested"
    if nested.is_dir():  # the corpus file that includes `-r nested/requirements.txt`
        for i in range(services):
            shutil.copytree(nested, d / "services" / f"svc{i:04d}" / "nested", dirs_exist_ok=True)


def make_big_tree(d: Path, n: int) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_context import generate

    generate(d, n)


# Cases -------------------------------------------------------------------------------------------


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str, bool]] = []

    def add(self, case: str, ours: str, base: str, ratio: str, target: str, ok: bool) -> None:
        self.rows.append((case, ours, base, ratio, target, ok))
        print(f"  {case}: ours {ours}, baseline {base}, {ratio} ({'pass' if ok else 'FAIL'})", file=sys.stderr)

    def print(self) -> None:
        head = ("case", "ours", "baseline/peer", "ratio", "target", "result")
        rows = [head] + [(*r[:5], "pass" if r[5] else "FAIL") for r in self.rows]
        widths = [max(len(r[i]) for r in rows) for i in range(6)]
        for j, r in enumerate(rows):
            print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
            if j == 0:
                print("  ".join("-" * w for w in widths))


def case_env(tmp: Path, t: Table, runs: int) -> None:
    a, b = tmp / "env-doubling", tmp / "env-linear"
    a.mkdir(), b.mkdir()
    make_env_doubling(a, True), make_env_doubling(b, False)
    ours, _ = run(MLLINT + ["check", "--isolated", "--format", "json", "Dockerfile"], a, runs)
    base, _ = run(MLLINT + ["check", "--isolated", "--format", "json", "Dockerfile"], b, runs)
    t.add("env-doubling (20x ENV A=${A}${A})", f"{ours:.2f} s", f"{base:.2f} s (ENV A=x${{A}})",
          f"{ours / base:.2f}x", "<= 2x linear", ours / base <= 2)


def case_requirements(tmp: Path, t: Table, runs: int) -> None:
    d = tmp / "requirements"
    d.mkdir()
    path = make_requirements(d, 50_000)
    ours, mem = run(MLLINT + ["check", "--isolated", "--format", "json", "requirements.txt"], d, runs)
    pip = ("from pip._internal.req.req_file import parse_requirements;"
           "from pip._internal.network.session import PipSession;"
           f"n = sum(1 for _ in parse_requirements({str(path)!r}, PipSession()))")
    peer, _ = run([sys.executable, "-c", pip], d, runs)
    t.add("requirements (50,000 lines)", f"{ours:.2f} s, {mem:.0f} MB", f"{peer:.2f} s (pip's parser)",
          f"{ours / peer:.2f}x", "<= 2 s", ours <= 2)


def case_dockerignore(tmp: Path, t: Table, runs: int) -> None:
    a, b = tmp / "ignore-20k", tmp / "ignore-1"
    a.mkdir(), b.mkdir()
    make_ignore_tree(a, 20_000), make_ignore_tree(b, 1)
    cmd = MLLINT + ["check", "--isolated", "--format", "json", "."]
    ours, _ = run(cmd, a, runs)
    base, _ = run(cmd, b, runs)
    ctx, _ = run(MLLINT + ["context", "--format", "json", "."], a, runs)
    t.add("dockerignore check (20,000 patterns, 300 files)", f"{ours:.2f} s", f"{base:.2f} s (1 pattern)",
          f"{ours / base:.2f}x", "<= 1 s", ours <= 1)
    t.add("dockerignore context (20,000 patterns, 300 files)", f"{ctx:.2f} s", f"{base:.2f} s (check, 1 pattern)",
          f"{ctx / base:.2f}x", "<= 1 s", ctx <= 1)


def case_run_lines(tmp: Path, t: Table, runs: int) -> None:
    d = tmp / "run-lines"
    d.mkdir()
    make_run_lines(d, 100_000)
    ours, mem = run(MLLINT + ["check", "--isolated", "--format", "json", "Dockerfile"], d, runs)
    h = hadolint()
    peer, pmem = run([h, "--no-fail", "Dockerfile"], d, runs) if h else (float("nan"), float("nan"))
    t.add("run-lines (100,000 RUN) time", f"{ours:.2f} s", f"{peer:.2f} s (hadolint)", f"{ours / peer:.2f}x",
          "<= 5 s", ours <= 5)
    t.add("run-lines (100,000 RUN) peak RSS", f"{mem:.0f} MB", f"{pmem:.0f} MB (hadolint)", f"{mem / pmem:.2f}x",
          "<= 300 MB", mem <= 300)


def case_monorepo(tmp: Path, t: Table, runs: int) -> None:
    per = {}
    h = hadolint()
    for n in (150, 300, 600):
        d = tmp / f"monorepo-{n}"
        d.mkdir()
        make_monorepo(d, n)
        ours, mem = run(MLLINT + ["check", "--isolated", "--format", "json", "."], d, runs)
        files = [str(p) for p in sorted(d.glob("services/*/Dockerfile"))]
        peer, _ = run([h, "--no-fail", *files], d, 1) if h else (float("nan"), 0)
        per[n] = ours
        t.add(f"monorepo-{n} ({n} Dockerfiles + requirements)", f"{ours:.2f} s, {mem:.0f} MB",
              f"{peer:.2f} s (hadolint, Dockerfiles only)", f"{ours / peer:.2f}x",
              "<= 10 s" if n == 600 else "-", ours <= 10 if n == 600 else True)
    growth = per[600] / per[300]
    t.add("monorepo linear (600 vs 300 services)", f"{per[600]:.2f} s", f"{per[300]:.2f} s", f"{growth:.2f}x",
          "<= 2.3x (2x = linear)", growth <= 2.3)


def case_context(tmp: Path, t: Table, runs: int, files: int, tree: Path | None) -> None:
    d = tree or tmp / "big-tree"
    make_big_tree(d, files)
    check, cmem = run(MLLINT + ["check", "--isolated", "--format", "json", "."], d, runs)
    ctx, xmem = run(MLLINT + ["context", "--format", "text", "."], d, runs)
    jsn, jmem = run(MLLINT + ["context", "--format", "json", "."], d, runs)
    t.add(f"context text ({files} files) time", f"{ctx:.2f} s", f"{check:.2f} s (check)", f"{ctx / check:.2f}x",
          "<= 1.5x check", ctx / check <= 1.5)
    t.add(f"context text ({files} files) peak RSS", f"{xmem:.0f} MB", f"{cmem:.0f} MB (check)",
          f"{xmem / cmem:.2f}x", "<= 1.5x check", xmem / cmem <= 1.5)
    t.add(f"context json ({files} files) time", f"{jsn:.2f} s", f"{check:.2f} s (check)", f"{jsn / check:.2f}x",
          "<= 1.5x check", jsn / check <= 1.5)
    t.add(f"context json ({files} files) peak RSS", f"{jmem:.0f} MB", f"{cmem:.0f} MB (check)",
          f"{jmem / cmem:.2f}x", "<= 1.5x check", jmem / cmem <= 1.5)


CASES = ("env", "requirements", "dockerignore", "run-lines", "monorepo", "context")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", nargs="*", choices=CASES, default=list(CASES))
    ap.add_argument("--context-files", type=int, default=300_000)
    ap.add_argument("--context-dir", type=Path, default=None,
                    help="Reuse (or create once) the large tree here instead of a temporary one.")
    args = ap.parse_args()
    table = Table()
    with tempfile.TemporaryDirectory(prefix="mllint-bench-") as tmp:
        tmp = Path(tmp)
        for name in args.only:
            print(f"{name} ...", file=sys.stderr)
            if name == "env":
                case_env(tmp, table, args.runs)
            elif name == "requirements":
                case_requirements(tmp, table, args.runs)
            elif name == "dockerignore":
                case_dockerignore(tmp, table, args.runs)
            elif name == "run-lines":
                case_run_lines(tmp, table, min(args.runs, 2))
            elif name == "monorepo":
                case_monorepo(tmp, table, min(args.runs, 2))
            elif name == "context":
                case_context(tmp, table, min(args.runs, 2), args.context_files, args.context_dir)
    table.print()
    sys.exit(0 if all(r[5] for r in table.rows) else 1)


if __name__ == "__main__":
    main()
