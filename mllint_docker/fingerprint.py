"""Content-based fingerprints: a finding keeps its fingerprint when unrelated lines move it."""

from __future__ import annotations

import hashlib
import linecache
import os
from collections import Counter
from pathlib import Path

from mllint_docker.finding import Finding, display_path


def project_path(path: Path, root: Path | None) -> str:
    """`path` relative to the project root with `/` separators (relative to the working directory
    without a root)."""
    if root is None:
        return display_path(path)
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    return rel.replace(os.sep, "/")


def fingerprints(findings: list[Finding], root: Path | None = None) -> list[str]:
    """One per finding: hash of (code, file relative to the project root, the offending line's text
    without whitespace, which occurrence of that triple it is). Line numbers are not part of it, nor
    is the directory the linter ran from. Findings stamped by `stamp` keep their fingerprint."""
    if root is None and findings and all("fingerprint" in f.extra for f in findings):
        return [f.extra["fingerprint"] for f in findings]
    seen: Counter = Counter()
    out = []
    for name in {str(f.file) for f in findings}:
        linecache.checkcache(name)  # the file may have changed since it was last read in this process
    paths: dict = {}  # file -> (its name, its project path): computed once per file, not per finding
    for f in findings:
        named = paths.get(f.file)
        if named is None:
            named = paths[f.file] = (str(f.file), project_path(f.file, root))
        text = "".join(linecache.getline(named[0], f.line).split()) if f.line else ""
        key = (f.code, named[1], text or f.message)
        seen[key] += 1
        raw = "\0".join((*key, str(seen[key])))
        out.append(hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()[:32])
    return out


def stamp(findings: list[Finding], root: Path) -> None:
    """Records each finding's root-keyed fingerprint on it, for every report of this run."""
    for f, fp in zip(findings, fingerprints(findings, root)):
        f.extra["fingerprint"] = fp
