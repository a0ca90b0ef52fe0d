from mllint_docker.model.artefacts import context_artefacts, download_command
from mllint_docker.rules import Issue, rule

SHOWN = 4


def _pulls_dvc(df) -> bool:
    return any((download_command(c.argv) or "").startswith("dvc ") for i in df.instructions if i.keyword == "RUN"
               for c in i.commands)


@rule("MLD305", "pointer-file-in-image", "error", scope="dockerfile",
      summary="A COPY/ADD ships Git LFS pointer files, or DVC files whose data is not there, instead of the data")
def check(df, project):
    copied = project.copied_files(df)
    if not copied:
        return
    art = context_artefacts(project.context_for(df))
    dvc_pulled = None
    for spec, entries in copied:
        pointers = [e.path for e in entries if art.is_lfs_pointer(e)]
        if pointers:
            shown = ", ".join(pointers[:SHOWN]) + (f", … ({len(pointers) - SHOWN} more)" if len(pointers) > SHOWN else "")
            yield Issue(spec.instruction.line,
                        f"copies {len(pointers)} Git LFS pointer file{'s' if len(pointers) != 1 else ''} into the image "
                        f"({shown}): the checkout holds ~130-byte pointers, not the files, so the image cannot load them",
                        fix="run `git lfs pull` before the build (in CI: `actions/checkout` with `lfs: true`), or fetch the "
                            "files when the container starts")
        missing = [(e.path, t) for e in entries if e.path.endswith(".dvc")
                   and (t := art.missing_dvc_target(e.path)) is not None]
        if missing:
            if dvc_pulled is None:
                dvc_pulled = _pulls_dvc(df)
            if dvc_pulled:
                continue  # the build pulls the data itself (download-at-build says so)
            shown = ", ".join(f"{d} (no {t})" for d, t in missing[:SHOWN]) + (
                f", … ({len(missing) - SHOWN} more)" if len(missing) > SHOWN else "")
            yield Issue(spec.instruction.line,
                        f"copies DVC-tracked paths whose data is not in the build context: {shown}; the image gets "
                        "the `.dvc` pointer and no data",
                        fix="run `dvc pull` before the build, or fetch the data when the container starts")
