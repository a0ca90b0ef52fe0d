"""Where mllint-docker and hadolint disagree on the same Dockerfiles, rule by rule.

    python benchmarks/compare_hadolint.py [DIR]   (default: ../shared/corpus/dockerfiles)

For every rule with a hadolint equivalent, counts (file, line) findings both report, only hadolint
reports and only mllint reports, and lists the disagreements for a hand check.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "dockerfiles"
    files = sorted(str(p) for p in corpus.iterdir() if p.is_file())
    bindir = Path(sys.executable).parent
    hadolint = str(bindir / "hadolint") if (bindir / "hadolint").exists() else "hadolint"
    h = json.loads(subprocess.run([hadolint, "--no-fail", "-f", "json", *files], capture_output=True, text=True).stdout)
    m = json.loads(subprocess.run([sys.executable, "-m", "mllint_docker", "check", "--isolated", "--select", "ALL",
                                   "--format", "json", *files], capture_output=True, text=True, cwd=ROOT).stdout)
    from mllint_docker.model.dockerfile import parse_dockerfile
    from mllint_docker.rules import all_rules

    # hadolint reports an instruction's first line; we report the command's own line inside it.
    starts: dict[tuple[str, int], int] = {}
    for f in files:
        for inst in parse_dockerfile(Path(f)).instructions:
            for n in range(inst.line, inst.end_line + 1):
                starts[(Path(f).name, n)] = inst.line

    theirs = defaultdict(set)
    for f in h:
        theirs[f["code"]].add((Path(f["file"]).name, f["line"]))
    ours = defaultdict(set)
    for f in m["findings"]:
        key = (Path(f["file"]).name, f["line"])
        ours[f["code"]].add((key[0], starts.get(key, key[1])))
    print(f"{'rule':32s} {'hadolint':14s} {'both':>5s} {'hadolint only':>14s} {'mllint only':>12s}")
    for r in all_rules():
        if not r.hadolint:
            continue
        hl = set().union(*(theirs[c] for c in r.hadolint))
        mine = ours[r.code]
        print(f"{r.name:32s} {','.join(r.hadolint):14s} {len(hl & mine):5d} {len(hl - mine):14d} {len(mine - hl):12d}")
        for tag, diff in (("hadolint only", hl - mine), ("mllint only", mine - hl)):
            for file, line in sorted(diff)[:8]:
                print(f"    {tag:14s} {file}:{line}")


if __name__ == "__main__":
    main()
