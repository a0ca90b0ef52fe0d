from mllint_docker.rules import Issue, rule


@rule("MLD116", "maintainer-deprecated", "info", scope="dockerfile", hadolint=("DL4000",), buildkit=("MaintainerDeprecated",),
      summary="MAINTAINER is deprecated")
def check(df, project):
    for inst in df.instructions:
        if inst.keyword == "MAINTAINER":
            yield Issue(inst.line, "MAINTAINER is deprecated",
                        fix='use `LABEL org.opencontainers.image.authors="..."`')
