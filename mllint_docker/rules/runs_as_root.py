from mllint_docker.model.imageref import ImageRef, runs_as_non_root_by_default
from mllint_docker.model.installs import installs
from mllint_docker.finding import Edit
from mllint_docker.rules import Issue, rule
from mllint_docker.rules._edits import fix

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
                            fix="create an unprivileged user and switch to it with `USER` at the end of the final stage",
                            edit=_switch_user(df, final, _earlier_user(final, last)))
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
                fix="add e.g. `RUN useradd --create-home app` and `USER app` to the final stage",
                edit=_switch_user(df, final, None, base))


def _earlier_user(final, last) -> str | None:
    """`USER app` ... `USER root` (to install something): the user to switch back to."""
    for stage in final.chain():
        for inst in reversed(stage.of("USER")):
            name = (inst.args or [""])[0].strip()
            if inst is not last and inst.line < last.line and name not in ROOT_USERS:
                return name
    return None


def _switch_user(df, final, user: str | None, base: ImageRef | None = None):
    """Unsafe: adds `USER` before the final CMD/ENTRYPOINT (after the comments above it), creating
    the user first with the base image's own tool (`adduser -D` on Alpine/BusyBox, `useradd` on
    Debian, Ubuntu and RHEL) unless an earlier USER of the stage names one to switch back to."""
    stages = {s.index for s in final.chain()}
    if any(i.has("user") for i in installs(df) if i.instruction.stage in stages):
        return None  # `pip install --user` put packages under /root, which the new user cannot read
    lines = []
    if user is None:
        user = "app"
        alpine = (base is not None and "alpine" in str(base).lower()) or any(
            i.stage in stages and any(c.name == "apk" for c in i.commands) for i in df.runs_with("apk"))
        distroless = base is not None and "distroless" in str(base).lower()
        if distroless:
            return None  # no shell to create a user with
        lines.append("RUN adduser -D -u 10001 app" if alpine else "RUN useradd --create-home --uid 10001 app")
    lines.append(f"USER {user}")
    # Before the CMD/ENTRYPOINT that follow the last build step (RUN, COPY, ADD still run as before).
    steps = [i.line for i in final.instructions if i.keyword in ("RUN", "COPY", "ADD", "USER")]
    starts = [i for i in final.instructions if i.keyword in ("CMD", "ENTRYPOINT") and i.line > max(steps, default=0)]
    if starts:
        at = min(starts, key=lambda i: i.line)
        line = at.comments_above[0][0] if at.comments_above else at.line
        edit = Edit(df.path, (line, 1), (line, 1), "".join(x + "\n" for x in lines))
    else:
        last = final.instructions[-1]
        if last.end_line < len(df.lines):
            edit = Edit(df.path, (last.end_line + 1, 1), (last.end_line + 1, 1), "".join(x + "\n" for x in lines))
        else:
            end = (last.end_line, len(df.line_text(last.end_line)) + 1)
            edit = Edit(df.path, end, end, "".join("\n" + x for x in lines))
    return fix("unsafe", f"Run as `{user}`" + (" (created with the base image's tools)" if len(lines) > 1 else ""), edit)
