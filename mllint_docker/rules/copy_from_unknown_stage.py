from mllint_docker.rules import Issue, rule


@rule("MLD114", "copy-from-unknown-stage", "warning", scope="dockerfile", hadolint=("DL3022",),
      summary="COPY --from names no earlier stage and does not look like an image reference")
def check(df, project):
    for spec in df.copies:
        ref = spec.from_image
        if ref is None or "$" in ref:
            continue
        if ":" in ref or "/" in ref or "@" in ref:
            continue  # an image reference: Docker pulls it
        later = any(s.name and s.name.lower() == ref.lower() for s in df.stages)
        yield Issue(spec.instruction.line,
                    f"`--from={ref}` names {'a stage defined later' if later else 'no stage of this Dockerfile'}: "
                    "Docker will try to pull an image of that name",
                    fix="name an earlier stage (`FROM ... AS " + ref + "`), or use a full image reference with a tag")
