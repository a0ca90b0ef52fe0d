from mllint_docker.rules import Issue, rule


@rule("MLD143", "redundant-target-platform", "info", scope="dockerfile", buildkit=("RedundantTargetPlatform",),
      summary="`FROM --platform=$TARGETPLATFORM`: the default already")
def check(df, project):
    for stage in df.stages:
        for value in stage.from_instruction.flags.get("platform", []):
            if value.strip() in ("$TARGETPLATFORM", "${TARGETPLATFORM}"):
                yield Issue(stage.line, f"`--platform={value}` repeats what FROM does by default",
                            fix="drop the --platform flag")
