"""Output snapshots: exactly what a user or a CI system sees for a fixed set of findings.
Regenerate after a deliberate change with `MLLINT_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py`."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest

from mllint_docker import __version__
from mllint_docker.finding import Edit, Finding, Fix
from mllint_docker.reporters import get

HERE = Path(__file__).parent
SNAPSHOTS = HERE / "snapshots"
SOURCE = HERE / "snapshots" / "source-of-findings.txt"  # a Dockerfile, named so discovery skips it


def findings() -> list[Finding]:
    return [
        Finding("MLD101", "base-image-unpinned", "warning", SOURCE, 1, None,
                "base image `python:latest` has the `latest` tag", "pin a version tag or a digest"),
        Finding("MLD202", "pip-install-unpinned", "warning", SOURCE, 3, 5, "`torch` has no version", None),
        Finding("MLD401", "runs-as-root", "error", SOURCE, 4, None, "the container runs as root: <USER> & \"0\"", None),
        # A finding with a fix as data: `fix` becomes an object in JSON, `[*]` marks it in text.
        Finding("MLD108", "pip-cache-not-disabled", "warning", SOURCE, 3, 5, "`pip install` keeps its cache",
                "add `--no-cache-dir`",
                edit=Fix("safe", "Add `--no-cache-dir`", (Edit(SOURCE, (3, 16), (3, 16), " --no-cache-dir"),))),
    ]


@pytest.mark.parametrize("fmt", ["text", "json", "github", "gitlab", "junit", "checkstyle"])
def test_snapshot(fmt: str, monkeypatch):
    monkeypatch.chdir(HERE.parent)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    out = io.StringIO()
    get(fmt)(findings(), 1, out)
    got = out.getvalue().replace(__version__, "<version>")
    snap = SNAPSHOTS / f"report.{fmt}.txt"
    if os.environ.get("MLLINT_UPDATE_SNAPSHOTS"):
        snap.write_text(got)
    assert snap.exists(), f"no snapshot {snap.name}: run with MLLINT_UPDATE_SNAPSHOTS=1 and review it"
    assert got == snap.read_text()
