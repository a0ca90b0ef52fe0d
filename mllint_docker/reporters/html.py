"""One self-contained HTML page: findings with their source lines and, for built or analysed
images, where the bytes go, line by line. Inline CSS and SVG, no script, nothing fetched.

Rendered with Jinja2 with autoescaping on: file names, Dockerfile lines and messages are user input.
Every value also passes `_inert`, which shows control characters as escapes (`\\x1b`) and replaces
undecodable bytes, so no input can inject markup, script or terminal sequences.
"""

from __future__ import annotations

import re
from itertools import groupby

from mllint_docker import __version__
from mllint_docker.finding import display_path
from mllint_docker.inert import terminal
from mllint_docker.units import format_size

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def _inert(value):
    if isinstance(value, str):
        return _CONTROL.sub(_escape_char, value)
    return value


def _escape_char(m: re.Match) -> str:
    c = ord(m.group())
    if 0xD800 <= c <= 0xDFFF:
        return "\ufffd"
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def _environment():
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("mllint_docker.reporters", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      finalize=_inert, trim_blocks=True, lstrip_blocks=True)
    env.filters["size"] = lambda n: format_size(int(n or 0))
    env.filters["percent"] = lambda x: f"{x:.1%}"
    return env


def _source_lines(path, limit: int = 4 << 20) -> list[str]:
    """The file's lines as the user wrote them (read here: a report is one run over a few files)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit)
    except OSError:
        return []
    return data.decode("utf-8", "replace").splitlines()


def _edit_dict(f) -> dict | None:
    fix = getattr(f, "edit", None)
    if fix is None:
        return None
    return {"applicability": fix.applicability, "message": fix.message,
            "edits": [{"file": display_path(e.file), "start": e.start, "end": e.end, "content": e.content}
                      for e in fix.edits]}


def _finding(f) -> dict:
    return {"code": f.code, "name": f.name, "severity": f.severity, "line": f.line, "column": f.column,
            "message": f.message, "hint": f.fix, "fix": _edit_dict(f)}


def _image_view(t, findings) -> dict:
    from mllint_docker.image.render import KIND_LABELS, KINDS, image_json

    data = image_json(t)
    biggest = max((layer["size"] for layer in data["layers"]), default=0) or 1
    for layer in data["layers"]:
        x = 0.0
        width = 1000 * layer["size"] / biggest
        segments = []
        for kind, size in layer["kinds"].items():
            w = width * size / layer["size"] if layer["size"] else 0
            segments.append({"kind": kind, "label": KIND_LABELS[kind], "size": size, "x": round(x, 2),
                             "width": round(max(w, 0.5), 2)})
            x += w
        layer["segments"] = segments
        layer["bar_width"] = round(max(width, 1), 2)
        layer["share"] = layer["size"] / data["size"] if data["size"] else 0.0
        layer["label"] = f"line {layer['line']}" if layer["line"] else "base image" if t.dockerfile else "layer"
    totals = {k: 0 for k in KINDS}
    for layer in data["layers"]:
        for kind, size in layer["kinds"].items():
            totals[kind] += size
    data["kinds"] = [{"kind": k, "label": KIND_LABELS[k], "size": totals[k]} for k in KINDS if totals[k]]
    top_dist = max((d["size"] for d in data["distributions"]), default=0) or 1
    for d in data["distributions"]:
        d["bar"] = round(300 * d["size"] / top_dist, 2)
    source = []
    if t.dockerfile is not None:
        path = t.dockerfile.path
        mine = [f for f in findings if display_path(f.file) == display_path(path)]
        by_line = {}
        for f in mine:
            by_line.setdefault(f.line or 1, []).append(_finding(f))
        top_line = max(data["lines"].values(), default=0) or 1
        for n, text in enumerate(_source_lines(path), start=1):
            size = data["lines"].get(str(n))
            source.append({"n": n, "text": text, "size": size, "bar": round(60 * size / top_line, 2) if size else 0,
                           "findings": by_line.get(n, [])})
    data["source"] = source
    return data


def render(findings, files_checked: int, out, images=None, **_) -> None:
    findings = list(findings)
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    files = []
    for path, group in groupby(findings, key=lambda f: display_path(f.file)):
        group = list(group)
        # Only files with located findings are read: a finding on a symlink out of the project has no line.
        lines = _source_lines(group[0].file) if any(f.line for f in group) else []
        items = []
        for f in group:
            d = _finding(f)
            d["source"] = lines[f.line - 1] if f.line and 0 < f.line <= len(lines) else None
            items.append(d)
        files.append({"path": terminal(path), "findings": items})  # one line: no `::` command at a line start
    views = [_image_view(t, findings) for t in images or []]
    page = _environment().get_template("report.html.j2").render(
        version=__version__, files=files, files_checked=files_checked, counts=counts, total=len(findings),
        images=views)
    # A report printed to a CI log is a log: no line may start a workflow command (`::error ...::`),
    # whatever a file name, message or source line holds. `&#58;` is the same `:` to a browser.
    out.write(re.sub(r"(?m)^(\s*)::", r"\1&#58;:", page) if "::" in page else page)
