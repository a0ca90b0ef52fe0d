"""The repairs the compose rules attach to their findings, as data: each case is the input, the text
after its edits, and the applicability (as sqlfluff's fail_str / fix_str). Edits are applied here by
a few lines that follow `Edit`'s contract (1-based line and column, end exclusive); the result must
read as a compose file again and no longer be flagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import chdir, write_tree
from mllint_docker.engine.config import load_config
from mllint_docker.engine.lint import Engine, select_rules
from mllint_docker.finding import Edit
from mllint_docker.model.compose import load_compose, text_errors
from mllint_docker.model.project import load_project


def apply(text: str, edits: list[Edit]) -> str:
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(pos: tuple[int, int]) -> int:
        line, col = pos
        return (starts[line - 1] if line - 1 < len(starts) else len(text)) + col - 1

    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: offset(e.start)] + e.content + text[offset(e.end):]
    return text


def findings(tmp_path: Path, rule: str):
    with chdir(tmp_path):
        config = load_config(None)
        project = load_project([Path(".")], config)
        return Engine(project, select_rules(config, select=[rule]), config).run()


def fixed(tmp_path: Path, rule: str, text: str, name: str = "compose.yaml") -> tuple[str, set[str]]:
    write_tree(tmp_path, {name: text})
    found = [f for f in findings(tmp_path, rule) if f.name == rule]
    assert found, f"{rule} should catch:\n{text}"
    edits = [e for f in found if f.edit for e in f.edit.edits]
    assert all(Path(e.file).resolve() == (tmp_path / name).resolve() for e in edits)
    return apply(text, edits), {f.edit.applicability for f in found if f.edit}


SVC = "services:\n  api:\n    image: ghcr.io/acme/api:1.4.2\n"


@pytest.mark.parametrize("before, after", [
    ("version: '3.8'\n" + SVC, SVC),
    ('version: "3.9"  # old habit\n\n' + SVC, "\n" + SVC),
    ("version: '3.8'\r\n" + SVC.replace("\n", "\r\n"), SVC.replace("\n", "\r\n")),
    (SVC + "version: '3'", SVC),
])
def test_version_is_removed(tmp_path, before, after):
    result, applicability = fixed(tmp_path, "compose-version-obsolete", before)
    assert (result, applicability) == (after, {"safe"})


def test_version_in_a_flow_mapping_has_no_edit(tmp_path):
    write_tree(tmp_path, {"compose.yaml": "{version: '3', services: {api: {image: 'x:1.0.0'}}}\n"})
    (f,) = [f for f in findings(tmp_path, "compose-version-obsolete")]
    assert f.edit is None and f.fix


MOUNT = "services:\n  api:\n    image: ghcr.io/acme/api:1.4.2\n    volumes:\n"


@pytest.mark.parametrize("entry, result", [
    ("      - ./models:/models\n", "      - ./models:/models:ro\n"),
    ("      - \"./models:/models\"\n", "      - \"./models:/models:ro\"\n"),
    ("      - './weights:/w:rw'\n", "      - './weights:/w:ro'\n"),
    ("      - ./data:/app/data:z\n", "      - ./data:/app/data:z,ro\n"),
    ("      - ./data:/app/data:rw,z\n", "      - ./data:/app/data:ro,z\n"),
    ("      - type: bind\n        source: ./models\n        target: /models\n",
     "      - type: bind\n        source: ./models\n        target: /models\n        read_only: true\n"),
    ("      - type: bind\n        source: ./models\n        target: /models\n        read_only: false\n",
     "      - type: bind\n        source: ./models\n        target: /models\n        read_only: true\n"),
    ("      - target: /models\n        source: ./models\n        type: bind\n",
     "      - target: /models\n        read_only: true\n        source: ./models\n        type: bind\n"),
])
def test_model_mount_becomes_read_only(tmp_path, entry, result):
    after, applicability = fixed(tmp_path, "model-mount-writable", MOUNT + entry)
    assert (after, applicability) == (MOUNT + result, {"unsafe"})
    (tmp_path / "compose.yaml").write_text(after)
    cf = load_compose([tmp_path / "compose.yaml"], tmp_path)
    assert not cf.errors and all(v.read_only for v in cf.services["api"].volumes)
    assert text_errors(tmp_path / "compose.yaml", after) == []


def test_read_only_line_without_a_final_newline(tmp_path):
    text = MOUNT + "      - type: bind\n        source: ./models\n        target: /models"
    after, _ = fixed(tmp_path, "model-mount-writable", text)
    assert after == text + "\n        read_only: true"


def test_text_errors_say_why_an_edit_would_break_the_file(tmp_path):
    path = tmp_path / "compose.yaml"
    assert text_errors(path, SVC) == []
    (err,) = text_errors(path, SVC + "    volumes: [./m:/m\n")
    assert err.line == 5 and "invalid YAML" in err.message
    assert [e.line for e in text_errors(path, SVC + "    environment: 5\n")] == [4]


@pytest.mark.parametrize("entry", [
    "      - {type: bind, source: ./models, target: /models}\n",  # flow mapping: no line of its own
    "      - ./models:${MODELS_AT:-/models}\n",  # interpolated: the text is not the value
    "      - \"./models:\\\n        /models\"\n",  # over two lines
])
def test_no_edit_where_the_text_is_not_plain(tmp_path, entry):
    write_tree(tmp_path, {"compose.yaml": MOUNT + entry})
    (f,) = [f for f in findings(tmp_path, "model-mount-writable")]
    assert f.edit is None and f.fix


def test_the_edit_goes_to_the_file_that_says_it(tmp_path):
    write_tree(tmp_path, {"compose.yaml": SVC, "compose.override.yaml": "services:\n  api:\n    volumes: ['./models:/models']\n"})
    (f,) = findings(tmp_path, "model-mount-writable")
    (edit,) = f.edit.edits
    assert (Path(edit.file).name, edit.start, edit.end, edit.content) == ("compose.override.yaml", (3, 32), (3, 32), ":ro")


def test_mangled_number_is_quoted(tmp_path):
    text = "services:\n  s:\n    image: x:1.0.0\n    environment:\n      PY: 3.10  # the build's Python\n"
    after, applicability = fixed(tmp_path, "compose-number-mangled", text)
    assert (after, applicability) == (text.replace("PY: 3.10", 'PY: "3.10"'), {"unsafe"})


def test_fix_end_to_end_on_the_ml_stack(tmp_path):
    """`--fix --unsafe-fixes` on the ML stack fixture: the obsolete version goes, the model mounts
    become read-only, nothing else changes, and a second run has nothing left to fix."""
    import shutil

    from helpers import run_cli

    stack = Path(__file__).parent / "fixtures" / "compose-ml-stack"
    shutil.copytree(stack, tmp_path / "s")
    before = (stack / "compose.yaml").read_text()
    code, out, err = run_cli(["check", ".", "--isolated", "--fix", "--unsafe-fixes", "-q"], tmp_path / "s")
    after = (tmp_path / "s" / "compose.yaml").read_text()
    assert after == (before.replace('version: "3.9"\n', "").replace("      - ./models:/models\n", "      - ./models:/models:ro\n")
                     .replace("        target: /models\n", "        target: /models\n        read_only: true\n"))
    assert "compose-version-obsolete" not in out and "model-mount-writable" not in out
    assert text_errors(tmp_path / "s" / "compose.yaml", after) == []
    run_cli(["check", ".", "--isolated", "--fix", "--unsafe-fixes", "-q"], tmp_path / "s")
    assert (tmp_path / "s" / "compose.yaml").read_text() == after


def test_safe_fixes_only_by_default(tmp_path):
    from helpers import run_cli

    write_tree(tmp_path, {"compose.yaml": "version: '3'\n" + MOUNT + "      - ./models:/models\n"})
    run_cli(["check", ".", "--isolated", "--fix", "-q"], tmp_path)
    assert (tmp_path / "compose.yaml").read_text() == MOUNT + "      - ./models:/models\n"
