import posixpath

from mllint_docker.model.artefacts import context_artefacts, is_data_file, is_large_text_data, is_model_file
from mllint_docker.units import format_size
from mllint_docker.rules import Issue, rule
from mllint_docker.rules._dockerignore import dockerignore_fix

SHOWN = 4


@rule("MLD303", "data-in-image", "warning", scope="dockerfile",
      summary="A COPY/ADD brings dataset, model or checkpoint files (or any very large file) into the image")
def check(df, project):
    small, large = project.config.data_file_size, project.config.large_file_size
    yield from _absent_models(df, project)
    copied = project.copied_files(df)
    if not copied:
        return
    art = context_artefacts(project.context_for(df))
    for spec, entries in copied:
        folders: dict[str, list] = {}
        hits, reasons = [], {}
        for e in entries:
            if e.is_symlink:
                continue
            folder = art.model_folder(e.path)
            if folder is not None:
                folders.setdefault(folder, []).append(e)
                continue
            tracked = art.dvc_tracked(e.path)
            if e.size > large or (e.size > small and (is_data_file(e.path) or is_large_text_data(e.path) or tracked)):
                hits.append(e)
                if tracked:
                    reasons[e.path] = f"tracked by {tracked}"
        items = [(sum(x.size for x in files), f"{folder or '.'}/ (a Hugging Face model folder: {len(files)} files")
                 for folder, files in folders.items() if sum(x.size for x in files) > small]
        items += [(e.size, f"{e.path} ({reasons[e.path]}: " if e.path in reasons else f"{e.path} (") for e in hits]
        if not items:
            continue
        items.sort(key=lambda it: -it[0])
        total = sum(size for size, _ in items)
        shown = ", ".join(f"{label}{', ' if label.endswith('files') else ''}{format_size(size)})" for size, label in items[:SHOWN])
        more = f", … ({len(items) - SHOWN} more)" if len(items) > SHOWN else ""
        n = len(items)
        noun = ("file or folder" if n == 1 else "files and folders") if folders else ("file" if n == 1 else "files")
        yield Issue(spec.instruction.line,
                    f"copies {n} data/model {noun} ({format_size(total)}) into the image: {shown}{more}",
                    fix="exclude them in .dockerignore and mount them at run time (a volume or object storage), "
                        "or fetch them when the container starts",
                    edit=_unless_named(dockerignore_fix(df, project), spec))


def _absent_models(df, project):
    """`COPY ./model.bin /app/`: a model file named by the COPY that the checkout does not hold (it
    is downloaded into the context before the build, as READMEs often say): it still ends up in the image."""
    ctx = None
    for spec in df.copies:
        if not spec.from_context:
            continue
        named = [s for s in spec.sources if not any(c in s for c in "*?[$") and is_model_file(s)]
        if not named:
            continue
        if ctx is None:
            ctx = project.context_for(df)
            if ctx is None:
                return
        absent = [s for s in named if not ctx.resolve_source(s)]
        if absent:
            shown = ", ".join(f"`{posixpath.normpath(s)}`" for s in absent)
            yield Issue(spec.instruction.line,
                        f"copies {shown} into the image: a model file by its name, not in the build context now "
                        "(it is put there before the build), so every build bakes the weights in",
                        fix="mount the model at run time (a volume or a model store), or download a pinned revision "
                            "when the container starts")


def _unless_named(fix, spec):
    """A COPY that names its data (`COPY model.pt /srv/`) wants it: .dockerignore is no repair for it."""
    whole = any(s.strip() in (".", "./", "/", "*", "./*") for s in spec.sources)
    return fix if whole else None
