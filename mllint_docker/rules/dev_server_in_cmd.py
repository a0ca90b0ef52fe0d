from mllint_docker.model.dockerfile import exec_script
from mllint_docker.finding import display_path
from mllint_docker.model.serving import dev_server, python_script, script_dev_server
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
                    continue
                script = python_script(cmd.argv)
                path = project.copied_context_file(df, inst, script) if script else None
                hit = script_dev_server(path) if path is not None else None
                if hit:
                    line, call = hit
                    yield Issue(inst.line, f"{inst.keyword} runs `{script}`, which starts a development server itself: "
                                           f"`{call}` ({display_path(path)}:{line}); the debugger executes code sent "
                                           "from the browser and the reloader restarts on every file change",
                                fix='serve the app with a production server (CMD ["gunicorn", "-b", "0.0.0.0:8000", '
                                    '"app:app"]), or make debug depend on an environment variable that the image '
                                    "leaves off")
        if stage.of("CMD", "ENTRYPOINT"):
            return  # the nearest stage that sets one decides
