from mllint_docker.rules import Issue, rule
from mllint_docker.model.installs import apt_installs, apt_updates


@rule("MLD106", "apt-update-alone", "warning", scope="dockerfile",
      summary="apt-get update in a RUN that installs nothing: the cached layer goes stale")
def check(df, project):
    for inst in df.instructions:
        if inst.keyword != "RUN":
            continue
        updates = apt_updates(inst.commands)
        if updates and not apt_installs(inst.commands):
            yield Issue(updates[0].line, "`apt-get update` alone in a RUN: its layer is cached, so a later "
                                         "`apt-get install` can use stale package lists and fail or install old versions",
                        fix="run `apt-get update && apt-get install -y ...` in the same RUN")
