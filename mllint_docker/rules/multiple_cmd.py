from mllint_docker.rules import Issue, rule
from mllint_docker.rules._edits import delete_instruction, fix


@rule("MLD112", "multiple-cmd", "warning", scope="dockerfile", hadolint=("DL4003", "DL4004"), buildkit=("MultipleInstructionsDisallowed",),
      summary="More than one CMD or ENTRYPOINT in a stage: only the last one has an effect")
def check(df, project):
    for stage in df.stages:
        for keyword in ("CMD", "ENTRYPOINT"):
            found = stage.of(keyword)
            for inst in found[:-1]:
                yield Issue(inst.line, f"this {keyword} has no effect: line {found[-1].line} replaces it",
                            fix=f"keep one {keyword} per stage",
                            edit=fix("safe", f"Remove the {keyword} that has no effect", delete_instruction(df, inst)))
