from __future__ import annotations

import json

from mllint_docker import __version__
from mllint_docker.reporters import finding_dict, summary


def render(findings, files_checked: int, out, extra: dict | None = None, **_) -> None:
    doc = {"version": __version__, "findings": [finding_dict(f) for f in findings],
           "summary": summary(findings, files_checked)}
    if extra:
        doc.update(extra)
    out.write(json.dumps(doc, indent=2) + "\n")
