from mllint_docker.finding import display_path
from mllint_docker.model.installs import require_hashes_installs
from mllint_docker.rules import Issue, rule


@rule("MLD208", "hashes-incomplete", "error", scope="requirements",
      summary="In pip's hash-checking mode (one `--hash`, or `--require-hashes`) a line without hashes or an exact pin fails the build")
def check(rf, project):
    files = [rf, *project.included_files(rf, kind="requirement")]
    hashed = [(f, r) for f in files for r in f.requirements if r.hashes]
    require = any(o.name == "require_hashes" for f in files for o in f.options)
    commands = require_hashes_installs(project, rf)
    if not hashed and not require and not commands:
        return
    if hashed:
        first = f"line {hashed[0][1].line}" if hashed[0][0] is rf else f"{hashed[0][0].path.name}:{hashed[0][1].line}"
    elif require:
        first = "`--require-hashes`"
    else:
        df, inst = commands[0]
        first = f"`--require-hashes` on the install ({display_path(df.path)}:{inst.line})"
    for r in rf.requirements:
        if r.hashes:
            if not r.pinned and r.url is None:
                yield Issue(r.line, f"`{r.text.split()[0]}` has hashes but {r.specifier or 'no version'} is not an exact "
                                    "`==` pin: pip's hash-checking mode rejects it",
                            fix="pin it with `==` (let `pip-compile --generate-hashes` / `uv pip compile --generate-hashes` write it)")
            continue
        if r.editable:
            why = "an editable install cannot be hash-checked"
        else:
            why = "it has no `--hash`"
        yield Issue(r.line, f"`{r.text.split(' --hash', 1)[0].strip()}`: {why}, but {first} turns on pip's hash-checking "
                            "mode for the whole install, so `pip install -r` fails on this line",
                    fix="regenerate the file with `pip-compile --generate-hashes` (or `uv pip compile --generate-hashes`) "
                        "so every line has its hashes")
