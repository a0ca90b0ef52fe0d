import posixpath

from mllint_docker.model.artefacts import DOWNLOAD_PROGRAMS, download_command, python_downloads, python_script_arg, read_script, script_downloads
from mllint_docker.model.shell import is_python
from mllint_docker.finding import display_path
from mllint_docker.rules import Issue, rule

FIX = ("fetch weights and data when the container starts (into a volume or cache mount), or in a builder stage "
       "whose result you COPY deliberately; pin the revision either way")


@rule("MLD304", "download-at-build", "warning", scope="dockerfile",
      summary="A RUN downloads model weights or datasets into an image layer")
def check(df, project):
    final = df.final_stage
    chain = {s.index for s in final.chain()} if final else set()
    # RUNs whose commands may download: a downloader or a Python interpreter runs in them
    fetching = {id(i) for i in df.runs_with(*(n for n in df.programs() if n in DOWNLOAD_PROGRAMS or is_python(n)))}
    for inst in df.instructions:
        if inst.keyword != "RUN" or inst.stage not in chain:
            continue  # a download stage whose result is COPYed deliberately is the pattern the fix names
        for cmd in inst.commands if id(inst) in fetching else ():
            what = download_command(cmd.argv)
            if what:
                yield Issue(cmd.line, f"`{what}` downloads models or data into the image at build time",
                            column=cmd.column, fix=FIX)
            elif is_python(cmd.name):
                hit = _script_download(df, project, inst, cmd.argv)
                if hit:
                    shown, where, call = hit
                    yield Issue(cmd.line, f"`{shown}` runs `{call}(...)` ({where}) at build time: it fetches models "
                                          "or data from a hub into the image", column=cmd.column, fix=FIX)
        for snippet in inst.snippets:
            if snippet.language != "python":
                continue
            for line, call in python_downloads(snippet):
                yield Issue(line, f"`{call}(...)` run at build time fetches models or data from a hub into the image",
                            fix=FIX)


def _script_download(df, project, inst, argv):
    """The first download call of the script a `python script.py` / `python -m mod` runs, when a
    COPY brought that script from the build context: (command, file:line, call)."""
    target = python_script_arg(argv)
    if target is None or "$" in target[0]:
        return None
    name, module = target
    candidates = ([name.replace(".", "/") + ".py", posixpath.join(name.replace(".", "/"), "__main__.py")]
                  if module else [name])
    for candidate in candidates:
        try:
            path = project.copied_context_file(df, inst, candidate)
        except ImportError:
            return None
        if path is None:
            continue
        key = ("script-downloads", path)
        calls = project.memo.get(key)
        if calls is None:
            text = read_script(path)
            calls = project.memo[key] = script_downloads(text) if text is not None else []
        if calls:
            line, call = calls[0]
            shown = " ".join(argv[:4]) + (" …" if len(argv) > 4 else "")
            return shown, f"{display_path(path)}:{line}", call
    return None
