from mllint_docker.model.installs import build_only, installs
from mllint_docker.rules import Issue, rule
from mllint_docker.rules._edits import append_to_run, fix


@rule("MLD109", "conda-cache-not-cleaned", "warning", scope="dockerfile",
      summary="conda/mamba/micromamba install without `clean --all` in the same RUN: the package cache stays")
def check(df, project):
    for install in installs(df):
        if install.tool != "conda" or install.cache_handled is not None:
            continue
        if build_only(df, df.stages[install.instruction.stage]):
            continue  # a builder stage's layers never reach the image
        program = install.program
        clean = "conda clean -afy" if program == "conda" else f"{program} clean --all --yes"
        yield Issue(install.line, f"`{program} {install.action.replace('-', ' ')}` leaves the downloaded package "
                                  "archives and extracted packages in the pkgs/ cache, inside the layer",
                    column=install.command.column,
                    fix=f"end the same RUN with `&& {clean}`, or mount a cache on the pkgs directory "
                        "(`RUN --mount=type=cache,target=/opt/conda/pkgs`)",
                    edit=fix("safe", f"Run `{clean}` at the end of the RUN",
                             append_to_run(df, install.instruction, clean, install.command)))
