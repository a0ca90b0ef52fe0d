"""GitHub Actions workflow commands: annotations on the pull request's lines."""

from __future__ import annotations

from mllint_docker.finding import display_path
from mllint_docker.inert import lines, terminal

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(findings, files_checked: int, out, **_) -> None:
    for f in findings:
        props = [f"file={_prop(terminal(display_path(f.file)))}"]
        if f.line:
            props.append(f"line={f.line}")
        if f.column:
            props.append(f"col={f.column}")
        props.append(f"title={_prop(f'{f.code} {f.name}')}")
        message = lines(f.message) + (f"\nFix: {lines(f.fix)}" if f.fix else "")
        out.write(f"::{COMMANDS[f.severity]} {','.join(props)}::{_data(message)}\n")
