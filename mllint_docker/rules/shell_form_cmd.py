import json

from mllint_docker.model.dockerfile import exec_form
from mllint_docker.rules import Issue, rule

MAX_SHOWN = 200


def _fix(inst) -> str:
    argv = exec_form(inst)
    text = " ".join(inst.args)
    if argv is None and not any(op in text for op in ("&&", "||", ";", "|", "`", "\n")):
        # Variables or globs need a shell: keep one, and let `exec` make the server PID 1.
        argv = ["sh", "-c", "exec " + text]
    if argv is None:
        return (f'use the JSON form, e.g. {inst.keyword} ["python", "serve.py"]; for shell features (variables, '
                f'`&&`), a script whose last line is `exec ...`: {inst.keyword} ["/app/start.sh"]')
    shown = f"{inst.keyword} {json.dumps(argv, ensure_ascii=False)}"
    if len(shown) > MAX_SHOWN:
        shown = shown[: MAX_SHOWN - 1] + "…"
    return f"use the JSON form: `{shown}`"


@rule("MLD111", "shell-form-cmd", "warning", scope="dockerfile", hadolint=("DL3025",),
      summary="CMD or ENTRYPOINT in shell form: the server runs under /bin/sh and never gets SIGTERM")
def check(df, project):
    for inst in df.instructions:
        if inst.keyword in ("CMD", "ENTRYPOINT") and not inst.json and inst.args:
            yield Issue(inst.line, f"{inst.keyword} in shell form runs under `/bin/sh -c`: the model server is not "
                                   "PID 1 and does not receive SIGTERM, so `docker stop` kills it after the timeout",
                        fix=_fix(inst))
