"""The Python distributions an image really has: every `*.dist-info/METADATA` visible in its final
filesystem, named and versioned as the installer wrote the directory (`numpy-1.26.4.dist-info`,
PEP 376/427: the name with `-` escaped to `_`, the normalised version). A name installed at two
versions (two environments) has no single answer and is left out."""

from __future__ import annotations

import re

_DIST_INFO = re.compile(r"/([^/]+?)-([^/-]+)\.dist-info/METADATA$")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_distributions(report) -> dict[str, str]:
    """Canonical name -> version, from the layers in order (later whiteouts remove earlier files)."""
    visible: dict[str, tuple[str, str]] = {}
    for layer in report.layers:
        for gone in list(layer.whiteouts) + list(layer.opaque_dirs):
            prefix = gone.rstrip("/") + "/"
            for path in [p for p in visible if p == gone or p.startswith(prefix)]:
                del visible[path]
        for path in layer.files:
            m = _DIST_INFO.search(path)
            if m:
                visible[path] = (_canonical(m.group(1)), m.group(2))
    versions: dict[str, set[str]] = {}
    for name, version in visible.values():
        versions.setdefault(name, set()).add(version)
    return {n: next(iter(v)) for n, v in versions.items() if len(v) == 1}
