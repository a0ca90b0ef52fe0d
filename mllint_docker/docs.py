"""Rule pages: `rules/<name>.md`, shipped in the wheel as `mllint_docker/ruledocs/`."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def docs_dir() -> Path:
    packaged = _HERE / "ruledocs"
    if packaged.is_dir() and any(packaged.glob("*.md")):
        return packaged
    return _HERE.parent / "rules"  # a source checkout or an editable install


def rule_doc(name: str) -> str | None:
    f = docs_dir() / f"{name}.md"
    try:
        return f.read_text(encoding="utf-8")
    except OSError:
        return None
