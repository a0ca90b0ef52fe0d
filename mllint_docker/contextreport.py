"""`mllint context`: what Docker sends, and which COPY/ADD brings each file into the image."""

from __future__ import annotations

from pathlib import Path

from mllint_docker.config import format_size
from mllint_docker.finding import display_path


def context_report(root: Path, dockerfile: Path | None) -> dict:
    from mllint_docker.context import scan_context
    from mllint_docker.dockerfile import parse_dockerfile
    from mllint_docker.project import is_dockerfile_name

    if dockerfile is not None:
        dockerfiles = [dockerfile]
    else:
        dockerfiles = sorted(p for p in root.iterdir() if p.is_file() and is_dockerfile_name(p.name))
    contexts = []
    for df_path in dockerfiles or [None]:
        ctx = scan_context(root, df_path)
        copied_by: dict[str, list[int]] = {}
        if df_path is not None:
            df = parse_dockerfile(df_path)
            for spec in df.copies:
                if not spec.from_context:
                    continue
                for src in spec.sources:
                    for entry in ctx.resolve_source(src):
                        lines = copied_by.setdefault(entry.path, [])
                        if spec.instruction.line not in lines:
                            lines.append(spec.instruction.line)
        files = sorted(ctx.entries, key=lambda e: (-e.size, e.path))
        contexts.append({
            "dockerfile": display_path(df_path) if df_path is not None else None,
            "context": display_path(root),
            "ignore_file": display_path(ctx.ignore.path) if ctx.ignore.path else None,
            "files": [{"path": e.path, "size": e.size, "copied_by": copied_by.get(e.path, [])} for e in files],
            "total_size": ctx.total_size,
        })
    return {"contexts": contexts}


def render_context_text(report: dict, out) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(file=out, highlight=False)
    for c in report["contexts"]:
        title = f"context {c['context']}" + (f" for {c['dockerfile']}" if c["dockerfile"] else "")
        console.print(f"[bold]{escape(title)}[/]  (ignore file: {escape(c['ignore_file'] or 'none')})")
        table = Table(box=None, pad_edge=False)
        table.add_column("size", justify="right")
        table.add_column("file")
        table.add_column("copied by")
        for f in c["files"]:
            by = ", ".join(f"line {n}" for n in f["copied_by"]) or "[dim]not copied[/]"
            table.add_row(format_size(f["size"]), escape(f["path"]), by)
        console.print(table)
        console.print(f"[bold]{len(c['files'])} files, {format_size(c['total_size'])} sent[/]\n")
