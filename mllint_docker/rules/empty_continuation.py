from mllint_docker.rules import Issue, rule


@rule("MLD132", "empty-continuation", "warning", scope="dockerfile", buildkit=("NoEmptyContinuation",),
      summary="A blank line inside a `\\`-continued instruction: BuildKit will reject it in a future release")
def check(df, project):
    for inst in df.instructions:
        if inst.empty_lines:
            lines = ", ".join(str(n) for n in inst.empty_lines)
            yield Issue(inst.empty_lines[0], f"blank line{'s' if len(inst.empty_lines) > 1 else ''} {lines} inside the "
                                             f"continued {inst.keyword} of line {inst.line}: Docker warns that this "
                                             "will become an error, and a reader takes the blank line for its end",
                        fix="remove the blank line, or end the instruction before it")
