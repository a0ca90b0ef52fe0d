from mllint_docker.model.dockerfile import exec_script
from mllint_docker.model.serving import dev_server
from mllint_docker.rules import Issue, rule


@rule("MLD126", "dev-server-in-cmd", "warning", scope="dockerfile",
      summary="The image's CMD/ENTRYPOINT starts a development server (`flask run --debug`, `uvicorn --reload`, `manage.py runserver`)")
def check(df, project):
    final = df.final_stage
    if final is None:
        return
    for stage in final.chain():
        for inst in stage.of("CMD", "ENTRYPOINT"):
            for cmd in exec_script(inst).commands:
                found = dev_server(cmd.argv, inst.env)
                if found:
                    what, fix = found
                    yield Issue(inst.line, f"{inst.keyword} runs {what}", fix=fix)
        if stage.of("CMD", "ENTRYPOINT"):
            return  # the nearest stage that sets one decides
