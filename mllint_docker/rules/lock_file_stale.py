from mllint_docker.model.manifests import PDM_LOCK, PIPFILE, PIPFILE_LOCK, POETRY_LOCK, PYPROJECT, UV_LOCK
from mllint_docker.model.manifests.stale import pdm_stale, pipfile_stale, poetry_stale, uv_stale

# lock format -> (the manifest beside it, its format, the comparison, the command that re-locks)
CHECKS = {POETRY_LOCK: ("pyproject.toml", PYPROJECT, poetry_stale, "poetry lock"),
          UV_LOCK: ("pyproject.toml", PYPROJECT, uv_stale, "uv lock"),
          PDM_LOCK: ("pyproject.toml", PYPROJECT, pdm_stale, "pdm lock"),
          PIPFILE_LOCK: ("Pipfile", PIPFILE, pipfile_stale, "pipenv lock")}
from mllint_docker.rules import Issue, rule


@rule("MLD207", "lock-file-stale", "warning", scope="manifest",
      summary="poetry.lock, uv.lock, pdm.lock or Pipfile.lock no longer matches the manifest beside it")
def check(m, project):
    if m.format not in CHECKS or m.errors:
        return
    name, fmt, compare, tool = CHECKS[m.format]
    source = m.path.with_name(name)
    if not source.is_file():
        return
    found = compare(m, project.manifest(source, fmt))
    if found is not None:
        yield Issue(found.line, found.message, fix=f"run `{tool}` and commit the lock with the {name} change")
