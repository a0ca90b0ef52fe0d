"""SARIF 2.1.0 for GitHub code scanning and other viewers: rule metadata with the rule pages as help,
results with regions and content-based partial fingerprints."""

from __future__ import annotations

import json

from mllint_docker import PROJECT_URL, __version__
from mllint_docker.finding import display_path
from mllint_docker.fingerprint import fingerprints

LEVELS = {"error": "error", "warning": "warning", "info": "note"}
HELP_URI = PROJECT_URL + "/blob/main/rules/{name}.md"


def render(findings, files_checked: int, out, **_) -> None:
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
    results = []
    for f, fp in zip(findings, fingerprints(findings)):
        region = {"startLine": f.line or 1}
        if f.column:
            region["startColumn"] = f.column
        result = {
            "ruleId": f.code,
            "ruleIndex": index.get(f.code, 0),
            "level": LEVELS[f.severity],
            "message": {"text": f.message + (f"\nFix: {f.fix}" if f.fix else "")},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": display_path(f.file), "uriBaseId": "%SRCROOT%"},
                "region": region,
            }}],
            "partialFingerprints": {"mllintFingerprint/v1": fp},
        }
        if f.edit is not None and f.edit.edits:
            result["fixes"] = [_fix(f.edit)]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "mllint-docker", "version": __version__, "semanticVersion": __version__,
                                "informationUri": PROJECT_URL,
                                "rules": driver_rules}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": "./"}},
            "results": results,
        }],
    }
    out.write(json.dumps(doc, indent=2) + "\n")


def _fix(fix) -> dict:
    """A SARIF fix: one artifactChange per file, regions 1-based with exclusive end columns."""
    changes: dict[str, list] = {}
    for e in fix.edits:
        changes.setdefault(display_path(e.file), []).append({
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
