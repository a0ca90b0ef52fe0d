from mllint_docker.model.installs import build_only, installs
from mllint_docker.rules import Issue, rule
from mllint_docker.rules._edits import fix, option_after_verb

CACHE = {"pip": ("~/.cache/pip", "--no-cache-dir", "ENV PIP_NO_CACHE_DIR=1", "/root/.cache/pip"),
         "uv": ("~/.cache/uv", "--no-cache", "ENV UV_NO_CACHE=1", "/root/.cache/uv"),
         "poetry": ("~/.cache/pypoetry", "--no-cache", None, "/root/.cache/pypoetry")}


@rule("MLD108", "pip-cache-not-disabled", "warning", scope="dockerfile", hadolint=("DL3042",),
      summary="pip/uv/poetry keep their download cache in the layer (no `--no-cache-dir`, variable or cache mount)")
def check(df, project):
    for install in installs(df):
        if install.tool not in CACHE or install.cache_handled is not None:
            continue
        if build_only(df, df.stages[install.instruction.stage]):
            continue  # a builder stage's layers never reach the image
        where, flag, env, mount = CACHE[install.tool]
        yield Issue(install.line, f"`{install.program} {install.action}` keeps a copy of every download in "
                                  f"{where}, inside the layer", column=install.command.column,
                    fix=(f"add `{flag}`, set `{env}` before it, or use `RUN --mount=type=cache,target={mount}`" if env else
                         f"add `{flag}`, end the same RUN with `&& rm -rf {where}`, or use "
                         f"`RUN --mount=type=cache,target={mount}`"),
                    edit=fix("safe", f"Add `{flag}`", option_after_verb(df, install.words, install.action.split("-")[-1], flag)))
