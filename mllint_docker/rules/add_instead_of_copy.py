import re

from mllint_docker.rules import Issue, rule
from mllint_docker.rules._edits import fix, replace_keyword

# Flags only ADD understands: with them, COPY would not build.
_ADD_ONLY = frozenset({"checksum", "keep-git-dir", "unpack"})

_ARCHIVE = re.compile(r"\.(tar|tar\.(gz|bz2|xz|zst)|tgz|tbz2?|txz)$", re.I)


@rule("MLD110", "add-instead-of-copy", "warning", scope="dockerfile", hadolint=("DL3020",),
      summary="ADD for plain local files or directories, where COPY says what happens")
def check(df, project):
    for spec in df.copies:
        inst = spec.instruction
        if inst.keyword != "ADD" or not spec.from_context or not spec.sources:
            continue
        if spec.remote_sources or any(_ARCHIVE.search(s) for s in spec.sources):
            continue  # fetching a URL or unpacking a local archive is what ADD is for
        yield Issue(inst.line, "ADD of local files: use COPY (ADD also unpacks archives and fetches URLs, "
                               "which makes what it does depend on the file)", fix="replace ADD with COPY",
                    edit=None if _ADD_ONLY & set(inst.flags) else fix("safe", "Replace ADD with COPY",
                                                                       replace_keyword(df, inst, "COPY")))
