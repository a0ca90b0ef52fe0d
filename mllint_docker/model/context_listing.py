"""What Docker sends as a build context, file by file, and which COPY/ADD line brings each file into
the image (`mllint context`)."""

from __future__ import annotations

from pathlib import Path

from mllint_docker.finding import display_path
from mllint_docker.model.context import scan_context
from mllint_docker.model.discovery import is_dockerfile_name
from mllint_docker.model.dockerfile import parse_dockerfile


def context_listing(root: Path, dockerfile: Path | None) -> dict:
    """Nothing outside the project (the repository root, or `root` outside a repository) is opened:
    a Dockerfile or ignore file that is a symlink out of it is listed as such, not read."""
    from mllint_docker.model.project import Project, project_boundary

    boundary = Project(root=root, config=None, boundary=project_boundary([root]))
    if dockerfile is not None:
        dockerfiles = [dockerfile]  # named by the user
    else:
        dockerfiles = sorted(p for p in root.iterdir() if is_dockerfile_name(p.name) and _is_file(p)
                             and boundary.inside(p))
    contexts, notes = [], []
    for df_path in dockerfiles or [None]:
        ctx = scan_context(root, df_path, boundary=boundary.inside)
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
        if ctx.ignore.outside:
            notes.append(f"{display_path(ctx.ignore.path)} is a symlink out of the project: not read")
        notes.extend(f"{where}: {message}" for where, message in ctx.errors)
        files = sorted(ctx.entries, key=lambda e: (-e.size, e.path))
        contexts.append({
            "dockerfile": display_path(df_path) if df_path is not None else None,
            "context": display_path(root),
            "ignore_file": display_path(ctx.ignore.path) if ctx.ignore.path else None,
            "files": [{"path": e.path, "size": e.size, "copied_by": copied_by.get(e.path, [])} for e in files],
            "total_size": ctx.total_size,
        })
    out = {"contexts": contexts}
    if notes:
        out["notes"] = notes
    return out


def _is_file(p: Path) -> bool:
    try:
        return p.is_file()
    except OSError:
        return False
