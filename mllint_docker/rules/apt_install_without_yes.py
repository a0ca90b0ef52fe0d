from mllint_docker.model.installs import APT_PROGRAMS, apt_assumes_yes, apt_installs, apt_program
from mllint_docker.rules import Issue, rule
from mllint_docker.rules._edits import fix, option_after_verb


@rule("MLD145", "apt-install-without-yes", "warning", scope="dockerfile", hadolint=("DL3014",),
      summary="apt-get install without -y: the build stops at the confirmation prompt")
def check(df, project):
    for inst in df.runs_with(*APT_PROGRAMS):
        for cmd in apt_installs(inst.commands):
            if apt_assumes_yes(cmd):
                continue
            program = apt_program(cmd)
            yield Issue(cmd.line, f"`{program} install` without `-y` asks for confirmation; a build has no terminal "
                                  "to answer, so it aborts whenever the install pulls in more than it names",
                        column=cmd.column, fix="add `-y`",
                        edit=fix("safe", "Add `-y`", option_after_verb(df, cmd.words, "install", "-y")))
