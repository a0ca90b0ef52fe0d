"""Reporters as users and CI systems read them: SARIF valid against the official schema, GitHub
workflow commands escaped, statistics, several outputs in one run, stable fingerprints."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema

from helpers import run_cli, write_tree
from mllint_docker.finding import Finding
from mllint_docker.fingerprint import fingerprints
from mllint_docker.reporters import get

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
BAD = "FROM python:latest\nRUN pip install torch\nUSER root\n"


def test_sarif_is_valid_and_complete(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": BAD})
    code, out, _ = run_cli(["check", ".", "--format", "sarif", "--isolated"], tmp_path)
    assert code == 1
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert all({"id", "name", "shortDescription", "fullDescription", "help", "helpUri", "defaultConfiguration"} <= set(r)
               for r in rules)
    assert rules[0]["help"]["markdown"].startswith("# ")
    results = run["results"]
    assert {r["ruleId"] for r in results} >= {"MLD101", "MLD202", "MLD401"}
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"}
        assert loc["region"]["startLine"] >= 1 and r["partialFingerprints"]["mllintFingerprint/v1"]


def test_fingerprints_survive_line_shifts(tmp_path: Path):
    f = tmp_path / "Dockerfile"
    f.write_text(BAD)
    a = Finding("MLD101", "base-image-unpinned", "warning", f, 1, None, "m")
    before = fingerprints([a])
    f.write_text("# a new comment\n\n" + BAD)
    import linecache

    linecache.clearcache()
    after = fingerprints([Finding("MLD101", "base-image-unpinned", "warning", f, 3, None, "m")])
    assert before == after


def test_github_annotations_are_escaped():
    f = Finding("MLD101", "base-image-unpinned", "warning", Path("a,b:c/Dockerfile"), 3, 5, "100% bad\nreally", "fix it")
    out = io.StringIO()
    get("github")([f], 1, out)
    assert out.getvalue() == ("::warning file=a%2Cb%3Ac/Dockerfile,line=3,col=5,title=MLD101 base-image-unpinned"
                              "::100%25 bad%0Areally%0AFix: fix it\n")


def test_github_is_the_default_under_actions(tmp_path: Path, monkeypatch):
    write_tree(tmp_path, {"Dockerfile": BAD})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, _ = run_cli(["check", ".", "--isolated"], tmp_path)
    assert code == 1 and out.startswith("::warning file=Dockerfile,line=")


def test_several_outputs_and_statistics(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": BAD})
    code, out, _ = run_cli(["check", ".", "--isolated", "--statistics", "--output", "sarif:r.sarif",
                            "--output", "json:r.json"], tmp_path)
    assert code == 1
    assert "MLD101  base-image-unpinned" in out and out.strip().endswith("total")
    jsonschema.validate(json.loads((tmp_path / "r.sarif").read_text()), SCHEMA)
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["findings"] >= 3
    assert run_cli(["check", ".", "--output", "nope:x"], tmp_path)[0] == 2


def test_fail_on_decides_the_exit_code_in_every_format(tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": BAD})
    for fmt in ("text", "json", "sarif", "github"):
        assert run_cli(["check", ".", "--isolated", "--format", fmt, "--fail-on", "error"], tmp_path)[0] == 0
        assert run_cli(["check", ".", "--isolated", "--format", fmt], tmp_path)[0] == 1


def test_gitlab_junit_checkstyle(tmp_path: Path):
    import xml.etree.ElementTree as ET

    write_tree(tmp_path, {"Dockerfile": BAD, "requirements.txt": "numpy<2 & \"x\"\n"})
    code, out, _ = run_cli(["check", ".", "--isolated", "--format", "gitlab"], tmp_path)
    issues = json.loads(out)
    assert code == 1 and {i["severity"] for i in issues} <= {"info", "major", "critical"}
    assert all(i["location"]["path"] and i["location"]["lines"]["begin"] >= 1 and i["fingerprint"] for i in issues)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    code, out, _ = run_cli(["check", ".", "--isolated", "--format", "junit"], tmp_path)
    cases = ET.fromstring(out).findall(".//testcase")
    assert {(c.get("classname"), c.get("name")) for c in cases} >= {("Dockerfile", "MLD101 base-image-unpinned")}
    code, out, _ = run_cli(["check", ".", "--isolated", "--format", "checkstyle"], tmp_path)
    errors = ET.fromstring(out).findall("./file/error")
    assert any(e.get("source") == "mllint-docker.MLD101.base-image-unpinned" and e.get("line") == "1" for e in errors)
