"""TOML: tomllib parses (it is exact and fast, but gives no positions); this light index puts lines
back on what it parsed: table headers in order, a key's line inside a table, the position of a
string inside a key's value. It never decides what the file means, tomllib does (see README, design
notes: tomlkit keeps positions too but is far slower on a large lock file)."""

from __future__ import annotations

import re

try:  # tomllib's upstream, compiled with mypyc on the common platforms: the same parser, 3x faster
    import tomli as tomllib
except ImportError:  # pragma: no cover - the pure-Python standard library copy
    import tomllib

_HEADER = re.compile(r"^[ \t]*(\[\[?)[ \t]*([^\]\n]+?)[ \t]*\]\]?[ \t]*(?:#.*)?$")
_HEADER_LINE = re.compile(r"^[ \t]*\[[^\n]*", re.M)
_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)|\(at end of document\)")


def load(text: str) -> tuple[dict | None, tuple[int | None, str] | None]:
    """(data, None) or (None, (line, message)) with the line tomllib reports."""
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as err:
        msg = str(err)
        m = _TOML_POS.search(msg)
        line = int(m.group(1)) if m and m.group(1) else (text.count("\n") + 1 if m else None)
        return None, (line, f"invalid TOML: {_TOML_POS.sub('', msg).strip()}")


def split_key(key: str) -> tuple[str, ...]:
    """`tool.poetry.group."dev".dependencies` -> ('tool', 'poetry', 'group', 'dev', 'dependencies')."""
    parts, cur, quote = [], "", None
    for ch in key:
        if quote:
            if ch == quote:
                quote = None
            else:
                cur += ch
        elif ch in "\"'":
            quote = ch
        elif ch == ".":
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return tuple(parts)


class TomlLines:
    def __init__(self, text: str):
        self.lines = text.split("\n")  # TOML's newlines only: `str.splitlines` also breaks at U+2028 inside strings
        # (line, is_array_table, key parts) for every header, in order: the regex engine finds the
        # lines that start with `[`, and newlines are counted between them in C.
        self.headers: list[tuple[int, bool, tuple[str, ...]]] = []
        keys: dict[str, tuple[str, ...]] = {}
        line, last = 1, 0
        for m in _HEADER_LINE.finditer(text):
            line += text.count("\n", last, m.start())
            last = m.start()
            h = _HEADER.match(m.group(0))
            if h:
                raw = h.group(2)
                key = keys.get(raw)
                if key is None:
                    key = keys[raw] = split_key(raw)
                self.headers.append((line, h.group(1) == "[[", key))

    def table(self, key: tuple[str, ...], occurrence: int = 0) -> tuple[int, int] | None:
        """Lines (first, last) of the `occurrence`-th `[key]`/`[[key]]` header's body; (1, end of
        the first header) for the root table (key ())."""
        if not key:
            return 1, (self.headers[0][0] - 1 if self.headers else len(self.lines))
        n = 0
        for i, (line, _array, k) in enumerate(self.headers):
            if k == key:
                if n == occurrence:
                    end = self.headers[i + 1][0] - 1 if i + 1 < len(self.headers) else len(self.lines)
                    return line, end
                n += 1
        return None

    def key_line(self, span: tuple[int, int] | None, key: str, default: int = 1) -> int:
        """The line where `key =` (or a dotted `key.x =`) is written inside the span."""
        if span is None:
            return default
        pat = re.compile(r"^[ \t]*[\"']?" + re.escape(key) + r"[\"']?[ \t]*[=.]")
        for n in range(span[0], min(span[1], len(self.lines)) + 1):
            if pat.match(self.lines[n - 1]):
                return n
        return default

    def locate(self, literal: str, start: int, end: int) -> tuple[int, int] | None:
        """(line, column) of the string `literal` written in quotes between lines start..end."""
        for n in range(max(start, 1), min(end, len(self.lines)) + 1):
            text = self.lines[n - 1]
            for q in ('"', "'"):
                col = text.find(q + literal + q)
                if col >= 0:
                    return n, col + 2
        return None

    def find_key(self, key: tuple[str, ...], name: str) -> int:
        """The line of `name = ...` in table `key`, or of the table's header, or 1."""
        span = self.table(key)
        if span is None:
            # A dotted key in a parent table (`[tool.poetry]` then `dependencies.x = ...`) or an inline table.
            for cut in range(len(key) - 1, -1, -1):
                span = self.table(key[:cut])
                if span is not None:
                    break
            if span is None:
                return 1
        return self.key_line(span, name, span[0])
