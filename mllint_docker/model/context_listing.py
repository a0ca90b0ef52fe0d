"""What Docker sends as a build context, file by file, and which COPY/ADD line brings each file into
the image (`mllint context`).

A context can hold hundreds of thousands of files: each is kept once (the scan's entry), the files a
COPY brings in are recorded per source (a `COPY .` brings everything and records nothing), and the
listing is produced file by file for the writer to print as it goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from mllint_docker.finding import display_path
from mllint_docker.model.context import BuildContext, scan_context
from mllint_docker.model.discovery import is_dockerfile_name
from mllint_docker.model.dockerfile import parse_dockerfile


@dataclass
class ContextListing:
    dockerfile: str | None
    context: str
    ignore_file: str | None
    total_size: int
    count: int
    _ctx: BuildContext
    # (COPY/ADD line, the paths its sources bring in, or None for all of them)
    _copies: list[tuple[int, frozenset[str] | None]]
    # What could not be read or followed (an ignore file out of the project, unreadable directories)
    notes: list[str] = field(default_factory=list)

    def files(self) -> Iterator[tuple[str, int, list[int]]]:
        """(path, size, lines of the COPY/ADD that bring it in), largest first."""
        copies = self._copies
        for e in sorted(self._ctx.entries, key=_largest_first):
            lines: list[int] = []
            for line, paths in copies:
                if (paths is None or e.path in paths) and line not in lines:
                    lines.append(line)
            yield e.path, e.size, lines


def _largest_first(e) -> tuple[int, str]:
    return -e.size, e.path


def iter_contexts(root: Path, dockerfile: Path | None) -> Iterator[ContextListing]:
    """Nothing outside the project (the repository root, or `root` outside a repository) is opened:
    a Dockerfile or ignore file that is a symlink out of it is listed as such, not read."""
    from mllint_docker.model.project import Project, project_boundary

    boundary = Project(root=root, config=None, boundary=project_boundary([root]))
    if dockerfile is not None:
        dockerfiles = [dockerfile]  # named by the user
    else:
        dockerfiles = sorted(p for p in root.iterdir() if is_dockerfile_name(p.name) and _is_file(p)
                             and boundary.inside(p))
    for df_path in dockerfiles or [None]:
        ctx = scan_context(root, df_path, boundary=boundary.inside)
        copies: list[tuple[int, frozenset[str] | None]] = []
        if df_path is not None:
            df = parse_dockerfile(df_path)
            for spec in df.copies:
                if not spec.from_context:
                    continue
                for src in spec.sources:
                    brought = ctx.resolve_source(src)  # distinct entries
                    everything = len(brought) == len(ctx.entries)
                    copies.append((spec.instruction.line, None if everything else frozenset(e.path for e in brought)))
                    del brought
        notes = []
        if ctx.ignore.outside:
            notes.append(f"{display_path(ctx.ignore.path)} is a symlink out of the project: not read")
        notes.extend(f"{where}: {message}" for where, message in ctx.errors)
        yield ContextListing(
            dockerfile=display_path(df_path) if df_path is not None else None,
            context=display_path(root),
            ignore_file=display_path(ctx.ignore.path) if ctx.ignore.path else None,
            total_size=ctx.total_size,
            count=len(ctx.entries),
            _ctx=ctx,
            _copies=copies,
            notes=notes,
        )


def context_listing(root: Path, dockerfile: Path | None) -> dict:
    """The whole listing as one JSON-ready dict (what `mllint context --format json` prints)."""
    contexts, notes = [], []
    for c in iter_contexts(root, dockerfile):
        notes.extend(c.notes)
        contexts.append({
            "dockerfile": c.dockerfile,
            "context": c.context,
            "ignore_file": c.ignore_file,
            "files": [{"path": p, "size": s, "copied_by": lines} for p, s, lines in c.files()],
            "total_size": c.total_size,
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
