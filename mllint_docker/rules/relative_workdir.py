from mllint_docker.finding import Edit
from mllint_docker.rules import Issue, rule
from mllint_docker.rules._edits import argument_start, fix


@rule("MLD113", "relative-workdir", "warning", scope="dockerfile", hadolint=("DL3000",), buildkit=("WorkdirRelativePath",),
      summary="WORKDIR with a relative path: it depends on the WORKDIR of the base image")
def check(df, project):
    anchored: set[int] = set()  # stages whose WORKDIR is already set: absolute, or relative and flagged once
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
        anchored.add(inst.stage)  # fixing this one anchors the ones after it (BuildKit flags only the first too)
        yield Issue(inst.line, f"WORKDIR `{path}` is relative: where it lands depends on the base image's WORKDIR",
                    fix=f"use an absolute path, e.g. `WORKDIR /{path}`", edit=_absolute(df, inst))


def _absolute(df, inst):
    """`WORKDIR app` -> `WORKDIR /app` (`./app` too): unsafe, the base image's WORKDIR may not be /."""
    at = argument_start(df, inst)
    if at is None or inst.end_line != inst.line or not inst.args:
        return None
    line = df.line_text(inst.line)
    written = inst.args[0]
    if not line[at[1] - 1:].startswith(written):
        return None
    col = at[1] + (1 if written[:1] in "\"'" else 0)
    rest = written[1:] if written[:1] in "\"'" else written
    end = col + (2 if rest.startswith("./") else 1 if rest == "." else 0)
    return fix("unsafe", "Make the WORKDIR absolute", Edit(df.path, (inst.line, col), (inst.line, end), "/"))
