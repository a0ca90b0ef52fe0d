from __future__ import annotations

import json

from mllint_docker import __version__
from mllint_docker.reporters import finding_dict, summary


def render(findings, files_checked: int, out, extra: dict | None = None, images=None, **_) -> None:
    doc = {"version": __version__, "findings": [finding_dict(f) for f in findings],
           "summary": summary(findings, files_checked)}
    if images:
        from mllint_docker.image.render import image_json

        doc["images"] = [image_json(t) for t in images]
    if extra:
        doc.update(extra)
    out.write(json.dumps(doc, indent=2) + "\n")
