"""User text made inert for output: file names and lines come from the linted tree, which may be
hostile (a fork's pull request). A terminal or a CI log must not receive escape sequences, line
breaks that start a new log line (`::error ...::` is a GitHub workflow command), bidirectional
overrides, or bytes it cannot encode; XML must not receive characters XML 1.0 forbids.

Every such character is shown as a visible escape (`\\x1b`, `\\n`, `\\u202e`); a file name byte that
is not UTF-8 (a lone surrogate from the file system) as `\\xNN`. Ordinary text is returned unchanged.
"""

from __future__ import annotations

import re

# C0 controls but tab, DEL, C1 controls, line/paragraph separators, bidi embeddings/overrides/isolates,
# and lone surrogates (undecodable file-name bytes, or broken text).
_TERMINAL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# The same, but line breaks are kept: for formats that encode them (GitHub's `%0A`).
_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# What XML 1.0 forbids (C0 but tab/LF/CR, surrogates, U+FFFE/U+FFFF), plus what `terminal` escapes:
# an XML report printed to a CI log is a log too (a line break must not start a workflow command).
_XML = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def _escape(m: re.Match) -> str:
    c = m.group()
    n = ord(c)
    if c == "\n":
        return "\\n"
    if c == "\r":
        return "\\r"
    if 0xDC80 <= n <= 0xDCFF:  # a byte the file system gave that is not UTF-8 (surrogateescape)
        return f"\\x{n - 0xDC00:02x}"
    return f"\\x{n:02x}" if n <= 0xFF else f"\\u{n:04x}"


def terminal(text: str) -> str:
    """For a terminal or a log: one line, no control character, encodable as strict UTF-8."""
    return _TERMINAL.sub(_escape, text) if _TERMINAL.search(text) else text


def lines(text: str) -> str:
    """As `terminal`, but `\n` and `\r` are kept for a format that encodes them itself."""
    return _LINES.sub(_escape, text) if _LINES.search(text) else text


def xml(text: str) -> str:
    """For XML text and attributes: only characters XML 1.0 allows, on one line, no terminal control."""
    return _XML.sub(_escape, text) if _XML.search(text) else text
