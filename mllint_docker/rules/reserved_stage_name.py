from mllint_docker.rules import Issue, rule

RESERVED = ("context", "scratch")


@rule("MLD134", "reserved-stage-name", "error", scope="dockerfile", buildkit=("ReservedStageName",),
      summary="A stage is named `scratch` or `context`, names BuildKit reserves")
def check(df, project):
    for stage in df.stages:
        if stage.name and stage.name.lower() in RESERVED:  # BuildKit lower-cases stage names
            yield Issue(stage.line, f"`{stage.name}` is a reserved name: `FROM {stage.name}` and `COPY --from={stage.name}` "
                                    "do not mean this stage", fix=f"rename the stage, e.g. `{stage.name}-stage`")
