"""Proof of `--fix` over the shared corpus: every fix applied (safe, then unsafe) to copies of the
corpus Dockerfiles; BuildKit's parser (PyPI `dockerfile`) reads every fixed file into the same
instructions except the edited ones; a second `--fix` is a no-op; every finding that had a fix is gone.

    python benchmarks/fix_corpus.py [--corpus DIR]

Prints the counts per rule; exits 1 when a check fails. tests/test_fix_corpus.py runs it.
"""

from __future__ import annotations

import argparse
import difflib
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared/corpus beside the checkout (a worktree one level deeper finds it beside its parent).
CORPUS = next((d / "shared" / "corpus" / "dockerfiles" for d in ROOT.parents
               if (d / "shared" / "corpus" / "dockerfiles").is_dir()), ROOT.parent / "shared" / "corpus" / "dockerfiles")
# What a fix may do to an instruction: keep its keyword and change its arguments, or these.
RENAMES = {("ADD", "COPY"), ("MAINTAINER", "LABEL")}
DELETABLE = {"CMD", "ENTRYPOINT", "RUN"}  # multiple-cmd drops a CMD; apt-update-alone merges a RUN
# Rules that build fixes (some only where a lock file or a built image knows a version).
FIXABLE_RULES = {"pip-cache-not-disabled", "apt-lists-not-cleaned", "apt-recommends", "apt-update-alone",
                 "conda-cache-not-cleaned", "add-instead-of-copy", "maintainer-deprecated", "shell-form-cmd",
                 "relative-workdir", "multiple-cmd", "copy-before-deps-install", "missing-dockerignore",
                 "context-bloat", "data-in-image", "runs-as-root", "requirement-unpinned", "pip-install-unpinned",
                 "base-image-unpinned"}


def mllint(directory: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mllint_docker", "check", str(directory), "--isolated",
                           "--select", "ALL", *args], capture_output=True, text=True, cwd=directory)


def findings(directory: Path) -> list[dict]:
    return json.loads(mllint(directory, "--format", "json").stdout)["findings"]


def instructions(text: str):
    import dockerfile

    return [(c.cmd.upper(), c.flags, c.value, c.heredocs) for c in dockerfile.parse_string(text.lstrip("\ufeff"))]


def compare(before: str, after: str) -> tuple[int, list[str]]:
    """(instructions changed, problems): unchanged instructions must be identical and in order."""
    import dockerfile

    try:
        old = instructions(before)
    except dockerfile.GoParseError:
        return 0, []  # BuildKit rejects the original: nothing to compare
    try:
        new = instructions(after)
    except dockerfile.GoParseError as err:
        return 0, [f"BuildKit cannot parse the fixed file: {err}"]
    problems, changed = [], 0
    added, removed = [], []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        changed += max(a1 - a0, b1 - b0)
        olds, news = old[a0:a1], new[b0:b1]
        if op == "replace" and len(olds) == len(news) and all(
                n[0] == o[0] or (o[0], n[0]) in RENAMES for o, n in zip(olds, news)):
            continue  # edited in place
        added += news
        removed += olds
    # Moved (copy-before-deps-install): the same RUN removed below and added above.
    for inst in list(added):
        if inst in removed:
            added.remove(inst)
            removed.remove(inst)
    for inst in added:
        if inst[0] == "RUN" and any(a in " ".join(inst[2]) for a in ("useradd", "adduser")):
            continue  # runs-as-root creates the user
        if inst[0] == "USER" or (inst[0] == "COPY" and not inst[1]):
            continue  # runs-as-root's USER, copy-before-deps-install's manifest COPY
        pair = next((r for r in removed if r[0] == inst[0] or (r[0], inst[0]) in RENAMES), None)
        if pair is not None:
            removed.remove(pair)  # edited in place, next to an added or moved instruction
            continue
        problems.append(f"instruction added: {inst[0]} {' '.join(inst[2])[:80]}")
    for inst in removed:
        if inst[0] not in DELETABLE:
            problems.append(f"instruction removed: {inst[0]} {' '.join(inst[2])[:80]}")
    return changed, problems


def run(corpus: Path, out=sys.stdout) -> dict:
    files = sorted(p for p in corpus.iterdir() if p.is_file())
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for p in files:
            shutil.copyfile(p, work / p.name)
        before = findings(work)
        with_fix = [f for f in before if isinstance(f.get("fix"), dict)]
        safe = mllint(work, "--fix-only")
        unsafe = mllint(work, "--fix-only", "--unsafe-fixes")
        again = mllint(work, "--diff", "--unsafe-fixes")
        after = findings(work)
        problems: list[str] = []
        changed_files = changed_instructions = 0
        for p in files:
            old, new = p.read_text(errors="replace"), (work / p.name).read_text(errors="replace")
            if old == new:
                continue
            changed_files += 1
            n, errs = compare(old, new)
            changed_instructions += n
            problems += [f"{p.name}: {e}" for e in errs]
    if again.returncode != 0 or again.stdout:
        problems.append(f"a second --fix would still change files:\n{again.stdout[:2000]}")
    for r in (safe, unsafe):
        for line in r.stderr.splitlines():
            if "not fixed" in line or "fixes left out" in line:
                problems.append(line)
    rules = sorted({f["name"] for f in with_fix} | (FIXABLE_RULES & {f["name"] for f in before}))
    counts = {}
    for name in rules:
        counts[name] = {
            "findings": sum(1 for f in before if f["name"] == name),
            "with_fix": sum(1 for f in with_fix if f["name"] == name),
            "safe": sum(1 for f in with_fix if f["name"] == name and f["fix"]["applicability"] == "safe"),
            "after": sum(1 for f in after if f["name"] == name),
            "after_with_fix": sum(1 for f in after if f["name"] == name and isinstance(f.get("fix"), dict)),
        }
        if counts[name]["after_with_fix"]:
            problems.append(f"{name}: {counts[name]['after_with_fix']} findings still have a fix after --fix")
    print(f"{len(files)} corpus Dockerfiles; {changed_files} changed, {changed_instructions} instructions edited", file=out)
    print(f"{'rule':<26} {'findings':>8} {'fixable':>8} {'(safe)':>7} {'after':>6}", file=out)
    for name, c in counts.items():
        print(f"{name:<26} {c['findings']:>8} {c['with_fix']:>8} {c['safe']:>7} {c['after']:>6}", file=out)
    total_before = sum(c["findings"] for c in counts.values())
    total_after = sum(c["after"] for c in counts.values())
    print(f"{'total':<26} {total_before:>8} {sum(c['with_fix'] for c in counts.values()):>8} "
          f"{sum(c['safe'] for c in counts.values()):>7} {total_after:>6}", file=out)
    for p in problems:
        print("PROBLEM:", p, file=out)
    return {"files": len(files), "changed_files": changed_files, "counts": counts, "problems": problems}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    args = ap.parse_args()
    result = run(args.corpus)
    sys.exit(1 if result["problems"] else 0)


if __name__ == "__main__":
    main()
