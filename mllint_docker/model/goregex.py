"""Docker 26's reading of `.dockerignore` escapes. moby's patternmatcher turns a pattern into a Go
regular expression and copies `\\x` escapes into it as they are, so Go's regexp syntax shows through:
`\\d` is a digit, `\\a` the BEL character, `[[:alpha:]]` a letter, `\\Q...\\E` a literal, and an escape
Go does not know (`\\e`, `\\1`) makes the build fail. Patterns without such escapes never come here.

`translate` turns the Go expression moby builds into an equivalent Python one (ASCII classes, as in
RE2), or raises ValueError where Docker's build fails."""

from __future__ import annotations

import re

_POSIX = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ", "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~", "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\x0b\\f\\r ", "upper": "A-Z", "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
}
_PERL = {"d": "0-9", "w": "0-9A-Za-z_", "s": "\\t\\n\\f\\r "}
_CONTROL = {"a": "\\x07", "f": "\\x0c", "t": "\\t", "n": "\\n", "r": "\\r", "v": "\\x0b"}
_UNICODE = {"L": "[^\\W\\d_]", "N": "\\d", "Nd": "\\d", "Lu": "[A-Z]", "Ll": "[a-z]"}  # what Python can say
_BAD = "syntax error in pattern"


def needs_go(pattern: str) -> bool:
    """Whether the pattern uses Go regexp syntax that the plain translation would read differently."""
    return bool(re.search(r"\\[0-9A-Za-z]|\[:", pattern))


def moby_regex(pattern: str) -> str:
    """The Go regular expression moby's patternmatcher builds for a cleaned pattern."""
    out, i, n = ["^"], 0, len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c == "*":
            if i < n and pattern[i] == "*":
                i += 1
                if i < n and pattern[i] == "/":
                    i += 1
                out.append(".*" if i >= n else "(.*/)?")
            else:
                out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c in ".+()|{}$":
            out.append("\\" + c)
        elif c == "\\":
            if i < n:
                out.append("\\" + pattern[i])
                i += 1
            else:
                out.append("\\")
        else:
            out.append(c)
    return "".join(out) + "$"


def _escape(go: str, i: int, in_class: bool) -> tuple[str, int]:
    """One Go escape at go[i] == '\\'; returns (Python text, next index)."""
    if i + 1 >= len(go):
        raise ValueError(_BAD)
    c = go[i + 1]
    j = i + 2
    if c in _PERL or c.lower() in _PERL:
        body = _PERL[c.lower()]
        if in_class:
            if c.isupper():
                raise ValueError("negated class inside brackets")  # not expressible simply; rare
            return body, j
        return ("[^" if c.isupper() else "[") + body + "]", j
    if c in _CONTROL:
        return _CONTROL[c], j
    if c in "01234567":
        m = re.match(r"[0-7]{1,3}", go[i + 1:])
        digits = m.group()
        if c != "0" and len(digits) < 2:
            raise ValueError(_BAD)  # `\1`: a backreference, which Go does not have
        return re.escape(chr(int(digits, 8))), i + 1 + len(digits)
    if c == "x":
        m = re.match(r"\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{2})", go[j:])
        if not m:
            raise ValueError(_BAD)
        return re.escape(chr(int(m.group(1) or m.group(2), 16))), j + m.end()
    if c in "pP" and not in_class:
        m = re.match(r"\{(\^?)(\w+)\}|(\w)", go[j:])
        if not m:
            raise ValueError(_BAD)
        name = m.group(2) or m.group(3)
        negate = (c == "P") != bool(m.group(1))
        if name not in _UNICODE or negate:
            raise ValueError(f"unsupported class \\{c}{name}")
        return _UNICODE[name], j + m.end()
    if c in "bBAz" and not in_class:
        return {"b": "(?a:\\b)", "B": "(?a:\\B)", "A": "\\A", "z": "\\Z"}[c], j
    if c == "Q" and not in_class:
        end = go.find("\\E", j)
        lit = go[j:] if end < 0 else go[j:end]
        return re.escape(lit[:-1] if end < 0 and lit.endswith("$") else lit) + ("$" if end < 0 else ""), \
            (len(go) if end < 0 else end + 2)
    if c.isalnum():
        raise ValueError(_BAD)  # Go rejects escapes it does not know
    return re.escape(c), j


def translate(go: str) -> str:
    """Go regexp (as moby builds it) -> Python regexp; ValueError where Go's compile fails."""
    out, i, n = [], 0, len(go)
    while i < n:
        c = go[i]
        if c == "\\":
            text, i = _escape(go, i, False)
            out.append(text)
        elif c == "[":
            j = i + 1
            parts = ["["]
            if j < n and go[j] == "^":
                parts.append("^")
                j += 1
            first = True
            while True:
                if j >= n:
                    raise ValueError("missing closing ]")
                ch = go[j]
                if ch == "]" and not first:
                    j += 1
                    break
                if go.startswith("[:", j):
                    end = go.find(":]", j + 2)
                    name = go[j + 2:end] if end > 0 else ""
                    if name not in _POSIX:
                        if name.startswith("^") and name[1:] in _POSIX:
                            raise ValueError("unsupported negated POSIX class")
                        parts.append("\\[")
                        j += 1
                    else:
                        parts.append(_POSIX[name])
                        j = end + 2
                elif ch == "\\":
                    text, j = _escape(go, j, True)
                    parts.append(text)
                elif ch == "-" and not first and j + 1 < n and go[j + 1] != "]":
                    parts.append("-")
                    j += 1
                else:
                    parts.append(re.escape(ch) if ch in "[]&~|-^\\" else ch)
                    j += 1
                first = False
            parts.append("]")
            out.append("".join(parts))
            i = j
        else:
            out.append(c)
            i += 1
    py = "".join(out)
    if py.endswith("$"):
        py = py[:-1] + "\\Z"
    try:
        re.compile(py)
    except re.error as err:
        raise ValueError(f"{_BAD}: {err}") from None
    return py
