"""What Docker sends as a build context, file by file, and which COPY/ADD line brings each file into
the image (`mllint context`)."""

from __future__ import annotations

from pathlib import Path

from mllint_docker.finding import display_path
from mllint_docker.model.context import scan_context
from mllint_docker.model.discovery import is_dockerfile_name
from mllint_docker.model.dockerfile import parse_dockerfile


def context_listing(root: Path, dockerfile: Path | None) -> dict:
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
