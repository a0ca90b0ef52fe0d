"""JUnit XML: one failing test case per rule and file with findings, and one passing test case per
linted file without any, so a clean run still has tests (Jenkins rejects a report with none)."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from mllint_docker.finding import display_path
from mllint_docker.inert import xml


def render(findings, files_checked: int, out, files=(), **_) -> None:
    cases = defaultdict(list)
    for f in findings:
        cases[(f.code, f.name, xml(display_path(f.file)))].append(f)
    with_findings = {path for _, _, path in cases}
    clean = sorted({xml(display_path(p)) for p in files} - with_findings)
    total = len(cases) + len(clean)
    suite = ET.Element("testsuite", name="mllint-docker", tests=str(total), failures=str(len(cases)), errors="0")
    for (code, name, path), group in sorted(cases.items(), key=lambda kv: (kv[0][2], kv[0][0])):
        case = ET.SubElement(suite, "testcase", classname=path, name=f"{code} {name}")
        lines = [f"{path}:{f.line or '-'}: {xml(f.message)}" for f in group]
        failure = ET.SubElement(case, "failure", message=f"{len(group)} finding{'s' if len(group) != 1 else ''}",
                                type=group[0].severity)
        failure.text = "\n".join(lines)
    for path in clean:
        ET.SubElement(suite, "testcase", classname=path, name="mllint-docker")
    suites = ET.Element("testsuites", name="mllint-docker", tests=str(total), failures=str(len(cases)))
    suites.append(suite)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n")
