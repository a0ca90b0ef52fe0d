"""Differential test of the rules that carry `buildkit=(...)` against tally (`tally-cli` on PyPI),
which runs BuildKit's parser (v0.32) and reimplements BuildKit's other build checks statically. It is
the stand-in that runs everywhere for `docker buildx build --check` (tests/test_buildkit_checks_docker.py),
which needs buildx 0.15+ and skips on engines without build checks.

Same cases (rule pages and fixtures), same comparison: which BuildKit checks fire on each Dockerfile.
Where tally departs from BuildKit's own code, the case is listed in TALLY_DIFFERS with the reason;
such a list only ever names a check on a case, so everything else must agree."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from buildkit_cases import BUILDKIT_RULES, BY_CHECK, cases, materialise_case, ours
from helpers import lint
from mllint_docker.model.dockerfile import parse_dockerfile

TALLY = shutil.which("tally")
if TALLY is None:
    import sys

    candidate = Path(sys.executable).parent / "tally"
    TALLY = str(candidate) if candidate.exists() else None

# (case, check) -> why tally and we disagree, each checked against BuildKit's source.
TALLY_DIFFERS = {
    # reportUnusedFromArgs flags any FROM variable that no ARG declares; tally reports only
    # InvalidDefaultArgInFrom when both apply.
    ("undefined-arg-in-from/Example", "UndefinedArgInFrom"): "tally reports InvalidDefaultArgInFrom alone",
}
# Checks whose verdict needs what a static read cannot have (the base image's ENV, the registry),
# or that we judge differently on purpose (see the rule pages).
KNOWN = {"UndefinedVar", "InvalidBaseImagePlatform", "SecretsUsedInArgOrEnv"}
CASES = cases()


def _run(files: list[Path], context: Path | None = None) -> dict[str, dict[str, list[int]]] | None:
    """tally's BuildKit checks per file: {path: {check: [lines]}}; None when tally cannot parse."""
    args = [TALLY, "lint", "--no-config", "--format", "json", "--slow-checks", "off", "--ignore", "*", "--select", "buildkit/*"]
    args += ["--context", str(context)] if context else []
    r = subprocess.run(args + [str(f) for f in files], capture_output=True, text=True, timeout=300)
    if not r.stdout.strip().startswith("{"):
        return None
    out: dict[str, dict[str, list[int]]] = {str(f): {} for f in files}
    for entry in json.loads(r.stdout).get("files", []):
        found = out.setdefault(str(Path(entry["file"]).resolve()) if Path(entry["file"]).is_absolute() else entry["file"], {})
        for v in entry.get("violations", []):
            missing = re.match(r"source '(.+)' is not available", v.get("message", ""))
            if missing and not (Path(entry["file"]).parent / missing.group(1)).exists():
                continue  # tally extends CopyIgnoredFile to sources missing from the context; BuildKit's
                # check (validateCopySourcePath in dockerfile2llb/validations.go) only asks .dockerignore
            if v["rule"].startswith("buildkit/"):
                found.setdefault(v["rule"].removeprefix("buildkit/"), []).append(v["location"]["start"]["line"])
    return out


@pytest.fixture(scope="module")
def tally_results(tmp_path_factory) -> dict[str, tuple[Path, dict[str, list[int]] | None]]:
    """Every case materialised once and linted by tally: one run for the cases without a
    .dockerignore, one run with `--context` for each case that has one (context-aware checks)."""
    if TALLY is None:
        pytest.skip("tally-cli is not installed (pip install -r requirements-dev.txt)")
    base = tmp_path_factory.mktemp("tally")
    roots: dict[str, Path] = {}
    for i, (name, case) in enumerate(CASES):
        root = base / f"{i:03d}"
        root.mkdir()
        if materialise_case(case, root) is not None:
            roots[name] = root
    results: dict[str, tuple[Path, dict[str, list[int]] | None]] = {}
    # A file tally cannot parse stops its whole run: those (and context-aware cases) run alone.
    plain = [n for n, r in roots.items() if not (r / ".dockerignore").exists()
             and parse_dockerfile(r / "Dockerfile").error is None]
    batch = _run([roots[n] / "Dockerfile" for n in plain]) or {}
    assert batch or not plain, "tally failed on the batch of files that parse"
    for n in plain:
        single = batch.get(str(roots[n] / "Dockerfile"))
        if single is None:  # the batch failed on some file: run this one alone
            one = _run([roots[n] / "Dockerfile"])
            single = one[str(roots[n] / "Dockerfile")] if one else None
        results[n] = (roots[n], single)
    for n, r in roots.items():
        if n not in results:
            one = _run([r / "Dockerfile"], context=r)
            results[n] = (r, one[str(r / "Dockerfile")] if one else None)
    return results


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_same_checks_as_tally(tally_results, name):
    if name not in tally_results:
        pytest.skip("no Dockerfile in this case")
    root, found = tally_results[name]
    _, findings = lint(root, select=",".join(BUILDKIT_RULES) + ",parse-error")
    if found is None:  # tally (BuildKit's parser) rejects the file: so must we
        assert any(f["name"] == "parse-error" and f["file"] == "Dockerfile" for f in findings)
        return
    theirs = {k for k in found if k in BY_CHECK} - KNOWN
    mine = set(ours(findings)) - KNOWN
    differs = {check for (case_name, check) in TALLY_DIFFERS if case_name == name}
    assert mine - differs == theirs - differs, f"tally: {sorted(theirs)}; mllint: {sorted(mine)}"
    for check in differs:  # a listed difference that no longer exists must leave the list
        assert (check in mine) != (check in theirs), f"{name}: {check} now agrees; remove it from TALLY_DIFFERS"
