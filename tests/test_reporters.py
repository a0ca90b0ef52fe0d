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


def test_sarif_keeps_suppressed_and_baselined_results_with_absolute_base(tmp_path: Path):
    from mllint_docker import __version__

    write_tree(tmp_path, {"svc/Dockerfile": "FROM python:latest\n# mllint: disable=runs-as-root -- drops privileges\nUSER root\n",
                          "svc/requirements.txt": "torch\n", ".mllint-docker.toml": '[per-file-ignores]\n"requirements.txt" = ["MLD201"]\n'})
    import subprocess

    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    assert run_cli(["check", ".", "--write-baseline", "b.json", "--select", "MLD101"], tmp_path)[0] == 0
    write_tree(tmp_path, {"svc/Dockerfile": "FROM python:latest\nFROM ubuntu:latest\n# mllint: disable=runs-as-root -- drops privileges\nUSER root\n"})
    code, out, _ = run_cli(["check", ".", "--format", "sarif", "--baseline", "../b.json", "--select", "MLD101,MLD201,MLD401"],
                           tmp_path / "svc")
    assert code == 1
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    run = doc["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.as_uri() + "/"}}
    assert all(r["helpUri"].endswith(f"/blob/v{__version__}/rules/{r['name']}.md") for r in run["tool"]["driver"]["rules"])
    got = sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                  r["locations"][0]["physicalLocation"]["region"]["startLine"], r.get("baselineState"),
                  tuple((s["kind"], s.get("justification")) for s in r.get("suppressions", [])))
                 for r in run["results"])
    assert got == [
        ("MLD101", "svc/Dockerfile", 1, "unchanged", ()),
        ("MLD101", "svc/Dockerfile", 2, "new", ()),
        ("MLD201", "svc/requirements.txt", 1, None, (("external", "per-file-ignores 'requirements.txt'"),)),
        ("MLD401", "svc/Dockerfile", 4, None, (("inSource", "drops privileges"),)),
    ]


def test_junit_has_a_passing_case_per_clean_file(tmp_path: Path):
    write_tree(tmp_path, {"a/Dockerfile": "FROM python:3.11.9-slim\nUSER app\n", "a/.dockerignore": ".git\n",
                          "b/Dockerfile": "FROM python:latest\nUSER app\n", "requirements.txt": "numpy==2.1.0\n"})
    code, out, _ = run_cli(["check", ".", "--isolated", "--format", "junit", "--select", "MLD101"], tmp_path)
    from xml.etree import ElementTree as ET

    suite = ET.fromstring(out).find("testsuite")
    cases = [(c.get("classname"), c.get("name"), c.find("failure") is not None) for c in suite.findall("testcase")]
    assert sorted(cases) == [("a/Dockerfile", "mllint-docker", False), ("b/Dockerfile", "MLD101 base-image-unpinned", True),
                             ("requirements.txt", "mllint-docker", False)]
    assert suite.get("tests") == "3" and suite.get("failures") == "1"
    code, out, _ = run_cli(["check", "a", "--isolated", "--format", "junit"], tmp_path)
    assert code == 0 and ET.fromstring(out).get("tests") == "1"
