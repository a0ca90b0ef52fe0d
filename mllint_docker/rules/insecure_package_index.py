from mllint_docker.model.installs import installs, pip_config, settings
from mllint_docker.rules import Issue, also, rule

LOOPBACK = ("localhost", "127.0.0.1", "::1")
# Variables by what they hold, for the package tools' indexes.
INDEX_VARS = {"PIP_INDEX_URL": "index", "PIP_EXTRA_INDEX_URL": "extra", "PIP_FIND_LINKS": "find-links",
              "PIP_TRUSTED_HOST": "trusted-host", "UV_INDEX_URL": "index", "UV_DEFAULT_INDEX": "index",
              "UV_EXTRA_INDEX_URL": "uv-extra", "UV_INDEX": "uv-extra", "UV_FIND_LINKS": "find-links",
              "UV_INSECURE_HOST": "trusted-host"}
CONFIG_KEYS = {"index-url": "index", "extra-index-url": "extra", "find-links": "find-links",
               "trusted-host": "trusted-host"}


@rule("MLD403", "insecure-package-index", "warning", scope="dockerfile",
      summary="Packages from a plain-HTTP index, a `--trusted-host`, or an `--extra-index-url` (dependency confusion)")
def check(df, project):
    seen = set()
    # An "extra" index that is the primary index itself (`pip config set global.index-url $I` and
    # `global.extra-index-url $I`) adds no second source: nothing to confuse.
    primaries = {_norm(c.value.value) for c in pip_config(df) if c.key == "index-url" and c.value is not None}
    primaries |= {_norm(s.value) for s in settings(df) if INDEX_VARS.get(s.name) == "index"}
    for install in installs(df):
        primaries |= {_norm(ix.url) for ix in install.indexes if ix.kind == "index"}
    for install in installs(df):
        unsafe_uv = "unsafe" in " ".join(w.value for w in install.values("index-strategy")) or \
            "unsafe" in install.env.get("UV_INDEX_STRATEGY", "")
        for ix in install.indexes:
            if ix.origin != "option":
                continue  # variables and pip config are reported where they are set
            kind = "extra" if ix.kind == "extra" and (install.tool != "uv" or unsafe_uv) else \
                ("uv-extra" if ix.kind == "extra" else ix.kind)
            tool = "uv (with an `unsafe-*` index strategy)" if install.tool == "uv" else "pip"
            if kind == "extra" and _norm(ix.url) in primaries:
                continue
            for issue in _judge(kind, ix.name, ix.url, ix.line, ix.word.column if ix.word else None, tool):
                seen.add((issue.line, issue.message))
                yield issue
        for name, value in install.assigned.items():
            if name in INDEX_VARS:
                yield from _judge(INDEX_VARS[name], name, value, install.line, None)
        if install.tool == "conda" and install.has("insecure"):
            yield Issue(install.line, f"`{install.program} {install.action} --insecure` skips TLS certificate "
                                      "checks: anyone on the network path can serve other packages",
                        fix="drop `--insecure`; add the proxy's CA certificate instead (`conda config --set ssl_verify <ca.pem>`)")
    for s in settings(df):
        if s.name in INDEX_VARS and not (INDEX_VARS[s.name] == "extra" and _norm(s.value) in primaries):
            for issue in _judge(INDEX_VARS[s.name], s.name, s.value, s.line, None):
                if (issue.line, issue.message) not in seen:
                    yield issue
    for c in pip_config(df):
        if c.key in CONFIG_KEYS and c.value is not None and not (c.key == "extra-index-url" and _norm(c.value.value) in primaries):
            yield from _judge(CONFIG_KEYS[c.key], f"pip config {c.key}", c.value.value, c.line, c.value.column)


@also("MLD403", "requirements")
def check_requirements(rf, project):
    names = {"index_url": ("index", "--index-url"), "extra_index_urls": ("extra", "--extra-index-url"),
             "find_links": ("find-links", "--find-links"), "trusted_hosts": ("trusted-host", "--trusted-host")}
    for opt in rf.options:
        if opt.name in names:
            kind, written = names[opt.name]
            for value in opt.values:
                yield from _judge(kind, written, value, opt.line, None)


def _judge(kind: str, name: str, value: str, line: int, column: int | None, tool: str = "pip"):
    for url in value.replace(",", " ").split():
        if "$" in url:
            continue  # a build argument: judged where it gets a value
        if kind == "trusted-host":
            host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
            if host not in LOOPBACK:
                yield Issue(line, f"`{name} {url}` turns off TLS certificate checks for `{host}`: anyone on the "
                                  "network path can serve other packages", column=column,
                            fix=f"serve the index over HTTPS with a valid certificate and drop `{name}`; for a "
                                "private CA, point `PIP_CERT`/`--cert` at its certificate")
            continue
        plain = url.lower().startswith("http://") and _host(url) not in LOOPBACK
        if plain:
            yield Issue(line, f"`{name} {url}` is plain HTTP: packages can be read and replaced in transit",
                        column=column, fix="use `https://` for this index")
        if kind == "extra":
            yield Issue(line, f"`{name} {url}` adds an index beside PyPI: {tool} takes the highest version from any "
                              "index, so whoever publishes one of this index's package names on PyPI with a higher "
                              "version gets installed (dependency confusion)", column=column,
                        fix="install what needs this index in a step of its own with `--index-url <it>` (and "
                            "`--no-deps` or hashes), or use uv, whose default index strategy stops at the first "
                            "index that has a name")


def _norm(url: str) -> str:
    return url.strip().rstrip("/").lower()


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
