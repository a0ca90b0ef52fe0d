"""An analysed image as JSON data and as text tables, for the reporters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mllint_docker.finding import display_path
from mllint_docker.inert import terminal
from mllint_docker.units import format_size

if TYPE_CHECKING:
    from mllint_docker.image.check import ImageTarget


KINDS = ("base", "os", "python", "code", "data", "cache", "hidden")
KIND_LABELS = {"base": "base image", "os": "OS packages and system files", "python": "Python packages",
               "code": "your code", "data": "data and model files", "cache": "caches", "hidden": "wasted (hidden later)"}


def layer_kinds(t: ImageTarget) -> list[dict[str, int]]:
    """Each layer's bytes by kind (KINDS), summing to what its files hold. Layers the base image
    brought (before the first layer a Dockerfile line made) count as `base`, but for their caches,
    data and hidden bytes."""
    layers = t.report.layers
    first = next((layer.index for layer in layers if layer.line), None) if t.dockerfile is not None else None
    out = []
    for layer in layers:
        comp = dict(layer.composition)
        if first is not None and layer.index < first:
            base = sum(comp.pop(k, 0) for k in ("os", "python", "code"))
            if base:
                comp["base"] = base
        out.append({k: comp[k] for k in KINDS if comp.get(k)})
    return out


def image_json(t: ImageTarget) -> dict:
    r = t.report
    wasted_by_layer: dict[int, int] = {}
    for w in r.waste:
        wasted_by_layer[w.added_in] = wasted_by_layer.get(w.added_in, 0) + w.bytes
    by_line: dict[int, int] = {}
    for layer in r.layers:
        if layer.line:
            by_line[layer.line] = by_line.get(layer.line, 0) + layer.size
    kinds = layer_kinds(t)
    return {
        "dockerfile": display_path(t.dockerfile.path) if t.dockerfile is not None else None,
        "image": t.name,
        "size": r.total_size,
        "docker_size": r.docker_size,
        "efficiency": r.efficiency,
        "wasted_bytes": r.wasted_bytes,
        "layers": [{"digest": layer.digest or layer.diff_id, "instruction": layer.instruction, "line": layer.line,
                    "size": layer.size, "wasted_bytes": wasted_by_layer.get(layer.index, 0),
                    "kinds": kinds[layer.index]} for layer in r.layers],
        "lines": {str(line): size for line, size in sorted(by_line.items())},
        "largest_files": [{"path": f.path, "size": f.size, "layer": f.layer,
                           "line": t.layer_line(f.layer)} for f in r.largest_files],
        "distributions": [{"name": d.name, "version": d.version, "size": d.size, "files": d.files,
                           "layer": d.layer, "line": t.layer_line(d.layer)} for d in r.distributions],
    }


def render_image_text(t: ImageTarget, out, top: int = 10) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    r = t.report
    console = Console(file=out, highlight=False, emoji=False)  # layer paths come from the image: inert
    title = f"image {t.name[:19] if t.name.startswith('sha256:') else t.name}"
    if t.dockerfile is not None:
        title += f" from {display_path(t.dockerfile.path)}"
    console.print(f"[bold]{escape(terminal(title))}[/]: {format_size(r.total_size)}, efficiency {r.efficiency:.1%}, "
                  f"wasted {format_size(r.wasted_bytes)} (as dive counts)")
    wasted = {}
    for w in r.waste:
        wasted[w.added_in] = wasted.get(w.added_in, 0) + w.bytes
    table = Table(box=None, pad_edge=False)
    for col, just in (("layer", "right"), ("line", "right"), ("instruction", "left"), ("size", "right"),
                      ("share", "right"), ("wasted", "right")):
        table.add_column(col, justify=just)
    for layer in r.layers:
        text = (layer.instruction or layer.created_by or "").replace("\n", " ")
        share = layer.size / r.total_size if r.total_size else 0.0
        table.add_row(str(layer.index + 1), str(layer.line or "-"), escape(terminal(text[:70])), format_size(layer.size),
                      f"{share:.1%}", format_size(wasted.get(layer.index, 0)) if wasted.get(layer.index) else "-")
    console.print(table)
    if r.largest_files:
        files = Table(box=None, pad_edge=False, title="largest files", title_justify="left")
        files.add_column("size", justify="right")
        files.add_column("path")
        files.add_column("from", justify="right")
        for f in r.largest_files[:top]:
            files.add_row(format_size(f.size), escape(terminal(f.path)), t.layer_label(f.layer))
        console.print(files)
    console.print()
