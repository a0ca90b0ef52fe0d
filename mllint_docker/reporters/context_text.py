"""`mllint context` as text: one table per build context, largest files first."""

from __future__ import annotations

from mllint_docker.inert import terminal
from mllint_docker.units import format_size


def render_context_text(listing: dict, out) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(file=out, highlight=False, emoji=False)
    for c in listing["contexts"]:
        title = f"context {c['context']}" + (f" for {c['dockerfile']}" if c["dockerfile"] else "")
        console.print(f"[bold]{escape(terminal(title))}[/]  (ignore file: {escape(terminal(c['ignore_file'] or 'none'))})")
        table = Table(box=None, pad_edge=False)
        table.add_column("size", justify="right")
        table.add_column("file")
        table.add_column("copied by")
        for f in c["files"]:
            by = ", ".join(f"line {n}" for n in f["copied_by"]) or "[dim]not copied[/]"
            table.add_row(format_size(f["size"]), escape(terminal(f["path"])), by)
        console.print(table)
        console.print(f"[bold]{len(c['files'])} files, {format_size(c['total_size'])} sent[/]\n")
