"""Fixture projects: `tests/fixtures/<case>/` with `expected.txt` beside the files, one finding a
line as `path:line name` (`path:- name` when the finding has no line). Lines starting with `#` are
comments. `args.txt`, if present, holds extra `mllint check` arguments."""

from pathlib import Path

import pytest

from helpers import lint

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(p for p in FIXTURES.iterdir() if p.is_dir() and (p / "expected.txt").is_file())


def read_expected(case: Path) -> list[str]:
    lines = (case / "expected.txt").read_text().splitlines()
    return sorted(l.strip() for l in lines if l.strip() and not l.startswith("#"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_fixture(case: Path):
    args = (case / "args.txt").read_text().split() if (case / "args.txt").is_file() else []
    _, findings = lint(case, extra=args)
    got = sorted(f"{f['file']}:{f['line'] if f['line'] is not None else '-'} {f['name']}" for f in findings)
    assert got == read_expected(case)


def test_every_fixture_has_expectations():
    missing = [p.name for p in FIXTURES.iterdir() if p.is_dir() and not (p / "expected.txt").is_file()]
    assert not missing, f"fixtures without expected.txt: {missing}"
