from mllint_docker.rules import Issue, rule
from mllint_docker.model.installs import apt_installs, apt_program, apt_updates


@rule("MLD106", "apt-update-alone", "warning", scope="dockerfile",
      summary="apt-get update in a RUN that installs nothing: the cached layer goes stale")
def check(df, project):
    for inst in df.instructions:
        if inst.keyword != "RUN":
            continue
        updates = apt_updates(inst.commands)
        if updates and not apt_installs(inst.commands):
            apt = apt_program(updates[0])
            yield Issue(updates[0].line, f"`{apt} update` alone in a RUN: its layer is cached, so a later "
                                         f"`{apt} install` can use stale package lists and fail or install old versions",
                        fix=f"run `{apt} update && {apt} install -y ...` in the same RUN")
