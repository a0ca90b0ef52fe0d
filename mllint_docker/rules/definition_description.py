import re

from mllint_docker.rules import Issue, rule

# Parser directives (`# syntax=...`, `# escape=`, `# check=`) are not comments to BuildKit.
_DIRECTIVE = re.compile(r"^(syntax|escape|check)\s*=", re.I)


@rule("MLD140", "definition-description", "info", scope="dockerfile", default=False,
      buildkit=("InvalidDefinitionDescription",),
      summary="A comment above a named stage or an ARG does not start with its name (BuildKit's description format)")
def check(df, project):
    previous_end = 0
    for inst in df.instructions:
        comments = _description(df.comments, previous_end, inst.line)
        previous_end = inst.end_line
        if inst.keyword == "FROM":
            names = [inst.args[2]] if len(inst.args) >= 3 and inst.args[1].lower() == "as" else []
        elif inst.keyword == "ARG":
            names = [a.partition("=")[0] for a in inst.args]
        else:
            continue
        if not names or not comments:
            continue
        if comments[-1].split(" ", 1)[0] in names:
            continue
        key = names[0] if len(names) == 1 else "<arg_key>"
        yield Issue(inst.line, f"the comment above this {inst.keyword} does not describe it in BuildKit's format "
                               f"`# {key} <description>`",
                    fix=f"start the comment with `{key} `, or end it with an empty `#` line")


def _description(comments, after: int, before: int) -> list[str]:
    """The comments BuildKit hands an instruction as its description: those since the previous
    instruction (blank lines do not end them), restarted by an empty `#` line, directives left out."""
    out: list[str] = []
    for line, text in comments:
        if after < line < before:
            if not text:
                out = []
            elif not _DIRECTIVE.match(text):
                out.append(text)
    return out
