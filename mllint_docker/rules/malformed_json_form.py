from mllint_docker.model.dockerfile import malformed_json
from mllint_docker.rules import Issue, rule


@rule("MLD125", "malformed-json-form", "error", scope="dockerfile",
      summary="A CMD/ENTRYPOINT/RUN/SHELL written in JSON form is not valid JSON, so Docker silently runs it as a shell string")
def check(df, project):
    for inst in df.instructions:
        why = malformed_json(inst)
        if why is None:
            continue
        text = inst.args[0].strip()
        if "follows the closing" in why:  # BuildKit's parser changed here in Dockerfile frontend 1.9
            what = (f"Docker 27.1+ (Dockerfile frontend 1.9+) runs it as `/bin/sh -c '{text}'`, which is not the "
                    "command you wrote; older builders silently dropped the extra text")
        else:
            what = f"Docker runs it as `/bin/sh -c '{text}'`, which is not the command you wrote"
        yield Issue(inst.line, f"{inst.keyword} looks like the JSON (exec) form but {why}: {what}",
                    fix=f"write a valid JSON array of double-quoted strings, e.g. {inst.keyword} "
                        '["python", "app.py"]')
