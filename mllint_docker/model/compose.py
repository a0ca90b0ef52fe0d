"""Compose files as Compose reads them (the Compose Specification), with the file, line and column of
every value: services with their build (context, dockerfile, args, target, secrets), image,
environment, env_file, volumes, secrets, deploy resources, healthcheck and profiles; `extends`,
`include`, `compose.override.yaml` layered over the base file, and `${VAR:-default}` interpolation.

Interpolation reads defaults only, never the user's environment nor `.env`: a variable without a
default becomes an empty string (as Compose makes an unset one) and the value remembers it, so rules
do not judge text the user fills in at run time. YAML is read with PyYAML's composer (for marks) and
typed as YAML 1.2's core schema, as Compose's Go YAML library types it (`yes` and `on` are strings).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from mllint_docker.model.dockerfile import read_text

MAX_COMPOSE_BYTES = 4 * 1024 * 1024
MAX_NODES = 200_000  # values after alias expansion: a "billion laughs" file is refused, not expanded
MAX_DEPTH = 100

# The files `docker compose` reads by default in a directory, in its order of preference, and the
# override it layers over the first of them (compose-go's DefaultFileNames / DefaultOverrideFileNames).
BASE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE_NAMES = ("compose.override.yml", "compose.override.yaml", "docker-compose.override.yml",
                  "docker-compose.override.yaml")


# Values with their place ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """Where a value is written: 1-based line and column, the end exclusive."""

    file: Path
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(slots=True)
class Node:
    """A YAML value: a mapping is `dict[str, Node]`, a sequence `list[Node]`, a scalar a `str`,
    `int`, `float`, `bool` or `None` (strings after interpolation)."""

    value: Any
    span: Span
    key_span: Span | None = None  # a mapping entry's key
    raw: str | None = None  # a scalar as written, before interpolation
    style: str | None = None  # the scalar's quote style: None (plain), "'", '"', "|", ">"
    unresolved: tuple[str, ...] = ()  # variables with no default that interpolation met
    base: Path | None = None  # the directory relative paths in this value are relative to

    @property
    def file(self) -> Path:
        return self.span.file

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    def get(self, *keys: str) -> "Node | None":
        node: Node | None = self
        for k in keys:
            if node is None or not isinstance(node.value, dict):
                return None
            node = node.value.get(k)
        return node

    def text(self) -> str | None:
        """A scalar as Compose turns it into a string (`true`, `1`), None for null or a collection."""
        v = self.value
        if v is None or isinstance(v, (dict, list)):
            return None
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return v
        if isinstance(v, float):
            return _go_float(v)
        return str(v)

    def is_true(self) -> bool:
        v = self.value
        return v is True or (isinstance(v, str) and v.strip() in ("1", "t", "T", "true", "True", "TRUE"))


def _go_float(f: float) -> str:
    """A float as Go's `fmt` prints it (`1.5`, `100000`, `1e+21`): how Compose stringifies one."""
    if f != f:
        return "NaN"
    if f in (float("inf"), float("-inf")):
        return "+Inf" if f > 0 else "-Inf"
    if f.is_integer() and abs(f) < 1e21:
        return str(int(f))
    text = repr(f)
    if "e" in text:
        mant, _, exp = text.partition("e")
        sign = "-" if exp.startswith("-") else "+"
        return f"{mant}e{sign}{exp.lstrip('+-').zfill(2)}"
    return text


@dataclass(frozen=True, slots=True)
class ComposeError:
    file: Path
    line: int | None
    column: int | None
    message: str


# The typed view --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Build:
    node: Node
    context: Path | None  # None for a remote context (git URL, http)
    context_raw: str
    dockerfile: Path | None  # None with `dockerfile_inline`
    args: dict[str, Node | None]  # None: the value comes from the environment (`- HF_TOKEN`)
    target: str | None
    secrets: list[str]


@dataclass(slots=True)
class EnvVar:
    name: str
    node: Node  # the entry: `K=V` of a list or the value of a map
    value: str | None  # None: passed through from the environment (`- DEBUG`, `DEBUG:`)
    from_list: bool
    env_file: Path | None = None  # set when the value comes from an `env_file`, not `environment:`

    @property
    def unresolved(self) -> tuple[str, ...]:
        return self.node.unresolved


@dataclass(slots=True)
class Volume:
    node: Node  # the short string or the long mapping
    type: str  # bind, volume, tmpfs, npipe, image, cluster
    source: str | None  # a bind's absolute path, a named volume's name
    target: str
    read_only: bool
    short: bool
    mode: str = ""  # the short syntax's third field: `ro`, `rw,z`


@dataclass(slots=True)
class DeviceRequest:
    node: Node
    driver: str | None
    count: str | int | None  # an int or "all"
    device_ids: list[str]
    capabilities: list[str]


@dataclass(slots=True)
class Service:
    name: str
    node: Node  # the merged mapping
    key_span: Span  # where the service is declared (the base file's key)
    image: Node | None = None
    build: Build | None = None
    environment: dict[str, EnvVar] = field(default_factory=dict)
    env_files: list[Node] = field(default_factory=list)
    volumes: list[Volume] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    devices: list[DeviceRequest] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)
    healthcheck: Node | None = None

    @property
    def file(self) -> Path:
        return self.key_span.file

    @property
    def line(self) -> int:
        return self.key_span.line

    def get(self, *keys: str) -> Node | None:
        return self.node.get(*keys)

    @property
    def has_healthcheck(self) -> bool:
        """A healthcheck that checks: not `disable: true`, not `test: NONE`."""
        hc = self.healthcheck
        if hc is None or not isinstance(hc.value, dict):
            return False
        if (d := hc.get("disable")) is not None and d.is_true():
            return False
        test = hc.get("test")
        if test is None:
            return True  # the image's own HEALTHCHECK with other timings
        words = [n.text() for n in test.value] if isinstance(test.value, list) else [test.text()]
        return bool(words) and words[0] != "NONE"

    def words(self, key: str) -> list[str]:
        """`command` / `entrypoint` as words (a string is split as Compose splits it)."""
        node = self.get(key)
        if node is None:
            return []
        if isinstance(node.value, list):
            return [t for n in node.value if (t := n.text()) is not None]
        import shlex

        try:
            return shlex.split(node.text() or "")
        except ValueError:
            return (node.text() or "").split()


@dataclass
class ComposeFile:
    """One Compose project: a base file with its override (and what they include and extend)."""

    path: Path  # the base file (or the only file)
    files: list[Path] = field(default_factory=list)  # every file read: base, override, includes, extends
    project_dir: Path | None = None
    services: dict[str, Service] = field(default_factory=dict)
    # Top-level `version:` of each file that has one.
    versions: list[Node] = field(default_factory=list)
    documents: dict[Path, Node] = field(default_factory=dict)
    lines: dict[Path, list[str]] = field(default_factory=dict)
    top_secrets: dict[str, Node] = field(default_factory=dict)
    env_files: list[Path] = field(default_factory=list)  # `env_file`s read for their variables
    # The env files git does not ignore (filled by the project, which asks git once): committed ones.
    tracked_env_files: set[Path] = field(default_factory=set)
    errors: list[ComposeError] = field(default_factory=list)
    # References that lead outside the project, never followed: (file, line, message).
    outside: list[tuple[Path, int | None, str]] = field(default_factory=list)

    @property
    def error(self) -> tuple[int | None, str] | None:
        """The first error of the base file (kept for callers that read one)."""
        own = [e for e in self.errors if e.file == self.path]
        return (own[0].line, own[0].message) if own else None

    @property
    def builds(self) -> list[tuple[str, Path, Path, int | None]]:
        """(service, Dockerfile, context directory, line of the service) for each local build."""
        out = []
        for s in self.services.values():
            b = s.build
            if b is not None and b.context is not None and b.dockerfile is not None:
                out.append((s.name, b.dockerfile, b.context, s.line))
        return out

    def line_text(self, file: Path, line: int) -> str:
        lines = self.lines.get(file, [])
        return lines[line - 1] if 0 < line <= len(lines) else ""


# Interpolation ---------------------------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class InterpolationError(ValueError):
    pass


def interpolate(text: str, known: dict[str, str] | None = None) -> tuple[str, tuple[str, ...]]:
    """`$$` -> `$`; `${V:-d}` / `${V-d}` -> d; `${V}`, `$V`, `${V:?e}`, `${V:+x}` -> "" with V unresolved.
    Every variable is taken as unset: the values a file gives by itself, never the environment's
    (`known` holds the variables an env file defined above the line being read)."""
    if "$" not in text:
        return text, ()
    unresolved: list[str] = []
    out, _ = _interp(text, 0, unresolved, nested=False, known=known or {})
    return out, tuple(dict.fromkeys(unresolved))


def _interp(text: str, i: int, unresolved: list[str], nested: bool, known: dict[str, str]) -> tuple[str, int]:
    out: list[str] = []
    n = len(text)
    while i < n:
        c = text[i]
        if nested and c == "}":
            return "".join(out), i
        if c != "$":
            out.append(c)
            i += 1
            continue
        if i + 1 < n and text[i + 1] == "$":
            out.append("$")
            i += 2
            continue
        if i + 1 < n and text[i + 1] == "{":
            m = _NAME.match(text, i + 2)
            if not m:
                raise InterpolationError(f"invalid interpolation format in {text!r}")
            name, j = m.group(0), m.end()
            if j >= n:
                raise InterpolationError(f"invalid interpolation format in {text!r}: missing `}}`")
            if text[j] == "}":
                if name in known:
                    out.append(known[name])
                else:
                    unresolved.append(name)
                i = j + 1
                continue
            op = text[j : j + 2] if text[j] == ":" else text[j]
            if op not in (":-", "-", ":?", "?", ":+", "+"):
                raise InterpolationError(f"invalid interpolation format in {text!r}")
            value = known.get(name)
            is_set = value is not None and (value != "" or not op.startswith(":"))
            uses_word = (op.endswith("-") and not is_set) or (op.endswith("+") and is_set)
            word, k = _interp(text, j + len(op), unresolved if uses_word else [], nested=True, known=known)
            if k >= n or text[k] != "}":
                raise InterpolationError(f"invalid interpolation format in {text!r}: missing `}}`")
            if uses_word:
                out.append(word)
            elif is_set and not op.endswith("+"):
                out.append(value)
            elif not is_set:
                unresolved.append(name)
            i = k + 1
            continue
        m = _NAME.match(text, i + 1)
        if m:
            if m.group(0) in known:
                out.append(known[m.group(0)])
            else:
                unresolved.append(m.group(0))
            i = m.end()
            continue
        out.append("$")  # a lone `$` (Compose's template pattern keeps it)
        i += 1
    if nested:
        return "".join(out), n
    return "".join(out), i


# YAML -> Node ----------------------------------------------------------------------------------------

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^[-+]?(?:[0-9][0-9_]*|0[oO][0-7_]+|0[xX][0-9a-fA-F_]+|0[bB][01_]+)$")
_FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")


def _core_scalar(text: str) -> Any:
    """A plain scalar typed by YAML 1.2's core schema."""
    if _NULL.match(text):
        return None
    if _BOOL.match(text):
        return text.lower() == "true"
    try:
        if _INT.match(text) and (value := _go_int(text)) is not None:
            return value
        if _FLOAT.match(text):
            low = text.lower()
            if low.lstrip("+-") in (".inf", ".nan"):
                return float(low.replace(".", ""))
            return float(text)
    except ValueError:  # an integer too long for Python to convert: keep the text
        return text
    return text


def _out_of_range(raw: str, value: Any) -> bool:
    """A number literal no 64-bit type holds (Compose's YAML library cannot read it as a number)."""
    if isinstance(value, float):
        return value in (float("inf"), float("-inf")) and not raw.lower().lstrip("+-").startswith(".inf")
    if isinstance(value, str) and _INT.match(raw):
        return True  # too long for an int, and a float would not hold it either
    return isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**64


def _go_int(text: str) -> int | None:
    """An integer as Go's YAML library reads it (`strconv.ParseInt(s, 0, 64)`): `0x1F`, `0o17`,
    `0b101`, and a leading `0` for octal (`010` is 8); None when Go would not read it as one."""
    sign, body = (-1, text[1:]) if text.startswith("-") else (1, text.lstrip("+"))
    if body.startswith("_") or body.endswith("_") or "__" in body:
        return None
    body = body.replace("_", "")
    low = body.lower()
    try:
        if low.startswith("0x"):
            return sign * int(body[2:], 16)
        if low.startswith("0o"):
            return sign * int(body[2:], 8)
        if low.startswith("0b"):
            return sign * int(body[2:], 2)
        if len(body) > 1 and body.startswith("0"):
            return sign * int(body[1:], 8)
        return sign * int(body)
    except ValueError:
        return None


class _Builder:
    def __init__(self, file: Path, errors: list[ComposeError], text: str = ""):
        self.file = file
        self.errors = errors
        self.text = text
        self.count = 0

    def explicit_tag(self, ynode) -> bool:
        """The scalar carries a tag written in the file (`!!str 010`), not one PyYAML's YAML 1.1
        resolver chose; a node's start mark is at its anchor or tag when it has one."""
        text = self.text[ynode.start_mark.index : ynode.end_mark.index]
        if text.startswith("&"):
            text = text.split(None, 1)[1] if len(text.split(None, 1)) > 1 else ""
        return text.startswith("!")

    def span(self, ynode) -> Span:
        s, e = ynode.start_mark, ynode.end_mark
        return Span(self.file, s.line + 1, s.column + 1, e.line + 1, e.column + 1)

    def error(self, ynode, message: str) -> None:
        m = ynode.start_mark
        self.errors.append(ComposeError(self.file, m.line + 1, m.column + 1, message))

    def build(self, ynode, depth: int = 0) -> Node:
        import yaml

        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(ynode)
        if depth > MAX_DEPTH:
            raise _TooDeep(ynode)
        span = self.span(ynode)
        if isinstance(ynode, yaml.MappingNode):
            out: dict[str, Node] = {}
            merges = []
            for k, v in ynode.value:
                if k.tag == "tag:yaml.org,2002:merge":
                    merges.append(v)
                    continue
                if not isinstance(k, yaml.ScalarNode):
                    self.error(k, "a mapping key must be a string")
                    continue
                if k.value in out:
                    self.error(k, f"mapping key {k.value!r} already defined at line {out[k.value].key_span.line}")
                    continue
                child = self.build(v, depth + 1)
                child.key_span = self.span(k)
                out[k.value] = child
            for m in merges:  # `<<: *defaults`: keys written here win, then the first merged mapping
                sources = m.value if isinstance(m, yaml.SequenceNode) else [m]
                for src in sources:
                    if not isinstance(src, yaml.MappingNode):
                        self.error(src, "`<<` merges a mapping or a list of mappings")
                        continue
                    merged = self.build(src, depth + 1)
                    for key, child in merged.value.items():
                        out.setdefault(key, child)
            return Node(out, span)
        if isinstance(ynode, yaml.SequenceNode):
            return Node([self.build(v, depth + 1) for v in ynode.value], span)
        raw = ynode.value
        style = ynode.style or None  # libyaml says "" for a plain scalar
        if style is None and ynode.tag == "tag:yaml.org,2002:str" and self.explicit_tag(ynode):
            value: Any = raw  # `!!str 1`
        elif style is None:
            value = _core_scalar(raw)
            if _out_of_range(raw, value):
                shown = raw if len(raw) <= 24 else f"{raw[:12]}...{raw[-6:]} ({len(raw)} characters)"
                self.error(ynode, f"number {shown} is out of range")
                value = raw
        else:
            value = raw
        node = Node(value, span, raw=raw, style=style)
        if isinstance(value, str) and "$" in value:
            try:
                node.value, node.unresolved = interpolate(value)
            except InterpolationError as err:
                self.error(ynode, str(err))
        return node


class _TooBig(Exception):
    def __init__(self, ynode):
        self.ynode = ynode


class _TooDeep(Exception):
    def __init__(self, ynode):
        self.ynode = ynode


def text_errors(path: Path, text: str) -> list[ComposeError]:
    """Why `text` would not read as a compose file (e.g. after an edit), [] when it reads; checks the
    YAML and the shape of the file itself, not files it includes or extends."""
    errors: list[ComposeError] = []
    docs, _ = read_documents(path, errors, text)
    if not errors:
        cf = ComposeFile(path, [path], path.parent)
        loader = _Loader(cf, path.parent)
        loader.docs[_resolve(path)] = docs[0] if len(docs) == 1 else None
        for d in docs:
            if isinstance(d.value, dict):
                for name, node in loader.services(d, path.parent).items():
                    _service(loader, name, node)
            else:
                loader.err(d, "the top level of a compose file must be a mapping")
        errors = cf.errors
    return errors


def read_documents(path: Path, errors: list[ComposeError], text: str | None = None) -> tuple[list[Node], list[str]]:
    """The YAML documents of a file (or of `text` given for it) as Nodes (located errors appended to `errors`)."""
    if text is None:
        text, reason = read_text(path, MAX_COMPOSE_BYTES)
        if text is None:
            errors.append(ComposeError(path, None, None, reason or "unreadable"))
            return [], []
    lines = text.splitlines()
    import yaml  # only when a compose file exists

    builder = _Builder(path, errors, text)
    try:
        # libyaml's composer when PyYAML has it (the same nodes and marks, several times faster).
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        docs = [builder.build(d) for d in yaml.compose_all(text, Loader=loader) if d is not None]
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        msg = f"invalid YAML: {err.problem or err.context}"
        if err.context and err.context_mark is not None and err.problem and err.context_mark is not mark:
            msg += f" ({err.context} on line {err.context_mark.line + 1})"
        errors.append(ComposeError(path, mark.line + 1 if mark else None, mark.column + 1 if mark else None, msg))
        return [], lines
    except yaml.YAMLError as err:
        errors.append(ComposeError(path, None, None, f"invalid YAML: {err}"))
        return [], lines
    except _TooBig as err:
        m = err.ynode.start_mark
        errors.append(ComposeError(path, m.line + 1, m.column + 1,
                                   f"more than {MAX_NODES} values once aliases are expanded: not read"))
        return [], lines
    except (_TooDeep, RecursionError) as err:
        m = err.ynode.start_mark if isinstance(err, _TooDeep) else None
        errors.append(ComposeError(path, m.line + 1 if m else None, m.column + 1 if m else None,
                                   f"nested deeper than {MAX_DEPTH} levels: not read"))
        return [], lines
    return docs, lines


# Normalising (each file with its own directory), then merging ---------------------------------------


def _listify(node: Node) -> list[Node]:
    return node.value if isinstance(node.value, list) else [node]


def _is_remote(context: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://|^git@|^github\.com/", context))


class _Loader:
    def __init__(self, cf: ComposeFile, root: Path | None, boundary=None):
        self.cf = cf
        self.root = root
        self.boundary = boundary  # the project's own test of what may be opened, when it has one
        self.docs: dict[Path, Node | None] = {}
        self.env_files: dict[Path, list] = {}

    def err(self, node: Node | Span | None, message: str, file: Path | None = None) -> None:
        span = node.span if isinstance(node, Node) else node
        if span is None:
            self.cf.errors.append(ComposeError(file or self.cf.path, None, None, message))
        else:
            self.cf.errors.append(ComposeError(span.file, span.line, span.column, message))

    def document(self, path: Path) -> Node | None:
        """A file's documents merged into one mapping, read once."""
        path = _resolve(path)
        if path in self.docs:
            return self.docs[path]
        self.docs[path] = None
        if path not in self.cf.files:
            self.cf.files.append(path)
        docs, lines = read_documents(path, self.cf.errors)
        self.cf.lines[path] = lines
        merged: Node | None = None
        for d in docs:
            if not isinstance(d.value, dict):
                self.err(d, "the top level of a compose file must be a mapping")
                continue
            merged = d if merged is None else _merge(merged, d, ())
        if merged is not None:
            self.cf.documents[path] = merged
        self.docs[path] = merged
        return merged

    def env_file(self, path: Path, ref: Node) -> list[tuple[str, str | None, int, bool]]:
        """An env file's variables, read once per project."""
        cached = self.env_files.get(path)
        if cached is None:
            cached, problem = parse_env_file(path)
            self.env_files[path] = cached
            self.cf.env_files.append(path)
            if problem:
                self.err(ref, f"env_file {ref.text()!r}: {problem}")
        return cached

    def inside(self, path: Path) -> bool:
        if self.boundary is not None:
            return self.boundary(path)
        return self.root is None or path == self.root or self.root in path.parents

    def refuse(self, node: Node, message: str) -> None:
        """A reference that leads outside the project: named, never opened."""
        entry = (node.span.file, node.span.line, message)
        if entry not in self.cf.outside:
            self.cf.outside.append(entry)

    # A file's services, normalised against its directory, `extends` resolved.
    def services(self, doc: Node, base: Path) -> dict[str, Node]:
        node = doc.get("services")
        if node is None:
            return {}
        if not isinstance(node.value, dict):
            self.err(node, "`services` must be a mapping of service names to services")
            return {}
        out = {}
        for name, svc in node.value.items():
            if svc.value is None:
                svc = Node({}, svc.span, svc.key_span)
            if not isinstance(svc.value, dict):
                self.err(svc, f"service {name!r} must be a mapping")
                continue
            out[name] = self.normalise(svc, base)
        return out

    def normalise(self, svc: Node, base: Path) -> Node:
        v = dict(svc.value)
        build = v.get("build")
        if build is not None:
            if isinstance(build.value, str):
                build = Node({"context": build}, build.span, build.key_span)
            if isinstance(build.value, dict):
                b = dict(build.value)
                ctx = b.get("context")
                if ctx is not None:
                    b["context"] = _with_base(ctx, base)
                if "args" in b:
                    b["args"] = self.mapping_of(b["args"], "build.args")
                # No context: `.` of this file's project, unless a service it extends names one.
                build = Node(b, build.span, build.key_span, base=base)
            v["build"] = build
        for key in ("environment", "labels"):
            if key in v:
                v[key] = self.mapping_of(v[key], key)
        if "env_file" in v:
            ef = v["env_file"]
            items = [Node(e.value, e.span, e.key_span, e.raw, e.style, e.unresolved, base) for e in _listify(ef)]
            v["env_file"] = Node(items, ef.span, ef.key_span)
        if "volumes" in v and isinstance(v["volumes"].value, list):
            vol = v["volumes"]
            v["volumes"] = Node([_with_base(e, base) for e in vol.value], vol.span, vol.key_span)
        return Node(v, svc.span, svc.key_span)

    def mapping_of(self, node: Node, what: str) -> Node:
        """`[K=V, K]` or `{K: V}` as a mapping (a list entry keeps its own place)."""
        if isinstance(node.value, dict) or node.value is None:
            return node if node.value is not None else Node({}, node.span, node.key_span)
        if not isinstance(node.value, list):
            self.err(node, f"`{what}` must be a list of `KEY=VALUE` or a mapping")
            return Node({}, node.span, node.key_span)
        out: dict[str, Node] = {}
        for item in node.value:
            text = item.text()
            if text is None:
                self.err(item, f"`{what}` entries must be strings like `KEY=VALUE`")
                continue
            key, eq, val = text.partition("=")
            entry = Node(val if eq else None, item.span, item.span, item.raw, item.style, item.unresolved)
            entry.base = None
            out[key] = entry
        return Node(out, node.span, node.key_span)

    def resolve_extends(self, services: dict[str, Node], file: Path, base: Path) -> dict[str, Node]:
        resolved: dict[str, Node] = {}

        def resolve(name: str, table: dict[str, Node], tfile: Path, tbase: Path, stack: tuple) -> Node | None:
            key = (tfile, name)
            if key in stack:
                self.err(table[name].get("extends"), f"`extends` cycle: {' -> '.join(n for _, n in stack + (key,))}")
                return None
            svc = table[name]
            ext = svc.get("extends")
            if ext is None:
                return svc
            if isinstance(ext.value, str):
                target, other = ext.value, None
            elif isinstance(ext.value, dict) and isinstance(ext.get("service") and ext.get("service").value, str):
                target = ext.get("service").value
                other = ext.get("file").text() if ext.get("file") is not None else None
            else:
                self.err(ext, "`extends` names a service, or a mapping with `service` (and `file`)")
                return svc
            ttable, ofile, obase = table, tfile, tbase
            if other:
                path = _resolve(tbase / other)
                if not self.inside(path):
                    self.refuse(ext, f"`extends` file {other!r} is outside the project; not read")
                    return svc
                doc = self.document(path)
                if doc is None:
                    if not _is_file(path):
                        self.err(ext, f"`extends` file {other!r} does not exist")
                    return svc
                ttable, ofile, obase = self.services(doc, path.parent), path, path.parent
            if target not in ttable:
                self.err(ext, f"`extends` names service {target!r}, which {'that file' if other else 'this file'} does not define")
                return svc
            parent = resolve(target, ttable, ofile, obase, stack + (key,))
            if parent is None:
                return None
            own = Node({k: n for k, n in svc.value.items() if k != "extends"}, svc.span, svc.key_span)
            return _merge(parent, own, ("services", name))

        for name in services:
            r = resolve(name, services, file, base, ())
            if r is not None:
                resolved[name] = r
        return resolved

    def includes(self, doc: Node, base: Path, seen: tuple[Path, ...]) -> dict[str, Node]:
        inc = doc.get("include")
        if inc is None:
            return {}
        out: dict[str, Node] = {}
        for entry in _listify(inc):
            if isinstance(entry.value, dict):
                p = entry.get("path")
                paths = [] if p is None else [n.text() for n in _listify(p)]
                pd = entry.get("project_directory")
                pdir = _resolve(base / pd.text()) if pd is not None and pd.text() else None
            else:
                paths, pdir = [entry.text()], None
            if not paths or any(not x for x in paths):
                self.err(entry, "`include` entries name a compose file (a path, or a mapping with `path`)")
                continue
            if any(_is_remote(x) or x.startswith("oci://") for x in paths):
                continue  # a remote include: nothing local to read
            files = [_resolve(base / x) for x in paths]
            if any(not self.inside(f) for f in files):
                self.refuse(entry, f"included file {paths[0]!r} is outside the project; not read")
                continue
            if files[0] in seen:
                self.err(entry, f"include cycle: {paths[0]!r} includes this file again")
                continue
            missing = [x for x, f in zip(paths, files) if not _is_file(f)]
            if missing:
                self.err(entry, f"included file {missing[0]!r} does not exist")
                continue
            services = self.project(files, pdir or files[0].parent, seen + (files[0],))
            for name, svc in services.items():
                if name in out:
                    self.err(entry, f"service {name!r} is defined by two included files")
                out[name] = svc
        return out

    def project(self, files: list[Path], base: Path, seen: tuple[Path, ...] = ()) -> dict[str, Node]:
        """The services of files layered in order (later files override earlier ones)."""
        merged: dict[str, Node] = {}
        included: dict[str, Node] = {}
        for f in files:
            doc = self.document(f)
            if doc is None:
                continue
            if (v := doc.get("version")) is not None and v not in self.cf.versions:
                self.cf.versions.append(v)
            for name, s in (doc.get("secrets").value if doc.get("secrets") is not None
                            and isinstance(doc.get("secrets").value, dict) else {}).items():
                self.cf.top_secrets.setdefault(name, s)
            for name, svc in self.includes(doc, base, seen + (_resolve(f),)).items():
                included[name] = svc
            own = self.resolve_extends(self.services(doc, base), f, base)
            for name, svc in own.items():
                merged[name] = _merge(merged[name], svc, ("services", name)) if name in merged else svc
        for name, svc in included.items():
            if name in merged:
                self.err(merged[name].key_span, f"service {name!r} conflicts with a service of an included file")
                continue
            merged[name] = svc
        return merged


def _resolve(path: Path) -> Path:
    """`path` absolute with symlinks resolved; made absolute by name alone when the file system
    refuses it (a NUL in the name, a loop)."""
    try:
        return path.resolve()
    except (OSError, ValueError, RuntimeError):
        return Path(os.path.abspath(path))


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _with_base(node: Node, base: Path) -> Node:
    return Node(node.value, node.span, node.key_span, node.raw, node.style, node.unresolved, base)


_REPLACED = {"command", "entrypoint", "test"}  # lists an override replaces instead of extending


def _merge(a: Node, b: Node, path: tuple) -> Node:
    """Compose's merge of `b` over `a`: mappings key by key, most lists appended, volumes by target,
    secrets and configs by source, scalars replaced."""
    if isinstance(a.value, dict) and isinstance(b.value, dict):
        out = dict(a.value)
        for k, v in b.value.items():
            out[k] = _merge(out[k], v, path + (k,)) if k in out else v
        return Node(out, a.span, a.key_span or b.key_span, base=b.base or a.base)
    if isinstance(a.value, list) and isinstance(b.value, list) and (not path or path[-1] not in _REPLACED):
        key = path[-1] if path else ""
        if key == "volumes" and len(path) == 3:
            by = _volume_target
        elif key in ("secrets", "configs") and len(path) == 3:
            by = _source_of
        else:
            by = _plain
        out_list: dict = {}
        for n in a.value + b.value:
            out_list[by(n) if by(n) is not None else id(n)] = n
        return Node(list(out_list.values()), a.span, a.key_span or b.key_span)
    return b


def _plain(n: Node):
    v = n.value
    return None if isinstance(v, (dict, list)) else ("v", v)


def _volume_target(n: Node):
    vol = parse_volume(n)
    return ("t", vol.target) if vol is not None else None


def _source_of(n: Node):
    if isinstance(n.value, dict):
        s = n.get("source")
        return ("s", s.text()) if s is not None else None
    return ("s", n.text())


# Typed values -----------------------------------------------------------------------------------------

_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def _split_volume(spec: str) -> list[str]:
    """`src:dst:mode`, keeping a Windows drive's colon (`C:\\data:/data`)."""
    parts, cur, i = [], "", 0
    while i < len(spec):
        if spec[i] == ":" and not (len(cur) == 1 and cur.isalpha() and _DRIVE.match(spec[i - 1 :])):
            parts.append(cur)
            cur = ""
        else:
            cur += spec[i]
        i += 1
    parts.append(cur)
    return parts


def _is_path(source: str) -> bool:
    return source.startswith((".", "/", "~")) or bool(_DRIVE.match(source)) or "/" in source


def parse_volume(node: Node) -> Volume | None:
    base = node.base or Path(".")
    if isinstance(node.value, dict):
        t = node.get("target")
        if t is None or not t.text():
            return None
        kind = (node.get("type").text() if node.get("type") is not None else None) or "volume"
        src = node.get("source")
        source = src.text() if src is not None else None
        if kind == "bind" and source and not source.startswith("~"):
            source = str(_resolve(base / source)) if not source.startswith("/") else source
        ro = node.get("read_only")
        return Volume(node, kind, source, t.text() or "", bool(ro is not None and ro.is_true()), short=False)
    text = node.text()
    if not text:
        return None
    parts = _split_volume(text)
    if len(parts) == 1:
        return Volume(node, "volume", None, parts[0], False, short=True)
    source, target = parts[0], parts[1]
    mode = ":".join(parts[2:])
    ro = "ro" in mode.split(",")
    if _is_path(source):
        if not source.startswith(("/", "~")) and not _DRIVE.match(source):
            source = str(_resolve(base / source))
        return Volume(node, "bind", source, target, ro, True, mode)
    return Volume(node, "volume", source, target, ro, True, mode)


_ENV_KEY = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:([=:])\s?(.*))?$")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "$": "\\$"}


def parse_env_file(path: Path) -> tuple[list[tuple[str, str | None, int, bool]], str | None]:
    """An `env_file` as Compose reads it (dotenv): [(name, value, line, unresolved)]; a `NAME`
    without a value takes it from the environment (None). Values may use the names defined above."""
    text, reason = read_text(path, MAX_COMPOSE_BYTES)
    if text is None:
        return [], reason
    out: list[tuple[str, str | None, int, bool]] = []
    known: dict[str, str] = {}
    lines = text.splitlines()
    n = 0
    while n < len(lines):
        line, n = lines[n], n + 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _ENV_KEY.match(line)
        if not m:
            return out, f"line {n}: not a `KEY=VALUE` line"
        name, sep, rest = m.group(1), m.group(2), m.group(3)
        if sep is None:
            out.append((name, None, n, False))
            continue
        rest = rest.strip() if rest else ""
        unresolved: tuple[str, ...] = ()
        if rest[:1] in ("'", '"'):
            quote, body, start = rest[0], rest[1:], n
            while quote not in body.replace("\\" + quote, "") and n < len(lines):  # a value over several lines
                body, n = body + "\n" + lines[n], n + 1
            value = body[: _closing(body, quote)]
            if quote == '"':
                value = re.sub(r"\\(.)", lambda e: _ESCAPES.get(e.group(1), "\\" + e.group(1)), value)
                try:
                    value, unresolved = interpolate(value.replace("\\$", "$$"), known)
                except InterpolationError:
                    pass
            line_no = start
        else:
            value = re.split(r"\s+#", rest, maxsplit=1)[0].strip()
            try:
                value, unresolved = interpolate(value, known)
            except InterpolationError:
                pass
            line_no = n
        known[name] = value
        out.append((name, value, line_no, bool(unresolved)))
    return out, None


def _closing(body: str, quote: str) -> int:
    i = 0
    while i < len(body):
        if body[i] == "\\" and quote == '"':
            i += 2
            continue
        if body[i] == quote:
            return i
        i += 1
    return len(body)


def _service(loader: _Loader, name: str, node: Node) -> Service:
    svc = Service(name, node, node.key_span or node.span)
    err = loader.err
    if (img := node.get("image")) is not None:
        if isinstance(img.value, (dict, list)):
            err(img, "`image` must be a string")
        else:
            svc.image = img
    if (b := node.get("build")) is not None:
        if not isinstance(b.value, dict):
            err(b, "`build` must be a path or a mapping")
        else:
            svc.build = _build(loader, b)
    if (ef := node.get("env_file")) is not None:
        for e in _listify(ef):
            if isinstance(e.value, dict) and e.get("path") is not None:
                p = e.get("path")
                svc.env_files.append(Node(p.value, p.span, p.key_span, p.raw, p.style, p.unresolved, e.base))
            elif isinstance(e.value, str):
                svc.env_files.append(e)
            else:
                err(e, "`env_file` entries are paths")
    for e in svc.env_files:  # lower precedence than `environment:`, later files over earlier ones
        path = _resolve((e.base or Path(".")) / (e.text() or ""))
        if e.unresolved:
            continue
        if not loader.inside(path):
            loader.refuse(e, f"env_file {e.text()!r} is outside the project; not read")
            continue
        if not _is_file(path):
            continue  # a file kept out of git is often absent from a checkout: nothing to read
        for var_name, value, line, unresolved in loader.env_file(path, e):
            span = Span(path, line, 1, line, 1)
            svc.environment[var_name] = EnvVar(var_name, Node(value, span, span, unresolved=("?",) if unresolved else ()),
                                               value, False, path)
    if (env := node.get("environment")) is not None and isinstance(env.value, dict):
        for k, v in env.value.items():
            if isinstance(v.value, (dict, list)):
                err(v, f"environment variable {k!r} must have a string, number, boolean or null value")
                continue
            from_list = v.key_span == v.span
            svc.environment.pop(k, None)
            svc.environment[k] = EnvVar(k, v, v.text(), from_list)
    if (vols := node.get("volumes")) is not None:
        if not isinstance(vols.value, list):
            err(vols, "`volumes` must be a list")
        else:
            for v in vols.value:
                if isinstance(v.value, (list,)) or v.value is None:
                    err(v, "a volume is a `source:target[:mode]` string or a mapping")
                    continue
                vol = parse_volume(v)
                if vol is None:
                    err(v, "a volume needs a target")
                else:
                    svc.volumes.append(vol)
    if (sec := node.get("secrets")) is not None:
        for s in _listify(sec):
            name_ = s.get("source").text() if isinstance(s.value, dict) and s.get("source") is not None else s.text()
            if name_:
                svc.secrets.append(name_)
    if (prof := node.get("profiles")) is not None:
        svc.profiles = [t for p in _listify(prof) if (t := p.text())]
    if (hc := node.get("healthcheck")) is not None:
        if not isinstance(hc.value, dict):
            err(hc, "`healthcheck` must be a mapping")
        else:
            svc.healthcheck = hc
    devices = node.get("deploy", "resources", "reservations", "devices")
    if devices is not None:
        if not isinstance(devices.value, list):
            err(devices, "`deploy.resources.reservations.devices` must be a list")
        else:
            for d in devices.value:
                if not isinstance(d.value, dict):
                    err(d, "a device request is a mapping (`driver`, `count`, `capabilities`)")
                    continue
                count = d.get("count")
                cv = None if count is None else (count.value if isinstance(count.value, int) else count.text())
                svc.devices.append(DeviceRequest(
                    d, d.get("driver").text() if d.get("driver") is not None else None, cv,
                    [t for n in _listify(d.get("device_ids")) if (t := n.text())] if d.get("device_ids") is not None else [],
                    [t for n in _listify(d.get("capabilities")) if (t := n.text())] if d.get("capabilities") is not None else []))
    return svc


def _build(loader: _Loader, b: Node) -> Build:
    ctx_node = b.get("context")
    ctx_raw = (ctx_node.text() if ctx_node is not None else None) or "."
    base = (ctx_node.base if ctx_node is not None and ctx_node.base else b.base) or Path(".")
    remote = _is_remote(ctx_raw)
    context = None if remote else _resolve(base / ctx_raw)
    dockerfile = None
    if context is not None and b.get("dockerfile_inline") is None:
        df = b.get("dockerfile")
        dockerfile = _resolve(context / ((df.text() if df is not None else None) or "Dockerfile"))
    args: dict[str, Node | None] = {}
    a = b.get("args")
    if a is not None and isinstance(a.value, dict):
        for k, v in a.value.items():
            args[k] = None if v.value is None else v
    target = b.get("target").text() if b.get("target") is not None else None
    secrets = []
    if (s := b.get("secrets")) is not None:
        for e in _listify(s):
            n = e.get("source").text() if isinstance(e.value, dict) and e.get("source") is not None else e.text()
            if n:
                secrets.append(n)
    return Build(b, context, ctx_raw, dockerfile, args, target, secrets)


# Entry points -------------------------------------------------------------------------------------


def default_files(directory: Path) -> list[Path]:
    """What `docker compose` reads in `directory` with no `-f`: the first base name found, then the
    first override found; [] when there is no base file."""
    base = next((directory / n for n in BASE_NAMES if (directory / n).is_file()), None)
    if base is None:
        return []
    override = next((directory / n for n in OVERRIDE_NAMES if (directory / n).is_file()), None)
    return [base] + ([override] if override else [])


def compose_projects(paths: list[Path]) -> list[list[Path]]:
    """Compose files grouped as Compose reads them: a directory's default file with its override,
    every other file alone. A named override brings its base file along."""
    out: list[list[Path]] = []
    seen: set[Path] = set()
    for p in paths:
        default = default_files(p.parent)
        group = default if default and p.resolve() in {d.resolve() for d in default} else [p]
        key = group[0].resolve()
        if key not in seen:
            seen.add(key)
            out.append(group)
    return out


def load_compose(files: list[Path], root: Path | None = None, inside=None) -> ComposeFile:
    """A Compose project from `files` layered in order (base, then overrides); nothing outside
    `root` (or what `inside(path)` refuses) is read through `include`, `extends` or `env_file`:
    such references are listed in `outside`."""
    cf = ComposeFile(files[0])
    cf.project_dir = _resolve(files[0].parent)
    loader = _Loader(cf, _resolve(root) if root else None, inside)
    try:
        services = loader.project([_resolve(f) for f in files], cf.project_dir)
        for name, node in services.items():
            cf.services[name] = _service(loader, name, node)
    except RecursionError:
        cf.errors.append(ComposeError(files[0], None, None, "nested too deeply to read"))
    cf.path = files[0]
    return cf


def parse_compose(path: Path, root: Path | None = None) -> ComposeFile:
    """The project a compose file describes: a directory's default file with its override, or the
    file alone."""
    default = default_files(path.parent)
    files = default if default and path.resolve() in {d.resolve() for d in default} else [path]
    return load_compose(files, root)


def walk(node: Node) -> Iterator[Node]:
    """Every value under `node`, depth first."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n.value, dict):
            stack.extend(reversed(list(n.value.values())))
        elif isinstance(n.value, list):
            stack.extend(reversed(n.value))
