"""Shell commands inside RUN: a real shell parse giving each simple command its argv and exact line.

tree-sitter-bash is used because it never gives up on a script: it recovers around syntax it does
not know and still reports every command it can see, with byte positions (see README, design notes).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterator, Mapping, Sequence

SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ash", "ksh"})
_PYTHON = re.compile(r"^python(\d+(\.\d+)?)?$")
_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-=+?][^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))")


@dataclass(slots=True, unsafe_hash=True)
class Word:
    """One argument of a command: its shell value (quotes removed, known variables expanded).
    Treated as immutable (hashed by value); not `frozen` because a frozen dataclass's __init__ costs
    three times as much, and a long Dockerfile makes hundreds of thousands of them."""

    value: str
    raw: str
    line: int
    column: int
    # True when the value still holds a `$VAR` the model could not resolve.
    unresolved: bool = False


NO_ASSIGNMENTS: Mapping[str, str] = MappingProxyType({})  # shared by the (many) commands without any


@dataclass(slots=True)
class Command:
    """A simple command: `FOO=1 pip install x` has argv ['pip', 'install', 'x']."""

    words: list[Word]
    line: int
    column: int
    assignments: Mapping[str, str] = field(default_factory=lambda: NO_ASSIGNMENTS)
    # The command ran in a nested shell or interpreter (`sh -c '...'`).
    nested: bool = False
    # Byte span in the text that was parsed (meaningful for commands that are not nested).
    span: tuple[int, int] = (0, 0)
    # File redirections: (operator, target), e.g. ('>', '=2') for an unquoted `pip install x>=2`.
    redirects: Sequence[tuple[str, Word]] = ()
    # argv and the program's base name (`/usr/bin/pip3` -> `pip3`), computed once: every rule asks
    argv: list[str] = field(init=False, repr=False, compare=False)
    name: str = field(init=False, repr=False, compare=False)
    # Facts model helpers derive from the command (what an apt command does...), computed once
    memo: dict | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.argv = argv = [w.value for w in self.words]
        self.name = argv[0].rsplit("/", 1)[-1] if argv else ""


_UNREAD = object()


@dataclass(frozen=True, slots=True)
class Snippet:
    """Code run by an interpreter other than the shell (`python -c`, `python <<EOF`)."""

    language: str
    text: str
    line: int
    _calls: object = field(default=_UNREAD, init=False, repr=False, compare=False)

    @property
    def calls(self):
        """Python code: its calls (`pycode.Call`), parsed once for every rule; None when it does not parse."""
        calls = self._calls
        if calls is _UNREAD:
            from mllint_docker.model.pycode import python_calls

            calls = python_calls(self.text) if self.language == "python" else None
            object.__setattr__(self, "_calls", calls)
        return calls


@dataclass(slots=True)
class Script:
    commands: list[Command] = field(default_factory=list)
    snippets: list[Snippet] = field(default_factory=list)
    # (line, message) for text the shell parser could not read.
    errors: list[tuple[int, str]] = field(default_factory=list)


class LineMap:
    """Maps a byte offset in a text handed to the parser back to (line, column) in the source file."""

    __slots__ = ("_starts", "_lines", "_columns", "_single")

    def __init__(self, starts: Sequence[int], lines: Sequence[int], columns: Sequence[int]):
        self._starts = list(starts)
        self._lines = list(lines)
        self._columns = list(columns)
        # A text on one source line (most RUNs): (line, column of offset 0) without a search
        self._single = (self._lines[0], self._columns[0] - self._starts[0]) if len(self._starts) == 1 else None

    @classmethod
    def for_block(cls, data: bytes, first_line: int, first_column: int = 1) -> "LineMap":
        """A text whose lines are consecutive source lines (heredoc bodies, scripts)."""
        starts, lines, cols = [0], [first_line], [first_column]
        pos = data.find(b"\n")
        while pos != -1:
            starts.append(pos + 1)
            lines.append(lines[-1] + 1)
            cols.append(1)
            pos = data.find(b"\n", pos + 1)
        return cls(starts, lines, cols)

    def shifted(self, offset: int) -> "LineMap":
        """The map of a substring that starts at `offset` of this map's text."""
        if self._single is not None:
            line, col = self._single
            return LineMap([0], [line], [col + offset])
        return _ShiftedMap(self, offset)

    def locate(self, offset: int) -> tuple[int, int]:
        single = self._single
        if single is not None:
            return single[0], single[1] + offset
        i = max(bisect.bisect_right(self._starts, offset) - 1, 0)
        return self._lines[i], self._columns[i] + offset - self._starts[i]


class _ShiftedMap(LineMap):
    __slots__ = ("_base", "_offset")

    def __init__(self, base: LineMap, offset: int):
        self._base, self._offset = base, offset
        self._single = None

    def shifted(self, offset: int) -> "LineMap":
        return _ShiftedMap(self._base, self._offset + offset)

    def locate(self, offset: int) -> tuple[int, int]:
        return self._base.locate(self._offset + offset)


_parser = None


def _get_parser():
    global _parser
    if _parser is None:
        import tree_sitter
        import tree_sitter_bash

        _parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))
    return _parser


MAX_EXPANDED = 128 * 1024  # Linux's MAX_ARG_STRLEN


def expand(value: str, env: Mapping[str, str]) -> tuple[str, bool]:
    """Substitutes known `$VAR`/`${VAR}`; returns the text and whether unknown variables remain."""
    unresolved = False

    def sub(m: re.Match) -> str:
        nonlocal unresolved
        name = m.group(1) or m.group(2)
        if name in env:
            return env[name]
        unresolved = True
        return m.group(0)

    if "$" not in value:
        return value, False
    out = _VAR.sub(sub, value)
    if len(out) > MAX_EXPANDED:  # no process takes a longer argument: keep the word as written
        return value, True
    return out, unresolved


_DQ_ESCAPE = re.compile(r'\\([$`"\\\n])')
_WORD_ESCAPE = re.compile(r"\\(.)")


def _group1(m: re.Match) -> str:
    return m.group(1)


# Nodes that hold no command (a heredoc body is parsed on its own), not worth descending into.
_NO_COMMANDS_INSIDE = frozenset({"heredoc_body", "word", "raw_string", "ansi_c_string", "number", "comment",
                                 "variable_name", "special_variable_name", "file_descriptor", "string_content",
                                 "test_operator", "regex"})


class _Builder:
    def __init__(self, env: Mapping[str, str], script: Script, depth: int):
        self.env = env
        self.script = script
        self.depth = depth
        # Redirections tree-sitter hangs on a statement around a command: command start -> nodes.
        self.attached: dict[int, list] = {}

    def parse(self, data: bytes, lines: LineMap, nested: bool) -> None:
        tree = _get_parser().parse(data)
        root = tree.root_node
        if root.has_error:
            line, _ = lines.locate(_first_error(root))
            self.script.errors.append((line, "shell syntax the parser could not read"))
        stack = [root]
        while stack:
            node = stack.pop()
            t = node.type
            if t == "command":
                inside = self._command(node, data, lines, nested)
                if inside:
                    stack.extend(reversed(inside))
                continue
            if t in _NO_COMMANDS_INSIDE:
                continue
            if t == "redirected_statement":
                self._attach_redirects(node)
            if node.child_count:
                stack.extend(reversed(node.children))

    def _word(self, node, data: bytes, lines: LineMap, t: str) -> Word:
        start = node.start_byte
        single = lines._single
        if single is not None:
            line, col = single[0], single[1] + start
        else:
            line, col = lines.locate(start)
        raw = data[start:node.end_byte].decode("utf-8", "replace")
        if t == "word":  # most arguments: the value is the text, unless it has escapes
            if "\\" not in raw:
                return Word(raw, raw, line, col)
            return Word(_WORD_ESCAPE.sub(_group1, raw.replace("\\\n", "")), raw, line, col)
        value, unresolved = self._value(node, data)
        return Word(raw if value == raw else value, raw, line, col, unresolved)  # one string when equal

    def _value(self, node, data: bytes) -> tuple[str, bool]:
        t = node.type
        if t == "raw_string":
            return _text(node, data)[1:-1], False
        if t in ("string", "translated_string"):
            parts, unresolved = [], False
            for child in node.children:
                if child.type == '"':
                    continue
                if child.type == "string_content":
                    content = _text(child, data)
                    parts.append(_DQ_ESCAPE.sub(_group1, content) if "\\" in content else content)
                else:
                    v, u = self._value(child, data)
                    parts.append(v)
                    unresolved |= u
            return "".join(parts), unresolved
        if t == "concatenation":
            parts, unresolved = [], False
            for child in node.children:
                v, u = self._value(child, data)
                parts.append(v)
                unresolved |= u
            return "".join(parts), unresolved
        if t in ("simple_expansion", "expansion"):
            return expand(_text(node, data), self.env)
        if t == "ansi_c_string":
            return _text(node, data)[2:-1], False
        text = _text(node, data)
        if t == "word" and "\\" in text:
            text = _WORD_ESCAPE.sub(_group1, text.replace("\\\n", ""))
        return (text, "$" in text) if t in ("command_substitution", "arithmetic_expansion") else (text, False)

    def _attach_redirects(self, node) -> None:
        """`cmd a >out b`: tree-sitter puts `>out b` beside the command (or the pipeline or list
        that ends with it); in the shell, `b` is still an argument of the last command."""
        redirects = [c for c in node.children if c.type == "file_redirect"]
        body = node.children[0] if node.children else None
        while body is not None and body.type in ("pipeline", "list", "redirected_statement"):
            parts = [c for c in body.children if c.type in ("command", "pipeline", "list", "redirected_statement")]
            body = parts[-1] if parts else None
        if body is not None and body.type == "command" and redirects:
            self.attached.setdefault(body.start_byte, []).extend(redirects)

    def _redirect(self, node, data: bytes, lines: LineMap) -> tuple[tuple[str, Word] | None, list]:
        """A file redirection's (operator, target) and the argument nodes that follow the target."""
        op, targets = None, []
        for c in node.children:
            if c.type == "file_descriptor":
                continue
            if op is None and not c.is_named:
                op = _text(c, data)
            elif c.is_named:
                targets.append(c)
        if op is None or not targets:
            return None, []
        return (op, self._word(targets[0], data, lines, targets[0].type)), targets[1:]

    def _command(self, node, data: bytes, lines: LineMap, nested: bool) -> list:
        """Adds the command; returns its children that may hold commands (`$(...)`, `<(...)`)."""
        assignments: dict[str, str] = {}
        redirects: list[tuple[str, Word]] = []
        parts = []  # (type, node): the children that are names, arguments or assignments
        inside = []
        redirect_nodes = None
        for child in node.children:
            t = child.type
            if t not in _NO_COMMANDS_INSIDE and (t != "command_name" or child.child_count != 1
                                                 or child.children[0].type not in _NO_COMMANDS_INSIDE):
                inside.append(child)  # may hold `$(...)`; a plain program name cannot
            if t == "file_redirect":
                if redirect_nodes is None:
                    redirect_nodes = []
                redirect_nodes.append(child)
            elif t != "comment" and not t.endswith("redirect"):
                parts.append((t, child))
        if self.attached:
            attached = self.attached.pop(node.start_byte, None)
            if attached:
                redirect_nodes = (redirect_nodes or []) + attached
        if redirect_nodes:
            extra_nodes = []
            for r in redirect_nodes:
                redirect, extra = self._redirect(r, data, lines)
                if redirect is not None:
                    redirects.append(redirect)
                extra_nodes.extend(extra)
            if extra_nodes:
                parts = sorted(parts + [(c.type, c) for c in extra_nodes], key=lambda p: p[1].start_byte)
        words: list[Word] = []
        for t, child in parts:
            if t == "variable_assignment":
                name = child.child_by_field_name("name")
                value = child.child_by_field_name("value")
                if name is not None:
                    assignments[_text(name, data)] = self._value(value, data)[0] if value else ""
            elif t == "command_name":
                inner = child.children[0] if child.child_count else child
                words.append(self._word(inner, data, lines, inner.type))
            elif words:
                words.append(self._word(child, data, lines, t))
        if not words:
            return inside
        first = words[0]
        line, col = lines.locate(node.start_byte)
        cmd = Command(words, first.line, first.column if line == first.line else col, assignments or NO_ASSIGNMENTS,
                      nested, (node.start_byte, node.end_byte), redirects or ())
        self.script.commands.append(cmd)
        if len(words) > 2:  # `sh -c X` has three words at least
            self._nested(cmd, node, data, lines)
        return inside

    def _nested(self, cmd: Command, node, data: bytes, lines: LineMap) -> None:
        """Follows `sh -c '...'` into its script and `python -c '...'` into a snippet."""
        argv = cmd.argv
        name = cmd.name
        if "-c" not in argv[1:]:
            return
        i = argv.index("-c", 1)
        if i + 1 >= len(cmd.words):
            return
        code_word = cmd.words[i + 1]
        if name in SHELLS and self.depth < 4:
            arg_nodes = [c for c in node.children if c.type not in ("variable_assignment", "command_name")]
            arg_nodes = [c for c in arg_nodes if not c.type.endswith("redirect")]
            target = arg_nodes[i] if i < len(arg_nodes) else None
            sub = code_word.value.encode()
            start = target.start_byte + (1 if target is not None and target.type in ("string", "raw_string") else 0) if target is not None else 0
            _Builder(self.env, self.script, self.depth + 1).parse(sub, lines.shifted(start), nested=True)
        elif _PYTHON.match(name):
            self.script.snippets.append(Snippet("python", code_word.value, code_word.line))


def _text(node, data: bytes) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _first_error(root) -> int:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            return node.start_byte
        stack.extend(reversed(node.children))
    return 0


def parse_script(text: str, lines: LineMap, env: Mapping[str, str] | None = None) -> Script:
    """Parses shell text; `lines` maps its byte offsets to the source file."""
    script = Script()
    _Builder(env or {}, script, 0).parse(text.encode("utf-8", "surrogateescape"), lines, nested=False)
    script.commands.sort(key=lambda c: (c.line, c.column))
    return script


def parse_argv(argv: Sequence[str], line: int, env: Mapping[str, str] | None = None) -> Script:
    """An exec-form (JSON) RUN: the argv is given; nested `sh -c` is still followed."""
    script = Script()
    words = []
    for a in argv:
        value, unresolved = expand(a, env or {})
        words.append(Word(value, a, line, 1, unresolved))
    if not words:
        return script
    cmd = Command(words, line, 1)
    script.commands.append(cmd)
    name = cmd.name
    if "-c" in argv[1:]:
        i = list(argv).index("-c", 1)
        if i + 1 < len(argv):
            if name in SHELLS:
                sub = parse_script(argv[i + 1], LineMap([0], [line], [1]), env)
                for c in sub.commands:
                    c.nested = True
                script.commands.extend(sub.commands)
                script.snippets.extend(sub.snippets)
                script.errors.extend(sub.errors)
            elif _PYTHON.match(name):
                script.snippets.append(Snippet("python", argv[i + 1], line))
    return script


_PLAIN_ARG = re.compile(r"^[A-Za-z0-9_@%+=:,./-]+$")


def simple_argv(text: str) -> list[str] | None:
    """The argv of `text` when it is one simple command with no shell syntax at all (no variables,
    globs, redirections, operators, substitutions, escapes or comments): what the same command is
    in exec form. None when a shell is needed to run it."""
    data = text.encode("utf-8", "surrogateescape")
    root = _get_parser().parse(data).root_node
    if root.has_error or len(root.named_children) != 1 or root.named_children[0].type != "command":
        return None
    argv = []
    for child in root.named_children[0].children:
        node = child.children[0] if child.type == "command_name" and child.children else child
        raw = _text(node, data)
        if node.type in ("word", "number") and _PLAIN_ARG.match(raw) and not raw.startswith("~"):
            argv.append(raw)
        elif node.type == "raw_string":
            argv.append(raw[1:-1])
        elif node.type == "string" and all(c.type in ('"', "string_content") for c in node.children) \
                and not any(ch in raw[1:-1] for ch in "$`\\"):
            argv.append(raw[1:-1])
        else:
            return None
    return argv or None


def is_python(name: str) -> bool:
    return bool(_PYTHON.match(name))


def iter_commands(scripts: Sequence[Script]) -> Iterator[Command]:
    for s in scripts:
        yield from s.commands

