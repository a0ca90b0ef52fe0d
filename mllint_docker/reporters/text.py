"""Human output: grouped by file, the offending source line under each finding, a summary."""

from __future__ import annotations

import linecache
import os
from itertools import groupby

from mllint_docker.finding import display_path
from mllint_docker.inert import terminal
from mllint_docker.reporters import applied_with, fixable_counts

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


# What rich drops from any text it prints (bell, backspace, vertical tab, form feed, carriage return);
# `terminal` has already made them visible escapes, this keeps the two writers equal whatever comes.
_STRIP = {7: None, 8: None, 11: None, 12: None, 13: None}


def _styled(out) -> bool:
    """Whether rich would style this output (it decides so the same way): a terminal, or forced."""
    tty_compatible = os.environ.get("TTY_COMPATIBLE", "")
    if tty_compatible in ("0", "1"):
        return tty_compatible == "1"
    if "FORCE_COLOR" in os.environ:
        return os.environ["FORCE_COLOR"] != ""
    try:
        return bool(out.isatty())
    except (AttributeError, ValueError):
        return False


def render_quiet(findings, out) -> None:
    """`-q`: one line per finding, `path:line:col: severity CODE message`, for editors' problem
    matchers; a finding about a whole file is on line 1, column 1."""
    for f in findings:
        message = terminal(" ".join(f.message.splitlines()))
        out.write(f"{terminal(display_path(f.file))}:{f.line or 1}:{f.column or 1}: {f.severity} {f.code} {message}\n")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def render_plain(findings, files_checked: int, out, quiet: bool = False, unsafe_fixes: bool = False) -> None:
    """The same bytes as rich writes to a file or a pipe, without loading rich (a third of the start-up
    time of a one-file check)."""
    if quiet:
        render_quiet(findings, out)
        return
    lines: list[str] = []
    for path, group in groupby(findings, key=lambda f: terminal(display_path(f.file))):
        lines.append(path)
        for f in group:
            where = f"{f.line}" + (f":{f.column}" if f.column else "") if f.line else "-"
            mark = " [*]" if applied_with(f, unsafe_fixes) else ""
            lines.append(f"  {where:>7}  {f.severity:<7} {f.code}{mark} {f.name}  {terminal(f.message)}")
            if f.line:
                src = linecache.getline(str(f.file), f.line).rstrip("\r\n")
                if src.strip():
                    lines.append("           │ " + terminal(src.strip()[:160]))
            if f.fix:
                first, *rest = f.fix.split("\n")
                lines.append(f"           └ fix: {terminal(first)}")
                lines.extend("                  " + terminal(line) for line in rest)
        lines.append("")
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    if findings:
        parts = ", ".join(_plural(n, s) for s, n in counts.items() if n)
        lines.append(f"Found {_plural(len(findings), 'finding')} ({parts}) in {_plural(files_checked, 'file')} checked.")
    elif files_checked == 0:
        lines.append("Nothing to lint: 0 files checked.")
    else:
        lines.append(f"All clear: {_plural(files_checked, 'file')} checked, no findings.")
    fixable, more = fixable_counts(findings, unsafe_fixes)
    if fixable or more:
        lines.append(f"[*] {fixable} fixable with --fix" + (f" ({more} more with --unsafe-fixes)" if more else ""))
    rich_line = None
    for line in lines:
        line = line.translate(_STRIP)
        if "\t" in line:
            if not line.isascii():  # tab stops counted in terminal cells: leave that to rich
                if rich_line is None:
                    from rich.console import Console
                    from rich.text import Text

                    console = Console(file=out, highlight=False, soft_wrap=True, emoji=False)
                    rich_line = lambda text: console.print(Text(text))  # noqa: E731
                rich_line(line)
                continue
            line = "\n".join(part.expandtabs(8) for part in line.split("\n"))
        out.write(line + "\n")


def render(findings, files_checked: int, out, quiet: bool = False, images=None, unsafe_fixes: bool = False,
           color: bool = True, **_) -> None:
    # Without colour (--no-color, NO_COLOR) there is no bold or dim either: the plain writer.
    if not images and (not color or not _styled(out)):
        render_plain(findings, files_checked, out, quiet, unsafe_fixes)
    else:
        render_rich(findings, files_checked, out, quiet, images, unsafe_fixes, color)


def render_rich(findings, files_checked: int, out, quiet: bool = False, images=None, unsafe_fixes: bool = False,
                color: bool = True) -> None:
    if quiet:
        render_quiet(findings, out)
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.text import Text

    # No markup or emoji codes from user text (`:100:`, `root:x:0:0`); control characters escaped.
    # Without colour (--no-color, NO_COLOR) there is no bold or dim either: no escape codes at all.
    console = Console(file=out, highlight=False, soft_wrap=True, emoji=False, **({} if color else {"color_system": None}))
    if images:
        from mllint_docker.image.render import render_image_text

        for t in images:
            render_image_text(t, out)
    for path, group in groupby(findings, key=lambda f: terminal(display_path(f.file))):
        group = list(group)
        console.print(f"[bold underline]{escape(path)}[/]")
        for f in group:
            where = f"{f.line}" + (f":{f.column}" if f.column else "") if f.line else "-"
            mark = " [*]" if applied_with(f, unsafe_fixes) else ""
            console.print(f"  [dim]{where:>7}[/]  [{_STYLE[f.severity]}]{f.severity:<7}[/] "
                          f"[bold]{f.code}[/]{escape(mark)} [dim]{f.name}[/]  {escape(terminal(f.message))}")
            if f.line:
                src = linecache.getline(str(f.file), f.line).rstrip("\r\n")
                if src.strip():
                    # A Text object, not markup: a trailing `\` would otherwise print doubled.
                    console.print(Text.assemble(("           │ ", "dim"), terminal(src.strip()[:160])))
            if f.fix:
                # A hint of several lines (a Dockerfile snippet) stays under the finding, indented;
                # each line is made inert on its own.
                first, *rest = f.fix.split("\n")
                console.print(f"           [dim]└ fix:[/] {escape(terminal(first))}")
                for line in rest:
                    console.print(Text.assemble("                  ", terminal(line)))
        console.print()
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    if findings:
        parts = ", ".join(f"[{_STYLE[s]}]{n} {s}{'s' if n != 1 else ''}[/]" for s, n in counts.items() if n)
        console.print(f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''} ({parts}) in {files_checked} file{'s' if files_checked != 1 else ''} checked.")
    elif files_checked == 0:
        console.print("[yellow]Nothing to lint:[/] 0 files checked.")
    else:
        console.print(f"[green]All clear:[/] {files_checked} file{'s' if files_checked != 1 else ''} checked, no findings.")
    fixable, more = fixable_counts(findings, unsafe_fixes)
    if fixable or more:
        hidden = f" ({more} more with --unsafe-fixes)" if more else ""
        console.print(escape(f"[*] {fixable} fixable with --fix{hidden}"))
