from mllint_docker.rules import Issue, rule


@rule("MLD115", "duplicate-stage-name", "error", scope="dockerfile", hadolint=("DL3024",), buildkit=("DuplicateStageName",),
      summary="Two stages have the same name")
def check(df, project):
    seen: dict[str, int] = {}
    for stage in df.stages:
        if not stage.name:
            continue
        key = stage.name.lower()
        if key in seen:
            yield Issue(stage.line, f"stage name `{stage.name}` is already used on line {seen[key]}",
                        fix="give every stage a unique name")
        else:
            seen[key] = stage.line
