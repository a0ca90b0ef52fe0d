"""Size bounds that keep hostile input cheap, and the fast paths that must mean exactly what the slow
ones do. Speed itself is measured in benchmarks/bench_bounds.py, not here."""

from __future__ import annotations

from pathlib import Path

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
