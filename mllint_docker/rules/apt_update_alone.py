from mllint_docker.model.installs import APT_PROGRAMS, apt_installs, apt_program, apt_updates
from mllint_docker.rules import Issue, rule
from mllint_docker.rules._edits import delete_instruction, fix, insert_before


@rule("MLD106", "apt-update-alone", "warning", scope="dockerfile",
      summary="apt-get update in a RUN that installs nothing: the cached layer goes stale")
def check(df, project):
    for inst in df.runs_with(*APT_PROGRAMS):
        updates = apt_updates(inst.commands)
        if updates and not apt_installs(inst.commands):
            apt = apt_program(updates[0])
            yield Issue(updates[0].line, f"`{apt} update` alone in a RUN: its layer is cached, so a later "
                                         f"`{apt} install` can use stale package lists and fail or install old versions",
                        fix=f"run `{apt} update && {apt} install -y ...` in the same RUN",
                        edit=_merge(df, inst, updates))


def _merge(df, inst, updates):
    """Moves a RUN that only updates into the next RUN of the stage that installs:
    `RUN apt-get update` + `RUN apt-get install -y x` -> `RUN apt-get update && apt-get install -y x`.
    Unsafe: whatever ran between them now runs before the update."""
    if len(inst.commands) != 1 or updates[0].nested or not inst.commands[0].words:
        return None
    update = " ".join(w.raw for w in updates[0].words)
    stage = df.stages[inst.stage]
    later = [i for i in stage.instructions if i.keyword == "RUN" and i.line > inst.line]
    target = next((i for i in later if apt_installs(i.commands)), None)
    if target is None or apt_updates(target.commands):
        return None
    install = apt_installs(target.commands)[0]
    if install.assignments or install.nested:
        return None  # `X=1 apt-get install`: X would apply to the update instead
    return fix("unsafe", f"Run `{apt_program(updates[0])} update` in the RUN that installs", delete_instruction(df, inst),
               insert_before(df, install.words[0], update + " && "))
