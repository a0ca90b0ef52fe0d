"""Compose files: the builds their services describe (context and Dockerfile), with lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from mllint_docker.model.dockerfile import (
    read_text,
)


@dataclass(slots=True)
class ComposeFile:
    path: Path
    # (service, dockerfile path, context dir, line of the service's build key)
    builds: list[tuple[str, Path, Path, int | None]] = field(default_factory=list)
    error: tuple[int | None, str] | None = None


def parse_compose(path: Path) -> ComposeFile:
    cf = ComposeFile(path)
    text, reason = read_text(path, 4 * 1024 * 1024)
    if text is None:
        cf.error = (None, reason or "unreadable")
        return cf
    import yaml  # only when a compose file exists

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        cf.error = (mark.line + 1 if mark else None, f"invalid YAML: {getattr(err, 'problem', err)}")
        return cf
    except RecursionError:
        cf.error = (None, "YAML nested too deeply to read")
        return cf
    except ValueError as err:  # e.g. an integer longer than Python converts (4300 digits)
        cf.error = (None, f"invalid YAML value: {str(err)[:120]}")
        return cf
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        return cf
    lines = _service_lines(node)
    for name, svc in services.items():
        if not isinstance(svc, dict) or "build" not in svc:
            continue
        build = svc["build"]
        if isinstance(build, str):
            context, dockerfile = build, "Dockerfile"
        elif isinstance(build, dict):
            if "dockerfile_inline" in build:
                continue
            context, dockerfile = build.get("context", "."), build.get("dockerfile", "Dockerfile")
            if not isinstance(context, (str, int, float)) or not isinstance(dockerfile, (str, int, float)):
                continue  # Compose rejects it; nothing to read
            context, dockerfile = str(context), str(dockerfile)
        else:
            continue
        if re.match(r"^[a-z]+://|^git@", context):
            continue  # a remote context: nothing local to read
        try:
            ctx = (path.parent / context).resolve()
            target = (ctx / dockerfile).resolve()
        except (OSError, ValueError, RuntimeError):  # a name the file system refuses: nothing to read
            continue
        cf.builds.append((str(name), target, ctx, lines.get(str(name))))
    return cf


def _service_lines(node) -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        for k, v in node.value:
            if k.value == "services":
                for sk, _ in v.value:
                    out[str(sk.value)] = sk.start_mark.line + 1
    except (AttributeError, TypeError, ValueError):
        pass
    return out
