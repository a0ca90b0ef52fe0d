"""Baselines: record today's findings, then fail only on new ones. Findings are matched by their
content fingerprint, so edits that move them up or down a file keep them baselined."""

from __future__ import annotations

import json
from pathlib import Path

from mllint_docker import __version__
from mllint_docker.finding import Finding, display_path
from mllint_docker.fingerprint import fingerprints


class BaselineError(Exception):
    pass


def write_baseline(path: Path, findings: list[Finding]) -> None:
    entries = [{"code": f.code, "name": f.name, "file": display_path(f.file), "fingerprint": fp}
               for f, fp in zip(findings, fingerprints(findings))]
    path.write_text(json.dumps({"version": __version__, "findings": entries}, indent=2) + "\n", encoding="utf-8")


def filter_baselined(path: Path, findings: list[Finding]) -> tuple[list[Finding], int]:
    """The findings not in the baseline, and how many were dropped."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        known = {e["fingerprint"] for e in doc["findings"]}
    except OSError as err:
        raise BaselineError(f"{path}: cannot read baseline: {err.strerror or err}") from None
    except (ValueError, KeyError, TypeError) as err:
        raise BaselineError(f"{path}: not a baseline written by --write-baseline ({err})") from None
    kept = [f for f, fp in zip(findings, fingerprints(findings)) if fp not in known]
    return kept, len(findings) - len(kept)
