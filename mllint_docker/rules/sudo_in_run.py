from mllint_docker.rules import Issue, rule


@rule("MLD404", "sudo-in-run", "warning", scope="dockerfile", hadolint=("DL3004",),
      summary="sudo in RUN: unpredictable TTY and signal behaviour; switch with USER instead")
def check(df, project):
    for inst in df.instructions:
        if inst.keyword != "RUN":
            continue
        for cmd in inst.commands:
            if cmd.name == "sudo":
                yield Issue(cmd.line, "`sudo` in RUN: build steps already run as the current USER",
                            column=cmd.column, fix="switch with `USER root` before the step and `USER <name>` after it")
