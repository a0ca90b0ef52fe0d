"""Baselines: record today's findings, then fail only on new ones. Findings are matched by their
content fingerprint, keyed to the project root (so the directory the linter runs from does not
matter), and edits that move them up or down a file keep them baselined."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from mllint_docker import __version__
from mllint_docker.finding import Finding
from mllint_docker.fingerprint import fingerprints, project_path


class BaselineError(Exception):
    pass


@dataclass
class BaselineResult:
    kept: list[Finding]  # new findings: reported
    baselined: list[Finding] = field(default_factory=list)  # known ones: not reported
    stale: list[dict] = field(default_factory=list)  # entries that match no finding any more


def _entries(path: Path) -> list[dict]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        entries = doc["findings"]
        for e in entries:
            e["fingerprint"]  # noqa: B018 - every entry must have one
        return entries
    except OSError as err:
        raise BaselineError(f"{path}: cannot read baseline: {err.strerror or err}") from None
    except (ValueError, KeyError, TypeError) as err:
        raise BaselineError(f"{path}: not a baseline written by --write-baseline ({err})") from None


def write_baseline(path: Path, findings: list[Finding], root: Path) -> int:
    """Writes today's findings; returns how many entries of an earlier baseline at `path` were stale
    (and are now pruned)."""
    entries = [{"code": f.code, "name": f.name, "file": project_path(f.file, root), "fingerprint": fp}
               for f, fp in zip(findings, fingerprints(findings, root))]
    pruned = 0
    if path.is_file():
        try:
            new = {e["fingerprint"] for e in entries}
            pruned = sum(1 for e in _entries(path) if e["fingerprint"] not in new)
        except BaselineError:
            pruned = 0
    path.write_text(json.dumps({"version": __version__, "findings": entries}, indent=2) + "\n", encoding="utf-8")
    return pruned


def filter_baselined(path: Path, findings: list[Finding], root: Path) -> BaselineResult:
    """Splits findings into new and baselined, and lists the baseline's stale entries."""
    entries = _entries(path)
    known = {e["fingerprint"] for e in entries}
    result = BaselineResult([])
    matched = set()
    for f, fp in zip(findings, fingerprints(findings, root)):
        if fp in known:
            result.baselined.append(f)
            matched.add(fp)
        else:
            result.kept.append(f)
    result.stale = [e for e in entries if e["fingerprint"] not in matched]
    return result
