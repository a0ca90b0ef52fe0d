from mllint_docker.model.imageref import valid_reference
from mllint_docker.rules import Issue, rule


@rule("MLD138", "invalid-default-arg-in-from", "warning", scope="dockerfile", buildkit=("InvalidDefaultArgInFrom",),
      summary="With the global ARGs' defaults, a FROM reference is empty or invalid: the build needs a --build-arg")
def check(df, project):
    for stage in df.stages:
        if "$" not in stage.base_raw or stage.base_stage is not None:
            continue
        if not valid_reference(stage.base_defaults):
            yield Issue(stage.line, f"with the ARG defaults, `{stage.base_raw}` becomes `{stage.base_defaults}`, "
                                    "which is not an image reference: the file builds only with a --build-arg",
                        fix="give the ARG a default that makes a valid reference (`ARG TAG=3.11-slim`)")
