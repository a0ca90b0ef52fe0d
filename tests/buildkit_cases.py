"""The Dockerfiles the BuildKit-check differential tests run on: every rule page's Example and Use
instead, and every fixture Dockerfile, each materialised as `Dockerfile` in a context of its own."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import doc_sections, materialise
from mllint_docker.docs import docs_dir
from mllint_docker.model.discovery import is_dockerfile_name
from mllint_docker.rules import all_rules

FIXTURES = Path(__file__).parent / "fixtures"
BUILDKIT_RULES = {r.code: r for r in all_rules() if r.buildkit}
# BuildKit's check -> our rule codes that judge it.
BY_CHECK: dict[str, set[str]] = {}
for _r in BUILDKIT_RULES.values():
    for _name in _r.buildkit:
        BY_CHECK.setdefault(_name, set()).add(_r.code)


def cases() -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for page in sorted(docs_dir().glob("*.md")):
        sections = doc_sections(page.read_text())
        for title in ("Example", "Use instead"):
            blocks = sections.get(title, [])
            if any(lang == "dockerfile" for lang, _, _ in blocks):
                out.append((f"{page.stem}/{title}", blocks))
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file() and is_dockerfile_name(path.name):
            out.append((f"fixture/{path.relative_to(FIXTURES)}", path))
    return out


def materialise_case(case, root: Path) -> Path | None:
    """Writes the case under `root`; returns its Dockerfile, or None when it has none."""
    if isinstance(case, Path):  # a fixture: its whole directory is the context
        shutil.copytree(case.parent, root, dirs_exist_ok=True)
        (root / "Dockerfile").write_bytes(case.read_bytes())
    else:
        materialise(root, case)
    dockerfile = root / "Dockerfile"
    return dockerfile if dockerfile.is_file() else None


def ours(findings: list[dict]) -> dict[str, list[int]]:
    """BuildKit check name -> lines where our mapped rules found something in `Dockerfile`."""
    out: dict[str, list[int]] = {}
    for f in findings:
        if f["file"] == "Dockerfile" and f["code"] in BUILDKIT_RULES:
            for name in BUILDKIT_RULES[f["code"]].buildkit:
                out.setdefault(name, []).append(f["line"])
    return out
