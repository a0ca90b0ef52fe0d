from mllint_docker.model.installs import APT_PROGRAMS, apt_installs, apt_program, apt_updates, cache_mounted, removes_apt_lists
from mllint_docker.rules import Issue, rule
from mllint_docker.rules._edits import append_to_run, fix

CLEAN = "rm -rf /var/lib/apt/lists/*"


@rule("MLD105", "apt-lists-not-cleaned", "warning", scope="dockerfile", hadolint=("DL3009",),
      summary="apt-get install on package lists that nothing removes in the same RUN")
def check(df, project):
    final = df.final_stage
    chain = {s.index for s in final.chain()} if final else set()
    # Only RUNs that run apt, remove files or mount a cache can change what follows: the others are skipped.
    touching = {id(i) for i in df.runs_with(*APT_PROGRAMS, "rm", "find")}
    runs = [i for i in df.instructions if i.keyword == "RUN" and i.stage in chain and (id(i) in touching or "mount" in i.flags)]
    # The lists land in the layer of the RUN that downloads them (`apt-get update`). An install
    # finds them there, in its own RUN or an earlier one; an install after a RUN that removed them
    # (or that never had an update before it) adds none: no finding.
    earlier = None  # the update RUN whose lists are still in the image and no install used yet
    installs_of = [apt_installs(i.commands) for i in runs]
    updates_of = [apt_updates(i.commands) for i in runs]
    # relies[n]: a RUN after the n-th installs without `apt-get update` (one pass, not one per RUN)
    relies, seen = [False] * len(runs), False
    for n in range(len(runs) - 1, -1, -1):
        relies[n] = seen
        seen = seen or bool(installs_of[n] and not updates_of[n])
    for n, inst in enumerate(runs):
        installs = installs_of[n]
        updates = updates_of[n]
        cleaned = removes_apt_lists(inst.commands) or cache_mounted(inst, "/var/lib/apt")
        if installs and not cleaned and (updates or earlier is not None):
            at = installs[0]
            if updates:
                message = (f"`{apt_program(at)} install` leaves the package lists in this layer (tens of MB): "
                           "nothing removes /var/lib/apt/lists in the same RUN")
            else:
                message = (f"`{apt_program(at)} install` uses the package lists that `{apt_program(earlier)} update` "
                           f"on line {earlier.line} left in its layer (tens of MB): nothing removes /var/lib/apt/lists")
            # A later RUN that installs without `apt-get update` relied on these lists: unsafe.
            later = relies[n]
            yield Issue(at.line, message,
                        fix="update, install and `rm -rf /var/lib/apt/lists/*` in one RUN, or mount a cache at /var/lib/apt",
                        edit=fix("unsafe" if later else "safe", f"Run `{CLEAN}` at the end of the RUN",
                                 append_to_run(df, inst, CLEAN, installs[-1])))
        if cleaned and earlier is not None and not updates:
            # `RUN apt-get update` then `RUN apt-get install ... && rm -rf /var/lib/apt/lists/*`: the rm
            # runs in another layer, the lists stay in the update's.
            yield Issue(earlier.line, f"`{apt_program(earlier)} update` leaves the package lists in this layer (tens of "
                                      f"MB): the `rm` on line {inst.line} runs in another layer and cannot take them out",
                        fix="update, install and `rm -rf /var/lib/apt/lists/*` in one RUN")
        if cleaned:
            earlier = None
        elif updates and not installs:
            earlier = updates[0]
        elif installs:
            earlier = None  # reported once, on the first install that uses them
