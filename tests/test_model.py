"""The Dockerfile and shell model: what rules can rely on, one case per line where possible."""

from __future__ import annotations

from pathlib import Path

import pytest

from mllint_docker.model.dockerfile import parse_dockerfile


def parse(tmp_path: Path, text: str, **kw):
    p = tmp_path / "Dockerfile"
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return parse_dockerfile(p, **kw)


def commands(df) -> list[tuple[int, list[str]]]:
    return [(c.line, c.argv) for i in df.instructions for c in i.commands]


@pytest.mark.parametrize("text, base", [
    ("ARG V=latest\nFROM img:${V}\n", "img:latest"),
    ("ARG V=latest\nFROM img:$V\n", "img:latest"),
    ("ARG REG=nvcr.io\nARG TAG\nFROM ${REG}/nvidia/pytorch:${TAG:-24.01-py3}\n", "nvcr.io/nvidia/pytorch:24.01-py3"),
    ("FROM --platform=linux/amd64 python:3.11 AS b\n", "python:3.11"),
])
def test_from_is_resolved_with_global_args(tmp_path, text, base):
    assert parse(tmp_path, text).stages[0].base == base


def test_build_args_override_defaults(tmp_path):
    df = parse(tmp_path, "ARG V=latest\nFROM img:${V}\n", build_args={"V": "1.2"})
    assert df.stages[0].base == "img:1.2"


def test_stage_args_and_env(tmp_path):
    df = parse(tmp_path, "ARG G=1\nFROM a AS one\nARG G\nENV E=${G}x\nFROM one\nRUN echo $E\n")
    one, two = df.stages
    assert one.env == {"G": "1", "E": "1x"}
    assert two.base_stage is one and two.env["E"] == "1x"


def test_stage_by_name_and_index(tmp_path):
    df = parse(tmp_path, "FROM a AS Build\nFROM b\nCOPY --from=build /x /x\nCOPY --from=0 /y /y\nCOPY --from=img:1 /z /z\n")
    specs = df.copies
    assert specs[0].from_stage is df.stages[0] and specs[1].from_stage is df.stages[0]
    assert specs[2].from_image == "img:1" and not specs[2].from_context


def test_lines_inside_continuations_with_comments_and_blanks(tmp_path):
    df = parse(tmp_path, "FROM a\nRUN apt-get update \\\n  # a comment\n\n  && pip install \\\n     torch\n")
    assert commands(df) == [(2, ["apt-get", "update"]), (5, ["pip", "install", "torch"])]
    torch = df.instructions[1].commands[1].words[2]
    assert (torch.value, torch.line) == ("torch", 6)


def test_heredoc_bodies_are_shell_with_their_own_lines(tmp_path):
    df = parse(tmp_path, "FROM a\nRUN <<EOF\nset -e\n\npip install x\nEOF\nRUN echo after\n")
    assert commands(df) == [(3, ["set", "-e"]), (5, ["pip", "install", "x"]), (7, ["echo", "after"])]


def test_several_heredocs_and_python(tmp_path):
    df = parse(tmp_path, "FROM a\nRUN cat <<A > /a && python3 <<-B\nnot a command\nA\n\timport torch\n\tB\nUSER x\n")
    run = df.instructions[1]
    assert [c.argv[0] for c in run.commands] == ["cat", "python3"]
    assert [(s.language, s.line, s.text) for s in run.snippets] == [("python", 5, "import torch\n")]
    assert df.instructions[2].keyword == "USER" and df.instructions[2].line == 7


def test_quoted_heredoc_and_shebang(tmp_path):
    df = parse(tmp_path, "FROM a\nRUN <<'EOF'\n#!/usr/bin/env python3\nprint(1)\nEOF\n")
    assert df.instructions[1].snippets[0].language == "python" and not df.instructions[1].commands


def test_sh_c_and_json_form(tmp_path):
    df = parse(tmp_path, "FROM a\nRUN sh -c 'echo 1 && \\\n  pip install y'\nRUN [\"bash\", \"-c\", \"pip install z\"]\n"
                         "RUN python -c 'import x'\n")
    cmds = commands(df)
    assert (3, ["pip", "install", "y"]) in cmds and (4, ["pip", "install", "z"]) in cmds
    assert df.instructions[3].snippets[0].text == "import x"


def test_escape_directive_backtick(tmp_path):
    df = parse(tmp_path, "# escape=`\nFROM a\nRUN pip install `\n    torch\n")
    assert commands(df) == [(3, ["pip", "install", "torch"])]


def test_crlf_bom_and_lower_case(tmp_path):
    df = parse(tmp_path, b"\xef\xbb\xbffrom a as b\r\nrun pip install \\\r\n  x\r\n")
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN"]
    assert df.stages[0].name == "b" and commands(df) == [(2, ["pip", "install", "x"])]


def test_flags(tmp_path):
    df = parse(tmp_path, "FROM a\nCOPY --chown=1:1 --link --chmod=644 a /b/\nRUN --mount=type=cache,target=/root/.cache "
                         "--mount=type=secret,id=t true\n")
    copy, run = df.instructions[1], df.instructions[2]
    assert copy.flag("chown") == "1:1" and "link" in copy.flags
    assert run.flags["mount"] == ["type=cache,target=/root/.cache", "type=secret,id=t"]


def test_copy_sources_are_expanded(tmp_path):
    df = parse(tmp_path, "FROM a\nARG DIR=src\nCOPY ${DIR}/*.py \"two words\" /app/\nCOPY <<EOF /etc/x\nhi\nEOF\n")
    assert df.copies[0].sources == ["src/*.py", "two words"] and df.copies[0].dest == "/app/"
    assert df.copies[1].sources == [] and df.copies[1].heredoc_sources == ["EOF"]


def test_comments_above_instructions(tmp_path):
    df = parse(tmp_path, "# mllint: disable=x\n# second\nFROM a\n\n# not above\n\nRUN true\n")
    assert df.instructions[0].comments_above == [(1, "mllint: disable=x"), (2, "second")]
    assert not df.instructions[1].comments_above


def test_parse_errors_carry_lines(tmp_path):
    assert parse(tmp_path, "FROM a\nRUN <<EOF\nx\n").error.line == 2
    assert parse(tmp_path, "FROM a\nNOPE x\n").error.line == 2
    assert parse(tmp_path, "# only a comment\n").error.message == "file with no instructions"
