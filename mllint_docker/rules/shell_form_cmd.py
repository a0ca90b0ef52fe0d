import json

from mllint_docker.model.shell import simple_argv
from mllint_docker.rules import Issue, rule
from mllint_docker.rules._edits import fix, replace_arguments

# Shell builtins: no program of that name exists to run without a shell.
_BUILTINS = frozenset({"cd", "source", ".", "export", "set", "unset", "eval", "ulimit", "umask", "trap", "exit",
                       "alias", "read", "shift", "wait", "exec"})


@rule("MLD111", "shell-form-cmd", "warning", scope="dockerfile", hadolint=("DL3025",), buildkit=("JSONArgsRecommended",),
      summary="CMD or ENTRYPOINT in shell form: the server runs under /bin/sh and never gets SIGTERM")
def check(df, project):
    for inst in df.instructions:
        if inst.keyword in ("CMD", "ENTRYPOINT") and not inst.json and inst.args:
            yield Issue(inst.line, f"{inst.keyword} in shell form runs under `/bin/sh -c`: the model server is not "
                                   "PID 1 and does not receive SIGTERM, so `docker stop` kills it after the timeout",
                        fix=f'use the JSON form, e.g. {inst.keyword} ["python", "serve.py"]',
                        edit=_exec_form(df, inst))


def _exec_form(df, inst):
    """The same command in exec form, when it needs no shell: `CMD python serve.py` ->
    `CMD ["python", "serve.py"]`. A leading `exec` is dropped (exec form is what it asked for)."""
    argv = simple_argv(inst.args[0])
    if argv and argv[0] == "exec":
        argv = argv[1:]
    if not argv or argv[0] in _BUILTINS:
        return None
    stage = df.stages[inst.stage] if 0 <= inst.stage < len(df.stages) else None
    chain = [i for s in (stage.chain() if stage else []) for i in s.instructions]
    # A SHELL (e.g. `conda run -n env`) or an ENTRYPOINT around the command, or an ENTRYPOINT that
    # would now receive `docker run`'s arguments: the meaning may change.
    unsafe = inst.keyword == "ENTRYPOINT" or any(i.keyword in ("SHELL", "ENTRYPOINT") for i in chain)
    text = json.dumps(argv, ensure_ascii=False)
    return fix("unsafe" if unsafe else "safe", f"Use the exec form `{inst.keyword} {text}`",
               replace_arguments(df, inst, text))
