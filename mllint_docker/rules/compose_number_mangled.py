import re

from mllint_docker.finding import Edit, Fix
from mllint_docker.rules import rule
from mllint_docker.rules._compose import at, scalar_text_span

_TRAILING_ZERO = re.compile(r"^[-+]?\d+\.\d*0$")  # 3.10, 12.0, 1.50
_LEADING_ZERO = re.compile(r"^[-+]?0\d+$")  # 010 (octal to Compose: 8), 0755


def _mangled(node) -> str | None:
    """How Compose changes an unquoted number it turns into a string, in words; None when it keeps it."""
    raw, text = node.raw, node.text()
    if node.style is not None or raw is None or text is None or text == raw:
        return None
    if isinstance(node.value, float) and _TRAILING_ZERO.match(raw):
        return f"`{raw}` is a YAML float: Compose passes `{text}`"
    if isinstance(node.value, int) and not isinstance(node.value, bool) and _LEADING_ZERO.match(raw):
        return f"`{raw}` is an octal YAML integer: Compose passes `{text}`"
    return None


@rule("MLD711", "compose-number-mangled", "warning", scope="compose",
      summary="An unquoted version or code in `environment:`/`build.args` that YAML reads as a number (`3.10` -> `3.1`)")
def check(cf, project):
    for service in cf.services.values():
        entries = [(f"environment variable `{v.name}`", v.node) for v in service.environment.values()
                   if v.env_file is None and not v.from_list]
        if service.build is not None:
            entries += [(f"build arg `{k}`", n) for k, n in service.build.args.items() if n is not None]
        labels = service.get("labels")
        if labels is not None and isinstance(labels.value, dict):
            entries += [(f"label `{k}`", n) for k, n in labels.value.items()]
        for what, node in entries:
            why = _mangled(node)
            if why is None:
                continue
            edit = None
            if (where := scalar_text_span(cf, node)) is not None:
                line, start, end = where
                edit = Fix("unsafe", "Quote the value", (Edit(node.file, (line, start), (line, end), f'"{node.raw}"'),))
            yield at(node, f"{what} of service `{service.name}`: {why}, not what the file shows",
                     fix=f'quote it: `"{node.raw}"`', edit=edit, key=False)
