"""Fixes as a specification: for each case the bytes before, the bytes `--fix` writes, and whether the
fix is safe (`--fix`) or unsafe (`--fix --unsafe-fixes` only). Every case also checks that `--diff`
changes nothing, that a second `--fix` is a no-op, that the rule is silent on the result, and that
BuildKit's own parser reads the fixed file."""

from __future__ import annotations

import json
from pathlib import Path

import dockerfile as buildkit
import pytest

from helpers import run_cli, write_tree

F = "FROM python:3.11-slim\n"
CASES = [
    # (id, rule, before, after, applicability)
    ("pip-no-cache-dir", "pip-cache-not-disabled",
     F + "RUN pip install -r requirements.txt\n",
     F + "RUN pip install --no-cache-dir -r requirements.txt\n", "safe"),
    ("pip-python-m", "pip-cache-not-disabled",
     F + "RUN python3 -m pip install numpy==1.26.4\n",
     F + "RUN python3 -m pip install --no-cache-dir numpy==1.26.4\n", "safe"),
    ("pip-option-before-verb", "pip-cache-not-disabled",
     F + "RUN pip3 --disable-pip-version-check install numpy==1.26.4\n",
     F + "RUN pip3 --disable-pip-version-check install --no-cache-dir numpy==1.26.4\n", "safe"),
    ("uv-no-cache", "pip-cache-not-disabled",
     F + "RUN uv pip install --system numpy==1.26.4 && uv sync --frozen\n",
     F + "RUN uv pip install --no-cache --system numpy==1.26.4 && uv sync --no-cache --frozen\n", "safe"),
    ("pip-continuation", "pip-cache-not-disabled",
     F + "RUN apt-get update \\\n    # then python\n    && pip install \\\n        numpy==1.26.4\n",
     F + "RUN apt-get update \\\n    # then python\n    && pip install --no-cache-dir \\\n        numpy==1.26.4\n", "safe"),
    ("pip-heredoc", "pip-cache-not-disabled",
     F + "RUN <<EOF\nset -e\npip install numpy==1.26.4\nEOF\n",
     F + "RUN <<EOF\nset -e\npip install --no-cache-dir numpy==1.26.4\nEOF\n", "safe"),
    ("pip-crlf-bom", "pip-cache-not-disabled",
     "\ufeff# syntax=docker/dockerfile:1\r\n" + F.replace("\n", "\r\n") + "RUN pip install numpy==1.26.4\r\n",
     "\ufeff# syntax=docker/dockerfile:1\r\n" + F.replace("\n", "\r\n") + "RUN pip install --no-cache-dir numpy==1.26.4\r\n",
     "safe"),
    ("pip-no-final-newline", "pip-cache-not-disabled",
     F + "RUN pip install numpy==1.26.4",
     F + "RUN pip install --no-cache-dir numpy==1.26.4", "safe"),
    ("pip-escape-backtick", "pip-cache-not-disabled",
     "# escape=`\n" + F + "RUN pip install `\n    numpy==1.26.4\n",
     "# escape=`\n" + F + "RUN pip install --no-cache-dir `\n    numpy==1.26.4\n", "safe"),
    ("apt-lists", "apt-lists-not-cleaned",
     F + "RUN apt-get update && apt-get install -y --no-install-recommends curl\n",
     F + "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
     "safe"),
    ("apt-lists-continuation-comment", "apt-lists-not-cleaned",
     F + "RUN apt-get update \\\n    # tools we need\n    && apt-get install -y --no-install-recommends \\\n        curl \\\n        git\n",
     F + "RUN apt-get update \\\n    # tools we need\n    && apt-get install -y --no-install-recommends \\\n        curl \\\n"
         "        git && rm -rf /var/lib/apt/lists/*\n", "safe"),
    ("apt-lists-semicolon", "apt-lists-not-cleaned",
     F + "RUN apt-get update; apt-get install -y --no-install-recommends curl;\n",
     F + "RUN apt-get update; apt-get install -y --no-install-recommends curl; rm -rf /var/lib/apt/lists/*\n", "safe"),
    ("apt-lists-after-fi", "apt-lists-not-cleaned",
     F + "RUN if [ -n \"$GPU\" ]; then \\\n      apt-get update && apt-get install -y --no-install-recommends curl; \\\n    fi\n",
     F + "RUN if [ -n \"$GPU\" ]; then \\\n      apt-get update && apt-get install -y --no-install-recommends curl; \\\n"
         "    fi && rm -rf /var/lib/apt/lists/*\n", "safe"),
    ("apt-lists-heredoc", "apt-lists-not-cleaned",
     F + "RUN <<EOF\n  apt-get update\n  apt-get install -y --no-install-recommends curl\nEOF\n",
     F + "RUN <<EOF\n  apt-get update\n  apt-get install -y --no-install-recommends curl\n  rm -rf /var/lib/apt/lists/*\nEOF\n",
     "safe"),
    ("apt-lists-later-install-needs-them", "apt-lists-not-cleaned",
     F + "RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
         "RUN apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*\n",
     F + "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n"
         "RUN apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*\n", "unsafe"),
    ("apt-recommends", "apt-recommends",
     F + "RUN apt-get install -y curl\n",
     F + "RUN apt-get install --no-install-recommends -y curl\n", "unsafe"),
    ("apt-update-merged", "apt-update-alone",
     F + "RUN apt-get update -qq\n# tools\nRUN apt-get install -y --no-install-recommends curl\n",
     F + "# tools\nRUN apt-get update -qq && apt-get install -y --no-install-recommends curl\n", "unsafe"),
    ("conda-clean", "conda-cache-not-cleaned",
     "FROM continuumio/miniconda3:24.1.2-0\nRUN conda install -y numpy=1.26.4\n",
     "FROM continuumio/miniconda3:24.1.2-0\nRUN conda install -y numpy=1.26.4 && conda clean -afy\n", "safe"),
    ("mamba-clean", "conda-cache-not-cleaned",
     "FROM mambaorg/micromamba:1.5.8\nRUN micromamba install -y -n base numpy=1.26.4\n",
     "FROM mambaorg/micromamba:1.5.8\nRUN micromamba install -y -n base numpy=1.26.4 && micromamba clean --all --yes\n",
     "safe"),
    ("add-to-copy", "add-instead-of-copy",
     F + "ADD --chown=1000 src/ /app/src/\n",
     F + "COPY --chown=1000 src/ /app/src/\n", "safe"),
    ("add-to-copy-lower-case", "add-instead-of-copy",
     F + "add src/ /app/src/\n",
     F + "copy src/ /app/src/\n", "safe"),
    ("maintainer", "maintainer-deprecated",
     F + 'MAINTAINER Jane "JD" Doe <jane@example.org>\n',
     F + 'LABEL org.opencontainers.image.authors="Jane \\"JD\\" Doe <jane@example.org>"\n', "safe"),
    ("cmd-exec-form", "shell-form-cmd",
     F + "CMD python serve.py --port 8080\n",
     F + 'CMD ["python", "serve.py", "--port", "8080"]\n', "safe"),
    ("cmd-exec-form-quoted", "shell-form-cmd",
     F + "CMD exec uvicorn 'app.main:app' --host \"0.0.0.0\"\n",
     F + 'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]\n', "safe"),
    ("entrypoint-exec-form", "shell-form-cmd",
     F + "ENTRYPOINT python serve.py\n",
     F + 'ENTRYPOINT ["python", "serve.py"]\n', "unsafe"),
    ("cmd-under-custom-shell", "shell-form-cmd",
     F + 'SHELL ["conda", "run", "-n", "app", "/bin/bash", "-c"]\nCMD python serve.py\n',
     F + 'SHELL ["conda", "run", "-n", "app", "/bin/bash", "-c"]\nCMD ["python", "serve.py"]\n', "unsafe"),
    ("workdir-absolute", "relative-workdir",
     F + "WORKDIR app\n",
     F + "WORKDIR /app\n", "unsafe"),
    ("workdir-dot-slash", "relative-workdir",
     F + 'WORKDIR "./app"\n',
     F + 'WORKDIR "/app"\n', "unsafe"),
    ("runs-as-root-debian", "runs-as-root",
     F + "COPY app.py /app/\n# serve\nCMD [\"python\", \"/app/app.py\"]\n",
     F + "COPY app.py /app/\nRUN useradd --create-home --uid 10001 app\nUSER app\n# serve\nCMD [\"python\", \"/app/app.py\"]\n",
     "unsafe"),
    ("runs-as-root-alpine", "runs-as-root",
     "FROM python:3.11-alpine\nRUN apk add --no-cache curl",
     "FROM python:3.11-alpine\nRUN apk add --no-cache curl\nRUN adduser -D -u 10001 app\nUSER app", "unsafe"),
    ("runs-as-root-switch-back", "runs-as-root",
     F + "USER model-server\nRUN echo hi\nUSER root\nRUN apt-get install -y --no-install-recommends jq\n"
         "CMD [\"serve\"]\n",
     F + "USER model-server\nRUN echo hi\nUSER root\nRUN apt-get install -y --no-install-recommends jq\n"
         "USER model-server\nCMD [\"serve\"]\n", "unsafe"),
    ("copy-before-install", "copy-before-deps-install",
     F + "WORKDIR /app\nCOPY . .\n# dependencies\nRUN pip install --no-cache-dir -r requirements.txt\nCMD [\"python\", \"src/app.py\"]\n",
     F + "WORKDIR /app\nCOPY requirements.txt ./\n# dependencies\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n"
         "CMD [\"python\", \"src/app.py\"]\n", "unsafe"),
    ("copy-before-install-other-dest", "copy-before-deps-install",
     F + "COPY . /srv/app\nRUN pip install --no-cache-dir -r /srv/app/requirements.txt",
     F + "COPY requirements.txt /srv/app/requirements.txt\nRUN pip install --no-cache-dir -r /srv/app/requirements.txt\n"
         "COPY . /srv/app", "unsafe"),
    ("runs-as-root-crlf", "runs-as-root",
     F.replace("\n", "\r\n") + "CMD [\"serve\"]\r\n",
     F.replace("\n", "\r\n") + "RUN useradd --create-home --uid 10001 app\r\nUSER app\r\nCMD [\"serve\"]\r\n", "unsafe"),
    ("pip-heredoc-tab-stripped", "pip-cache-not-disabled",
     F + "RUN <<-EOF\n\tpip install numpy==1.26.4\n\tEOF\n",
     F + "RUN <<-EOF\n\tpip install --no-cache-dir numpy==1.26.4\n\tEOF\n", "safe"),
    ("apt-lists-escape-backtick", "apt-lists-not-cleaned",
     "# escape=`\n" + F + "RUN apt-get update && `\n    apt-get install -y --no-install-recommends curl\n",
     "# escape=`\n" + F + "RUN apt-get update && `\n    apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
     "safe"),
    ("install-by-name-moved-up", "copy-before-deps-install",
     F + "COPY . .\nRUN pip install --no-cache-dir --upgrade pip && pip install --no-cache-dir kserve==0.13.0\n"
         "RUN pip install --no-cache-dir -e .\n",
     F + "RUN pip install --no-cache-dir --upgrade pip && pip install --no-cache-dir kserve==0.13.0\nCOPY . .\n"
         "RUN pip install --no-cache-dir -e .\n", "unsafe"),
    ("multiple-cmd", "multiple-cmd",
     F + 'CMD ["python", "old.py"]\nCMD ["python", "serve.py"]\n',
     F + 'CMD ["python", "serve.py"]\n', "safe"),
    ("multiple-cmd-last-line", "multiple-cmd",
     F + 'ENTRYPOINT ["a"]\nENTRYPOINT ["b"]',
     F + 'ENTRYPOINT ["b"]', "safe"),
]

# Shell syntax: no exec form exists, so these findings keep their hint and get no edit.
NO_EDIT = [
    ("cmd-with-variable", "shell-form-cmd", F + "CMD python serve.py --port $PORT\n"),
    ("cmd-with-operator", "shell-form-cmd", F + "CMD python migrate.py && python serve.py\n"),
    ("cmd-builtin", "shell-form-cmd", F + "CMD cd /app\n"),
    ("apt-lists-trailing-comment", "apt-lists-not-cleaned", F + "RUN apt-get update && apt-get install -y curl # tools\n"),
    ("conda-unclosed-quote", "conda-cache-not-cleaned", F + 'RUN mamba install -y "/home/${NB_USER}\n'),
    ("pip-exec-form-run", "pip-cache-not-disabled", F + 'RUN ["pip", "install", "numpy==1.26.4"]\n'),
    ("pip-word-split-by-continuation", "pip-cache-not-disabled", F + "RUN pip inst\\\nall numpy==1.26.4\n"),
    ("add-with-checksum", "add-instead-of-copy", F + "ADD --checksum=sha256:0 src/ /app/\n"),
    ("root-with-pip-user-installs", "runs-as-root", F + "RUN pip install --user --no-cache-dir numpy==1.26.4\n"),
    ("install-needs-env-between", "copy-before-deps-install",
     F + "COPY . .\nENV PIP_INDEX_URL=https://mirror.example/simple\nRUN pip install --no-cache-dir -r requirements.txt\n"),
    ("install-runs-more-than-installs", "copy-before-deps-install",
     F + "COPY . .\nRUN pip install --no-cache-dir -r requirements.txt && python setup.py build_ext\n"),
]


def _write(root: Path, text: str) -> None:
    (root / "Dockerfile").write_bytes(text.encode())
    write_tree(root, {"requirements.txt": "numpy==1.26.4\n", "src/app.py": "", ".dockerignore": ".git\n"})


def _findings(root: Path, rule: str, *extra: str) -> list[dict]:
    _, out, _ = run_cli(["check", ".", "--isolated", "--select", rule, "--format", "json", *extra], root)
    return [f for f in json.loads(out)["findings"] if f["name"] == rule]


def _buildkit(text: str):
    return [(c.cmd, c.value) for c in buildkit.parse_string(text.lstrip("\ufeff"))]


@pytest.mark.parametrize("case, rule, before, after, applicability", CASES, ids=[c[0] for c in CASES])
def test_fix(tmp_path: Path, case, rule, before, after, applicability):
    _write(tmp_path, before)
    path = tmp_path / "Dockerfile"
    found = _findings(tmp_path, rule)
    assert found and all(f["fix"]["applicability"] == applicability for f in found if isinstance(f["fix"], dict))
    assert any(isinstance(f["fix"], dict) for f in found)

    code, out, _ = run_cli(["check", ".", "--isolated", "--select", rule, "--diff", "--unsafe-fixes"], tmp_path)
    assert code == 1 and out.startswith("--- a/Dockerfile\n+++ b/Dockerfile\n")
    assert path.read_bytes() == before.encode()  # --diff changes nothing

    run_cli(["check", ".", "--isolated", "--select", rule, "--fix"], tmp_path)
    if applicability == "unsafe":
        assert path.read_bytes() == before.encode()  # not without --unsafe-fixes
        run_cli(["check", ".", "--isolated", "--select", rule, "--fix", "--unsafe-fixes"], tmp_path)
    assert path.read_bytes() == after.encode()

    code, out, _ = run_cli(["check", ".", "--isolated", "--select", rule, "--diff", "--unsafe-fixes"], tmp_path)
    assert (code, out) == (0, "")  # a second run has nothing left to do
    assert _findings(tmp_path, rule) == []
    _buildkit(after)  # BuildKit reads the result


@pytest.mark.parametrize("case, rule, before", NO_EDIT, ids=[c[0] for c in NO_EDIT])
def test_no_edit_where_the_file_does_not_allow_one(tmp_path: Path, case, rule, before):
    _write(tmp_path, before)
    found = _findings(tmp_path, rule)
    assert found and all(not isinstance(f["fix"], dict) for f in found)
    run_cli(["check", ".", "--isolated", "--select", rule, "--fix", "--unsafe-fixes"], tmp_path)
    assert (tmp_path / "Dockerfile").read_bytes() == before.encode()


def test_text_output_marks_fixable_findings_and_counts_them(tmp_path: Path):
    _write(tmp_path, F + "WORKDIR app\nRUN pip install numpy==1.26.4\nCMD python serve.py\n")
    code, out, _ = run_cli(["check", ".", "--isolated", "--select", "MLD108,MLD111,MLD113"], tmp_path)
    assert code == 1
    assert "MLD108 [*] pip-cache-not-disabled" in out and "MLD113 relative-workdir" in out
    assert out.rstrip().endswith("[*] 2 fixable with --fix (1 more with --unsafe-fixes)")
    _, out, _ = run_cli(["check", ".", "--isolated", "--select", "MLD108,MLD111,MLD113", "--unsafe-fixes"], tmp_path)
    assert "MLD113 [*] relative-workdir" in out and out.rstrip().endswith("[*] 3 fixable with --fix")


def test_fix_reports_what_remains_and_fix_only_hides_it(tmp_path: Path):
    _write(tmp_path, F + "WORKDIR app\nRUN pip install numpy==1.26.4\n")
    code, out, err = run_cli(["check", ".", "--isolated", "--select", "MLD108,MLD113", "--fix", "--format", "json"], tmp_path)
    assert "fixed 1 finding in 1 file" in err
    assert code == 1 and [f["name"] for f in json.loads(out)["findings"]] == ["relative-workdir"]
    code, out, err = run_cli(["check", ".", "--isolated", "--select", "MLD108,MLD113", "--fix-only", "--unsafe-fixes"],
                             tmp_path)
    assert (code, out) == (0, "") and "fixed 1 finding in 1 file" in err
    assert (tmp_path / "Dockerfile").read_text() == F + "WORKDIR /app\nRUN pip install --no-cache-dir numpy==1.26.4\n"


def test_overlapping_fixes_wait_for_the_next_pass(tmp_path: Path):
    # Both fixes append to the end of the same RUN: one is applied, the file is linted again, and
    # the other is rebuilt on the new text in a second pass.
    _write(tmp_path, "FROM continuumio/miniconda3:24.1.2-0\n"
                     "RUN apt-get update && apt-get install -y --no-install-recommends curl && conda install -y x=1\n")
    code, _, err = run_cli(["check", ".", "--isolated", "--select", "MLD105,MLD109", "--fix"], tmp_path)
    assert code == 0 and "fixed 2 findings" in err
    assert (tmp_path / "Dockerfile").read_text() == (
        "FROM continuumio/miniconda3:24.1.2-0\nRUN apt-get update && apt-get install -y --no-install-recommends curl"
        " && conda install -y x=1 && rm -rf /var/lib/apt/lists/* && conda clean -afy\n")


def test_a_fix_made_moot_by_another_is_dropped(tmp_path: Path):
    # The first CMD is in shell form and has no effect: deleting it and rewriting it overlap; after
    # the deletion nothing is left to rewrite.
    _write(tmp_path, F + "CMD python old.py\nCMD python serve.py\n")
    code, _, err = run_cli(["check", ".", "--isolated", "--select", "MLD111,MLD112", "--fix"], tmp_path)
    assert code == 0 and "fixed 2 findings" in err
    assert (tmp_path / "Dockerfile").read_text() == F + 'CMD ["python", "serve.py"]\n'


def test_config_moves_rules_between_safe_and_unsafe(tmp_path: Path):
    _write(tmp_path, F + "WORKDIR app\nRUN pip install numpy==1.26.4\n")
    write_tree(tmp_path, {".mllint-docker.toml": 'select = ["MLD108", "MLD113"]\n'
                                                 'extend-safe-fixes = ["relative-workdir"]\n'
                                                 'extend-unsafe-fixes = ["MLD108"]\n'})
    _, out, _ = run_cli(["check", ".", "--format", "json"], tmp_path)
    assert {f["name"]: f["fix"]["applicability"] for f in json.loads(out)["findings"]} == {
        "relative-workdir": "safe", "pip-cache-not-disabled": "unsafe"}
    run_cli(["check", ".", "--fix"], tmp_path)
    assert (tmp_path / "Dockerfile").read_text() == F + "WORKDIR /app\nRUN pip install numpy==1.26.4\n"


def test_config_fix_lists_are_validated(tmp_path: Path):
    _write(tmp_path, F)
    write_tree(tmp_path, {".mllint-docker.toml": 'extend-safe-fixes = ["no-such-rule"]\n'})
    code, _, err = run_cli(["check", "."], tmp_path)
    assert code == 2 and "extend-safe-fixes: unknown rule 'no-such-rule'" in err
    write_tree(tmp_path, {".mllint-docker.toml": 'extend-unsafe-fixes = 3\n'})
    code, _, err = run_cli(["check", "."], tmp_path)
    assert code == 2 and "extend-unsafe-fixes: expected a list of strings" in err


def test_a_fix_that_would_break_the_file_is_not_written(tmp_path: Path):
    from mllint_docker.engine.config import Config
    from mllint_docker.engine.lint import Selection
    from mllint_docker.finding import Edit, Finding, Fix
    from mllint_docker.fixes import FixPolicy, fix_project
    from mllint_docker.model.project import load_project
    from helpers import chdir

    _write(tmp_path, F + "RUN pip install numpy==1.26.4\n")
    path = tmp_path / "Dockerfile"
    with chdir(tmp_path):
        config = Config()
        project = load_project([Path(".")], config)
        broken = Finding("MLD108", "pip-cache-not-disabled", "warning", path, 2, 1, "m",
                         edit=Fix("safe", "m", (Edit(path, (2, 1), (2, 4), "BAD"),)))
        report = fix_project(project, Selection([]), config, [broken], FixPolicy())
    assert report.fixed == {} and report.total == 0
    assert report.refused and "unknown instruction: BAD" in report.refused[0][1]


def test_sarif_fixes_are_valid(tmp_path: Path):
    import jsonschema

    _write(tmp_path, F + "RUN pip install numpy==1.26.4\n")
    _, out, _ = run_cli(["check", ".", "--isolated", "--select", "MLD108", "--format", "sarif"], tmp_path)
    doc = json.loads(out)
    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(doc, schema)
    (fix,) = doc["runs"][0]["results"][0]["fixes"]
    change = fix["artifactChanges"][0]
    assert change["artifactLocation"]["uri"] == "Dockerfile"
    assert change["replacements"] == [{"deletedRegion": {"startLine": 2, "startColumn": 16, "endLine": 2, "endColumn": 16},
                                       "insertedContent": {"text": " --no-cache-dir"}}]


ML_PROJECT = {
    ".git/HEAD": "ref: refs/heads/main\n",
    ".venv/pyvenv.cfg": "home = /usr/bin\n",
    "src/app.py": "print('hi')\n",
    "src/__pycache__/app.cpython-311.pyc": "x",
    "notebooks/.ipynb_checkpoints/eda-checkpoint.ipynb": "{}",
    ".env": "HF_TOKEN=hf_x\n",
    "data/train.parquet": 3_000_000,
    "data/val.parquet": 2_000_000,
    "models/best.pt": 2_000_000,
    "requirements.txt": "numpy==1.26.4\n",
}


def test_dockerignore_is_written_from_the_context_scan(tmp_path: Path):
    write_tree(tmp_path, {**ML_PROJECT, "Dockerfile": F + "COPY requirements.txt .\nCOPY models/best.pt /srv/\nCOPY src/app.py /app/src/\n"})
    _, out, _ = run_cli(["check", ".", "--isolated", "--select", "MLD301,MLD302,MLD303", "--format", "json"], tmp_path)
    fixes = {json.dumps(f["fix"]) for f in json.loads(out)["findings"] if isinstance(f.get("fix"), dict)}
    assert len(fixes) == 1  # missing-dockerignore and context-bloat carry one and the same repair
    (fix,) = [json.loads(f) for f in fixes]
    assert fix["applicability"] == "safe"  # no `COPY .`: only what is sent changes, not the image
    code, out, err = run_cli(["check", ".", "--isolated", "--select", "MLD301,MLD302,MLD303", "--fix"], tmp_path)
    assert (tmp_path / ".dockerignore").read_text() == (
        "# Not sent to the Docker build (added by `mllint check --fix`)\n"
        ".env\n.git\n.venv\n**/.ipynb_checkpoints\n**/__pycache__\ndata\nvenv\n")
    # models/best.pt is named by a COPY: it stays, and so does its data-in-image finding.
    assert code == 1 and "MLD303" in out and "MLD301" not in out and "MLD302" not in out


def test_dockerignore_excluding_what_copy_dot_brings_is_unsafe_and_keeps_user_exceptions(tmp_path: Path):
    write_tree(tmp_path, {**ML_PROJECT, ".dockerignore": "*.md\n!README.md\n", "README.md": "x",
                          "Dockerfile": F + "COPY . /app\n"})
    _, out, _ = run_cli(["check", ".", "--isolated", "--select", "MLD302,MLD303", "--format", "json"], tmp_path)
    assert {f["fix"]["applicability"] for f in json.loads(out)["findings"]} == {"unsafe"}
    run_cli(["check", ".", "--isolated", "--select", "MLD302,MLD303", "--fix"], tmp_path)
    assert (tmp_path / ".dockerignore").read_text() == "*.md\n!README.md\n"
    run_cli(["check", ".", "--isolated", "--select", "MLD302,MLD303", "--fix", "--unsafe-fixes"], tmp_path)
    assert (tmp_path / ".dockerignore").read_text() == (
        ".env\n.git\n.venv\n**/.ipynb_checkpoints\n**/__pycache__\ndata\nmodels\n*.md\n!README.md\n")
    code, out, _ = run_cli(["check", ".", "--isolated", "--select", "MLD302,MLD303", "--diff", "--unsafe-fixes"], tmp_path)
    assert (code, out) == (0, "")


def test_dockerignore_keeps_what_a_directory_copy_wants(tmp_path: Path):
    write_tree(tmp_path, {**ML_PROJECT, "Dockerfile": F + "COPY data/ /data/\nCOPY src/ /app/src/\n"})
    run_cli(["check", ".", "--isolated", "--select", "MLD301", "--fix"], tmp_path)
    assert not (tmp_path / ".dockerignore").exists()  # dropping src/__pycache__ changes the image: unsafe
    run_cli(["check", ".", "--isolated", "--select", "MLD301", "--fix", "--unsafe-fixes"], tmp_path)
    written = (tmp_path / ".dockerignore").read_text().splitlines()
    assert "**/__pycache__" in written and "data" not in written and "models" in written


UV_LOCK = ('version = 1\n[[package]]\nname = "numpy"\nversion = "1.26.4"\n[[package]]\nname = "Torch"\nversion = "2.3.1"\n'
           '[[package]]\nname = "scipy"\nversion = "1.13.0"\n[[package]]\nname = "scipy"\nversion = "1.14.0"\n'
           '[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { editable = "." }\n')
POETRY_LOCK = '[[package]]\nname = "numpy"\nversion = "1.26.4"\n[[package]]\nname = "torch"\nversion = "2.3.1"\n'
PYLOCK = 'lock-version = "1.0"\n[[packages]]\nname = "numpy"\nversion = "1.26.4"\n[[packages]]\nname = "torch"\nversion = "2.3.1"\n'
COMPILED = "#\n# This file is autogenerated by pip-compile with Python 3.11\n#\nnumpy==1.26.4\n    # via -r requirements.in\ntorch==2.3.1\n"


@pytest.mark.parametrize("lock_name, lock", [("uv.lock", UV_LOCK), ("poetry.lock", POETRY_LOCK),
                                             ("pylock.toml", PYLOCK), ("requirements-lock.txt", COMPILED)])
def test_requirements_are_pinned_from_a_lock_file(tmp_path: Path, lock_name, lock):
    before = "numpy>=1.20\ntorch[cpu] >= 2.0 ; python_version > '3.8'  # the model\nscipy\n"
    write_tree(tmp_path, {"requirements.txt": before, lock_name: lock})
    rule = "requirement-unpinned"
    found = _findings(tmp_path, rule)
    assert [f["fix"]["applicability"] for f in found if isinstance(f["fix"], dict)] == ["unsafe", "unsafe"]
    run_cli(["check", ".", "--isolated", "--select", rule, "--fix"], tmp_path)
    assert (tmp_path / "requirements.txt").read_text() == before
    run_cli(["check", ".", "--isolated", "--select", rule, "--fix", "--unsafe-fixes"], tmp_path)
    # scipy: no lock here, or locked at two versions (per platform): no pin is guessed.
    assert (tmp_path / "requirements.txt").read_text() == (
        "numpy==1.26.4\ntorch[cpu]==2.3.1 ; python_version > '3.8'  # the model\nscipy\n")


def test_install_command_is_pinned_from_the_context_lock(tmp_path: Path):
    write_tree(tmp_path, {"uv.lock": UV_LOCK,
                          "Dockerfile": F + "RUN pip install --no-cache-dir numpy 'torch>=2' scipy\n"})
    run_cli(["check", ".", "--isolated", "--select", "pip-install-unpinned", "--fix", "--unsafe-fixes"], tmp_path)
    assert (tmp_path / "Dockerfile").read_text() == F + "RUN pip install --no-cache-dir numpy==1.26.4 'torch==2.3.1' scipy\n"


def test_no_lock_no_pin(tmp_path: Path):
    write_tree(tmp_path, {"requirements.txt": "numpy>=1.20\n"})
    assert all(not isinstance(f["fix"], dict) for f in _findings(tmp_path, "requirement-unpinned"))


def test_pins_from_the_distributions_an_image_really_has(tmp_path: Path):
    """`mllint image TARBALL -f Dockerfile`: the image's `*.dist-info/METADATA` give the versions."""
    from mllint_docker.image.testing import write_image_tarball

    site = "usr/local/lib/python3.11/site-packages"
    write_image_tarball(tmp_path / "image.tar", [
        [("dir", "usr"), ("file", "bin/sh", 10)],
        [("file", f"{site}/numpy-1.26.4.dist-info/METADATA", b"Name: numpy\nVersion: 1.26.4\n"),
         ("file", f"{site}/torch-2.3.1+cpu.dist-info/METADATA", b"Name: torch\n"),
         ("file", f"{site}/scikit_learn-1.5.0.dist-info/METADATA", b"Name: scikit-learn\n"),
         ("file", f"{site}/scipy-1.13.0.dist-info/METADATA", b"Name: scipy\n")],
        [("whiteout", f"{site}/scipy-1.13.0.dist-info")],  # uninstalled by a later layer
    ])
    write_tree(tmp_path, {"requirements.txt": "numpy>=1.20\nscikit-learn\nscipy\n",
                          "Dockerfile": F + "COPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt torch\n"})
    code, out, _ = run_cli(["image", "image.tar", "-f", "Dockerfile", "--format", "json",
                            "--select", "requirement-unpinned,pip-install-unpinned"], tmp_path)
    fixes = {(f["file"], f["line"]): f["fix"] for f in json.loads(out)["findings"]}
    assert fixes[("requirements.txt", 1)]["edits"][0]["content"] == "==1.26.4"
    assert fixes[("requirements.txt", 2)]["edits"][0]["content"] == "==1.5.0"
    assert not isinstance(fixes[("requirements.txt", 3)], dict)  # scipy is no longer in the image
    assert fixes[("Dockerfile", 3)]["edits"][0]["content"] == "torch==2.3.1+cpu"
    assert fixes[("Dockerfile", 3)]["message"] == "Pin `torch==2.3.1+cpu` from the built image"
    assert len(json.loads(out)["findings"]) == 4  # each finding once


def test_base_image_pinned_to_the_digest_the_engine_records(tmp_path: Path, monkeypatch):
    """`mllint image`: `docker image inspect` RepoDigests (stubbed here; tests/test_fix_builds.py asks a
    real engine) give the digest; without one the hint says the engine records none."""
    import mllint_docker.image as image
    from mllint_docker.image.testing import write_image_tarball

    digest = "sha256:" + "ab" * 32
    known = {"python:latest": [f"python@{digest}"], "mllint-local/base": []}
    monkeypatch.setattr(image, "inspect_image", lambda ref, **_: {"RepoDigests": known[ref]})
    write_image_tarball(tmp_path / "image.tar", [[("file", "bin/sh", 10)]])
    write_tree(tmp_path, {"Dockerfile": "FROM mllint-local/base AS build\nRUN true\nFROM python:latest\nCMD [\"python\"]\n"})
    _, out, _ = run_cli(["image", "image.tar", "-f", "Dockerfile", "--format", "json", "--select", "base-image-unpinned"],
                        tmp_path)
    by_line = {f["line"]: f for f in json.loads(out)["findings"]}
    assert by_line[3]["fix"]["applicability"] == "unsafe"
    assert by_line[3]["fix"]["edits"] == [{"file": "Dockerfile", "start": {"line": 3, "column": 6},
                                           "end": {"line": 3, "column": 19}, "content": f"python:latest@{digest}"}]
    assert "records no registry digest" in by_line[1]["fix"] and len(by_line) == 2


def test_suppressed_and_baselined_findings_are_not_fixed(tmp_path: Path):
    before = F + "# mllint: disable=pip-cache-not-disabled\nRUN pip install numpy==1.26.4\nWORKDIR app\n"
    _write(tmp_path, before)
    code, _, _ = run_cli(["check", ".", "--isolated", "--select", "MLD108,MLD113", "--write-baseline", "b.json"], tmp_path)
    assert code == 0
    run_cli(["check", ".", "--isolated", "--select", "MLD108,MLD113", "--baseline", "b.json", "--fix", "--unsafe-fixes"],
            tmp_path)
    assert (tmp_path / "Dockerfile").read_text() == before


def test_the_fixes_that_keep_the_file_parsing_are_still_applied(tmp_path: Path):
    from mllint_docker.engine.config import Config
    from mllint_docker.engine.lint import Selection
    from mllint_docker.finding import Edit, Finding, Fix
    from mllint_docker.fixes import FixPolicy, fix_project
    from mllint_docker.model.project import load_project
    from helpers import chdir

    _write(tmp_path, F + "RUN pip install numpy==1.26.4\n")
    path = tmp_path / "Dockerfile"
    with chdir(tmp_path):
        config = Config()
        project = load_project([Path(".")], config)
        broken = Finding("MLD113", "relative-workdir", "warning", path, 2, 1, "m",
                         edit=Fix("safe", "m", (Edit(path, (2, 1), (2, 4), "BAD"),)))
        good = Finding("MLD108", "pip-cache-not-disabled", "warning", path, 2, 5, "m",
                       edit=Fix("safe", "m", (Edit(path, (2, 16), (2, 16), " --no-cache-dir"),)))
        report = fix_project(project, Selection([]), config, [broken, good], FixPolicy(), lint_after=False)
    assert report.counts == {"pip-cache-not-disabled": 1}
    assert report.fixed[path].text == F + "RUN pip install --no-cache-dir numpy==1.26.4\n"
    assert "some fixes left out" in report.refused[0][1]
