from mllint_docker.rules import Issue, rule
from mllint_docker.rules._edits import fix, replace_arguments, replace_keyword

AUTHORS = "org.opencontainers.image.authors"


@rule("MLD116", "maintainer-deprecated", "info", scope="dockerfile", hadolint=("DL4000",), buildkit=("MaintainerDeprecated",),
      summary="MAINTAINER is deprecated")
def check(df, project):
    for inst in df.instructions:
        if inst.keyword == "MAINTAINER":
            yield Issue(inst.line, "MAINTAINER is deprecated",
                        fix=f'use `LABEL {AUTHORS}="..."`', edit=_label(df, inst))


def _label(df, inst):
    """`MAINTAINER Jane <j@x.org>` -> `LABEL org.opencontainers.image.authors="Jane <j@x.org>"`: the
    value quoted for LABEL, which (unlike MAINTAINER) expands variables and reads escapes."""
    value = " ".join(inst.args).strip()
    if not value:
        return None
    esc = df.escape
    quoted = "".join(esc + c if c in ('"', "$", esc) else c for c in value)
    return fix("safe", "Replace MAINTAINER with an authors LABEL", replace_keyword(df, inst, "LABEL"),
               replace_arguments(df, inst, f'{AUTHORS}="{quoted}"'))
