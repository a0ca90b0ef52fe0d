import re

from mllint_docker.model.installs import command_constraints, pin_problem, used_as_constraints
from mllint_docker.rules import Issue, rule

_WRITTEN_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@rule("MLD201", "requirement-unpinned", "warning", scope="requirements",
      summary="A requirements line does not pin one release (`==`/`===`, or a commit/hash for URLs)")
def check(rf, project):
    if rf.path.name.lower().startswith("constraint") or used_as_constraints(project, rf):
        return  # a constraints file only narrows what another file installs
    pins = {**project.constraints_for(rf), **command_constraints(project, rf)}
    for req in rf.requirements:
        problem = pin_problem(req)
        if problem is None or (req.name and req.name in pins):
            continue
        written = _WRITTEN_NAME.match(req.text)
        subject = written.group(1) if written and req.url is None else req.text
        yield Issue(req.line, f"`{subject}` {problem}: each build may install a different release", fix=_fix(req))


def _fix(req) -> str:
    if req.url is not None and "+" in req.url.split("://", 1)[0]:
        return "pin the full commit: `@<40-character sha>`"
    if req.url is not None:
        return "point at a release file or add its hash: `#sha256=<digest>`"
    name = req.name or "<name>"
    return (f"pin one version, e.g. `{name}==<version>`, or lock the file with `pip-compile` / `uv pip compile` "
            "and keep ranges in a `.in` file")
