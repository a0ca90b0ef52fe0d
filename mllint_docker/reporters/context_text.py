"""`mllint context` as text: one table per build context, largest files first.

To a pipe or a file, the table is written row by row as rich would lay it out (a context can hold
hundreds of thousands of files; a rich table measures and holds every cell first). A table wider
than the console is not folded into the console's width there: each file stays on one line.
Text that rich would lay out differently (non-ASCII text, a title wider than the console) and
terminals get rich itself.
"""

from __future__ import annotations

import os

from mllint_docker.inert import terminal
from mllint_docker.reporters.text import _styled
from mllint_docker.units import format_size


def render_context_text(listing: dict, out) -> None:
    """The whole listing (a dict as `context_listing` builds it) through rich."""
    from rich.console import Console

    import os

    # NO_COLOR drops bold and dim too, not only colours.
    console = Console(file=out, highlight=False, emoji=False,
                      **({"color_system": None} if os.environ.get("NO_COLOR") else {}))
    for c in listing["contexts"]:
        _rich_context(console, c["context"], c["dockerfile"], c["ignore_file"],
                      [(f["path"], f["size"], f["copied_by"]) for f in c["files"]], c["total_size"])


def _rich_context(console, context, dockerfile, ignore_file, files, total_size) -> None:
    from rich.markup import escape
    from rich.table import Table

    title = f"context {context}" + (f" for {dockerfile}" if dockerfile else "")
    console.print(f"[bold]{escape(terminal(title))}[/]  (ignore file: {escape(terminal(ignore_file or 'none'))})")
    table = Table(box=None, pad_edge=False)
    table.add_column("size", justify="right")
    table.add_column("file")
    table.add_column("copied by")
    n = 0
    for path, size, copied_by in files:
        by = ", ".join(f"line {k}" for k in copied_by) or "[dim]not copied[/]"
        table.add_row(format_size(size), escape(terminal(path)), by)
        n += 1
    console.print(table)
    console.print(f"[bold]{n} files, {format_size(total_size)} sent[/]\n")


def _console_width() -> int:
    """The width rich gives a console that writes to a file: the terminal's, COLUMNS, else 80."""
    width = None
    for fd in (0, 1, 2):
        try:
            width = os.get_terminal_size(fd).columns
            break
        except (AttributeError, ValueError, OSError):
            pass
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        width = int(columns)
    return width or 80


def _simple(text: str) -> bool:
    return text.isascii() and text.isprintable()


def write_context_text(contexts, out) -> None:
    """Streams each context (objects with `context`, `dockerfile`, `ignore_file`, `total_size`, `count`
    and `files()` yielding (path, size, copied-by lines) largest first)."""
    styled = _styled(out)
    console = None
    width = _console_width()
    for c in contexts:
        title = f"context {c.context}" + (f" for {c.dockerfile}" if c.dockerfile else "")
        head = f"{terminal(title)}  (ignore file: {terminal(c.ignore_file or 'none')})"
        tail = f"{c.count} files, {format_size(c.total_size)} sent"
        plain = not styled and _simple(head) and len(head) <= width and len(tail) <= width
        w_size, w_file, w_by = 4, 4, 9
        if plain:
            for path, size, lines in c.files():  # first pass: column widths
                path = terminal(path)
                if not _simple(path):
                    plain = False
                    break
                w_size = max(w_size, len(format_size(size)))
                w_file = max(w_file, len(path))
                w_by = max(w_by, len(", ".join(f"line {k}" for k in lines)) if lines else 10)
        if not plain:
            if console is None:
                from rich.console import Console

                console = Console(file=out, highlight=False, emoji=False)
            _rich_context(console, c.context, c.dockerfile, c.ignore_file, c.files(), c.total_size)
            continue
        write = out.write
        write(head + "\n")
        write(f"{'size':>{w_size}}  {'file':<{w_file}}  {'copied by':<{w_by}}\n")
        for path, size, lines in c.files():
            by = ", ".join(f"line {k}" for k in lines) if lines else "not copied"
            write(f"{format_size(size):>{w_size}}  {terminal(path):<{w_file}}  {by:<{w_by}}\n")
        write(tail + "\n\n")
