"""Every rule page's bad example is caught and its good example passes: the docs are executed."""

from pathlib import Path

import pytest

from helpers import doc_sections, found, lint, materialise
from mllint_docker.docs import docs_dir
from mllint_docker.rules import all_rules

EXECUTABLE = [r for r in all_rules() if r.scope != "image" and r.name != "internal-error"]


def test_every_rule_has_a_page():
    missing = [r.name for r in all_rules() if not (docs_dir() / f"{r.name}.md").is_file()]
    assert not missing, f"rules without a page in rules/: {missing}"


def test_every_page_names_a_rule():
    names = {r.name for r in all_rules()}
    strays = [p.stem for p in docs_dir().glob("*.md") if p.stem not in names]
    assert not strays, f"pages for rules that do not exist: {strays}"


@pytest.mark.parametrize("rule", EXECUTABLE, ids=lambda r: r.name)
def test_page_examples(rule, tmp_path: Path):
    text = (docs_dir() / f"{rule.name}.md").read_text()
    assert text.startswith(f"# {rule.name} ({rule.code})"), "page must open with `# name (CODE)`"
    assert f"**Severity:** {rule.severity}" in text
    sections = doc_sections(text)
    for required in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix", "Equivalents"):
        assert required in sections, f"missing section {required!r}"
    bad, good = tmp_path / "bad", tmp_path / "good"
    materialise(bad, sections["Example"])
    materialise(good, sections["Use instead"])
    assert found(lint(bad, select=rule.code)[1], rule.name), "the Example must be caught"
    assert not found(lint(good, select=rule.code)[1], rule.name), "the Use instead must pass"


def _variant_pairs(text: str) -> list[tuple[str, list, list]]:
    """`## Example (kind)` / `## Use instead (kind)` pairs: a rule that also judges another kind
    of file (compose) shows it there; both are executed like the main pair."""
    sections = doc_sections(text)
    out = []
    for title, blocks in sections.items():
        if title.startswith("Example (") and title.endswith(")"):
            kind = title[len("Example (") : -1]
            assert f"Use instead ({kind})" in sections, f"{title!r} needs a `Use instead ({kind})`"
            out.append((kind, blocks, sections[f"Use instead ({kind})"]))
    return out


COMPOSE_RULES = [r for r in all_rules() if r.scope == "compose" or r.code in ("MLD101", "MLD402")]


@pytest.mark.parametrize("rule", EXECUTABLE, ids=lambda r: r.name)
def test_page_variant_examples(rule, tmp_path: Path):
    for kind, example, use_instead in _variant_pairs((docs_dir() / f"{rule.name}.md").read_text()):
        bad, good = tmp_path / kind / "bad", tmp_path / kind / "good"
        materialise(bad, example)
        materialise(good, use_instead)
        assert found(lint(bad, select=rule.code)[1], rule.name), f"the Example ({kind}) must be caught"
        assert not found(lint(good, select=rule.code)[1], rule.name), f"the Use instead ({kind}) must pass"


@pytest.mark.parametrize("rule", COMPOSE_RULES, ids=lambda r: r.name)
def test_compose_rules_show_a_compose_example(rule, tmp_path: Path):
    """Rules that judge compose files show one, and its finding is on the compose file's line."""
    text = (docs_dir() / f"{rule.name}.md").read_text()
    sections = doc_sections(text)
    title = "Example" if rule.scope == "compose" else "Example (compose)"
    blocks = sections.get(title, [])
    assert any(lang == "yaml" for lang, _, _ in blocks), f"{title!r} needs a ```yaml block"
    materialise(tmp_path, blocks)
    hits = [f for f in lint(tmp_path, select=rule.code)[1] if f["name"] == rule.name]
    assert any(f["file"] == "compose.yaml" and f["line"] for f in hits), hits
