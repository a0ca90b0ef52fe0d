"""Does a lock file still match the manifest it was made from? Both checks are static, as the tools
themselves make them before installing:

- poetry.lock records `content-hash`: SHA-256 of the JSON (sorted keys) of the pyproject parts that
  decide the resolution (`[project]` requires-python, dependencies, optional-dependencies and
  `[tool.poetry]` dependencies, source, extras, dev-dependencies, group). `poetry check --lock` and
  `poetry install` compare the same hash.
- Pipfile.lock records `_meta.hash.sha256`: SHA-256 of the compact JSON (sorted keys) of the
  Pipfile's sources, requires, packages, dev-packages and custom categories, which
  `pipenv install --deploy` compares.
- pdm.lock records `content_hash` (`sha256:<hex>`): the hash of the JSON (sorted keys) of the
  project's dependencies, optional-dependencies and requires-python, `[tool.pdm]` source and
  resolution, and the dev groups (`[dependency-groups]` with `[tool.pdm] dev-dependencies`, as PDM 2
  merges them; earlier releases hashed `dev-dependencies` alone, which is accepted too when there is
  no `[dependency-groups]` table).
  `pdm lock --check` compares the same hash.
- uv.lock records, for the workspace's own project, the requirements it resolved from
  (`[package.metadata] requires-dist` and `requires-dev`); `uv sync --locked` fails when the
  pyproject's differ. We compare names, extras and version specifiers (markers as uv normalises
  them are not compared).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from mllint_docker.model.manifests import Manifest
from mllint_docker.model.requirements import canonical_name

_LEGACY_KEYS = ("dependencies", "source", "extras", "dev-dependencies")
_RELEVANT_KEYS = (*_LEGACY_KEYS, "group")
_PROJECT_KEYS = ("requires-python", "dependencies", "optional-dependencies")


@dataclass(frozen=True, slots=True)
class Staleness:
    line: int  # in the lock file
    message: str


def poetry_content_hash(pyproject: dict) -> str:
    project = pyproject.get("project", {}) if isinstance(pyproject.get("project"), dict) else {}
    tool = pyproject.get("tool", {}) if isinstance(pyproject.get("tool"), dict) else {}
    poetry = tool.get("poetry", {}) if isinstance(tool.get("poetry"), dict) else {}
    relevant_project = {k: project[k] for k in _PROJECT_KEYS if project.get(k) is not None}
    relevant_poetry = {}
    for key in _RELEVANT_KEYS:
        data = poetry.get(key)
        if data is None and (key not in _LEGACY_KEYS or relevant_project):
            continue
        relevant_poetry[key] = data
    if relevant_project:
        content = {"project": relevant_project, "tool": {"poetry": relevant_poetry}}
    else:
        content = relevant_poetry
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _load(pyproject: Manifest) -> dict | None:
    data = pyproject.meta.get("toml")
    return data if isinstance(data, dict) else None


def poetry_stale(lock: Manifest, pyproject: Manifest) -> Staleness | None:
    recorded = lock.meta.get("content_hash")
    if not isinstance(recorded, str) or pyproject.errors:
        return None
    data = _load(pyproject)
    if data is None:
        return None
    if poetry_content_hash(data) == recorded:
        return None
    return Staleness(lock.meta.get("content_hash_line") or 1,
                     f"poetry.lock's content-hash does not match {pyproject.path.name}: its dependencies changed "
                     "after the lock was made (`poetry install` refuses or installs the old set)")


def pdm_content_hash(pyproject: dict, algo: str = "sha256", merged_groups: bool = True) -> str:
    project = pyproject.get("project") if isinstance(pyproject.get("project"), dict) else {}
    tool = pyproject.get("tool") if isinstance(pyproject.get("tool"), dict) else {}
    pdm = tool.get("pdm") if isinstance(tool.get("pdm"), dict) else {}
    dev = pdm.get("dev-dependencies", {})
    if merged_groups:
        groups: dict[str, list] = {}
        for group, deps in (pyproject.get("dependency-groups") or {}).items():
            groups[canonical_name(group)] = list(deps)
        for group, deps in (dev if isinstance(dev, dict) else {}).items():
            groups.setdefault(canonical_name(group), []).extend(deps)
        dev = groups
    content = {"sources": pdm.get("source", []), "dependencies": project.get("dependencies", []), "dev-dependencies": dev,
               "optional-dependencies": project.get("optional-dependencies", {}),
               "requires-python": project.get("requires-python", ""), "resolution": pdm.get("resolution", {})}
    return hashlib.new(algo, json.dumps(content, sort_keys=True).encode()).hexdigest()


def pdm_stale(lock: Manifest, pyproject: Manifest) -> Staleness | None:
    recorded = lock.meta.get("content_hash")
    if not isinstance(recorded, str) or ":" not in recorded or pyproject.errors or lock.meta.get("lock_inputs"):
        return None  # newer locks record their inputs instead, which this does not compare
    algo, _, value = recorded.partition(":")
    data = _load(pyproject)
    if data is None or algo not in hashlib.algorithms_guaranteed:
        return None
    try:
        if value == pdm_content_hash(data, algo):
            return None
        # A lock from a PDM before [dependency-groups] counted: its hash left group names as written.
        if "dependency-groups" not in data and value == pdm_content_hash(data, algo, merged_groups=False):
            return None
    except (TypeError, ValueError, AttributeError):
        return None  # a pyproject PDM itself could not hash
    return Staleness(lock.meta.get("content_hash_line") or 1,
                     f"pdm.lock's content_hash does not match {pyproject.path.name}: its dependencies changed after "
                     "the lock was made (`pdm install` warns and installs the old set; `pdm lock --check` fails)")


_DEFAULT_SOURCE = [{"url": "https://pypi.org/simple", "verify_ssl": True, "name": "pypi"}]
_PIPFILE_OWN = {"source", "requires", "packages", "dev-packages", "pipenv", "scripts"}


def pipfile_hash(pipfile: dict) -> str:
    content = {"_meta": {"sources": pipfile.get("source") or _DEFAULT_SOURCE, "requires": pipfile.get("requires", {})},
               "default": pipfile.get("packages", {}), "develop": pipfile.get("dev-packages", {})}
    content.update({k: v for k, v in pipfile.items() if k not in _PIPFILE_OWN})
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def pipfile_stale(lock: Manifest, pipfile: Manifest) -> Staleness | None:
    recorded = lock.meta.get("content_hash")
    data = _load(pipfile)
    if not isinstance(recorded, str) or data is None or pipfile.errors:
        return None
    if pipfile_hash(data) == recorded:
        return None
    return Staleness(lock.meta.get("content_hash_line") or 1,
                     f"Pipfile.lock's hash does not match {pipfile.path.name}: it changed after the lock was made "
                     "(`pipenv install --deploy` refuses to build, plain `pipenv install` re-locks)")


def _pep508_keys(items: list, extra: str | None = None) -> set[tuple] | None:
    from packaging.requirements import InvalidRequirement, Requirement

    out = set()
    for item in items:
        if not isinstance(item, str):
            continue
        try:
            r = Requirement(item)
        except InvalidRequirement:
            return None
        spec = "" if r.url else str(r.specifier)
        out.add((canonical_name(r.name), tuple(sorted(e.lower() for e in r.extras)), _spec(spec), extra))
    return out


def _same_pythons(a: str, b: str) -> bool:
    """Two requires-python ranges allow the same interpreters (uv writes its own simplified form,
    `==3.11.*` for `>=3.11,<3.12`): compared on every release 2.7 and 3.0-3.29 (patches 0-40)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        sa, sb = SpecifierSet(a), SpecifierSet(b)
    except InvalidSpecifier:
        return a.replace(" ", "") == b.replace(" ", "")
    versions = ["2.7", "2.7.18", "4.0"] + [f"3.{minor}.{patch}" for minor in range(30) for patch in range(41)]
    return all((v in sa) == (v in sb) for v in versions)


def _version(v: str) -> str:
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(v))
    except InvalidVersion:
        return v


def _spec(spec: str) -> str:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:  # one spelling for one set: lower bounds first, then pins, then upper bounds and exclusions
        parts = SpecifierSet(spec)
    except InvalidSpecifier:
        return spec
    order = {">": 0, ">=": 0, "==": 1, "===": 1, "~=": 1, "!=": 2, "<=": 3, "<": 3}
    return ",".join(str(x) for x in sorted(parts, key=lambda x: (order.get(x.operator, 4), str(x))))


def _lock_keys(items: list, group: str | None = None) -> set[tuple]:
    out = set()
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        extras = item.get("extras") if isinstance(item.get("extras"), list) else []
        marker = item.get("marker") if isinstance(item.get("marker"), str) else ""
        extra = group
        if group is None:
            extra = _extra_of(marker)
        spec = "" if any(k in item for k in ("url", "git", "path", "editable", "directory")) else item.get("specifier", "")
        out.add((canonical_name(item["name"]), tuple(sorted(str(e).lower() for e in extras)), _spec(str(spec)), extra))
    return out


def _extra_of(marker: str) -> str | None:
    import re

    m = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", marker)
    return canonical_name(m.group(1)) if m else None


def uv_stale(lock: Manifest, pyproject: Manifest) -> Staleness | None:
    """The lock's root project against the pyproject's `[project]`, extras and groups."""
    roots = lock.meta.get("roots") or {}
    name = canonical_name(pyproject.meta.get("name") or "")
    root = roots.get(name)
    if root is None or pyproject.errors:
        return None
    data = _load(pyproject)
    if data is None or not isinstance(data.get("project"), dict):
        return None
    project = data["project"]
    dynamic = project.get("dynamic") if isinstance(project.get("dynamic"), list) else []
    if "dependencies" in dynamic or "optional-dependencies" in dynamic:
        return None  # the build backend computes them: nothing static to compare
    version = project.get("version")
    if "version" not in dynamic and isinstance(version, str) and root.get("version") not in (None, version) \
            and _version(root["version"]) != _version(version):
        return Staleness(root["line"], f"uv.lock is stale: it records {name} {root['version']}, {pyproject.path.name} "
                                       f"says version {version} — `uv sync --locked` fails and plain `uv sync` "
                                       "re-locks at build time")
    rp = project.get("requires-python")
    recorded = lock.meta.get("requires_python")
    if isinstance(rp, str) and isinstance(recorded, str) and not _same_pythons(rp, recorded):
        return Staleness(lock.meta.get("requires_python_line") or 1,
                         f"uv.lock is stale: it was resolved for Python `{recorded}`, {pyproject.path.name} now says "
                         f"`{rp}` — `uv sync --locked` fails and plain `uv sync` re-locks at build time")
    sources = set(pyproject.meta.get("uv_sources") or [])
    want = _pep508_keys(project.get("dependencies") or [])
    extras = project.get("optional-dependencies") or {}
    if want is None or not isinstance(extras, dict):
        return None
    for extra, items in extras.items():
        more = _pep508_keys(items if isinstance(items, list) else [], canonical_name(extra))
        if more is None:
            return None
        want |= more
    have = _lock_keys(root["requires_dist"])
    groups = dict(data.get("dependency-groups") or {}) if isinstance(data.get("dependency-groups"), dict) else {}
    uv_tool = data.get("tool", {}).get("uv", {}) if isinstance(data.get("tool"), dict) else {}
    if isinstance(uv_tool, dict) and isinstance(uv_tool.get("dev-dependencies"), list):
        groups["dev"] = list(groups.get("dev", [])) + uv_tool["dev-dependencies"]
    for group, items in groups.items():
        more = _pep508_keys(items if isinstance(items, list) else [], "group:" + canonical_name(group))
        if more is None:
            return None
        want |= more
    for group, items in root["requires_dev"].items():
        if isinstance(items, list):
            have |= _lock_keys(items, "group:" + canonical_name(group))

    def loose(keys):  # a name with a uv source is compared by name alone
        return {(k[0], k[1], "" if k[0] in sources else k[2], k[3]) for k in keys}

    want, have = loose(want), loose(have)
    missing = sorted(want - have)
    extra = sorted(have - want)
    if not missing and not extra:
        return None
    if missing:
        k = missing[0]
        was = next((h for h in extra if h[:2] == k[:2] and h[3] == k[3]), None)
        what = f"`{k[0]}{k[2]}`" + (f" ({_where(k[3])})" if k[3] else "")
        if was is not None:
            extra = [h for h in extra if h is not was]
            detail = f"{pyproject.path.name} asks for {what}, uv.lock was resolved from `{was[0]}{was[2]}`"
        else:
            detail = f"{pyproject.path.name} asks for {what}, which uv.lock was not resolved from"
    else:
        k = extra[0]
        detail = f"uv.lock was resolved from `{k[0]}{k[2]}`" + (f" ({_where(k[3])})" if k[3] else "") + \
                 f", which {pyproject.path.name} no longer asks for"
    more = len(missing) + len(extra) - 1
    return Staleness(root.get("metadata_line") or root["line"],
                     f"uv.lock is stale: {detail}" + (f" (and {more} more difference{'s' if more > 1 else ''})" if more else "")
                     + " — `uv sync --locked` fails and plain `uv sync` re-resolves at build time")


def _where(tag: str) -> str:
    return f"group `{tag[6:]}`" if tag.startswith("group:") else f"extra `{tag}`"
