"""Byte sizes in configuration and messages: `"1MB"` in, `1.0 MB` out. Shared by the engine, the
rules and the reporters, so it depends on nothing of theirs."""

from __future__ import annotations

import re
from typing import Any

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?i?B?)?\s*$", re.I)
_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
          "t": 10**12, "tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
          "ki": 2**10, "mi": 2**20, "gi": 2**30, "ti": 2**40}


MAX_SIZE = 2**63 - 1  # what a file system can hold; a larger "size" is a mistake


def parse_size(value: Any) -> int:
    """`"1MB"` -> 1_000_000, `"2GiB"` -> 2**31; a bare number is bytes. Negative, infinite, NaN and
    absurdly large sizes are refused (ValueError), never turned into a crash or a silent nonsense."""
    if isinstance(value, bool):
        raise ValueError("expected a size such as 500MB")
    if isinstance(value, (int, float)):
        number, factor = value, 1
    else:
        m = _SIZE.match(str(value)[:100])
        if not m:
            raise ValueError(f"expected a size such as 500MB or 2GiB, got {str(value)[:60]!r}")
        number, factor = float(m.group(1)), _UNITS[(m.group(2) or "").lower()]
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"expected a finite size such as 500MB, got {value!r}")
    if number < 0:
        raise ValueError(f"expected a size of 0 or more, got {value!r}")
    size = int(number * factor) if isinstance(number, float) else number * factor
    if size > MAX_SIZE:
        raise ValueError(f"size too large (at most {MAX_SIZE} bytes), got {str(value)[:60]!r}")
    return size


def format_size(n: int) -> str:
    for unit, factor in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}"
    return f"{n} B"
