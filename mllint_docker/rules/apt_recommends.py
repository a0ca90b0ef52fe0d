from mllint_docker.rules import Issue, rule
from mllint_docker.model.installs import APT_PROGRAMS, apt_installs, apt_program
from mllint_docker.rules._edits import fix, option_after_verb


@rule("MLD107", "apt-recommends", "info", scope="dockerfile", hadolint=("DL3015",),
      summary="apt-get install without --no-install-recommends")
def check(df, project):
    for inst in df.runs_with(*APT_PROGRAMS):
        for cmd in apt_installs(inst.commands):
            argv = cmd.argv
            if "--no-install-recommends" in argv or any("Install-Recommends=false" in a or
                                                        "Install-Recommends=0" in a for a in argv):
                continue
            yield Issue(cmd.line, f"`{apt_program(cmd)} install` without `--no-install-recommends` also installs recommended "
                                  "packages, often hundreds of MB", column=cmd.column,
                        fix="add `--no-install-recommends`",
                        edit=fix("unsafe", "Add `--no-install-recommends`",
                                 option_after_verb(df, cmd.words, "install", "--no-install-recommends")))
