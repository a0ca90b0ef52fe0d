"""Hypothesis strategies for every input mllint reads: Dockerfiles, requirements files,
`.dockerignore`, compose files and config, each seeded from the real-world corpus and mutated with
the tokens that matter to its parser; plus hostile file trees (control characters, workflow
commands and undecodable bytes in names, names too long for the file system, symlinks out of the
project and in loops, FIFOs).

The corpus (`shared/corpus`, beside the repository in CI) is read at test time by path; without it
the strategies still run on built-in seeds. `MLLINT_FUZZ_CORPUS` names another directory.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
SECRET = "FUZZSECRET-7d41"
OUTSIDE = "@OUTSIDE@"  # replaced by the absolute path of a directory outside the project


def corpus_dir() -> Path | None:
    """`MLLINT_FUZZ_CORPUS`, else `shared/corpus` beside the repository (CI) or beside the directory
    that holds it (a worktree checkout)."""
    env = os.environ.get("MLLINT_FUZZ_CORPUS")
    candidates = [Path(env)] if env else [REPO.parent / "shared" / "corpus", REPO.parent.parent / "shared" / "corpus"]
    return next((c for c in candidates if c.is_dir()), None)


@lru_cache(maxsize=None)
def seeds(kind: str) -> tuple[str, ...]:
    """Corpus texts of one kind (`dockerfiles`, `requirements`, `dockerignore`, `environments`)."""
    base = corpus_dir()
    out = list(BUILTIN[kind])
    if base is not None and (base / kind).is_dir():
        for p in sorted((base / kind).iterdir()):
            if p.is_file() and p.stat().st_size < 64 * 1024:
                out.append(p.read_bytes().decode("utf-8", "surrogateescape"))
    return tuple(out)


BUILTIN = {
    "dockerfiles": (
        "FROM python:3.11-slim AS base\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
        "COPY . .\nUSER app\nCMD [\"python\", \"main.py\"]\n",
        "ARG BASE=python:3.11\nFROM ${BASE}\nRUN <<EOF\napt-get update && apt-get install -y gcc\nEOF\n"
        "COPY --from=0 /x /y\nENV A=1 B=\"two words\"\n",
    ),
    "requirements": ("numpy==2.1.0\ntorch>=2 ; python_version > '3.8'\n-r base.txt\n-c constraints.txt\n"
                     "--extra-index-url https://download.pytorch.org/whl/cpu\n-e git+https://x/y.git@main#egg=y\n",),
    "dockerignore": (".git\n**/*.pyc\n!keep.pyc\ndata/\n# comment\n",),
    "environments": ("name: env\ndependencies:\n  - python=3.11\n  - pip:\n    - torch==2.1.0\n",),
}

HOSTILE = ["\x00", "\x01", "\x07", "\x1b[31m", "\x1b]0;title\x07", "\x7f", "\x85", "\u2028", "\u202e", "\ufeff",
           "\udcff", "\udc80", "\r", "\r\n", "\n", "\t", "\\", "\\\n", "\n::error file=x::pwned\n", "::warning::x",
           ":100:", "root:x:0:0", "[bold]", "[/]", "%0A", "&lt;", "<![CDATA[", "]]>", "\"", "'", "é", "😀",
           "9" * 40, "a" * 300]
PATHS = ["../outside/secret.txt", f"{OUTSIDE}/secret.txt", f"{OUTSIDE}", "../" * 6 + "etc/passwd", "/etc/passwd",
         "..", ".", "./sub/../..", "sub", "a" * 300, "x/" * 60, "[!]", "[^]", "*", "**", "?", "\\d", "link",
         "loop", "fifo", "requirements.txt", "Dockerfile"]
TOKENS = {
    "dockerfiles": ["FROM ", "FROM scratch\n", "ARG ", "ENV ", "COPY ", "ADD ", "RUN ", "USER ", "WORKDIR ", "CMD ",
                    "ENTRYPOINT ", "ONBUILD ", "HEALTHCHECK ", "SHELL [\"/bin/sh\"]\n", "${A}", "$A", "${A:-x}",
                    "${A:+$B}", "${", "}", "<<EOF\n", "<<-'EOF'\n", "EOF\n", "# escape=`\n", "# syntax=x\n",
                    "--mount=type=bind,source=../../x,target=/r ", "--mount=type=cache,target=/root/.cache ",
                    "--from=", "--chown=", "pip install -r ", "pip install ", "-r /r.txt ", "uv pip install ",
                    "conda install -y ", "apt-get install -y ", "&&", "||", ";", "|", "$(", "`", "[\"", "\"]",
                    "AS ", " /app/\n", "\n"],
    "requirements": ["-r ", "-c ", "--requirement=", "-e ", "--index-url ", "--extra-index-url ", "--trusted-host ",
                     "--hash=sha256:" + "0" * 64, "==", ">=", "~=", "===", "@ ", "git+https://x/y.git@", "#egg=",
                     "; python_version<'3'", "[extra]", " # mllint: disable=requirement-unpinned", "\\\n", "\n"],
    "dockerignore": ["!", "**", "*", "?", "[", "]", "[!]", "[^]", "[[:alpha:]]", "\\d", "\\a", "\\e", "\\", "/",
                     "#", " ", "..", "\n"],
    "environments": ["- ", "pip:", "  - ", "name: ", "channels:", "dependencies:", "==", "=", "\n"],
}


def _write_text(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


@st.composite
def mutated(draw, kind: str, max_ops: int = 6) -> str:
    """A corpus seed with a few edits: insert a token, a hostile string or a path; delete or
    duplicate a span; splice in lines of another seed."""
    pool = seeds(kind)
    text = draw(st.sampled_from(pool))
    if len(text) > 20000:
        start = draw(st.integers(0, len(text) - 20000))
        text = text[start:start + 20000]
    tokens = TOKENS[kind] + HOSTILE + PATHS
    for _ in range(draw(st.integers(0, max_ops))):
        op = draw(st.sampled_from(["insert", "insert", "insert", "delete", "duplicate", "splice", "repeat"]))
        pos = draw(st.integers(0, len(text)))
        if op == "insert":
            text = text[:pos] + draw(st.sampled_from(tokens) | st.text(max_size=8)) + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 40)):]
        elif op == "duplicate":
            end = min(len(text), pos + draw(st.integers(1, 200)))
            text = text[:end] + text[pos:end] + text[end:]
        elif op == "repeat":
            token = draw(st.sampled_from(tokens))
            text = text[:pos] + token * draw(st.integers(2, 60)) + text[pos:]
        else:
            other = draw(st.sampled_from(pool)).splitlines(keepends=True)
            if other:
                i = draw(st.integers(0, len(other) - 1))
                text = text[:pos] + "".join(other[i:i + draw(st.integers(1, 10))]) + text[pos:]
    return text


def any_text(kind: str):
    return mutated(kind) | st.text(max_size=300) | st.sampled_from(seeds(kind))


scalars = st.one_of(st.sampled_from(PATHS), st.sampled_from(HOSTILE), st.text(max_size=20), st.integers(),
                    st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none())


@st.composite
def compose_text(draw) -> str:
    """A compose file: services with `build` as a string or a table of context/dockerfile/args, from
    hostile paths; sometimes deeply nested or textually mutated."""
    import yaml

    services = {}
    for i in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(["app", "web", f"s{i}", "\n::error::x", "a" * 80]) | st.text(max_size=10))
        build = draw(st.one_of(
            st.sampled_from(PATHS),
            st.fixed_dictionaries({"context": st.sampled_from(PATHS) | scalars},
                                  optional={"dockerfile": st.sampled_from(PATHS) | scalars,
                                            "args": st.dictionaries(st.text(max_size=5), scalars, max_size=3),
                                            "dockerfile_inline": st.text(max_size=30)}),
            scalars,
            st.recursive(scalars, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c, max_size=3),
                         max_leaves=20),
        ))
        services[name] = {"build": build, **draw(st.dictionaries(st.sampled_from(["image", "ports", "env_file"]), scalars,
                                                                  max_size=2))}
    doc = {"services": services} if draw(st.booleans()) or services else draw(scalars)
    try:
        text = yaml.safe_dump(doc, allow_unicode=True, default_flow_style=draw(st.booleans()))
    except (yaml.YAMLError, ValueError, RecursionError):
        text = "services: {}\n"
    choice = draw(st.integers(0, 9))
    if choice == 0:
        depth = draw(st.integers(100, 1500))
        text = "services:\n  a:\n    build: " + "[" * depth + "]" * depth + "\n"
    elif choice == 1:
        text += f"x-big: {'9' * draw(st.integers(10, 6000))}\n"
    elif choice == 2:
        pos = draw(st.integers(0, len(text)))
        text = text[:pos] + draw(st.sampled_from(HOSTILE + ["&a", "*a", "!!python/object:os.system", "<<: *a", "{", "- "])) + text[pos:]
    return text


def _toml_value(draw, depth: int = 0) -> str:
    kind = draw(st.integers(0, 9 if depth < 3 else 6))
    if kind == 0:
        return str(draw(st.integers(-10**30, 10**30)))
    if kind == 1:
        return draw(st.sampled_from(["inf", "-inf", "nan", "1e400", "-0.0", "1.5", "0", "-5", "9" * 5000]))
    if kind in (2, 3):
        s = draw(st.sampled_from(["1MB", "-5MB", "2GiB", "1e400", "99999999999999999999TB", "warning", "error", "ALL",
                                  "MLD1", "no-such-rule", "*.Dockerfile", "../outside", OUTSIDE, "[", ""]) | st.text(max_size=12))
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"').encode("unicode_escape").decode("ascii").replace('\\\\"', '\\"') + '"'
    if kind == 4:
        return draw(st.sampled_from(["true", "false", "1979-05-27", "[]", "{}"]))
    if kind == 5:
        n = draw(st.integers(50, 1200))
        return "[" * n + "]" * n
    if kind == 6:
        return '"' + draw(st.sampled_from(["runs-as-root", "MLD101", "ALL"])) + '"'
    if kind in (7, 8):
        return "[" + ", ".join(_toml_value(draw, depth + 1) for _ in range(draw(st.integers(0, 3)))) + "]"
    return "{ " + ", ".join(f'"{draw(st.sampled_from(["Dockerfile", "MLD101", "runs-as-root", "*.txt", "x"]))}{i}" = '
                            f"{_toml_value(draw, depth + 1)}" for i in range(draw(st.integers(0, 3)))) + " }"


KEYS = ["select", "extend-select", "ignore", "severity", "per-file-ignores", "exclude", "fail-on", "data-file-size",
        "large-file-size", "context-size", "contexts", "build-args", "max-image-size", "image-budgets",
        "wasted-space-share", "unknown-key"]


@st.composite
def config_text(draw) -> str:
    """`.mllint-docker.toml` with real keys and hostile values (infinite, negative, huge, deeply
    nested, of the wrong type), sometimes textually mutated."""
    keys = draw(st.lists(st.sampled_from(KEYS), max_size=4, unique=True))
    text = "".join(f"{k} = {_toml_value(draw)}\n" for k in keys)
    if draw(st.integers(0, 5)) == 0:
        pos = draw(st.integers(0, len(text)))
        text = text[:pos] + draw(st.sampled_from(HOSTILE + ["[", "]", "=", '"', "\n[tool]\n"])) + text[pos:]
    return text


NAME_PARTS = ["Dockerfile", "requirements.txt", "compose.yaml", ".dockerignore", "x.Dockerfile", "Dockerfile.dockerignore",
              "uv.lock", "poetry.lock", "pylock.toml", ".mllint-docker.toml", ".gitignore",
              "constraints.txt", "requirements", "sub", ".gitignore", "\n::error file=a::b", "\x1b[2J", ":100:",
              "\udcff", "é", "\u202e", "[x]", " ", "a" * 120, "%0A"]


@st.composite
def hostile_tree(draw) -> list[tuple[str, str, object]]:
    """Entries (relative path, kind, payload): files with content of a kind, directories, symlinks
    (out of the project, to `..`, to themselves), FIFOs; names from hostile parts."""
    entries = []
    for _ in range(draw(st.integers(1, 8))):
        depth = draw(st.integers(1, 3))
        parts = [draw(st.sampled_from(NAME_PARTS) | st.text(alphabet=st.characters(blacklist_characters="/\x00",
                                                                                   blacklist_categories=("Cs",)),
                                                             min_size=1, max_size=12))
                 for _ in range(depth)]
        path = "/".join(p if p not in (".", "..") else p + "_" for p in parts)
        kind = draw(st.sampled_from(["dockerfile", "requirements", "dockerignore", "compose", "symlink", "fifo", "dir",
                                     "dockerfile", "requirements"]))
        if kind == "symlink":
            payload = draw(st.sampled_from([f"{OUTSIDE}/secret.txt", f"{OUTSIDE}/Dockerfile", "../" * 8 + "etc/hostname",
                                            "..", ".", path.rsplit("/", 1)[-1], "nowhere", f"{OUTSIDE}"]))
        elif kind in ("fifo", "dir"):
            payload = None
        elif kind == "compose":
            payload = draw(compose_text())
        else:
            payload = draw(any_text({"dockerfile": "dockerfiles", "requirements": "requirements",
                                     "dockerignore": "dockerignore"}[kind]))
        entries.append((path, kind, payload))
    return entries
