from mllint_docker.model.artefacts import is_data_file
from mllint_docker.units import format_size
from mllint_docker.rules import Issue, rule
from mllint_docker.rules._dockerignore import dockerignore_fix


@rule("MLD303", "data-in-image", "warning", scope="dockerfile",
      summary="A COPY/ADD brings dataset, model or checkpoint files (or any very large file) into the image")
def check(df, project):
    small, large = project.config.data_file_size, project.config.large_file_size
    for spec, entries in project.copied_files(df):
        hits = [e for e in entries if not e.is_symlink and (e.size > large or (e.size > small and is_data_file(e.path)))]
        if not hits:
            continue
        hits.sort(key=lambda e: -e.size)
        total = sum(e.size for e in hits)
        names = ", ".join(f"{e.path} ({format_size(e.size)})" for e in hits[:3])
        more = f" and {len(hits) - 3} more" if len(hits) > 3 else ""
        yield Issue(spec.instruction.line,
                    f"copies {len(hits)} data/model file{'s' if len(hits) != 1 else ''} ({format_size(total)}) "
                    f"into the image: {names}{more}",
                    fix="exclude them in .dockerignore and mount them at run time (a volume or object storage), "
                        "or fetch them when the container starts",
                    edit=_unless_named(dockerignore_fix(df, project), spec))


def _unless_named(fix, spec):
    """A COPY that names its data (`COPY model.pt /srv/`) wants it: .dockerignore is no repair for it."""
    whole = any(s.strip() in (".", "./", "/", "*", "./*") for s in spec.sources)
    return fix if whole else None
