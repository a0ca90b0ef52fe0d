"""Building fixes from the file's own words: every position comes from the model (an instruction's
lines, a shell word's line and column) and is checked against the file's text before an edit is
made, so a word the model places only approximately (inside `sh -c '...'`, a word split by a line
continuation, a `<<-` heredoc's tab-stripped body, an exec-form RUN) gets no edit rather than a wrong one.
"""

from __future__ import annotations

import re

from mllint_docker.finding import Edit, Fix
from mllint_docker.model.dockerfile import Dockerfile, Instruction
from mllint_docker.model.shell import Command, Word

_KEYWORD = re.compile(r"^(\s*)([A-Za-z]+)(\s*)")
# The end of a shell script after its last command word: closing quotes, `;`, `)`, `}`, fi/done/esac.
_CLOSERS = re.compile(r"[\s;)}'\"]*(?:\b(?:fi|done|esac)\b[\s;)}]*)*")


def fix(applicability: str, message: str, *edits: Edit | None) -> Fix | None:
    """A Fix when every edit could be built; None otherwise (the finding keeps its prose hint)."""
    if not edits or any(e is None for e in edits):
        return None
    return Fix(applicability, message, tuple(edits))


def char_column(df: Dockerfile, line: int, byte_column: int) -> int:
    """The model counts columns in UTF-8 bytes; edits count characters."""
    text = df.line_text(line)
    if text.isascii():
        return byte_column
    return len(text.encode("utf-8", "surrogateescape")[: byte_column - 1].decode("utf-8", "ignore")) + 1


def word_span(df: Dockerfile, word: Word) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """(start, end) of a shell word in the file, when the file really has it there."""
    if "\n" in word.raw or not word.raw:
        return None
    col = char_column(df, word.line, word.column)
    text = df.line_text(word.line)
    if text[col - 1 : col - 1 + len(word.raw)] != word.raw:
        tabs = len(text) - len(text.lstrip("\t"))  # a `<<-` heredoc's body is read without its leading tabs
        col += tabs
        if not tabs or text[col - 1 : col - 1 + len(word.raw)] != word.raw:
            return None
    return (word.line, col), (word.line, col + len(word.raw))


def insert_after(df: Dockerfile, word: Word, text: str) -> Edit | None:
    span = word_span(df, word)
    return Edit(df.path, span[1], span[1], text) if span else None


def insert_before(df: Dockerfile, word: Word, text: str) -> Edit | None:
    span = word_span(df, word)
    return Edit(df.path, span[0], span[0], text) if span else None


def option_after_verb(df: Dockerfile, words: list[Word], verb: str, option: str) -> Edit | None:
    """Inserts ` option` right after the command's verb (`install`): `pip install --no-cache-dir x`."""
    at = next((w for w in words[1:] if w.value == verb), None)
    return insert_after(df, at, " " + option) if at is not None else None


def _heredoc_of(inst: Instruction, line: int):
    for h in inst.heredocs:
        if h.line <= line < h.line + h.content.count("\n") + 1:
            return h
    return None


def append_to_run(df: Dockerfile, inst: Instruction, command: str, near: Command | None = None) -> Edit | None:
    """Runs `command` at the end of a shell-form RUN: `... && command` after its last word, or a
    line before the terminator of the heredoc script that holds `near`."""
    if inst.keyword != "RUN" or inst.json or inst.script is None or inst.script.errors:
        return None  # a script the shell parser cannot read whole (an unclosed quote): where it ends is unknown
    if inst.heredocs:
        h = _heredoc_of(inst, near.line) if near is not None else None
        if h is None:
            return None
        end = h.line + h.content.count("\n")
        if df.line_text(end).strip() != h.name:
            return None
        indent = re.match(r"[ \t]*", df.line_text(near.line)).group(0) if not h.chomp else ""
        return Edit(df.path, (end, 1), (end, 1), indent + command + "\n")
    commands = [c for c in inst.commands if not c.nested]
    if not commands:
        return None
    last = max((w for c in commands for w in c.words), key=lambda w: (w.line, w.column))
    span = word_span(df, last)
    if span is None:
        return None
    # What follows the last word up to the end of the RUN: only closers (`"`, `;`, `fi`, `done`...).
    tail = [df.line_text(last.line)[span[1][1] - 1 :]] + [df.line_text(n) for n in range(last.line + 1, inst.end_line + 1)]
    rest = " ".join(t.rstrip().removesuffix(df.escape) for t in tail).strip()
    if "#" in rest or not _CLOSERS.fullmatch(rest):
        return None
    end_text = df.line_text(inst.end_line).rstrip()
    if end_text.endswith(df.escape):
        return None
    at = (inst.end_line, len(end_text) + 1)
    joiner = " " if rest.endswith(";") else " && "
    return Edit(df.path, at, at, joiner + command)


def keyword_span(df: Dockerfile, inst: Instruction) -> tuple[tuple[int, int], tuple[int, int], str] | None:
    """Where the instruction's keyword is written, and as what (`add`, `ADD`)."""
    m = _KEYWORD.match(df.line_text(inst.line))
    if not m or m.group(2).upper() != inst.keyword:
        return None
    start = len(m.group(1)) + 1
    return (inst.line, start), (inst.line, start + len(m.group(2))), m.group(2)


def replace_keyword(df: Dockerfile, inst: Instruction, keyword: str) -> Edit | None:
    span = keyword_span(df, inst)
    if span is None:
        return None
    written = span[2]
    new = keyword.lower() if written.islower() else keyword
    return Edit(df.path, span[0], span[1], new)


def replace_arguments(df: Dockerfile, inst: Instruction, text: str) -> Edit | None:
    """Replaces everything after the keyword of a one-line instruction."""
    if inst.end_line != inst.line:
        return None
    m = _KEYWORD.match(df.line_text(inst.line))
    if not m or m.group(2).upper() != inst.keyword:
        return None
    line = df.line_text(inst.line)
    start = m.end()
    end = len(line.rstrip())
    return Edit(df.path, (inst.line, start + 1), (inst.line, end + 1), text)


def argument_start(df: Dockerfile, inst: Instruction) -> tuple[int, int] | None:
    """Where the first argument of a one-line instruction begins."""
    m = _KEYWORD.match(df.line_text(inst.line))
    if not m or m.group(2).upper() != inst.keyword or not m.group(3):
        return None
    return inst.line, m.end() + 1


def delete_instruction(df: Dockerfile, inst: Instruction) -> Edit:
    """Removes the instruction's lines (comment lines above it stay)."""
    return delete_lines(df, inst.line, inst.end_line)


def delete_lines(df: Dockerfile, first: int, last: int) -> Edit:
    """Removes whole lines `first`..`last`, keeping the file's trailing-newline state."""
    if last < len(df.lines):
        return Edit(df.path, (first, 1), (last + 1, 1), "")
    if first > 1:  # the last line of the file: take the line break before it instead
        return Edit(df.path, (first - 1, len(df.line_text(first - 1)) + 1), (last, len(df.line_text(last)) + 1), "")
    return Edit(df.path, (first, 1), (last, len(df.line_text(last)) + 1), "")
