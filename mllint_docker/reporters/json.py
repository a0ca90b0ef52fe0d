from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii

from mllint_docker import __version__
from mllint_docker.reporters import finding_dict, summary


def render(findings, files_checked: int, out, extra: dict | None = None, images=None, **_) -> None:
    doc = {"version": __version__, "findings": (finding_dict(f) for f in findings),
           "summary": summary(findings, files_checked)}
    if images:
        from mllint_docker.image.render import image_json

        doc["images"] = [image_json(t) for t in images]
    if extra:
        doc.update(extra)
    _write(doc, out)
    out.write("\n")


def _write(doc: dict, out) -> None:
    """`json.dumps(doc, indent=2)` (findings as a list), written finding by finding: a report of
    100,000 findings is not built as one string first."""
    head = json.dumps({"version": doc["version"], "findings": None}, indent=2)
    out.write(head[: head.rindex("null")])
    first = True
    chunk: list[str] = []  # written a few hundred findings at a time
    for f in doc["findings"]:
        chunk.append(("[\n    " if first else ",\n    ") + _indented(f, "    "))
        first = False
        if len(chunk) >= 256:
            out.write("".join(chunk))
            chunk.clear()
    out.write("".join(chunk))
    out.write("[]" if first else "\n  ]")
    rest = {k: v for k, v in doc.items() if k not in ("version", "findings")}
    out.write(",\n" + json.dumps(rest, indent=2)[2:] if rest else "\n}")


_encode = json.JSONEncoder().encode
_CONTAINERS = (dict, list, tuple)


def _scalar(value) -> str:
    """A string or number exactly as `json.dumps` writes it (strings by json's own C escaper)."""
    kind = type(value)
    if kind is str:
        return encode_basestring_ascii(value)
    if kind is int:
        return int.__repr__(value)
    return _encode(value)


def _indented(value, pad: str) -> str:
    """`json.dumps(value, indent=2)` nested at `pad`, byte for byte (tested), without the pure-Python
    encoder that `indent` selects: a report of 100,000 findings is written in a third of the time."""
    inner = pad + "  "
    sep = ",\n" + inner
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{\n" + inner + sep.join([_scalar(k) + ": " + (_indented(v, inner) if isinstance(v, _CONTAINERS) else _scalar(v))
                                          for k, v in value.items()]) + "\n" + pad + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        return "[\n" + inner + sep.join([_indented(v, inner) if isinstance(v, _CONTAINERS) else _scalar(v)
                                          for v in value]) + "\n" + pad + "]"
    return _scalar(value)
