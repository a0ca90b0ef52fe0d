from mllint_docker.finding import Edit, Fix
from mllint_docker.rules import rule
from mllint_docker.rules._compose import at


@rule("MLD701", "compose-version-obsolete", "warning", scope="compose",
      summary="A top-level `version:` in a compose file: Compose ignores it and warns on every run")
def check(cf, project):
    for node in cf.versions:
        key = node.key_span
        quote = node.style if node.style in ("'", '"') else ""
        shown = f"{quote}{node.raw if node.raw is not None else node.text() or ''}{quote}"
        edit = None
        lines = cf.lines.get(key.file, [])
        # The whole `version: ...` line (and a trailing comment), when it is a line of its own.
        if key.column == 1 and node.span.end_line == key.line and 0 < key.line <= len(lines):
            end = (key.line + 1, 1) if key.line < len(lines) else (key.line, len(lines[key.line - 1]) + 1)
            edit = Fix("safe", "Remove the obsolete `version:` line", (Edit(key.file, (key.line, 1), end, ""),))
        yield at(node, f"`version: {shown}` is obsolete: Compose ignores it (the Compose Specification has no "
                       "versions) and prints a warning on every run",
                 fix="remove the `version:` line", edit=edit)
