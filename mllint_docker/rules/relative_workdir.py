from mllint_docker.rules import Issue, rule


@rule("MLD113", "relative-workdir", "warning", scope="dockerfile", hadolint=("DL3000",), buildkit=("WorkdirRelativePath",),
      summary="WORKDIR with a relative path: it depends on the WORKDIR of the base image")
def check(df, project):
    anchored: set[int] = set()  # stages whose WORKDIR is already absolute
    for inst in df.instructions:
        if inst.keyword != "WORKDIR" or not inst.expanded or inst.stage < 0:
            continue
        path = inst.expanded[0].strip("\"'")
        chain = {s.index for s in df.stages[inst.stage].chain()}
        if path.startswith("/") or path.startswith("$") or (len(path) > 1 and path[1] == ":"):
            anchored.add(inst.stage)
            continue
        if chain & anchored:
            continue  # relative to a WORKDIR this Dockerfile set: well defined (hadolint flags it anyway)
        yield Issue(inst.line, f"WORKDIR `{path}` is relative: where it lands depends on the base image's WORKDIR",
                    fix=f"use an absolute path, e.g. `WORKDIR /{path}`")
