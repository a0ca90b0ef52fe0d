"""Compose findings in every output format: the file (base, override or included file), line and
column a user jumps to, in well-formed output."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from helpers import run_cli

STACK = Path(__file__).parent / "fixtures" / "compose-ml-stack"
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
# `DATABASE_URL: postgresql://mlapp:hunter2@...` of the API service: compose.yaml line 28, column 7.
LINE, COL = 28, 7


def report(fmt: str) -> str:
    code, out, err = run_cli(["check", ".", "--isolated", "--format", fmt], STACK)
    assert code == 1, err
    return out


def test_json():
    hits = [f for f in json.loads(report("json"))["findings"] if f["name"] == "credentials-in-environment"]
    assert ("compose.yaml", LINE, COL) in [(f["file"], f["line"], f["column"]) for f in hits]


def test_sarif():
    doc = json.loads(report("sarif"))
    jsonschema.validate(doc, SCHEMA)
    regions = [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]) for r in doc["runs"][0]["results"] if r["ruleId"] == "MLD702"]
    assert any(uri.split("/")[-1] == "compose.yaml" and reg["startLine"] == LINE and reg.get("startColumn") == COL
               for uri, reg in regions)  # the URI is relative to the repository root


@pytest.mark.parametrize("fmt, needle", [
    ("text", f"{LINE}:{COL}"),
    ("github", f"file=compose.yaml,line={LINE},col={COL},title=MLD702"),
])
def test_line_oriented(fmt, needle):
    out = report(fmt)
    assert needle in out
    if fmt == "text":
        assert "DATABASE_URL: postgresql://mlapp:hunter2@postgres:5432/features" in out  # the source line is shown


def test_gitlab():
    issues = json.loads(report("gitlab"))
    assert any(i["location"]["path"] == "compose.yaml" and i["location"]["lines"]["begin"] == LINE for i in issues)


@pytest.mark.parametrize("fmt", ["junit", "checkstyle"])
def test_xml(fmt):
    root = ET.fromstring(report(fmt))
    text = ET.tostring(root, encoding="unicode")
    assert "compose.yaml" in text and str(LINE) in text
    if fmt == "checkstyle":
        errors = [e for f in root.iter("file") if f.get("name") == "compose.yaml" for e in f.iter("error")]
        assert any(e.get("line") == str(LINE) and e.get("column") == str(COL) for e in errors)


def test_html():
    from test_html_report import parse

    html = report("html")
    page = parse(html)
    assert ("MLD702", str(LINE)) in [(i["data-code"], i["data-line"]) for i in page.find("item")]
    assert "compose.yaml" in "".join(page.text) and "<script" not in html
