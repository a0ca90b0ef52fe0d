import json

from mllint_docker.model.shell import simple_argv
from mllint_docker.rules import Issue, rule
from mllint_docker.rules._edits import fix, replace_arguments

# Shell builtins: no program of that name exists to run without a shell.
_BUILTINS = frozenset({"cd", "source", ".", "export", "set", "unset", "eval", "ulimit", "umask", "trap", "exit",
                       "alias", "read", "shift", "wait", "exec"})

MAX_SHOWN = 200


def _argv(inst) -> list[str] | None:
    """The command's exec form when it needs no shell (a leading `exec` dropped), else None."""
    argv = simple_argv(inst.args[0]) if len(inst.args) == 1 else None
    if argv and argv[0] == "exec":
        argv = argv[1:]
    return None if not argv or argv[0] in _BUILTINS else argv


def _fix(inst) -> str:
    """The hint shows the file's own command in JSON form."""
    argv = _argv(inst)
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


@rule("MLD111", "shell-form-cmd", "warning", scope="dockerfile", hadolint=("DL3025",), buildkit=("JSONArgsRecommended",),
      summary="CMD or ENTRYPOINT in shell form: the server runs under /bin/sh and never gets SIGTERM")
def check(df, project):
    for inst in df.instructions:
        if inst.keyword in ("CMD", "ENTRYPOINT") and not inst.json and inst.args:
            yield Issue(inst.line, f"{inst.keyword} in shell form runs under `/bin/sh -c`: the model server is not "
                                   "PID 1 and does not receive SIGTERM, so `docker stop` kills it after the timeout",
                        fix=_fix(inst),
                        edit=_exec_form(df, inst))


def _exec_form(df, inst):
    """The same command in exec form, when it needs no shell: `CMD python serve.py` ->
    `CMD ["python", "serve.py"]`. A leading `exec` is dropped (exec form is what it asked for)."""
    argv = _argv(inst)
    if argv is None:
        return None
    stage = df.stages[inst.stage] if 0 <= inst.stage < len(df.stages) else None
    chain = [i for s in (stage.chain() if stage else []) for i in s.instructions]
    # A SHELL (e.g. `conda run -n env`) or an ENTRYPOINT around the command, or an ENTRYPOINT that
    # would now receive `docker run`'s arguments: the meaning may change.
    unsafe = inst.keyword == "ENTRYPOINT" or any(i.keyword in ("SHELL", "ENTRYPOINT") for i in chain)
    text = json.dumps(argv, ensure_ascii=False)
    return fix("unsafe" if unsafe else "safe", f"Use the exec form `{inst.keyword} {text}`",
               replace_arguments(df, inst, text))
