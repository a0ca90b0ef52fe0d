"""Entries from the strings and tables the formats write: PEP 508 (with `packaging`), Poetry's and
Pipfile's version tables, and the pin judgement shared with requirements files."""

from __future__ import annotations

import re

from mllint_docker.model.manifests import Entry
from mllint_docker.model.requirements import Requirement, canonical_name

_EXACT = re.compile(r"^\d[\w.+!-]*$")
_SHA = re.compile(r"^[0-9a-f]{40}$")


def pep508(text: str, line: int, column: int, section: str, optional: bool = False) -> Entry | str:
    """An Entry, or the error message for a string that is not a PEP 508 requirement."""
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Pep508

    from mllint_docker.model.installs.core import is_local, pin_problem

    written = text.strip()
    try:
        req = Pep508(written)
    except InvalidRequirement as err:
        return f"invalid requirement {written!r}: {str(err).splitlines()[0]}"
    name = canonical_name(req.name)
    marker = str(req.marker) if req.marker else None
    if req.url:
        local = is_local(req.url)
        r = Requirement(name, "", line, written, url=req.url)
        problem = None if local else pin_problem(r)
        return Entry(name, "", line, column, written, section=section, marker=marker, source=req.url,
                     pinned=problem is None, problem=problem, local=local, optional=optional)
    spec = str(req.specifier)
    r = Requirement(name, spec, line, written, marker=marker)
    problem = pin_problem(r)
    return Entry(name, spec, line, column, written, section=section, marker=marker, pinned=problem is None,
                 problem=problem, optional=optional)


def version_problem(version: str, style: str) -> str | None:
    """Why a Poetry (`style="poetry"`) or Pipfile (`"pipfile"`) version string allows more than one release."""
    v = version.strip()
    if not v or v == "*":
        return "has no version" if not v else "allows any version (`*`)"
    if style == "poetry" and _EXACT.match(v):
        return None  # Poetry reads a bare version as `==`
    if v.startswith("===") or (v.startswith("==") and "*" not in v and "," not in v):
        return None
    if v.startswith("^"):
        return f"allows a caret range (`{v}`: every compatible release up to the next breaking one)"
    if v.startswith("~") and not v.startswith("~="):
        return f"allows a tilde range (`{v}`: every patch release of it)"
    if "*" in v:
        return f"allows a wildcard of versions (`{v}`)"
    return f"allows a range of versions (`{v}`)"


def table_entry(name: str, value, line: int, column: int, section: str, style: str,
                optional: bool = False) -> Entry | str:
    """A Poetry or Pipfile dependency: a version string, a table, or (Poetry) a list of tables."""
    cname = canonical_name(name)
    if isinstance(value, list):  # Poetry's multiple constraints: one per platform or Python
        parts = [table_entry(name, v, line, column, section, style, optional) for v in value]
        bad = [p for p in parts if isinstance(p, str)]
        if bad:
            return bad[0]
        loose = [p for p in parts if not p.pinned]
        first = loose[0] if loose else parts[0] if parts else None
        if first is None:
            return f"dependency {name!r} has an empty list of constraints"
        return first
    if isinstance(value, str):
        problem = version_problem(value, style)
        return Entry(cname, value, line, column, f'{name} = "{value}"', section=section,
                     pinned=problem is None, problem=problem, optional=optional)
    if not isinstance(value, dict):
        return f"dependency {name!r} must be a version string or a table, not {type(value).__name__}"
    optional = optional or bool(value.get("optional"))
    marker = value.get("markers") if isinstance(value.get("markers"), str) else None
    text = f"{name} = {_inline(value)}"
    if "path" in value or value.get("editable") and "git" not in value:
        return Entry(cname, "", line, column, text, section=section, source=str(value.get("path", "")),
                     local=True, marker=marker, optional=optional)
    for vcs in ("git", "hg", "svn", "bzr"):
        if vcs in value:
            ref = value.get("rev") or value.get("ref") or value.get("commit")
            src = f"{vcs}+{value[vcs]}" + (f"@{ref}" if ref else "")
            if isinstance(ref, str) and _SHA.match(ref):
                problem = None
            elif ref or value.get("tag") or value.get("branch"):
                shown = ref or value.get("tag") or value.get("branch")
                problem = f"points at `{shown}`, not a full 40-character commit hash (a branch, tag or short hash can move)"
            else:
                problem = "names no commit, so it installs whatever the default branch holds"
            return Entry(cname, "", line, column, text, section=section, source=src, marker=marker,
                         pinned=problem is None, problem=problem, optional=optional)
    if "url" in value or "file" in value:
        url = str(value.get("url") or value.get("file"))
        from mllint_docker.model.installs.core import pin_problem

        problem = pin_problem(Requirement(cname, "", line, text, url=url))
        return Entry(cname, "", line, column, text, section=section, source=url, marker=marker,
                     pinned=problem is None, problem=problem, optional=optional)
    version = value.get("version", "")
    if not isinstance(version, str):
        return f"dependency {name!r}: `version` must be a string"
    problem = version_problem(version, style)
    source = value.get("source") or value.get("index")
    return Entry(cname, version, line, column, text, section=section, marker=marker,
                 source=str(source) if source else None, pinned=problem is None, problem=problem, optional=optional)


def _inline(value: dict) -> str:
    inner = ", ".join(f"{k} = {v!r}" if not isinstance(v, str) else f'{k} = "{v}"' for k, v in value.items())
    return "{ " + inner + " }"
