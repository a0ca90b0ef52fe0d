from mllint_docker.rules import Issue, rule


def _user_at(df, inst) -> str | None:
    """The USER in force when `inst` runs (following the stages it derives from); None when no
    USER was set, so the step runs as the base image's user, usually root."""
    stage = df.stages[inst.stage] if 0 <= inst.stage < len(df.stages) else None
    user = None
    for s in reversed(stage.chain() if stage else []):
        for i in s.of("USER"):
            if s is stage and i.line >= inst.line:
                break
            if i.expanded:
                user = i.expanded[0]
    return user


@rule("MLD404", "sudo-in-run", "warning", scope="dockerfile", hadolint=("DL3004",),
      summary="sudo in RUN: unpredictable TTY and signal behaviour; switch with USER instead")
def check(df, project):
    for inst in df.runs_with("sudo"):
        lines = set()
        for cmd in inst.commands:
            if cmd.name != "sudo" or cmd.line in lines:
                continue  # `sudo apt-get update && sudo apt-get install`: one finding for the line
            lines.add(cmd.line)
            user = _user_at(df, inst)
            if user is None or user.split(":")[0] in ("root", "0"):
                fix = ("drop `sudo`: no USER is set before this step, so it already runs as root" if user is None
                       else f"drop `sudo`: `USER {user}` is in force, so the step already runs as root")
            else:
                fix = f"switch with `USER root` before the step and `USER {user}` after it"
            yield Issue(cmd.line, "`sudo` in RUN: build steps already run as the current USER",
                        column=cmd.column, fix=fix)
