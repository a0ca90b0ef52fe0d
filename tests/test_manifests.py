"""Dependency manifests and lock files: discovered by name, parsed once with line-exact entries, and
every malformed file a located parse-error finding (never a traceback)."""

from pathlib import Path

import pytest

from helpers import lint
from mllint_docker.model.manifests import manifest_format, parse_manifest
from mllint_docker.model.manifests.stale import poetry_content_hash

CORPUS = Path("/work/shared/corpus/environments")


@pytest.mark.parametrize("name, fmt", [
    ("environment.yml", "conda-env"), ("environment-gpu.yaml", "conda-env"), ("conda.yaml", "conda-env"),
    ("dev-environment.yml", "conda-env"), ("conda-lock.yml", "conda-lock"), ("train.conda-lock.yml", "conda-lock"),
    ("conda-linux-64.lock", "conda-explicit"), ("pyproject.toml", "pyproject"), ("Pipfile", "pipfile"),
    ("Pipfile.lock", "pipfile-lock"), ("uv.lock", "uv-lock"), ("poetry.lock", "poetry-lock"), ("pdm.lock", "pdm-lock"),
    ("pylock.toml", "pylock"), ("pylock.cuda.toml", "pylock"),
    ("yarn.lock", None), ("Cargo.lock", None), ("compose.yaml", None), ("config.yml", None), ("tox.toml", None),
])
def test_names(name, fmt):
    from mllint_docker.model.discovery import file_kind

    assert manifest_format(name) == fmt
    assert (file_kind(Path(name)) == "manifest") == (fmt is not None)  # discovery's one definition agrees


# (file name, malformed content, line of the parse error)
MALFORMED = [
    ("environment.yml", "name: x\ndependencies:\n  - numpy\n  - [unclosed\n", 5),
    ("environment.yml", "name: x\ndependencies:\n  - numpy\n  - pip:\n    - 'not a requirement!!'\n", 5),
    ("environment.yml", "name: x\ndependencies: numpy\n", 2),
    ("conda-lock.yml", "version: 1\npackage:\n- name: python\n  version: [\n", 5),
    ("conda-lock.yml", "version: 1\nmetadata: {}\npackage:\n- name: python\n", 4),
    ("conda-linux-64.lock", "@EXPLICIT\nhttps://conda.anaconda.org/conda-forge/linux-64/python-3.11.9-h_0.conda#abc\nnot a url\n", 3),
    ("pyproject.toml", "[project]\nname = \"x\"\ndependencies = [\n  \"numpy>=1\",\n  \"bad requirement !!\",\n]\n", 5),
    ("pyproject.toml", "[project]\nname = \"x\"\ndependencies = [\"numpy\"\n", 4),
    ("pyproject.toml", "[tool.poetry.dependencies]\npython = \"^3.11\"\nnumpy = 3\n", 3),
    ("Pipfile", "[packages]\nnumpy = \"*\"\nrequests = \n", 3),
    ("Pipfile.lock", "{\n  \"default\": {\n    \"numpy\": {\"version\": \"==1.26.4\",}\n  }\n}\n", 3),
    ("uv.lock", "version = 1\n\n[[package]]\nname = \"numpy\"\nversion = 1.26.4.1\n", 5),
    ("poetry.lock", "[[package]]\nname = \"numpy\"\nversion = \"1.26.4\"\n[metadata\n", 4),
    ("pdm.lock", "[metadata]\ncontent_hash = \"sha256:00\"\n[[package]]\nversion = \"1.0\"\n", 3),
    ("pylock.toml", "lock-version = \"1.0\"\n[[packages]]\nname = \"numpy\"\nversion = \"1.26.4\"\nwheels = [\n", 6),
]


@pytest.mark.parametrize("name, content, line", MALFORMED, ids=[f"{n}:{l}" for n, _, l in MALFORMED])
def test_malformed_file_is_a_located_parse_error(tmp_path: Path, name, content, line):
    code, findings = lint(tmp_path, {name: content})
    errors = [(f["file"], f["line"]) for f in findings if f["name"] == "parse-error"]
    assert errors == [(name, line)], findings
    assert code == 1


def test_binary_manifest_is_a_parse_error(tmp_path: Path):
    _, findings = lint(tmp_path, {"uv.lock": b"\0\1\2" * 100})
    assert [(f["file"], f["name"]) for f in findings] == [("uv.lock", "parse-error")]


def test_yaml_of_another_kind_is_not_an_environment(tmp_path: Path):
    # A CI workflow that happens to be named conda.yml: not linted, not an error.
    _, findings = lint(tmp_path, {"conda.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"})
    assert findings == []


def test_entries_keep_line_and_column(tmp_path: Path):
    p = tmp_path / "pyproject.toml"
    p.write_text('[project]\nname = "x"\ndependencies = [\n    "numpy>=1.26",  "torch==2.4.1",\n]\n'
                 '[project.optional-dependencies]\ngpu = ["cupy>=13"]\n'
                 '[dependency-groups]\ndev = ["pytest>=8", {include-group = "lint"}]\nlint = ["ruff==0.6.9"]\n')
    m = parse_manifest(p)
    assert [(e.name, e.line, e.column, e.section, e.pinned) for e in m.entries] == [
        ("numpy", 4, 6, "dependencies", False), ("torch", 4, 22, "dependencies", True),
        ("cupy", 7, 9, "optional-dependencies.gpu", False), ("pytest", 9, 9, "group.dev", False),
        ("ruff", 10, 10, "group.lint", True)]


def test_conda_environment_entries(tmp_path: Path):
    p = tmp_path / "environment.yml"
    p.write_text("channels:\n  - conda-forge\ndependencies:\n  - numpy=1.26\n  - conda-forge::scipy>=1.13\n"
                 "  - pip:\n    - torch==2.4.1\n    - -e ./lib\n")
    m = parse_manifest(p)
    assert m.channels == [("conda-forge", 2)]
    assert [(e.name, e.kind, e.line, e.pinned, e.source) for e in m.entries] == [
        ("numpy", "conda", 4, True, None), ("scipy", "conda", 5, False, "conda-forge"),
        ("torch", "pypi", 7, True, None), ("", "pypi", 8, True, "./lib")]


def test_poetry_and_pipfile_tables(tmp_path: Path):
    p = tmp_path / "pyproject.toml"
    p.write_text('[tool.poetry.dependencies]\npython = "^3.11"\nnumpy = "1.26.4"\nfastapi = "^0.115"\n'
                 'lib = { git = "https://github.com/x/lib.git", rev = "0123456789abcdef0123456789abcdef01234567" }\n'
                 'local = { path = "../local", develop = true }\n')
    m = parse_manifest(p)
    assert [(e.name, e.line, e.pinned, e.local) for e in m.entries] == [
        ("numpy", 3, True, False), ("fastapi", 4, False, False), ("lib", 5, True, False), ("local", 6, True, True)]
    f = tmp_path / "Pipfile"
    f.write_text('[packages]\nnumpy = "==1.26.4"\nrequests = "*"\n\n[dev-packages]\npytest = {version = ">=8"}\n')
    assert [(e.name, e.line, e.pinned, e.optional) for e in parse_manifest(f).entries] == [
        ("numpy", 2, True, False), ("requests", 3, False, False), ("pytest", 6, False, True)]


def test_lock_packages_have_lines(tmp_path: Path):
    p = tmp_path / "uv.lock"
    p.write_text('version = 1\n\n[[package]]\nname = "a"\nversion = "1.0"\nsource = { registry = "https://pypi.org/simple" }\n'
                 'sdist = { url = "https://x/a-1.0.tar.gz", hash = "sha256:00" }\n\n[[package]]\nname = "B_c"\nversion = "2.0"\n')
    assert [(l.name, l.version, l.line, l.hashes) for l in parse_manifest(p).locked] == [("a", "1.0", 3, 1), ("b-c", "2.0", 9, 0)]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not available")
def test_poetry_content_hash_matches_poetry_on_real_locks():
    """Every poetry.lock of the corpus whose repository's pyproject is there too: our hash is Poetry's."""
    import csv
    import tomllib

    rows = list(csv.reader((CORPUS / "manifest.tsv").open(), delimiter="\t"))[1:]
    by_repo: dict[str, dict[str, Path]] = {}
    for f, repo, _path, _commit in rows:
        by_repo.setdefault(repo, {})[f.split("-", 1)[1]] = CORPUS / f
    pairs = [(fs["pyproject.toml"], fs["poetry.lock"]) for fs in by_repo.values() if {"pyproject.toml", "poetry.lock"} <= set(fs)]
    assert len(pairs) >= 5
    for pyproject, lock in pairs:
        recorded = tomllib.loads(lock.read_text())["metadata"]["content-hash"]
        assert poetry_content_hash(tomllib.loads(pyproject.read_text())) == recorded, lock.name


def test_pre_commit_hook_runs_on_every_manifest_name():
    """The hook's `files:` pattern (pre-commit uses Python's re.search) takes every name discovery takes."""
    import re

    import yaml

    hook = yaml.safe_load((Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text())[0]
    pattern = re.compile(hook["files"])
    for name in ("environment.yml", "envs/environment-gpu.yaml", "conda.yaml", "dev-environment.yml", "conda-lock.yml",
                 "train.conda-lock.yml", "conda-linux-64.lock", "pyproject.toml", "svc/Pipfile", "Pipfile.lock", "uv.lock",
                 "poetry.lock", "pdm.lock", "pylock.toml", "pylock.cuda.toml"):
        assert manifest_format(name.rsplit("/", 1)[-1]) is not None
        assert pattern.search(name), name
    for name in ("yarn.lock", "Cargo.lock", "config.yml", "src/app.py", "tox.toml"):
        assert not pattern.search(name), name


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not available")
def test_corpus_environments_parse_cleanly():
    """Every real environment, pyproject, Pipfile and lock file of the corpus: no parse or internal error."""
    from helpers import run_cli
    import json

    files = sorted(str(p) for p in CORPUS.iterdir() if p.name != "manifest.tsv")
    code, out, err = run_cli(["check", "--isolated", "--format", "json", *files], CORPUS)
    assert code in (0, 1), err
    report = json.loads(out)
    assert report["summary"]["files"] == len(files)
    bad = [f for f in report["findings"] if f["name"] in ("parse-error", "internal-error")]
    assert bad == []


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not available")
def test_pipfile_hash_matches_pipenv_on_real_locks():
    import json
    import tomllib

    from mllint_docker.model.manifests.stale import pipfile_hash

    pipfiles = sorted(p for p in CORPUS.iterdir() if p.name.endswith("-Pipfile"))
    assert len(pipfiles) >= 5
    for n, pipfile in enumerate(pipfiles):
        lock = sorted(p for p in CORPUS.iterdir() if p.name.endswith("-Pipfile.lock"))[n]
        assert pipfile_hash(tomllib.loads(pipfile.read_text())) == json.loads(lock.read_text())["_meta"]["hash"]["sha256"]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not available")
def test_truncated_real_files_never_crash(tmp_path: Path):
    """Real files of every format cut at arbitrary points: findings, never a traceback or internal error."""
    from helpers import run_cli

    kinds = {}
    for p in sorted(CORPUS.iterdir()):
        if p.name != "manifest.tsv":
            kinds.setdefault(p.name.split("-", 1)[1], p)
    n = 0
    for name, src in kinds.items():
        data = src.read_bytes()[:20000]
        for cut in (len(data) // 7, len(data) // 3, len(data) // 2 + 1, len(data) - 3):
            d = tmp_path / f"case{n}"
            d.mkdir()
            (d / name).write_bytes(data[:cut])
            n += 1
    code, out, err = run_cli(["check", "--isolated", "--format", "json", "."], tmp_path)
    assert code in (0, 1), err
    import json

    report = json.loads(out)
    assert [f for f in report["findings"] if f["name"] == "internal-error"] == []


def test_manifest_outside_the_project_is_never_read(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "environment.yml").write_text("dependencies:\n  - numpy\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "environment.yml").symlink_to(outside / "environment.yml")
    _, findings = lint(project, {"Dockerfile": "FROM mambaorg/micromamba:1.5.8\nCOPY environment.yml /tmp/\n"
                                               "RUN micromamba create -y -n a -f /tmp/environment.yml && micromamba clean -a -y\n"})
    assert not [f for f in findings if f["name"] in ("manifest-unpinned", "parse-error", "internal-error")]
    assert ("environment.yml", "reference-outside-project") in [(f["file"], f["name"]) for f in findings]
