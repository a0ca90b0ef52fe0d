from mllint_docker.model.imageref import ImageRef, runs_as_non_root_by_default
from mllint_docker.model.installs import installs
from mllint_docker.rules import Issue, rule

_TRUE = {"1", "true", "yes", "on"}
_ROOT = {"root", "0", "root:root", "0:0"}


@rule("MLD128", "pip-user-install-as-root", "warning", scope="dockerfile",
      summary="`pip install --user` runs as root, then USER switches to another user: the packages sit in /root/.local, out of reach")
def check(df, project):
    final = df.final_stage
    if final is None:
        return
    chain = list(reversed(final.chain()))  # base first
    sequence = [i for s in chain for i in s.instructions]
    users = [(i.line, i.expanded[0] if i.expanded else "") for i in sequence if i.keyword == "USER"]
    root = chain[0]
    default_root = root.base_unresolved is False and not runs_as_non_root_by_default(ImageRef.parse(root.base)) \
        and root.base_stage is None
    chain_stages = {s.index for s in chain}
    for install in installs(df):
        if install.tool != "pip" or install.instruction.stage not in chain_stages:
            continue
        user_flag = install.has("user") or install.env.get("PIP_USER", "").lower() in _TRUE
        if not user_flag or install.env.get("PYTHONUSERBASE"):
            continue
        line = install.instruction.line
        before = [u for l, u in users if l < line]
        as_root = (before[-1].lower() in _ROOT) if before else default_root
        if not as_root:
            continue
        after = [(l, u) for l, u in users if l > line]
        if not after or after[-1][1].lower() in _ROOT:
            continue
        l, user = after[-1]
        yield Issue(install.line, f"`{install.program} install --user` runs as root, so the packages go to "
                                  f"/root/.local; USER {user} on line {l} cannot read /root (mode 700) and its "
                                  "python does not look there", column=install.command.column,
                    fix=f"install without `--user` (into the system or a virtualenv on PATH), or switch to `USER {user}` "
                        "before the install")
