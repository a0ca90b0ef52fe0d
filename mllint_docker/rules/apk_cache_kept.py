from mllint_docker.model.installs import apk_adds, cache_mounted, removes_apk_cache
from mllint_docker.rules import Issue, rule
from mllint_docker.rules._edits import fix, option_after_verb


@rule("MLD146", "apk-cache-kept", "warning", scope="dockerfile", hadolint=("DL3019",),
      summary="apk add without --no-cache: the package index and downloads stay in the layer")
def check(df, project):
    for inst in df.runs_with("apk"):
        if cache_mounted(inst, "/var/cache/apk"):
            continue
        commands = inst.commands
        if removes_apk_cache(commands):
            continue
        for cmd in apk_adds(commands):
            if "--no-cache" in cmd.argv:
                continue
            yield Issue(cmd.line, "`apk add` without `--no-cache` keeps the package index and downloads in "
                                  "/var/cache/apk, inside the layer", column=cmd.column,
                        fix="add `--no-cache`, or use `RUN --mount=type=cache,target=/var/cache/apk`",
                        edit=fix("safe", "Add `--no-cache`", option_after_verb(df, cmd.words, "add", "--no-cache")))
