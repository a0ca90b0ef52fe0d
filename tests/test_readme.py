from pathlib import Path

from mllint_docker.docs import README_END, README_START, rules_table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_rule_table_is_generated_from_the_registry():
    text = README.read_text()
    table = text[text.index(README_START) + len(README_START):text.index(README_END)].strip()
    assert table == rules_table(), "run `python -m mllint_docker.docs` to regenerate README's rule table"
