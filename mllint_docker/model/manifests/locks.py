"""Lock files in TOML: uv.lock, poetry.lock, pdm.lock and PEP 751 pylock.toml. Each gives the
packages it fixes (name, version, line, how many file hashes) and what it records it was made
from: Poetry's and PDM's `content-hash`, uv's requirements of the root project."""

from __future__ import annotations

from mllint_docker.model.manifests import PDM_LOCK, POETRY_LOCK, PYLOCK, UV_LOCK, Locked, Manifest
from mllint_docker.model.manifests.toml_lines import TomlLines, load
from mllint_docker.model.requirements import canonical_name


def parse(m: Manifest, text: str) -> None:
    data, err = load(text)
    if err is not None:
        m.error(*err)
        return
    idx = TomlLines(text)
    table = "packages" if m.format == PYLOCK else "package"
    packages = data.get(table, [])
    if not isinstance(packages, list):
        m.error(idx.find_key((), table), f"`{table}` must be an array of tables")
        return
    lines = [line for line, array, key in idx.headers if array and key == (table,)]
    for n, pkg in enumerate(packages):
        line = lines[n] if n < len(lines) else 1
        if not isinstance(pkg, dict) or not isinstance(pkg.get("name"), str):
            m.error(line, f"a `[[{table}]]` entry needs a `name`")
            continue
        version = pkg.get("version")
        m.locked.append(Locked(canonical_name(pkg["name"]), str(version) if version is not None else "", line,
                               _hash_count(pkg), _source(pkg)))
    if m.format == POETRY_LOCK:
        md = data.get("metadata", {})
        if isinstance(md, dict):
            m.meta["content_hash"] = md.get("content-hash")
            m.meta["lock_version"] = md.get("lock-version")
            m.meta["content_hash_line"] = idx.find_key(("metadata",), "content-hash")
    elif m.format == PDM_LOCK:
        md = data.get("metadata", {})
        if isinstance(md, dict):
            m.meta["content_hash"] = md.get("content_hash")
            m.meta["content_hash_line"] = idx.find_key(("metadata",), "content_hash")
            m.meta["lock_inputs"] = any(k in md for k in ("lock_inputs", "lock-inputs", "inputs"))
    elif m.format == UV_LOCK:
        _uv_roots(m, packages, lines, data, idx)


def _hash_count(pkg: dict) -> int:
    """How many files the lock pins by hash (uv and pylock hash every sdist and wheel they list;
    poetry's and pdm's `files` entries carry one each)."""
    n = 1 if isinstance(pkg.get("sdist"), dict) or isinstance(pkg.get("archive"), dict) else 0
    for key in ("wheels", "files"):
        files = pkg.get(key)
        if isinstance(files, list):
            n += len(files)
    return n


def _source(pkg: dict) -> str | None:
    src = pkg.get("source")
    if isinstance(src, dict):
        for key in ("registry", "git", "url", "path", "directory", "editable", "virtual"):
            if key in src:
                return f"{key}:{src[key]}"
        return src.get("url") or src.get("type")
    return pkg.get("index") if isinstance(pkg.get("index"), str) else None


def _uv_roots(m: Manifest, packages: list, lines: list[int], data: dict, idx: TomlLines) -> None:
    """The workspace's own projects (`source = { editable = "." }` or `{ virtual = "." }`) with the
    requirements uv resolved them from (`[package.metadata] requires-dist` and `requires-dev`)."""
    roots = {}
    for n, pkg in enumerate(packages):
        if not isinstance(pkg, dict):
            continue
        src = pkg.get("source")
        if not isinstance(src, dict) or not ({"editable", "virtual"} & set(src)):
            continue
        where = src.get("editable", src.get("virtual"))
        md = pkg.get("metadata") if isinstance(pkg.get("metadata"), dict) else {}
        line = lines[n] if n < len(lines) else 1
        span = idx.table(("package", "metadata"), _metadata_occurrence(idx, line))
        roots[canonical_name(str(pkg.get("name", "")))] = {
            "path": str(where),
            "line": line,
            "version": str(pkg["version"]) if "version" in pkg else None,
            "metadata_line": span[0] if span else line,
            "requires_dist": md.get("requires-dist", []) if isinstance(md.get("requires-dist"), list) else [],
            "requires_dev": md.get("requires-dev", {}) if isinstance(md.get("requires-dev"), dict) else {},
        }
    m.meta["roots"] = roots
    m.meta["requires_python"] = data.get("requires-python") if isinstance(data.get("requires-python"), str) else None
    m.meta["requires_python_line"] = idx.find_key((), "requires-python")
    manifest = data.get("manifest")
    m.meta["members"] = manifest.get("members", []) if isinstance(manifest, dict) else []


def _metadata_occurrence(idx: TomlLines, package_line: int) -> int:
    """Which `[package.metadata]` follows the `[[package]]` at package_line (0-based count)."""
    n = 0
    for line, _array, key in idx.headers:
        if key == ("package", "metadata"):
            if line > package_line:
                return n
            n += 1
    return n
