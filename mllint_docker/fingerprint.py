"""Content-based fingerprints: a finding keeps its fingerprint when unrelated lines move it."""

from __future__ import annotations

import hashlib
import linecache
from collections import Counter

from mllint_docker.finding import Finding, display_path


def fingerprints(findings: list[Finding]) -> list[str]:
    """One per finding: hash of (code, file, the offending line's text without whitespace, which
    occurrence of that triple it is). Line numbers are not part of it."""
    seen: Counter = Counter()
    out = []
    for name in {str(f.file) for f in findings}:
        linecache.checkcache(name)  # the file may have changed since it was last read in this process
    for f in findings:
        text = "".join(linecache.getline(str(f.file), f.line).split()) if f.line else ""
        key = (f.code, display_path(f.file), text or f.message)
        seen[key] += 1
        raw = "\0".join((*key, str(seen[key])))
        out.append(hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()[:32])
    return out
