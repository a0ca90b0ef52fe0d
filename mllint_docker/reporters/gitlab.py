"""GitLab Code Quality report (a JSON list), with the same stable fingerprints as SARIF."""

from __future__ import annotations

import json

from mllint_docker.finding import display_path
from mllint_docker.fingerprint import fingerprints

SEVERITY = {"info": "info", "warning": "major", "error": "critical"}


def render(findings, files_checked: int, out, **_) -> None:
    issues = [{
        "type": "issue",
        "check_name": f"{f.code} {f.name}",
        "description": f.message,
        "categories": ["Bug Risk"],
        "severity": SEVERITY[f.severity],
        "fingerprint": fp,
        "location": {"path": display_path(f.file), "lines": {"begin": f.line or 1}},
    } for f, fp in zip(findings, fingerprints(findings))]
    out.write(json.dumps(issues, indent=2) + "\n")
