"""JUnit XML: one test case per rule and file, failing when the rule has findings there."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from mllint_docker.finding import display_path
from mllint_docker.inert import xml


def render(findings, files_checked: int, out, **_) -> None:
    cases = defaultdict(list)
    for f in findings:
        cases[(f.code, f.name, xml(display_path(f.file)))].append(f)
    suite = ET.Element("testsuite", name="mllint-docker", tests=str(len(cases)), failures=str(len(cases)), errors="0")
    for (code, name, path), group in sorted(cases.items(), key=lambda kv: (kv[0][2], kv[0][0])):
        case = ET.SubElement(suite, "testcase", classname=path, name=f"{code} {name}")
        lines = [f"{path}:{f.line or '-'}: {xml(f.message)}" for f in group]
        failure = ET.SubElement(case, "failure", message=f"{len(group)} finding{'s' if len(group) != 1 else ''}",
                                type=group[0].severity)
        failure.text = "\n".join(lines)
    suites = ET.Element("testsuites", name="mllint-docker", tests=str(len(cases)), failures=str(len(cases)))
    suites.append(suite)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n")
