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
