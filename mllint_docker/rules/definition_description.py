from mllint_docker.rules import Issue, rule


@rule("MLD140", "definition-description", "info", scope="dockerfile", default=False,
      buildkit=("InvalidDefinitionDescription",),
      summary="A comment right above a named stage or an ARG does not start with its name (BuildKit's description format)")
def check(df, project):
    for inst in df.instructions:
        if inst.keyword == "FROM":
            names = [inst.args[2]] if len(inst.args) >= 3 and inst.args[1].lower() == "as" else []
        elif inst.keyword == "ARG":
            names = [a.partition("=")[0] for a in inst.args]
        else:
            continue
        if not names or not inst.comments_above:
            continue
        last = inst.comments_above[-1][1]
        if last.split(" ", 1)[0] in names:
            continue
        key = names[0] if len(names) == 1 else "<arg_key>"
        yield Issue(inst.line, f"the comment above this {inst.keyword} does not describe it in BuildKit's format "
                               f"`# {key} <description>`",
                    fix=f"start the comment with `{key} `, or separate it from the {inst.keyword} with a blank line")
