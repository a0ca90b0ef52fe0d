from mllint_docker.model.installs import apt_installs, apt_updates, cache_mounted, removes_apt_lists
from mllint_docker.rules import Issue, rule
from mllint_docker.rules._edits import append_to_run, fix

CLEAN = "rm -rf /var/lib/apt/lists/*"


@rule("MLD105", "apt-lists-not-cleaned", "warning", scope="dockerfile", hadolint=("DL3009",),
      summary="apt-get install without removing /var/lib/apt/lists in the same RUN")
def check(df, project):
    final = df.final_stage
    chain = {s.index for s in final.chain()} if final else set()
    runs = [i for i in df.instructions if i.keyword == "RUN" and i.stage in chain]
    for n, inst in enumerate(runs):
        installs = apt_installs(inst.commands)
        if installs and not removes_apt_lists(inst.commands) and not cache_mounted(inst, "/var/lib/apt"):
            # A later RUN that installs without `apt-get update` relied on these lists: unsafe.
            later = any(apt_installs(i.commands) and not apt_updates(i.commands) for i in runs[n + 1:])
            yield Issue(installs[0].line, "apt package lists stay in this layer (tens of MB): nothing removes "
                                          "/var/lib/apt/lists in the same RUN",
                        fix="end the RUN with `&& rm -rf /var/lib/apt/lists/*`, or mount a cache at /var/lib/apt",
                        edit=fix("unsafe" if later else "safe", f"Run `{CLEAN}` at the end of the RUN",
                                 append_to_run(df, inst, CLEAN, installs[-1])))
