from mllint_docker.rules import Issue, rule


@rule("MLD130", "stage-name-casing", "info", scope="dockerfile", buildkit=("StageNameCasing",),
      summary="A stage name is not lower case")
def check(df, project):
    for stage in df.stages:
        if stage.name and stage.name != stage.name.lower():
            yield Issue(stage.line, f"stage name `{stage.name}` is not lower case, so it reads like an instruction "
                                    "keyword", fix=f"name the stage `{stage.name.lower()}`")
