"""Size bounds that keep hostile input cheap, and the fast paths that must mean exactly what the slow
ones do. Speed itself is measured in benchmarks/bench_bounds.py, not here."""

from __future__ import annotations

from pathlib import Path

import pytest

from mllint_docker.model.dockerfile import EXPANSION_BUDGET, MAX_EXPANDED, parse_dockerfile

from helpers import run_cli


def parse(tmp_path: Path, text: str):
    p = tmp_path / "Dockerfile"
    p.write_text(text)
    return parse_dockerfile(p)


DOUBLING = "FROM python:3.11-slim\nENV A=ab\n" + "ENV A=${A}${A}\n" * 20 + "COPY $A /app/\nARG B=${A}x\nRUN echo $B\n"


def test_doubling_env_stops_at_the_cap_and_says_where(tmp_path):
    df = parse(tmp_path, DOUBLING)
    assert all(len(v) <= MAX_EXPANDED for i in df.instructions for v in [*i.env.values(), *i.expanded])
    # 2 * 2**16 = 128 KiB is the last value that fits; the next line leaves A unknown
    last_known = next(i for i in df.instructions if i.line == 18)
    assert len(last_known.env["A"]) == 2 * 2**15
    assert "A" not in df.stages[0].env and "B" not in df.stages[0].env
    copy = next(i for i in df.instructions if i.keyword == "COPY")
    assert copy.expanded == ["$A", "/app/"]  # kept as written, never a truncated value
    assert [c.argv for c in df.instructions[-1].commands] == [["echo", "$B"]]
    assert [line for line, _ in df.notes] == [19]
    assert "would exceed 131072 characters" in df.notes[0][1]


def test_a_small_assignment_makes_a_capped_variable_known_again(tmp_path):
    df = parse(tmp_path, DOUBLING + "ENV A=small\nCOPY $A /x/\n")
    assert df.instructions[-1].expanded == ["small", "/x/"]


def test_arg_doubling_is_capped_too(tmp_path):
    df = parse(tmp_path, "ARG A=ab\n" + "ARG A=${A}${A}\n" * 20 + "FROM img:$A\n")
    assert "A" not in df.global_args
    assert df.stages[0].base == "img:$A"


def test_replacement_that_would_multiply_a_value_is_capped(tmp_path):
    df = parse(tmp_path, "FROM a\nENV A=" + "x" * 1000 + "\nENV B=${A//x/" + "y" * 1000 + "}\nCOPY $B /b/\n")
    assert "B" not in df.stages[0].env
    assert df.instructions[-1].expanded == ["$B", "/b/"]


def test_the_whole_file_has_an_expansion_budget(tmp_path):
    value = "v" * 100_000
    uses = EXPANSION_BUDGET // len(value) + 5
    df = parse(tmp_path, f"FROM a\nENV A={value}\n" + "WORKDIR /w/$A\n" * uses)
    workdirs = [i.expanded[0] for i in df.instructions if i.keyword == "WORKDIR"]
    assert workdirs[0] == "/w/" + value
    assert workdirs[-1] == "/w/$A"
    assert len(df.notes) == 1 and "already substituted" in df.notes[0][1]


def test_the_note_is_shown_with_verbose(tmp_path):
    (tmp_path / "Dockerfile").write_text(DOUBLING)
    (tmp_path / ".dockerignore").write_text(".git\n")
    _code, _out, err = run_cli(["check", "-v", "--isolated", "Dockerfile"], tmp_path)
    assert "Dockerfile:19: expanding '${A}${A}' would exceed 131072 characters" in err


# Requirements: the fast path must yield exactly what pip-requirements-parser yields -------------

CORPUS = next((p / "shared" / "corpus" for p in Path(__file__).resolve().parents if (p / "shared" / "corpus").is_dir()),
              None)
FIXTURES = Path(__file__).parent / "fixtures"

TRICKY = """\
numpy==1.26.4 # a comment
torch>=2.1,<3 ; python_version >= "3.9" and sys_platform != "win32"
Pillow[extra1,Extra2] ~= 10.0
-e git+https://github.com/org/repo.git@0123456789abcdef0123456789abcdef01234567#egg=repo
-e .
./local/pkg
pkg @ https://example.com/pkg-1.0.tar.gz
https://example.com/torch-2.1.0+cpu-cp311-cp311-linux_x86_64.whl
requests==2.31.0 \\
    --hash=sha256:942c5a758f98d790eaed1a29cb6eefc7ffb0d1cf7af05c3d2791656dbd6ad1e1 \\
    --hash=sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f
--index-url https://download.pytorch.org/whl/cpu
--extra-index-url=https://pypi.example.com/simple --trusted-host pypi.example.com
-r other.txt
-c constraints.txt
--no-binary :all:
--use-feature=fast-deps
-f https://download.pytorch.org/whl/torch_stable.html
scipy==1.11 --global-option=--no-user-cfg
--allow-external foo
bad requirement here!!
name=1.0
foo>=1.0[extra]
-Z
pkg==1.0 extra words
${VAR}==1.0
numpy==1.*;python_version<"3.12"
  indented==1.0
trailing-backslash==1.0 \\
"""


def requirement_files() -> list[Path]:
    files = sorted(FIXTURES.rglob("*.txt")) + sorted(FIXTURES.rglob("*.in"))
    if CORPUS is not None:
        files += sorted(CORPUS.rglob("*.txt"))
    return files


def as_data(items) -> list[tuple[str, object]]:
    return [(type(i).__name__, i.to_dict() if hasattr(i, "to_dict") else repr(i)) for i in items]


def test_fast_requirements_path_yields_what_the_library_yields(tmp_path):
    from pip_requirements_parser import RequirementsFile as PipFile

    from mllint_docker.model.requirements import _pip_items

    tricky = tmp_path / "tricky.txt"
    tricky.write_text(TRICKY)
    files = [tricky, *requirement_files()]
    assert CORPUS is None or len(files) > 80
    for path in files:
        assert as_data(_pip_items(path)) == as_data(PipFile.parse(str(path), include_nested=False)), path


# .dockerignore: the indexed walk must decide exactly what the reference matcher decides ---------

def test_indexed_dockerignore_walk_agrees_with_the_reference_matcher(tmp_path):
    import random

    from mllint_docker.model.context import _pattern_matcher, scan_context

    names = ["a", "b", "data", "out", "x.py", "y.txt", "keep.csv", "f1.bin", ".git", "a.b.c"]
    files = set()
    rng = random.Random(9)
    for _ in range(120):
        depth = rng.randint(1, 4)
        files.add("/".join(rng.choice(names[:4]) for _ in range(depth - 1)) + ("/" if depth > 1 else "")
                  + rng.choice(names[4:]))
    files = {f for f in files if not any(f.startswith(g + "/") for g in files)}
    for f in files:
        (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f).write_text("x")
    pieces = ["a", "b", "data", "out", "*", "?", "**", "*.py", "x.*", "[ab]", "[!a]", "*.txt", "keep.csv",
              "f?.bin", "a.b.c", "d*", "*t"]
    for trial in range(300):
        patterns = []
        for _ in range(rng.randint(1, 8)):
            p = "/".join(rng.choice(pieces) for _ in range(rng.randint(1, 3)))
            patterns.append(("!" if rng.random() < 0.3 else "") + p)
        (tmp_path / ".dockerignore").write_text("\n".join(patterns) + "\n")
        ctx = scan_context(tmp_path)
        reference = _pattern_matcher(patterns)  # moby's matcher, every pattern compiled up front
        expected = sorted(f for f in files | {".dockerignore"} if not reference.matches(f))
        assert [e.path for e in ctx.entries] == expected, patterns
        for f in sorted(files):
            decided = ctx.ignored_by(f)
            assert (decided is not None) == reference.matches(f), (patterns, f)


# Plain text output: the bytes rich writes to a pipe, without loading rich ------------------------

def test_plain_text_writer_writes_what_rich_writes_to_a_pipe(tmp_path):
    import io

    from mllint_docker.finding import Finding
    from mllint_docker.reporters.text import render_plain, render_rich

    df = tmp_path / "Dockerfile"
    df.write_text("FROM python:3.11\nRUN\tpip install\tx  \\\n  y\nRUN echo 'ünï\tcödé'\nRUN echo [bold]x[/] \x07\r\n"
                  + "RUN " + "z" * 300 + "\n")
    messages = ["plain", "with [bold]markup[/] and [link=x]y[/link]", "a backslash \\ inside",
                "tab\there", "wide 漢字\tand tab", "bell\x07 and cr\r", "two\nlines", "\\[escaped]", "€ [/]"]
    findings = []
    for i, message in enumerate(messages):
        line = i % 6 + 1
        findings.append(Finding(code=f"MLD1{i:02d}", name=f"rule-{i}", severity=("error", "warning", "info")[i % 3],
                                file=df, line=line if i != 3 else None, column=i % 2 or None, message=message,
                                fix=message if i % 2 else None))
    for quiet in (False, True):
        for chosen in (findings, findings[:1], []):
            plain, rich = io.StringIO(), io.StringIO()
            render_plain(chosen, 3, plain, quiet=quiet)
            render_rich(chosen, 3, rich, quiet=quiet)
            assert plain.getvalue() == rich.getvalue()


def test_plain_text_writer_prints_a_final_backslash_once(tmp_path):
    import io

    from mllint_docker.finding import Finding
    from mllint_docker.reporters.text import render_plain

    out = io.StringIO()  # rich's markup escaping doubles it: `\` on a terminal
    render_plain([Finding("MLD100", "x", "error", tmp_path / "Dockerfile", None, None, "ends in \\")], 1, out, quiet=True)
    assert out.getvalue().endswith(":1:1: error MLD100 ends in \\\n")


# `mllint context`: streamed, with the bytes the whole-listing writers produce --------------------

CONTEXT_TREES = {
    "plain": {"Dockerfile": "FROM scratch\nCOPY model.pt /m/\nCOPY src /src\nCOPY s*/*.py /py/\n", "model.pt": 5000,
              "src/a.py": "x\n", "src/b.txt": "y", "notes.txt": "n", ".dockerignore": "notes.txt\n"},
    "everything": {"Dockerfile": "FROM scratch\nCOPY . /app\nCOPY ./src /src\n", "src/a.py": "x", "big.bin": 2_000_000},
    "two-dockerfiles": {"Dockerfile": "FROM scratch\nCOPY a /a\n", "api.Dockerfile": "FROM scratch\nADD b /b\n",
                        "api.Dockerfile.dockerignore": "a\n", "a": "1", "b": "22"},
    "none": {"src/x.py": "1"},
    "empty": {"Dockerfile": "FROM scratch\n", ".dockerignore": "*\n"},
    "non-ascii": {"Dockerfile": "FROM scratch\nCOPY . /\n", "données/é.csv": "1,2"},
}


@pytest.mark.parametrize("tree", sorted(CONTEXT_TREES))
def test_streamed_context_output_is_byte_identical(tmp_path, tree):
    import io
    import json

    from helpers import chdir, write_tree
    from mllint_docker.model.context_listing import context_listing, iter_contexts
    from mllint_docker.reporters.context_json import write_context_json
    from mllint_docker.reporters.context_text import render_context_text, write_context_text

    write_tree(tmp_path, CONTEXT_TREES[tree])
    with chdir(tmp_path):
        listing = context_listing(Path("."), None)
        assert len(listing["contexts"]) == (2 if tree == "two-dockerfiles" else 1)
        streamed, whole = io.StringIO(), io.StringIO()
        write_context_json(iter_contexts(Path("."), None), streamed)
        assert streamed.getvalue() == json.dumps(listing, indent=2) + "\n"
        streamed, whole = io.StringIO(), io.StringIO()
        write_context_text(iter_contexts(Path("."), None), streamed)
        render_context_text(listing, whole)
        assert streamed.getvalue() == whole.getvalue()


def test_context_copied_by_follows_each_source(tmp_path):
    from helpers import chdir, write_tree
    from mllint_docker.model.context_listing import context_listing

    write_tree(tmp_path, CONTEXT_TREES["plain"])
    with chdir(tmp_path):
        files = {f["path"]: f["copied_by"] for f in context_listing(Path("."), None)["contexts"][0]["files"]}
    assert files == {"model.pt": [2], "src/a.py": [3, 4], "src/b.txt": [3], "Dockerfile": [], ".dockerignore": []}


def test_a_table_wider_than_the_console_keeps_one_line_per_file_in_a_pipe(tmp_path):
    from helpers import run_cli, write_tree

    long = "d" * 90 + "/model.pt"
    write_tree(tmp_path, {"Dockerfile": "FROM scratch\nCOPY . /\n", long: 10, "a.txt": "1"})
    _code, out, _ = run_cli(["context", "."], tmp_path)
    lines = out.splitlines()
    assert lines[1].split() == ["size", "file", "copied", "by"]
    assert any(line.split()[2] == long and line.split()[3:] == ["line", "2"] for line in lines[2:])
    assert out.endswith("\n3 files, 33 B sent\n\n")


def test_plain_variable_references_expand_as_the_lexer_expands_them(tmp_path):
    from e2b_dockerfile_utils import ShellLex

    from mllint_docker.model.dockerfile import _Resolver

    resolver = _Resolver.__new__(_Resolver)
    resolver.escape = "\\"
    env = {"A": "x y", "B": "", "A_B": "ab", "LONG": "v" * 1000}
    words = ["$A", "${A}", "pre-$A-post", "$A.b", "$A_B", "${A}_B", "$B$A", "$UNKNOWN/$A", "${UNKNOWN}x", "$", "a$",
             "$1", "$$", "${A:-d}", "$A${LONG}", "/app/$A/src", "$A/$UNKNOWN", "${A}${A}", "<<EOF$A"]
    for word in words:
        for skip_unset in (False, True):
            expected = ShellLex("\\", env=env, skip_unset_env=skip_unset).process_word(word)
            assert resolver._lex(word, env, skip_unset) == expected, (word, skip_unset)


def test_json_report_is_written_finding_by_finding_with_the_same_bytes(tmp_path):
    import io
    import json

    from mllint_docker.reporters.json import _write

    findings = [{"code": "MLD101", "name": "x", "severity": "error", "file": "a/Dockerfile", "line": 3, "column": None,
                 "message": "ünïcode \"quoted\" \\ back", "fix": {"edits": [{"start": [1, 2], "content": "x\ny"}], "n": []}},
                {"code": "MLD102", "name": "y", "severity": "info", "file": "b", "line": None, "column": 1, "message": ""}]
    for chosen in (findings, findings[:1], []):
        for rest in ({"summary": {"files": 1, "by_rule": {}}}, {"summary": {"files": 0}, "images": [{"a": [1, {}]}]}, {}):
            doc = {"version": "1.2.3", "findings": chosen, **rest}
            out = io.StringIO()
            _write({**doc, "findings": iter(chosen)}, out)
            assert out.getvalue() == json.dumps(doc, indent=2)


def test_workdir_at_each_instruction_follows_the_stage_chain(tmp_path):
    from mllint_docker.model.project import Project

    df = parse(tmp_path, "FROM a AS base\nWORKDIR /app\nRUN one\nWORKDIR src\nRUN two\n"
                         "FROM base AS next\nRUN three\nWORKDIR ../lib\nRUN four\nFROM c\nRUN five\nWORKDIR /x\n")
    project = Project(root=tmp_path, config=None)
    runs = {i.args[0]: project.workdir_at(df, i) for i in df.instructions if i.keyword == "RUN"}
    assert runs == {"one": "/app", "two": "/app/src", "three": "/app/src", "four": "/app/lib", "five": "/"}
    assert project.workdir_at(df, df.instructions[0]) == "/"


# Long files (benchmarks/bench_bounds.py --only run-lines): the shortcuts taken for them ---------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_indented_json_is_what_json_dumps_writes(value):
    import json

    from mllint_docker.reporters.json import _indented

    assert _indented(value, "") == json.dumps(value, indent=2)
    assert _indented(value, "    ") == json.dumps(value, indent=2).replace("\n", "\n    ")


def _model_files() -> list[Path]:
    files = sorted(p for p in FIXTURES.rglob("*Dockerfile*") if p.is_file())
    if CORPUS is not None:
        files += sorted((CORPUS / "dockerfiles").glob("*"))
    return files


def test_building_the_model_makes_no_cyclic_garbage():
    """`check` builds the model with the cyclic collector off (it has nothing to collect there): so a
    model built from every fixture and corpus Dockerfile, with its installs, leaves no cycle behind."""
    import gc

    from mllint_docker.model.installs import installs

    files = _model_files()
    for path in files[:3]:  # first use imports modules (which leaves cycles of its own)
        installs(parse_dockerfile(path))
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        models = [parse_dockerfile(path) for path in files]
        for df in models:
            installs(df)
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()
    assert len(models) > 100


def test_runs_with_names_the_runs_a_scan_of_every_command_finds():
    programs = [("apt-get",), ("apt-get", "apt", "aptitude"), ("pip", "pip3", "curl"), ("sudo",), ("apk",), ("wget", "curl"),
                ("rm", "find", "apt-get"), ("no-such-program",), ()]
    checked = 0
    for path in _model_files():
        df = parse_dockerfile(path)
        for names in programs:
            def runs(cmd):
                inner = cmd.argv[1].rsplit("/", 1)[-1] if cmd.name == "sudo" and len(cmd.argv) > 1 else None
                return cmd.name in names or inner in names

            expected = [i for i in df.instructions if any(runs(c) for c in i.commands)]
            assert df.runs_with(*names) == expected, (path, names)
            checked += len(expected)
    assert checked > 100


def test_snippets_without_the_words_of_a_call_have_none_of_those_calls():
    """The word test that spares `ast` for `print(1)` never hides a call the parse would find."""
    from unittest import mock

    from mllint_docker.model import artefacts, gpu
    from mllint_docker.model.shell import Snippet

    texts = [s.text for path in _model_files() for i in parse_dockerfile(path).instructions for s in i.snippets]
    texts += ["from transformers import AutoModel; AutoModel.from_pretrained('x')", "import torch; torch.cuda.is_available()",
              "ｆrom_pretrained('x')", "m = AutoModel.ｆrom_pretrained('x')", "torch.cuda.ｉs_available()", "tf.config.list_physical_devices('GPU')",
              "torchvision.models.resnet50(pretrained=True)", "print(1)", "x = (", "cupy.cuda.runtime.getDeviceCount()",
              "whisper.load_model('base')", "nltk.download('punkt')", "tiktoken.get_encoding('cl100k_base')"]
    assert len(texts) > 15
    for n, text in enumerate(texts):
        filtered = (artefacts.python_downloads(Snippet("python", text, 1)), gpu.python_gpu_queries(Snippet("python", text, 1)))
        with mock.patch.object(artefacts, "may_call", lambda *_: True), mock.patch.object(gpu, "may_call", lambda *_: True):
            parsed = (artefacts.python_downloads(Snippet("python", text, 1)), gpu.python_gpu_queries(Snippet("python", text, 1)))
        assert filtered == parsed, text
    hits = [t for t in texts if artefacts.python_downloads(Snippet("python", t, 1)) or gpu.python_gpu_queries(Snippet("python", t, 1))]
    assert "ｆrom_pretrained('x')" in hits and "torch.cuda.ｉs_available()" in hits


def test_one_line_runs_place_words_by_byte_as_continued_ones_do(tmp_path):
    df = parse(tmp_path, "FROM a\n  RUN --mount=type=cache,target=/root/.cache/é  pip install x && é=1 echo ok\n"
                         "RUN --mount=type=cache,target=/root/.cache/é  pip install x && \\\n é=1 echo ok\n")
    one, two = (i for i in df.instructions if i.keyword == "RUN")
    first = [(w.value, w.line, w.column) for c in one.commands for w in c.words]
    # columns count bytes (`é` is two), leading blanks and flags included, as on a continued RUN
    assert first == [("pip", 2, 50), ("install", 2, 54), ("x", 2, 62), ("echo", 2, 72), ("ok", 2, 77)]
    second = [(w.value, w.line, w.column) for c in two.commands for w in c.words]
    assert second == [("pip", 3, 48), ("install", 3, 52), ("x", 3, 60), ("echo", 4, 7), ("ok", 4, 12)]
    assert one.commands[1].assignments == {"é": "1"}


def test_the_program_writes_its_whole_report_through_a_pipe_and_exits_with_its_code(tmp_path):
    """`mllint` as a program ends right after flushing its report (without freeing the model first)."""
    import json
    import subprocess
    import sys

    (tmp_path / "Dockerfile").write_text("FROM python:3.11-slim\n" + "RUN apt-get install -y curl\n" * 3000)
    proc = subprocess.run([sys.executable, "-m", "mllint_docker", "check", "--isolated", "--format", "json",
                           "--output", f"sarif:{tmp_path / 'out.sarif'}", "Dockerfile"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["summary"]["findings"] == len(report["findings"]) == 3001
    assert len(json.loads((tmp_path / "out.sarif").read_text())["runs"][0]["results"]) == 3001


def test_no_python_warning_reaches_the_user(tmp_path):
    """A `.gitignore` pattern Python's regex engine warns about and Python code with an invalid
    escape are the project's business: the program prints findings, never a Python warning."""
    import subprocess
    import sys

    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("[[abc]\n")
    (tmp_path / ".dockerignore").write_text("[[x]\n*.tmp\n")
    (tmp_path / ".mllint-docker.toml").write_text('exclude = ["[[y]"]\n')
    (tmp_path / "Dockerfile").write_text('FROM python:3.11-slim\nRUN python -c "import re; print(\'\\\\d\')"\n'
                                         "COPY serve.py /app/\nCMD [\"python\", \"/app/serve.py\"]\nUSER app\n")
    (tmp_path / "serve.py").write_text("import re\nPATTERN = '\\d+'\napp.run(debug=True)\n")
    proc = subprocess.run([sys.executable, "-W", "error::DeprecationWarning:__main__", "-m", "mllint_docker", "check", ".",
                           "-q"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Warning" not in proc.stderr and proc.stderr.strip() == "", proc.stderr
