"""conda: environment files (with their `pip:` section), conda-lock's `conda-lock.yml` and explicit
lists (`@EXPLICIT` URLs, what `conda list --explicit` and `conda-lock --kind explicit` write).
YAML is composed once with PyYAML (the C loader when present), so every entry keeps its line."""

from __future__ import annotations

import re

from mllint_docker.model.manifests import CONDA_ENV, CONDA_LOCK, CONDA_SPECS, Entry, Locked, Manifest
from mllint_docker.model.manifests.entries import pep508

_SPEC = re.compile(r"^(?:([\w.\-/:]+)::)?([A-Za-z0-9_][A-Za-z0-9._-]*)\s*(.*)$")
_EXACT = re.compile(r"^\d[\w.+!-]*$")


def match_spec(value: str) -> tuple[str, str, str | None, bool | None, str | None]:
    """conda's match specs: `numpy`, `numpy=1.26` (conda's idiomatic pin), `numpy==1.26.4`,
    `numpy=1.26.4=py311h...`, `numpy 1.26.4`, `numpy>=1.2`, `conda-forge::numpy=1.26`,
    `numpy[version='>=1.2']`. Returns (name, version part, channel, pinned, problem); name "" when
    the text is not a spec; pinned None when a variable hides it."""
    value = value.strip()
    m = _SPEC.match(value)
    if not m or value.startswith("$") or "$" in m.group(2):
        return "", "", None, None, None
    channel, name, spec = m.group(1), m.group(2).lower(), m.group(3).strip()
    bracket = re.match(r"^\[\s*version\s*=\s*['\"]?([^'\"\]]*)['\"]?", spec)
    if bracket:
        spec = bracket.group(1).strip()
    if "$" in spec:
        return name, spec, channel, None, None
    if not spec:
        return name, spec, channel, False, "has no version"
    if spec.startswith("=="):
        version = spec[2:].split("=", 1)[0]
    elif spec.startswith("="):
        version = spec[1:].split("=", 1)[0]
    elif spec[0].isdigit():
        version = spec.split()[0]
    else:
        version = ""
    if version and _EXACT.match(version):
        return name, spec, channel, True, None
    if version.endswith("*"):
        return name, spec, channel, False, f"allows a wildcard of versions (`{spec}`)"
    return name, spec, channel, False, f"allows a range of versions (`{spec}`)"


def parse(m: Manifest, text: str) -> None:
    if m.format == CONDA_ENV:
        _environment(m, text)
    elif m.format == CONDA_LOCK:
        _conda_lock(m, text)
    else:
        _explicit(m, text)


def _compose(m: Manifest, text: str):
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.compose(text, Loader=loader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        m.error(mark.line + 1 if mark else None, f"invalid YAML: {problem}")
        return None


def _mapping(node) -> dict[str, tuple[object, object]]:
    """key -> (key node, value node) of a YAML mapping node."""
    out = {}
    for k, v in getattr(node, "value", []):
        if getattr(k, "tag", "").endswith(":str") or hasattr(k, "value") and isinstance(k.value, str):
            out[str(k.value)] = (k, v)
    return out


def _is(node, kind: str) -> bool:
    return type(node).__name__ == kind


def _environment(m: Manifest, text: str) -> None:
    root = _compose(m, text)
    if root is None:
        m.relevant = bool(m.errors)
        return
    keys = _mapping(root) if _is(root, "MappingNode") else {}
    if "dependencies" not in keys and "channels" not in keys:
        m.relevant = False  # a YAML file of another kind (a CI workflow named conda.yml)
        return
    if "name" in keys and _is(keys["name"][1], "ScalarNode"):
        m.meta["name"] = keys["name"][1].value
    if "channels" in keys:
        node = keys["channels"][1]
        if not _is(node, "SequenceNode"):
            m.error(node.start_mark.line + 1, "`channels` must be a list")
        else:
            for item in node.value:
                if _is(item, "ScalarNode"):
                    m.channels.append((str(item.value), item.start_mark.line + 1))
    deps = keys.get("dependencies", (None, None))[1]
    if deps is None or (_is(deps, "ScalarNode") and deps.value in ("", "~", "null")):
        return
    if not _is(deps, "SequenceNode"):
        m.error(deps.start_mark.line + 1, "`dependencies` must be a list")
        return
    for item in deps.value:
        line, col = item.start_mark.line + 1, item.start_mark.column + 1
        if _is(item, "ScalarNode"):
            value = str(item.value)
            name, spec, channel, pinned, problem = match_spec(value)
            if not name:
                m.error(line, f"not a conda match spec: {value!r}")
                continue
            m.entries.append(Entry(name, spec, line, col, value, kind="conda", source=channel,
                                   pinned=pinned, problem=problem))
        elif _is(item, "MappingNode"):
            sub = _mapping(item)
            if "pip" not in sub:
                m.error(line, "a mapping in `dependencies` must be `pip:` with a list of requirements")
                continue
            _pip_section(m, sub["pip"][1])
        else:
            m.error(line, "`dependencies` entries must be match specs or a `pip:` list")


def _pip_section(m: Manifest, node) -> None:
    if not _is(node, "SequenceNode"):
        m.error(node.start_mark.line + 1, "`pip:` must be a list of requirements")
        return
    for item in node.value:
        line, col = item.start_mark.line + 1, item.start_mark.column + 1
        if not _is(item, "ScalarNode"):
            m.error(line, "`pip:` entries must be requirement strings")
            continue
        value = str(item.value).strip()
        if value.startswith("-"):
            _pip_option(m, value, line, col)
            continue
        if "://" in value and " @ " not in value:
            _url_entry(m, value, value, line, col)  # a bare VCS or archive URL, as pip accepts it
            continue
        entry = pep508(value, line, col, "pip")
        if isinstance(entry, str):
            if "$" in value:
                continue  # a variable conda expands at install time
            m.error(line, entry)
        else:
            entry.kind = "pypi"
            m.entries.append(entry)


def _pip_option(m: Manifest, value: str, line: int, col: int) -> None:
    """`-r file`, `-e path-or-url`, `--extra-index-url ...` inside `pip:` (conda writes them into a
    requirements file for pip)."""
    opt, _, arg = value.partition(" ")
    arg = arg.strip()
    if opt in ("-e", "--editable") and arg:
        _url_entry(m, value, arg, line, col, editable=True)
    elif opt in ("-r", "--requirement") and arg:
        m.meta.setdefault("pip_requirements", []).append((arg, line))
    else:
        m.meta.setdefault("pip_options", []).append((value, line))


def _url_entry(m: Manifest, text: str, url: str, line: int, col: int, editable: bool = False) -> None:
    from mllint_docker.model.installs.core import egg_name, is_local, pin_problem
    from mllint_docker.model.requirements import Requirement

    local = is_local(url) or (editable and "://" not in url)
    name = egg_name(url)
    problem = None if local else pin_problem(Requirement(name, "", line, text, url=url, editable=editable))
    m.entries.append(Entry(name, "", line, col, text, section="pip", source=url, local=local,
                           pinned=problem is None, problem=problem))


def _conda_lock(m: Manifest, text: str) -> None:
    root = _compose(m, text)
    if root is None:
        return
    keys = _mapping(root) if _is(root, "MappingNode") else {}
    if "package" not in keys:
        m.error(1, "not a conda-lock file: no `package` list")
        return
    meta = _mapping(keys["metadata"][1]) if "metadata" in keys else {}
    if "channels" in meta and _is(meta["channels"][1], "SequenceNode"):
        for item in meta["channels"][1].value:
            url = _mapping(item).get("url") if _is(item, "MappingNode") else None
            if url and _is(url[1], "ScalarNode"):
                m.channels.append((str(url[1].value), url[1].start_mark.line + 1))
    if "sources" in meta and _is(meta["sources"][1], "SequenceNode"):
        m.meta["sources"] = [str(s.value) for s in meta["sources"][1].value if _is(s, "ScalarNode")]
    packages = keys["package"][1]
    if not _is(packages, "SequenceNode"):
        m.error(packages.start_mark.line + 1, "`package` must be a list")
        return
    for item in packages.value:
        fields = _mapping(item) if _is(item, "MappingNode") else {}
        name, version = fields.get("name"), fields.get("version")
        if not name or not version:
            m.error(item.start_mark.line + 1, "a locked package needs `name` and `version`")
            continue
        hashes = fields.get("hash")
        m.locked.append(Locked(str(name[1].value), str(version[1].value), item.start_mark.line + 1,
                               len(getattr(hashes[1], "value", [])) if hashes else 0,
                               str(fields["url"][1].value) if "url" in fields else None))


_URL_LINE = re.compile(r"^(https?|file|s3)://\S+$")
_CONDA_FILE = re.compile(r"/([^/#]+)-([^-/#]+)-([^-/#]+)\.(tar\.bz2|conda)(#|$)")


def _explicit(m: Manifest, text: str) -> None:
    """`@EXPLICIT` then one package URL a line (with `#md5` or `#sha256:`); without the marker the
    file is a list of match specs (`conda install --file`)."""
    explicit = False
    for n, raw in enumerate(m.lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line == "@EXPLICIT":
            explicit = True
            continue
        if explicit:
            if not _URL_LINE.match(line):
                m.error(n, f"after @EXPLICIT every line must be a package URL, not {line[:60]!r}")
                continue
            f = _CONDA_FILE.search(line)
            name, version = (f.group(1), f.group(2)) if f else (line.rsplit("/", 1)[-1], "")
            m.locked.append(Locked(name, version, n, 1 if "#" in line else 0, line))
        else:
            name, spec, channel, pinned, problem = match_spec(line.split("#", 1)[0])
            if not name:
                m.error(n, f"not a conda match spec: {line[:60]!r}")
                continue
            m.entries.append(Entry(name, spec, n, raw.find(line) + 1, line, kind="conda", source=channel,
                                   pinned=pinned, problem=problem))
    m.meta["explicit"] = explicit
    if not explicit:
        m.format = CONDA_SPECS
        if not m.entries and not m.errors:
            m.relevant = False


def conda_lock_for(project, env_path, search=()):
    """The conda lock made from this environment file: a `conda-lock.yml` beside it (or in `search`
    directories) whose `metadata.sources` names it, or an explicit `conda-*.lock` beside an
    environment file that is the only one in its directory (explicit lists do not say their source)."""
    from mllint_docker.model.manifests import CONDA_ENV, manifest_format

    env_name = env_path.name
    for d in dict.fromkeys([env_path.parent, *search]):
        try:
            files = sorted(f for f in d.iterdir() if f.is_file())
        except OSError:
            continue
        envs = [f for f in files if manifest_format(f.name) == CONDA_ENV]
        for f in files:
            fmt = manifest_format(f.name)
            if fmt == CONDA_LOCK:
                sources = project.manifest(f, fmt).meta.get("sources") or []
                if any(s.rsplit("/", 1)[-1] == env_name for s in sources):
                    return f
            elif fmt == "conda-explicit" and len(envs) == 1 and envs[0].name == env_name and d == env_path.parent:
                return f
    return None
