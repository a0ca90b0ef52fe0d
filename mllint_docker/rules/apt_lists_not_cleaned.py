from mllint_docker.rules import Issue, rule
from mllint_docker.model.installs import apt_installs, apt_program, cache_mounted, removes_apt_lists


@rule("MLD105", "apt-lists-not-cleaned", "warning", scope="dockerfile", hadolint=("DL3009",),
      summary="apt-get install without removing /var/lib/apt/lists in the same RUN")
def check(df, project):
    final = df.final_stage
    chain = {s.index for s in final.chain()} if final else set()
    for inst in df.instructions:
        if inst.keyword != "RUN" or inst.stage not in chain:
            continue  # only layers that end up in the final image matter
        installs = apt_installs(inst.commands)
        if installs and not removes_apt_lists(inst.commands) and not cache_mounted(inst, "/var/lib/apt"):
            yield Issue(installs[0].line, f"`{apt_program(installs[0])} install` leaves the package lists in this layer "
                                          "(tens of MB): nothing removes /var/lib/apt/lists in the same RUN",
                        fix="end the RUN with `&& rm -rf /var/lib/apt/lists/*`, or mount a cache at /var/lib/apt")
