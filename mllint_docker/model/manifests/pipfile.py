"""Pipenv: `Pipfile` (TOML: `[packages]`, `[dev-packages]`, `[[source]]`) and `Pipfile.lock` (JSON:
`default` and `develop`, each package with its `==` version and hashes)."""

from __future__ import annotations

import json
import re

from mllint_docker.model.manifests import PIPFILE, Locked, Manifest
from mllint_docker.model.manifests.entries import table_entry
from mllint_docker.model.manifests.toml_lines import TomlLines, load
from mllint_docker.model.requirements import canonical_name


def parse(m: Manifest, text: str) -> None:
    if m.format == PIPFILE:
        _pipfile(m, text)
    else:
        _lock(m, text)


def _pipfile(m: Manifest, text: str) -> None:
    data, err = load(text)
    if err is not None:
        m.error(*err)
        return
    idx = TomlLines(text)
    m.meta["toml"] = data  # what Pipfile.lock's `_meta.hash` is computed from
    for section, optional in (("packages", False), ("dev-packages", True)):
        deps = data.get(section)
        if deps is None:
            continue
        if not isinstance(deps, dict):
            m.error(idx.find_key((), section), f"`[{section}]` must be a table")
            continue
        for name, value in deps.items():
            line = idx.find_key((section,), name)
            entry = table_entry(name, value, line, 1, section, "pipfile", optional)
            if isinstance(entry, str):
                m.error(line, entry)
            else:
                m.entries.append(entry)
    sources = data.get("source")
    if isinstance(sources, list):
        m.meta["sources"] = [s.get("url") for s in sources if isinstance(s, dict) and isinstance(s.get("url"), str)]


def _lock(m: Manifest, text: str) -> None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        m.error(err.lineno, f"invalid JSON: {err.msg} (column {err.colno})")
        return
    if not isinstance(data, dict):
        m.error(1, "a Pipfile.lock is a JSON object")
        return
    meta = data.get("_meta")
    if isinstance(meta, dict) and isinstance(meta.get("hash"), dict):
        m.meta["content_hash"] = meta["hash"].get("sha256")
        m.meta["content_hash_line"] = _key_line(m.lines, "sha256", _section_line(m.lines, "_meta"))
    for section in ("default", "develop"):
        body = data.get(section)
        if body is None:
            continue
        start = _section_line(m.lines, section)
        if not isinstance(body, dict):
            m.error(start, f"`{section}` must be an object")
            continue
        cursor = start
        for name, pkg in body.items():
            line = cursor = _key_line(m.lines, name, cursor)
            if not isinstance(pkg, dict):
                m.error(line, f"`{section}.{name}` must be an object")
                continue
            version = pkg.get("version", "")
            hashes = pkg.get("hashes", [])
            m.locked.append(Locked(canonical_name(name), str(version).lstrip("="), line,
                                   len(hashes) if isinstance(hashes, list) else 0,
                                   pkg.get("index") if isinstance(pkg.get("index"), str) else None))


def _section_line(lines: list[str], section: str) -> int:
    pat = re.compile(r'^\s*"' + re.escape(section) + r'"\s*:')
    return next((n for n, t in enumerate(lines, 1) if pat.match(t)), 1)


def _key_line(lines: list[str], key: str, start: int) -> int:
    needle = json.dumps(key) + ":"
    for n in range(start, len(lines) + 1):
        if lines[n - 1].lstrip().startswith(needle):
            return n
    return start
