from mllint_docker.model.manifests import POETRY_LOCK, PYPROJECT, UV_LOCK
from mllint_docker.model.manifests.stale import poetry_stale, uv_stale
from mllint_docker.rules import Issue, rule


@rule("MLD207", "lock-file-stale", "warning", scope="manifest",
      summary="poetry.lock or uv.lock no longer matches the pyproject.toml beside it")
def check(m, project):
    if m.format not in (POETRY_LOCK, UV_LOCK) or m.errors:
        return
    pyproject = m.path.with_name("pyproject.toml")
    if not pyproject.is_file():
        return
    manifest = project.manifest(pyproject, PYPROJECT)
    found = poetry_stale(m, manifest) if m.format == POETRY_LOCK else uv_stale(m, manifest)
    if found is not None:
        tool = "poetry lock" if m.format == POETRY_LOCK else "uv lock"
        yield Issue(found.line, found.message, fix=f"run `{tool}` and commit the lock with the pyproject change")
