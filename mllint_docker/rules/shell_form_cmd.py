from mllint_docker.rules import Issue, rule


@rule("MLD111", "shell-form-cmd", "warning", scope="dockerfile", hadolint=("DL3025",), buildkit=("JSONArgsRecommended",),
      summary="CMD or ENTRYPOINT in shell form: the server runs under /bin/sh and never gets SIGTERM")
def check(df, project):
    for inst in df.instructions:
        if inst.keyword in ("CMD", "ENTRYPOINT") and not inst.json and inst.args:
            yield Issue(inst.line, f"{inst.keyword} in shell form runs under `/bin/sh -c`: the model server is not "
                                   "PID 1 and does not receive SIGTERM, so `docker stop` kills it after the timeout",
                        fix=f'use the JSON form, e.g. {inst.keyword} ["python", "serve.py"]')
