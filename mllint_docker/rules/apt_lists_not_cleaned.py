from mllint_docker.rules import Issue, rule
from mllint_docker.model.installs import apt_installs, apt_program, apt_updates, cache_mounted, removes_apt_lists


@rule("MLD105", "apt-lists-not-cleaned", "warning", scope="dockerfile", hadolint=("DL3009",),
      summary="apt-get update (and install) without removing /var/lib/apt/lists in the same RUN")
def check(df, project):
    final = df.final_stage
    chain = {s.index for s in final.chain()} if final else set()
    for inst in df.instructions:
        if inst.keyword != "RUN" or inst.stage not in chain:
            continue  # only layers that end up in the final image matter
        installs = apt_installs(inst.commands)
        updates = apt_updates(inst.commands)
        # The lists land in the layer of the RUN that downloads them (`apt-get update`); an install
        # in a later RUN adds none, and a RUN that updates without installing keeps them too.
        if not updates or removes_apt_lists(inst.commands) or cache_mounted(inst, "/var/lib/apt"):
            continue
        at = installs[0] if installs else updates[0]
        verb = "install" if installs else "update"
        yield Issue(at.line, f"`{apt_program(at)} {verb}` leaves the package lists in this layer "
                             "(tens of MB): nothing removes /var/lib/apt/lists in the same RUN",
                    fix="end the RUN with `&& rm -rf /var/lib/apt/lists/*`, or mount a cache at /var/lib/apt")
