"""Human output: grouped by file, the offending source line under each finding, a summary."""

from __future__ import annotations

import linecache
from itertools import groupby

from mllint_docker.finding import display_path
from mllint_docker.inert import terminal

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def render(findings, files_checked: int, out, quiet: bool = False, images=None, **_) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.text import Text

    # No markup or emoji codes from user text (`:100:`, `root:x:0:0`); control characters escaped.
    console = Console(file=out, highlight=False, soft_wrap=True, emoji=False)
    if images and not quiet:
        from mllint_docker.image.render import render_image_text

        for t in images:
            render_image_text(t, out)
    for path, group in groupby(findings, key=lambda f: terminal(display_path(f.file))):
        group = list(group)
        if not quiet:
            console.print(f"[bold underline]{escape(path)}[/]")
        for f in group:
            where = f"{f.line}" + (f":{f.column}" if f.column else "") if f.line else "-"
            if quiet:
                console.print(f"{escape(path)}:{where}: {f.code} {escape(terminal(f.message))}")
                continue
            console.print(f"  [dim]{where:>7}[/]  [{_STYLE[f.severity]}]{f.severity:<7}[/] "
                          f"[bold]{f.code}[/] [dim]{f.name}[/]  {escape(terminal(f.message))}")
            if f.line:
                src = linecache.getline(str(f.file), f.line).rstrip("\r\n")
                if src.strip():
                    # A Text object, not markup: a trailing `\` would otherwise print doubled.
                    console.print(Text.assemble(("           │ ", "dim"), terminal(src.strip()[:160])))
            if f.fix:
                console.print(f"           [dim]└ fix:[/] {escape(terminal(f.fix))}")
        if not quiet:
            console.print()
    if quiet:
        return
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    if findings:
        parts = ", ".join(f"[{_STYLE[s]}]{n} {s}{'s' if n != 1 else ''}[/]" for s, n in counts.items() if n)
        console.print(f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''} ({parts}) in {files_checked} file{'s' if files_checked != 1 else ''} checked.")
    else:
        console.print(f"[green]All clear:[/] {files_checked} file{'s' if files_checked != 1 else ''} checked, no findings.")
