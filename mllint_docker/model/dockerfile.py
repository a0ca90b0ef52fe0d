"""The Dockerfile model: stages, instructions with exact lines, resolved ARG/ENV, and the shell
commands of every RUN. Parsing follows BuildKit's parser (via e2b-dockerfile-utils, a port of it),
so what Docker reads is what rules see: heredocs, escape directives, continuations with comments.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping, Sequence

from e2b_dockerfile_utils import DockerfileSyntaxError, ShellLex, parse_dockerfile_ast

from mllint_docker.model.buffers import buffer_text
from mllint_docker.model.shell import SHELLS, Command, LineMap, Script, Snippet, is_python, parse_argv, parse_script

MAX_DOCKERFILE_BYTES = 4 * 1024 * 1024
_HEREDOC_MARK = re.compile(r"<<(-?)\s*(['\"]?)([^\s'\"<>|;&]+)\2")
_PLAIN_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
# What BuildKit fetches itself for ADD: URLs and git references (dockerfile2llb's isHTTPSource / isGitSource).
_REMOTE_SOURCE = re.compile(r"^([a-z][a-z0-9+.-]*://|git@[^:/]+:)", re.I)
_SHEBANG = re.compile(r"^#!\s*(\S+)(?:\s+(\S+))?")
_ANY_VAR = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_REPLACE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*/")
# Bounds on ARG/ENV expansion (`ENV A=${A}${A}` doubles per line): one expanded value holds at most
# MAX_EXPANDED characters (Linux refuses a longer argument or environment string to any process:
# MAX_ARG_STRLEN is 128 KiB), and one Dockerfile substitutes at most EXPANSION_BUDGET characters of
# variable values in all. Beyond either, references are kept as written, as for a variable nobody
# defines, and the Dockerfile gets a note.
MAX_EXPANDED = 128 * 1024
EXPANSION_BUDGET = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Heredoc:
    name: str
    content: str
    # First line of the body in the Dockerfile.
    line: int
    chomp: bool
    expand: bool


NOTHING: Mapping = MappingProxyType({})  # an empty mapping every instruction with none can share


@dataclass(slots=True)
class Instruction:
    keyword: str  # upper case: RUN, COPY, ...
    line: int
    end_line: int
    original: str  # the continuation-joined text, as BuildKit keeps it
    flags: dict[str, list[str]]  # `--from=base` -> {"from": ["base"]}
    args: list[str]  # arguments as written (not expanded)
    json: bool
    heredocs: list[Heredoc]
    stage: int  # index of the stage, -1 for global ARGs before the first FROM
    # Arguments with ARG/ENV of the stage substituted and quotes removed (COPY/ADD/USER/WORKDIR/...).
    expanded: Sequence[str] = ()
    # RUN only: the shell commands and interpreter snippets it runs.
    script: Script | None = None
    # Comment lines directly above the instruction: (line, text without '#').
    comments_above: Sequence[tuple[int, str]] = ()
    # ARG and ENV values in force when the instruction runs (what a RUN's processes see).
    env: Mapping[str, str] = field(default_factory=lambda: NOTHING)
    # Blank lines inside the instruction's `\`-continued text (not heredoc bodies): BuildKit's
    # NoEmptyContinuation.
    empty_lines: Sequence[int] = ()
    # Names declared by ARG or ENV in this stage (and the stages it derives from) before the
    # instruction; with `env`, what BuildKit can expand here.
    declared: frozenset[str] = frozenset()
    # RUN only: the script's commands and snippets (plain fields: rules read them for every RUN)
    commands: Sequence[Command] = ()
    snippets: Sequence[Snippet] = ()

    @property
    def written_keyword(self) -> str:
        """The keyword as the file spells it: `from`, `Run`, `COPY`."""
        return self.original.split(None, 1)[0] if self.original.strip() else self.keyword

    def flag(self, name: str) -> str | None:
        values = self.flags.get(name)
        return values[-1] if values else None



@dataclass(slots=True)
class CopySpec:
    """A COPY or ADD: its sources (expanded), destination, and where it copies from."""

    instruction: Instruction
    sources: list[str]
    dest: str
    from_stage: "Stage | None"  # --from a stage of this Dockerfile
    from_image: str | None  # --from an image or an unknown name
    heredoc_sources: list[str]
    # `ADD https://...`, `ADD git@host:repo.git`: fetched by the builder, never from the build context
    # (not in `sources`).
    remote_sources: list[str] = field(default_factory=list)

    @property
    def from_context(self) -> bool:
        return self.from_stage is None and self.from_image is None


@dataclass(slots=True)
class Stage:
    index: int
    name: str | None
    from_instruction: Instruction
    base_raw: str  # as written: `img:${V}`
    base: str  # resolved: `img:latest`
    base_stage: "Stage | None"  # FROM an earlier stage
    base_unresolved: bool  # the reference still holds a variable nobody defines
    instructions: list[Instruction] = field(default_factory=list)
    # The reference expanded with the global ARGs' own defaults only (no --build-arg, unset
    # variables empty), as BuildKit's InvalidDefaultArgInFrom check sees it.
    base_defaults: str = ""
    env: dict[str, str] = field(default_factory=dict)  # ARG and ENV values in force at the end
    _by_keyword: dict[str, list[Instruction]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def line(self) -> int:
        return self.from_instruction.line

    def chain(self) -> list["Stage"]:
        """This stage and the stages it derives from, nearest first."""
        out, seen, s = [], set(), self
        while s is not None and s.index not in seen:
            out.append(s)
            seen.add(s.index)
            s = s.base_stage
        return out

    def of(self, *keywords: str) -> list[Instruction]:
        if len(keywords) == 1:  # one list per keyword, made once: rules ask for a stage's USERs often
            found = self._by_keyword.get(keywords[0])
            if found is None:
                found = self._by_keyword[keywords[0]] = [i for i in self.instructions if i.keyword == keywords[0]]
            return list(found)
        return [i for i in self.instructions if i.keyword in keywords]


@dataclass(slots=True)
class ParseError:
    line: int | None
    message: str


@dataclass(slots=True)
class Dockerfile:
    path: Path
    lines: list[str]
    instructions: list[Instruction]
    stages: list[Stage]
    global_args: dict[str, str]
    escape: str
    copies: list[CopySpec]
    error: ParseError | None = None
    # Comment lines outside instructions: (line, text without '#').
    comments: list[tuple[int, str]] = field(default_factory=list)
    # What the model could not follow, e.g. an expansion over MAX_EXPANDED: (line, message).
    notes: list[tuple[int, str]] = field(default_factory=list)
    # Global ARG names (declared before the first FROM), with or without a default.
    global_declared: frozenset[str] = frozenset()
    # Models derived from this file, computed once on first use (e.g. `installs.installs`).
    memo: dict = field(default_factory=dict, repr=False, compare=False)
    # The stage a compose service builds (`build.target`); the image ends there.
    target: str | None = None
    # The compose service's `build.args` this file was read with (`--build` passes them too).
    service_args: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def final_stage(self) -> Stage | None:
        if self.target and (stage := self.stage_by_ref(self.target)) is not None:
            return stage
        return self.stages[-1] if self.stages else None

    def stage_by_ref(self, ref: str, before: int | None = None) -> Stage | None:
        """A stage named `ref` (case-insensitive) or with index `ref`, defined before stage `before`."""
        limit = len(self.stages) if before is None else before
        for s in self.stages[:limit]:
            if s.name and s.name.lower() == ref.lower():
                return s
        if ref.isdigit() and int(ref) < limit:
            return self.stages[int(ref)]
        return None

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def programs(self) -> set[str]:
        """The programs the file's RUNs run (base names, also behind `sudo`)."""
        self.runs_with()
        return set(self.memo["runs-by-program"])

    def runs_with(self, *programs: str) -> list[Instruction]:
        """The RUNs, in file order, with a command (nested ones too) whose program is one of
        `programs` (its base name, also behind `sudo`). From one index of the file's commands: a
        rule about `apk` looks at the RUNs that run apk, not at every RUN of a long file."""
        index = self.memo.get("runs-by-program")
        if index is None:
            index = self.memo["runs-by-program"] = {}
            for inst in self.instructions:
                for cmd in inst.commands:
                    names = (cmd.name, cmd.argv[1].rsplit("/", 1)[-1]) if cmd.name == "sudo" and len(cmd.argv) > 1 \
                        else (cmd.name,)
                    for name in names:
                        runs = index.setdefault(name, [])
                        if not runs or runs[-1] is not inst:
                            runs.append(inst)
        lists = [runs for p in programs if (runs := index.get(p))]
        if len(lists) <= 1:
            return list(lists[0]) if lists else []
        return sorted({id(i): i for runs in lists for i in runs}.values(), key=lambda i: i.line)


def read_text(path: Path, limit: int) -> tuple[str | None, str | None]:
    """Returns (text, None) or (None, reason) for binary, oversize or unreadable files."""
    data, reason = read_data(path, limit)
    if data is None:
        return None, reason
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), None


def read_data(path: Path, limit: int) -> tuple[bytes | None, str | None]:
    """The file's bytes without a UTF-8 BOM, or (None, reason) for binary, oversize or unreadable files."""
    buffered = buffer_text(path)  # an unsaved buffer (stdin, the editor) stands in for the file
    if buffered is not None:
        return buffered.lstrip("\ufeff").encode("utf-8", "surrogateescape"), None
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            return None, "not a regular file"
        size = st.st_size
        if size > limit:
            return None, f"file is {size} bytes, larger than the {limit} bytes this linter reads"
        data = path.read_bytes()
    except OSError as err:
        return None, f"cannot read file: {err.strerror or err}"
    if b"\0" in data[:8192]:
        return None, "binary file (contains NUL bytes)"
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data, None


def parse_dockerfile(path: Path, text: str | None = None, build_args: dict[str, str] | None = None,
                     target: str | None = None) -> Dockerfile:
    df = _parse_dockerfile(path, text, build_args)
    df.target = target
    return df


def _parse_dockerfile(path: Path, text: str | None, build_args: dict[str, str] | None) -> Dockerfile:
    if text is None:
        text, reason = read_text(path, MAX_DOCKERFILE_BYTES)
        if text is None:
            return Dockerfile(path, [], [], [], {}, "\\", [], ParseError(None, reason or "unreadable"))
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines()
    try:
        ast = parse_dockerfile_ast(text)
    except DockerfileSyntaxError as err:
        return Dockerfile(path, lines, [], [], {}, "\\", [], ParseError(err.line, str(err).split(": ", 1)[-1]))
    except (ValueError, RecursionError) as err:
        return Dockerfile(path, lines, [], [], {}, "\\", [], ParseError(None, str(err)))
    if not ast.instructions:  # BuildKit refuses such a file too
        return Dockerfile(path, lines, [], [], {}, ast.escape_token, [], ParseError(None, "file with no instructions"))
    return _Resolver(path, lines, ast, build_args or {}).run()


class _Resolver:
    """Walks the instructions once, tracking stages and ARG/ENV values as BuildKit does."""

    def __init__(self, path: Path, lines: list[str], ast, build_args: dict[str, str]):
        self.path, self.lines, self.ast, self.build_args = path, lines, ast, build_args
        self.escape = ast.escape_token
        self.capped: set[str] = set()  # variables whose value went over MAX_EXPANDED: unknown from then on
        self.budget = EXPANSION_BUDGET
        self.notes: list[tuple[int, str]] = []
        self.line = 0
        self.cont = re.compile(f"([^{re.escape(self.escape)}]){re.escape(self.escape)}[ \\t]*$|^{re.escape(self.escape)}[ \\t]*$")

    def lex(self, env: dict[str, str]) -> ShellLex:
        return ShellLex(self.escape, env=env)

    def expand_word(self, word: str, env: dict[str, str]) -> str:
        return self.expand(word, env)[0]

    def expand(self, word: str, env: dict[str, str]) -> tuple[str, bool]:
        """Expands as BuildKit does; a plain reference to a variable nobody defines is kept as
        written (the model cannot know its value), while `${X:-default}` takes its default.
        Returns the text and whether it was left unexpanded because of the size bounds."""
        if "$" not in word:
            return self._lex(word, env, False), False
        refs = {m.group(1) for m in _ANY_VAR.finditer(word)}
        capped = refs & self.capped
        cost = sum(len(env[n]) for n in refs if n in env)
        size = len(word) + cost
        if _REPLACE.search(word):  # `${A//x/y}` may replace every character of A
            size *= size + 1
        if not capped and size > MAX_EXPANDED:
            self.note(f"expanding {word[:40]!r} would exceed {MAX_EXPANDED} characters: "
                      "its variables are kept unexpanded")
            capped = refs
        elif not capped and cost > self.budget:
            self.note(f"variable expansion stopped here: this Dockerfile already substituted "
                      f"{EXPANSION_BUDGET} characters of ARG/ENV values; later references are kept unexpanded")
            capped = refs
        if capped:
            return self._lex(word, {k: v for k, v in env.items() if k not in capped}, True), True
        self.budget -= cost
        bare_unknown = any((m.group(1) or m.group(2)) not in env for m in _PLAIN_VAR.finditer(word))
        return self._lex(word, env, bare_unknown), False

    def _lex(self, word: str, env: dict[str, str], skip_unset: bool) -> str:
        if "'" not in word and '"' not in word and self.escape not in word:
            if "$" not in word:
                return word  # nothing the lexer would change (it walks every character otherwise)
            if word.isascii() and word.count("$") == len(_PLAIN_VAR.findall(word)):
                # only `$NAME` / `${NAME}`: what the lexer does, without walking each value's characters
                def value(m: re.Match) -> str:
                    name = m.group(1) or m.group(2)
                    return env[name] if name in env else (m.group(0) if skip_unset else "")

                return _PLAIN_VAR.sub(value, word)
        try:
            return ShellLex(self.escape, env=env, skip_unset_env=skip_unset).process_word(word)
        except ValueError:
            return word

    def note(self, message: str) -> None:
        if not any(line == self.line or text == message for line, text in self.notes):
            self.notes.append((self.line, message))

    def assign(self, env: dict[str, str], name: str, word: str) -> None:
        """ENV/ARG `name=word`: a value over the bounds leaves the variable unknown (kept as written)."""
        value, capped = self.expand(word, env)
        if capped:
            env.pop(name, None)
            self.capped.add(name)
        else:
            env[name] = value
            self.capped.discard(name)

    def expand_defaults(self, word: str, env: dict[str, str]) -> str:
        """`word` with the ARG defaults alone (no --build-arg), within the same bounds as `expand`."""
        if "$" not in word and "'" not in word and '"' not in word and self.escape not in word:
            return word  # nothing the lexer would change
        size = len(word) + sum(len(env[n]) for n in {m.group(1) for m in _ANY_VAR.finditer(word)} if n in env)
        if size > MAX_EXPANDED:
            return word
        try:
            return ShellLex(self.escape, env=env, skip_unset_env=False).process_word(word)
        except ValueError:
            return word

    def run(self) -> Dockerfile:
        global_args: dict[str, str] = {}
        global_defaults: dict[str, str] = {}
        global_declared: set[str] = set()
        declared: set[str] = set()
        stages: list[Stage] = []
        instructions: list[Instruction] = []
        copies: list[CopySpec] = []
        env: dict[str, str] = {}
        covered: set[int] = set()
        snapshot: dict[str, str] | None = None
        declared_frozen: frozenset[str] | None = None
        # Each parsed instruction is dropped once modelled: the parser's tree and the model are not
        # both held whole (a Dockerfile may have 100,000 instructions).
        pending = self.ast.instructions
        pending.reverse()
        while pending:
            raw = pending.pop()
            self.line = raw.start_line
            if raw.start_line == raw.end_line:
                covered.add(raw.start_line)
            else:
                covered.update(range(raw.start_line, raw.end_line + 1))
            inst = self.instruction(raw, len(stages) - 1)
            instructions.append(inst)
            kw = inst.keyword
            if kw == "FROM":
                stage = self.stage(inst, stages, global_args)
                stage.base_defaults = self.expand_defaults(stage.base_raw, global_defaults)
                stages.append(stage)
                env = dict(stage.base_stage.env) if stage.base_stage else {}
                declared = set(stage.base_stage.instructions[-1].declared | _declared_by(stage.base_stage.instructions[-1])) \
                    if stage.base_stage and stage.base_stage.instructions else set()
                stage.env = env
                snapshot = None
                declared_frozen = None
                inst.stage = stage.index
                stage.instructions.append(inst)
                continue
            if not stages:
                if kw == "ARG":
                    for name, value, capped in self.arg_pairs(inst, global_args):
                        global_declared.add(name)
                        if value is not None:
                            global_defaults[name] = self.expand_defaults(inst.args[[a.partition("=")[0] for a in inst.args].index(name)].partition("=")[2], global_defaults)
                        if name in self.build_args:
                            value = self.build_args[name]
                        elif capped:
                            global_args.pop(name, None)
                        if value is not None:
                            global_args[name] = value
                continue
            stage = stages[-1]
            stage.instructions.append(inst)
            if snapshot is None:  # one copy per change of the variables, shared by the instructions after it
                snapshot = dict(env)
            inst.env = snapshot
            if kw in ("ARG", "ENV"):
                snapshot = None
            if declared_frozen is None:  # shared like `env`, new only when a name is declared
                declared_frozen = frozenset(declared)
            inst.declared = declared_frozen
            if kw == "ARG" or kw == "ENV":
                new_names = _declared_by(inst)
                if not new_names <= declared:
                    declared |= new_names
                    declared_frozen = None
            if kw == "ARG":
                for name, value, capped in self.arg_pairs(inst, env):
                    if name in self.build_args:
                        env[name] = self.build_args[name]
                    elif capped:
                        env.pop(name, None)
                    elif value is not None:
                        env[name] = value
                    elif name in global_args:
                        env[name] = global_args[name]
            elif kw == "ENV":
                a = inst.args
                for i in range(0, len(a) - 2, 3):
                    self.assign(env, a[i], a[i + 1])
            if kw in ("COPY", "ADD", "USER", "WORKDIR", "ADD", "EXPOSE", "VOLUME", "ONBUILD") and not inst.json:
                inst.expanded = [self.expand_word(a, env) for a in inst.args]
            else:
                inst.expanded = inst.args  # nothing to expand: the same list
            if kw == "RUN":
                inst.script = script = self.script(raw, inst, env)
                if not script.errors:
                    script.errors = ()
                if not script.snippets:
                    script.snippets = ()
                inst.commands, inst.snippets = script.commands, script.snippets
            if kw in ("COPY", "ADD"):
                copies.append(self.copy_spec(inst, stages))
        comments = self.comments(covered)
        by_line = {line: text for line, text in comments}
        for inst in instructions:
            n = inst.line - 1
            above = []
            while n in by_line:
                above.append((n, by_line[n]))
                n -= 1
            if above:
                inst.comments_above = above[::-1]
        return Dockerfile(self.path, self.lines, instructions, stages, global_args, self.escape, copies, None, comments,
                          self.notes, global_declared=frozenset(global_declared))

    def comments(self, covered: set[int]) -> list[tuple[int, str]]:
        out = []
        for n, text in enumerate(self.lines, 1):
            s = text.strip()
            if s.startswith("#") and n not in covered:
                out.append((n, s[1:].strip()))
        return out

    def instruction(self, raw, stage_index: int) -> Instruction:
        flags: dict[str, list[str]] = {}
        for f in raw.flags:
            key, _, value = f[2:].partition("=")
            flags.setdefault(key.lower(), []).append(value)
        heredocs = []
        if raw.heredocs:
            line = raw.end_line - sum(h.content.count("\n") + 1 for h in raw.heredocs) + 1
            for h in raw.heredocs:
                heredocs.append(Heredoc(h.name, h.content, line, h.chomp, h.expand))
                line += h.content.count("\n") + 1
        # Empty collections are shared, immutable ones: a long file has 100,000 instructions.
        original = raw.original
        if raw.start_line == raw.end_line and raw.start_line <= len(self.lines):
            line = self.lines[raw.start_line - 1]
            if line == original:
                original = line  # one string for the line and the instruction
        args = raw.args if type(raw.args) is list else list(raw.args)  # the parser's list: its tree is dropped
        inst = Instruction(raw.name, raw.start_line, raw.end_line, original, flags or NOTHING, args,
                           raw.json, heredocs or (), stage_index)
        if raw.end_line > raw.start_line:
            header_end = heredocs[0].line - 1 if heredocs else raw.end_line
            inst.empty_lines = [n for n in range(raw.start_line + 1, header_end + 1)
                                if n - 1 < len(self.lines) and not self.lines[n - 1].strip()] or ()
        return inst

    def arg_pairs(self, inst: Instruction, env: dict[str, str]):
        """(name, value or None, whether the value went over the expansion bounds)."""
        for a in inst.args:
            name, eq, value = a.partition("=")
            if not eq:
                yield name, None, False
                continue
            value, capped = self.expand(value, env)
            if capped:
                self.capped.add(name)
                yield name, None, True
            else:
                self.capped.discard(name)
                yield name, value, False

    def stage(self, inst: Instruction, stages: list[Stage], global_args: dict[str, str]) -> Stage:
        args = inst.args
        base_raw = args[0] if args else ""
        name = args[2] if len(args) >= 3 and args[1].lower() == "as" else None
        base = self.expand_word(base_raw, global_args)
        unresolved = "$" in base
        base_stage = None
        for s in stages:
            if s.name and s.name.lower() == base.lower():
                base_stage = s
        return Stage(len(stages), name, inst, base_raw, base, base_stage, unresolved)

    def copy_spec(self, inst: Instruction, stages: list[Stage]) -> CopySpec:
        values = inst.expanded if not inst.json else list(inst.args)
        heredoc_names = {h.name for h in inst.heredocs}
        sources, heredoc_sources, remote_sources = [], [], []
        for v in values[:-1]:
            m = _HEREDOC_MARK.fullmatch(v)
            if m and m.group(3) in heredoc_names:
                heredoc_sources.append(m.group(3))
            elif _REMOTE_SOURCE.match(v):
                remote_sources.append(v)
            else:
                sources.append(v)
        dest = values[-1] if values else ""
        from_ref = inst.flag("from")
        from_stage = from_image = None
        if from_ref is not None:
            ref = self.expand_word(from_ref, stages[-1].env if stages else {})
            from_stage = next((s for s in stages if s.name and s.name.lower() == ref.lower()), None)
            if from_stage is None and ref.isdigit() and int(ref) < len(stages):
                from_stage = stages[int(ref)]
            if from_stage is None:
                from_image = ref
        return CopySpec(inst, sources, dest, from_stage, from_image, heredoc_sources, remote_sources)

    # RUN -----------------------------------------------------------------

    def header_map(self, start: int, end: int) -> tuple[str, LineMap]:
        """Joins the instruction's lines as BuildKit does, remembering where each piece came from."""
        parts: list[str] = []
        starts, lines, cols = [], [], []
        offset = 0
        for n in range(start, end + 1):
            raw = self.lines[n - 1] if n - 1 < len(self.lines) else ""
            col = 1
            if n == start:
                stripped = raw.lstrip(" \t\f\v\r")
                col += len(raw) - len(stripped)
                raw = stripped
            elif raw.lstrip(" \t\f\v\r").startswith("#") or not raw.strip():
                continue
            piece, done = self.cont.subn(r"\1", raw)
            piece = piece if done else raw
            starts.append(offset)
            lines.append(n)
            cols.append(col)
            data = piece.encode("utf-8", "surrogateescape")
            parts.append(piece)
            offset += len(data)
            if not done:
                break
        return "".join(parts), LineMap(starts or [0], lines or [start], cols or [1])

    def script(self, raw, inst: Instruction, env: dict[str, str]) -> Script:
        if inst.json:
            return parse_argv(inst.args, inst.line, env)
        command = inst.args[0] if inst.args else ""
        if inst.line == inst.end_line and command:  # one line (most RUNs): the script's column, directly
            text = self.lines[inst.line - 1] if inst.line <= len(self.lines) else ""
            at = text.rfind(command)
            if at >= 0 and not text.rstrip(" \t").endswith(self.escape):
                lead = text[:at] if text[:at].isascii() else text[:at].encode("utf-8", "surrogateescape")
                return parse_script(command, LineMap([0], [inst.line], [1 + len(lead)]), env)
        header_end = inst.heredocs[0].line - 1 if inst.heredocs else inst.end_line
        joined, lmap = self.header_map(inst.line, header_end)
        at = joined.rfind(command) if command else -1
        if at < 0:
            lmap, at = LineMap([0], [inst.line], [1]), 0
            joined = command
        prefix = len(joined[:at].encode("utf-8", "surrogateescape"))
        if not inst.heredocs:
            return parse_script(command, lmap.shifted(prefix), env)
        # Heredoc markers are masked with spaces so offsets stay; bodies are parsed on their own.
        masked = _HEREDOC_MARK.sub(lambda m: " " * len(m.group(0)), command)
        script = parse_script(masked, lmap.shifted(prefix), env)
        only_heredoc = not masked.strip()
        for h in inst.heredocs:
            consumer = _heredoc_consumer(command, h.name, script)
            body = _dedent_tabs(h.content) if h.chomp else h.content
            shebang = _SHEBANG.match(body)
            interp = None
            if shebang:
                prog = shebang.group(1).rsplit("/", 1)[-1]
                interp = shebang.group(2) if prog == "env" and shebang.group(2) else prog
            elif only_heredoc:
                interp = "sh"
            elif consumer is not None:
                interp = consumer
            if interp is None:
                continue
            interp = interp.rsplit("/", 1)[-1]
            if interp in SHELLS:
                sub = parse_script(body, LineMap.for_block(body.encode("utf-8", "surrogateescape"), h.line), env)
                script.commands.extend(sub.commands)
                script.snippets.extend(sub.snippets)
                script.errors.extend(sub.errors)
            elif is_python(interp):
                script.snippets.append(Snippet("python", body, h.line))
        script.commands.sort(key=lambda c: (c.line, c.column))
        return script


_JSON_LIKE = re.compile(r"^\[\s*[\"'“”]")


def malformed_json(inst: Instruction) -> str | None:
    """Why a RUN/CMD/ENTRYPOINT/SHELL that looks like the JSON (exec) form is not valid JSON, so
    that BuildKit silently took it as shell form; None when it is not such a case. `[ "$A" = b ]`
    (a shell test) does not look like JSON: a JSON array has commas or a closing `]` at the end."""
    import json

    if inst.json or inst.keyword not in ("RUN", "CMD", "ENTRYPOINT", "SHELL") or not inst.args or inst.heredocs:
        return None
    text = inst.args[0].strip()
    if not _JSON_LIKE.match(text):
        return None
    if inst.keyword == "RUN" and not re.search(r"[\"'”]\s*,|\]\s*\S*$", text):
        return None
    if "]" not in text and "," not in text:
        return None
    if re.search(r"\s\]\s*(&&|\|\||;|\|)", text):
        return None  # `[ "$X" = 1 ] && ...`: a shell test
    try:
        value = json.loads(text)
    except ValueError as err:
        close = text.rfind("]")
        if close >= 0 and text[close + 1 :].strip():
            try:
                json.loads(text[: close + 1])
                return f"`{text[close + 1:].strip()}` follows the closing `]`"
            except ValueError:
                pass
        if "'" in text and '"' not in text:
            return "JSON strings need double quotes, not single quotes"
        if "“" in text or "”" in text:
            return "it uses typographic quotes (“ ”) instead of plain double quotes"
        return f"it is not valid JSON ({err.msg}, column {err.colno})"
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "the JSON form must be an array of strings"
    return None


def exec_script(inst: Instruction) -> Script:
    """The command a CMD/ENTRYPOINT/HEALTHCHECK runs, parsed like a RUN: exec form as its argv,
    shell form through the shell parser."""
    if inst.json:
        return parse_argv(inst.args, inst.line, inst.env)
    text = " ".join(inst.args)
    if inst.keyword == "HEALTHCHECK":
        text = text.split("CMD", 1)[-1] if "CMD" in text else ""
    return parse_script(text, LineMap([0], [inst.line], [1]), inst.env)


def _declared_by(inst: Instruction) -> set[str]:
    if inst.keyword == "ARG":
        return {a.partition("=")[0] for a in inst.args}
    if inst.keyword == "ENV":
        return {inst.args[i] for i in range(0, len(inst.args) - 2, 3)}
    return set()


_REFERENCE = re.compile(r"(?<!\\)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def referenced_variables(word: str) -> list[tuple[str, bool]]:
    """The variables a word expands, as BuildKit's lexer would: (name, has a default or alternative
    such as `${X:-1}` / `${X:+1}`). `\\$X` is not a reference."""
    return [(m.group(1) or m.group(3), bool(m.group(2) and m.group(2)[:2] in (":-", ":+", "-", "+") or
                                           (m.group(2) or "")[:1] in ("-", "+")))
            for m in _REFERENCE.finditer(word)]


def _heredoc_consumer(command: str, name: str, script: Script) -> str | None:
    """The program reading heredoc `name` on its standard input (`python3 <<EOF` -> python3)."""
    for m in _HEREDOC_MARK.finditer(command):
        if m.group(3) != name:
            continue
        data = command.encode("utf-8", "surrogateescape")
        at = len(command[: m.start()].encode("utf-8", "surrogateescape"))
        end = at + len(m.group(0).encode())
        for cmd in script.commands:
            # `python3 <<EOF` holds the marker; in `<<EOF python3` the command follows it.
            # The marker may sit after the command's last word (`bash <<EOF`: the span ends at `bash`).
            inside = cmd.span[0] <= at and not data[cmd.span[1] : at].strip()
            follows = cmd.span[0] >= end and not data[end : cmd.span[0]].strip()
            if not cmd.nested and (inside or follows):
                return None if "-c" in cmd.argv[1:] else cmd.name
    return None


def _dedent_tabs(text: str) -> str:
    return re.sub(r"(?m)^\t+", "", text)
