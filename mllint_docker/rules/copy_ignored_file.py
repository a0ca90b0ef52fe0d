from mllint_docker.rules import Issue, rule


@rule("MLD139", "copy-ignored-file", "warning", scope="dockerfile", buildkit=("CopyIgnoredFile",),
      summary="COPY/ADD names a path that .dockerignore excludes: the build fails or copies nothing")
def check(df, project):
    specs = [s for s in df.copies if s.from_context and s.sources]
    if not specs:
        return
    ctx = project.context_for(df)
    if ctx is None or not ctx.ignore.patterns or any(p.startswith("!") for _, p in ctx.ignore.patterns):
        return  # BuildKit does not judge files re-included by `!` exceptions either
    for spec in specs:
        for src in spec.sources:
            if "://" in src or src.startswith("git@"):
                continue
            clean = src.strip("/").removeprefix("./") or "."
            if clean in (".", ""):
                continue
            hit = ctx.ignored_by(clean)
            if hit is None:
                parts = clean.split("/")
                hit = next((h for k in range(1, len(parts)) if (h := ctx.ignored_by("/".join(parts[:k])))), None)
            if hit is not None:
                line, pattern = hit
                yield Issue(spec.instruction.line, f"{spec.instruction.keyword} `{src}`: .dockerignore line {line} "
                                                   f"(`{pattern}`) excludes it, so the build cannot see it",
                            fix=f"remove `{pattern}` from .dockerignore (or add `!{clean}`), or stop copying `{src}`")
