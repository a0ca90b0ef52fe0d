from mllint_docker.finding import display_path
from mllint_docker.model.discovery import is_dockerfile_name
from mllint_docker.rules import Issue, rule
from mllint_docker.rules._dockerignore import dockerignore_fix


@rule("MLD301", "missing-dockerignore", "warning", scope="dockerfile",
      summary="The build context has neither `.dockerignore` nor `<Dockerfile>.dockerignore`")
def check(df, project):
    if not any(spec.from_context and spec.sources for spec in df.copies):
        return  # nothing is copied from the context, so nothing can leak into the image
    if project.ignore_file(df) is not None:
        return
    root = project.context_choice(df).root
    ctx = project.context_for(df)
    if ctx is not None and all(is_dockerfile_name(e.path.rpartition("/")[2]) for e in ctx.entries):
        return  # a context of Dockerfiles alone: nothing to leak (yet)
    yield Issue(None, f"build context `{display_path(root)}` has no .dockerignore: COPY can bring in .git, "
                      "virtualenvs, datasets and secrets",
                fix=f"add {display_path(root / '.dockerignore')} listing at least .git, .venv, __pycache__, data and model files",
                edit=dockerignore_fix(df, project))
