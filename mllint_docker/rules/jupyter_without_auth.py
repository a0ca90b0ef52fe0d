from mllint_docker.model.dockerfile import exec_script
from mllint_docker.model.serving import jupyter_problems
from mllint_docker.rules import Issue, rule


@rule("MLD410", "jupyter-without-auth", "warning", scope="dockerfile",
      summary="The image starts Jupyter with an empty token or password, or as root (`--allow-root`)")
def check(df, project):
    for inst in df.instructions:
        if inst.keyword not in ("CMD", "ENTRYPOINT"):
            continue
        for cmd in exec_script(inst).commands:
            for word, problem, fix in jupyter_problems(cmd.argv):
                yield Issue(inst.line, f"`{word}`: {problem}", fix=fix)
