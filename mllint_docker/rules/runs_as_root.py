from mllint_docker.model.imageref import ImageRef, runs_as_non_root_by_default
from mllint_docker.rules import Issue, rule

ROOT_USERS = frozenset({"root", "0", "root:root", "0:0", "root:0", "0:root"})


@rule("MLD401", "runs-as-root", "warning", scope="dockerfile", hadolint=("DL3002",),
      summary="The final stage runs as root: no USER, or its last USER is root")
def check(df, project):
    final = df.final_stage
    if final is None:
        return
    for stage in final.chain():
        users = stage.of("USER")
        if users:
            last = users[-1]
            user = (last.expanded or last.args or [""])[0].strip()
            if user in ROOT_USERS:
                yield Issue(last.line, f"the container runs as root: the last USER is `{user}`",
                            fix="create an unprivileged user and switch to it with `USER` at the end of the final stage")
            return
    root_stage = final.chain()[-1]
    if root_stage.base_unresolved:
        return  # the base is a build argument without a default: its user is unknown
    base = ImageRef.parse(root_stage.base)
    if base.is_scratch:
        return  # a scratch image has no users; the process's UID comes from the runtime
    if runs_as_non_root_by_default(base):
        return  # e.g. distroless `:nonroot`, Jupyter's images (jovyan)
    yield Issue(final.line, "the container runs as root: the final stage sets no USER",
                fix="add e.g. `RUN useradd --create-home app` and `USER app` to the final stage")
