from mllint_docker.model.artefacts import download_command, python_downloads
from mllint_docker.rules import Issue, rule

FIX = ("fetch weights and data when the container starts (into a volume or cache mount), or in a builder stage "
       "whose result you COPY deliberately; pin the revision either way")


@rule("MLD304", "download-at-build", "warning", scope="dockerfile",
      summary="A RUN downloads model weights or datasets into an image layer")
def check(df, project):
    for inst in df.instructions:
        if inst.keyword != "RUN":
            continue
        for cmd in inst.commands:
            what = download_command(cmd.argv)
            if what:
                yield Issue(cmd.line, f"`{what}` downloads models or data into the image at build time",
                            column=cmd.column, fix=FIX)
        for snippet in inst.snippets:
            if snippet.language != "python":
                continue
            for line, call in python_downloads(snippet.text, snippet.line):
                yield Issue(line, f"`{call}(...)` run at build time fetches models or data from a hub into the image",
                            fix=FIX)
