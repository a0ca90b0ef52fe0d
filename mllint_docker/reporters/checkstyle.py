"""Checkstyle XML, which many CI systems and editors read."""

from __future__ import annotations

from itertools import groupby
from xml.etree import ElementTree as ET

from mllint_docker.finding import display_path
from mllint_docker.inert import xml


def render(findings, files_checked: int, out, **_) -> None:
    root = ET.Element("checkstyle", version="4.3")
    for path, group in groupby(findings, key=lambda f: xml(display_path(f.file))):
        file = ET.SubElement(root, "file", name=path)
        for f in group:
            attrs = {"line": str(f.line or 0), "severity": f.severity, "message": xml(f.message),
                     "source": f"mllint-docker.{f.code}.{f.name}"}
            if f.column:
                attrs["column"] = str(f.column)
            ET.SubElement(file, "error", attrs)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n")
