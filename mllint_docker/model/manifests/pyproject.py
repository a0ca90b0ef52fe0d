"""pyproject.toml: PEP 621 `dependencies` and `optional-dependencies`, PEP 735 `dependency-groups`,
Poetry's `[tool.poetry]` dependencies and groups, PDM's and uv's dev dependencies, uv's sources."""

from __future__ import annotations

from mllint_docker.model.manifests import Entry, Manifest
from mllint_docker.model.manifests.entries import pep508, table_entry
from mllint_docker.model.manifests.toml_lines import TomlLines, load


def parse(m: Manifest, text: str) -> None:
    data, err = load(text)
    if err is not None:
        m.error(*err)
        return
    idx = TomlLines(text)
    project = data.get("project")
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else None
    meta = m.meta
    meta["toml"] = data  # what lock checks compare (Poetry's content-hash is over the parsed tables)
    meta["tools"] = sorted(k for k in ("poetry", "pdm", "uv", "hatch", "setuptools") if isinstance(tool.get(k), dict))
    backend = data.get("build-system", {}).get("build-backend") if isinstance(data.get("build-system"), dict) else None
    meta["build_backend"] = backend if isinstance(backend, str) else None
    if project is not None and not isinstance(project, dict):
        m.error(idx.find_key((), "project"), "`project` must be a table")
        project = None
    if isinstance(project, dict):
        meta["name"] = project.get("name") if isinstance(project.get("name"), str) else None
        meta["dynamic"] = project.get("dynamic") if isinstance(project.get("dynamic"), list) else []
        _array(m, idx, ("project",), "dependencies", project.get("dependencies"), "dependencies", False)
        extras = project.get("optional-dependencies")
        if extras is not None:
            if not isinstance(extras, dict):
                m.error(idx.find_key(("project",), "optional-dependencies"), "`optional-dependencies` must be a table")
            else:
                for extra, items in extras.items():
                    _array(m, idx, ("project", "optional-dependencies"), extra, items,
                           f"optional-dependencies.{extra}", True)
    groups = data.get("dependency-groups")
    if groups is not None:
        if not isinstance(groups, dict):
            m.error(idx.find_key((), "dependency-groups"), "`dependency-groups` must be a table")
        else:
            for group, items in groups.items():
                _array(m, idx, ("dependency-groups",), group, items, f"group.{group}", True, groups_ok=True)
    if poetry is not None:
        meta["name"] = meta.get("name") or (poetry.get("name") if isinstance(poetry.get("name"), str) else None)
        _poetry_table(m, idx, ("tool", "poetry", "dependencies"), poetry.get("dependencies"), "poetry.dependencies", False)
        _poetry_table(m, idx, ("tool", "poetry", "dev-dependencies"), poetry.get("dev-dependencies"), "poetry.dev-dependencies", True)
        pgroups = poetry.get("group")
        if isinstance(pgroups, dict):
            for group, body in pgroups.items():
                if isinstance(body, dict):
                    _poetry_table(m, idx, ("tool", "poetry", "group", group, "dependencies"), body.get("dependencies"),
                                  f"poetry.group.{group}", bool(body.get("optional")))
    pdm = tool.get("pdm") if isinstance(tool.get("pdm"), dict) else None
    if pdm is not None and isinstance(pdm.get("dev-dependencies"), dict):
        for group, items in pdm["dev-dependencies"].items():
            _array(m, idx, ("tool", "pdm", "dev-dependencies"), group, items, f"pdm.dev.{group}", True)
    uv = tool.get("uv") if isinstance(tool.get("uv"), dict) else None
    if uv is not None:
        if "dev-dependencies" in uv:
            _array(m, idx, ("tool", "uv"), "dev-dependencies", uv.get("dev-dependencies"), "uv.dev-dependencies", True)
        sources = uv.get("sources")
        meta["uv_sources"] = sorted(sources) if isinstance(sources, dict) else []


def _array(m: Manifest, idx: TomlLines, table: tuple[str, ...], key: str, items, section: str, optional: bool,
           groups_ok: bool = False) -> None:
    if items is None:
        return
    span = idx.table(table)
    if span is None:  # written as a dotted key or an inline table in a parent table
        for cut in range(len(table) - 1, -1, -1):
            span = idx.table(table[:cut])
            if span is not None:
                break
    span = span or (1, len(idx.lines))
    key_line = idx.key_line(span, key, span[0])
    if not isinstance(items, list):
        m.error(key_line, f"`{key}` must be an array of requirement strings")
        return
    cursor = key_line
    for item in items:
        if groups_ok and isinstance(item, dict) and "include-group" in item:
            continue
        if not isinstance(item, str):
            m.error(key_line, f"`{key}`: {item!r} is not a requirement string")
            continue
        pos = idx.locate(item, cursor, span[1])
        line, col = pos if pos else (key_line, 1)
        cursor = line
        entry = pep508(item, line, col, section, optional)
        if isinstance(entry, str):
            m.error(line, entry)
        else:
            m.entries.append(entry)


def _poetry_table(m: Manifest, idx: TomlLines, table: tuple[str, ...], deps, section: str, optional: bool) -> None:
    if deps is None:
        return
    if not isinstance(deps, dict):
        m.error(idx.find_key(table[:-1], table[-1]), f"`{'.'.join(table)}` must be a table")
        return
    for name, value in deps.items():
        line = idx.find_key(table, name)
        if name.lower() == "python":
            m.meta["requires_python"] = value if isinstance(value, str) else None
            continue
        entry = table_entry(name, value, line, 1, section, "poetry", optional)
        if isinstance(entry, str):
            m.error(line, entry)
        else:
            m.entries.append(entry)


def requirements_for(m: Manifest, extras: set[str] | None = None) -> list[Entry]:
    """What `pip install <project>[extras]` installs: PEP 621 `dependencies` (or Poetry's main
    dependencies for a Poetry-only project) and the named extras; never groups."""
    extras = {e.lower() for e in (extras or set())}
    pep621 = [e for e in m.entries if e.section == "dependencies"
              or (e.section.startswith("optional-dependencies.") and e.section.split(".", 1)[1].lower() in extras)]
    if pep621 or any(e.section.startswith(("dependencies", "optional-dependencies")) for e in m.entries):
        return pep621
    return [e for e in m.entries if e.section == "poetry.dependencies" and (not e.optional or extras)]
