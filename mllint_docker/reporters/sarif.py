"""SARIF 2.1.0 for GitHub code scanning and other viewers: rule metadata with the rule pages as help
(and `helpUri` at this version's page), results with regions and content-based partial fingerprints,
paths relative to the project root given absolutely in `originalUriBaseIds`. Findings silenced by a
pragma or the config are kept with `suppressions`; with a baseline, every result has a
`baselineState` and the baselined ones are kept as `unchanged`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from mllint_docker import PROJECT_URL, __version__
from mllint_docker.fingerprint import fingerprints, project_path

LEVELS = {"error": "error", "warning": "warning", "info": "note"}
HELP_URI = PROJECT_URL + "/blob/v" + __version__ + "/rules/{name}.md"  # the page of the version that ran


def render(findings, files_checked: int, out, suppressed=(), baselined=None, root=None, **_) -> None:
    from mllint_docker.docs import rule_doc
    from mllint_docker.rules import all_rules

    rules = all_rules()
    index = {r.code: i for i, r in enumerate(rules)}
    driver_rules = []
    for r in rules:
        doc = rule_doc(r.name) or r.summary
        driver_rules.append({
            "id": r.code,
            "name": r.name,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": _what_it_does(doc) or r.summary},
            "help": {"text": doc, "markdown": doc},
            "helpUri": HELP_URI.format(name=r.name),
            "defaultConfiguration": {"level": LEVELS[r.severity]},
            "properties": {"tags": [r.group], **({"hadolint": list(r.hadolint)} if r.hadolint else {})},
        })
    root = Path(os.path.abspath(root or Path.cwd()))
    results = []
    kept = [(f, None, "new" if baselined is not None else None) for f in findings]
    kept += [(s.finding, s, None) for s in suppressed]
    kept += [(f, None, "unchanged") for f in baselined or ()]
    for (f, silenced, state), fp in zip(kept, fingerprints([k[0] for k in kept])):
        region = {"startLine": f.line or 1}
        if f.column:
            region["startColumn"] = f.column
        result = {
            "ruleId": f.code,
            "ruleIndex": index.get(f.code, 0),
            "level": LEVELS[f.severity],
            "message": {"text": f.message + (f"\nFix: {f.fix}" if f.fix else "")},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(f.file, root), "uriBaseId": "%SRCROOT%"},
                "region": region,
            }}],
            "partialFingerprints": {"mllintFingerprint/v1": fp},
        }
        if silenced is not None:
            suppression = {"kind": silenced.kind, "status": "accepted"}
            if silenced.justification:
                suppression["justification"] = silenced.justification
            result["suppressions"] = [suppression]
        if state is not None:
            result["baselineState"] = state
        if f.edit is not None and f.edit.edits:
            result["fixes"] = [_fix(f.edit, root)]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "mllint-docker", "version": __version__, "semanticVersion": __version__,
                                "informationUri": PROJECT_URL,
                                "rules": driver_rules}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri().rstrip("/") + "/"}},
            "results": results,
        }],
    }
    out.write(json.dumps(doc, indent=2) + "\n")


def _uri(path, root: Path) -> str:
    """A path relative to the project root as a URI reference; a file-name byte that is not UTF-8 is
    percent-encoded as the byte it is."""
    return quote(project_path(path, root), errors="surrogateescape")


def _fix(fix, root: Path) -> dict:
    """A SARIF fix: one artifactChange per file, regions 1-based with exclusive end columns."""
    changes: dict[str, list] = {}
    for e in fix.edits:
        changes.setdefault(_uri(e.file, root), []).append({
            "deletedRegion": {"startLine": e.start[0], "startColumn": e.start[1],
                              "endLine": e.end[0], "endColumn": e.end[1]},
            "insertedContent": {"text": e.content},
        })
    return {"description": {"text": f"{fix.message} ({fix.applicability})"},
            "artifactChanges": [{"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}, "replacements": reps}
                                for uri, reps in changes.items()]}


def _what_it_does(doc: str) -> str:
    part = doc.split("## What it does", 1)
    if len(part) < 2:
        return ""
    return " ".join(part[1].split("\n## ", 1)[0].split())
