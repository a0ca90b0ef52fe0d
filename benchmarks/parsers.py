"""Why these parsers: measured on every Dockerfile and every shell-form RUN of ../shared/corpus.

    python benchmarks/parsers.py

Dockerfile parsers (agreement with BuildKit's own Go parser, PyPI `dockerfile`, on instruction
count and line ranges; time): e2b-dockerfile-utils vs dockerfile-parse.
Shell parsers on RUN commands (commands found, parse failures, time): tree-sitter-bash vs bashlex
vs shlex (shlex only splits words: it finds no command boundaries).
"""

from __future__ import annotations

import shlex
import time
import warnings
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "dockerfiles"


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    import dockerfile as buildkit
    from dockerfile_parse import DockerfileParser
    from e2b_dockerfile_utils import parse_dockerfile_ast

    files = sorted(CORPUS.glob("*.Dockerfile"))
    texts = [p.read_text(errors="replace") for p in files]
    truth = []
    for t in texts:
        try:
            truth.append([(c.cmd.upper(), c.start_line, c.end_line) for c in buildkit.parse_string(t)])
        except buildkit.GoParseError:
            truth.append(None)

    def e2b():
        out = []
        for t in texts:
            try:
                out.append([(i.name, i.start_line, i.end_line) for i in parse_dockerfile_ast(t).instructions])
            except ValueError:
                out.append(None)
        return out

    def dfp():
        out = []
        for t in texts:
            p = DockerfileParser(fileobj=__import__("io").BytesIO(t.encode()))
            out.append([(s["instruction"].upper(), s["startline"] + 1, s["endline"] + 1) for s in p.structure
                        if s["instruction"].upper() != "COMMENT"])
        return out

    ours, t_e2b = timed(e2b)
    theirs, t_dfp = timed(dfp)
    agree_e2b = sum(a == b for a, b in zip(ours, truth))
    agree_dfp = sum(a == b for a, b in zip(theirs, truth))
    print(f"Dockerfile parsers on {len(files)} corpus files (agreement with BuildKit's Go parser):")
    print(f"  e2b-dockerfile-utils  {agree_e2b:4d}/{len(files)} agree   {t_e2b * 1000:7.1f} ms")
    print(f"  dockerfile-parse      {agree_dfp:4d}/{len(files)} agree   {t_dfp * 1000:7.1f} ms")

    runs = []
    for t in texts:
        try:
            for i in parse_dockerfile_ast(t).instructions:
                if i.name == "RUN" and not i.json and i.args:
                    runs.append(i.args[0])
                    runs.extend(h.content for h in i.heredocs)
        except ValueError:
            pass

    import bashlex
    import tree_sitter
    import tree_sitter_bash

    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))

    def ts():
        failures = commands = 0
        for r in runs:
            root = parser.parse(r.encode()).root_node
            failures += root.has_error
            stack = [root]
            while stack:
                n = stack.pop()
                commands += n.type == "command"
                stack.extend(n.children)
        return failures, commands

    def bl():
        failures = commands = 0

        class V(bashlex.ast.nodevisitor):
            def visitcommand(self, n, parts):
                nonlocal commands
                commands += 1

        for r in runs:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    for tree in bashlex.parse(r):
                        V().visit(tree)
            except Exception:
                failures += 1
        return failures, commands

    def sl():
        failures = 0
        for r in runs:
            try:
                shlex.split(r, comments=True)
            except ValueError:
                failures += 1
        return failures, None

    print(f"Shell parsers on {len(runs)} RUN commands and heredoc bodies:")
    for name, fn in (("tree-sitter-bash", ts), ("bashlex", bl), ("shlex", sl)):
        (fail, cmds), dt = timed(fn)
        found = "n/a (no command boundaries)" if cmds is None else f"{cmds} commands"
        print(f"  {name:17s} {fail:4d} failures   {found:30s} {dt * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
