"""`mllint check --build` and `mllint image`: get an image report (built, saved or given), tie its
layers to Dockerfile lines, and present it. The image rules read an `ImageTarget`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mllint_docker.config import format_size
from mllint_docker.dockerfile import Dockerfile
from mllint_docker.finding import display_path


@dataclass
class ImageTarget:
    report: object  # mllint_docker.image.ImageReport
    dockerfile: Dockerfile | None
    name: str  # image id, reference or tarball path
    file: Path  # where findings go: the Dockerfile, or the tarball / reference

    def layer_line(self, index: int) -> int | None:
        return self.report.layers[index].line if 0 <= index < len(self.report.layers) else None

    def layer_label(self, index: int) -> str:
        layer = self.report.layers[index]
        if layer.line:
            return f"line {layer.line}"
        return f"layer {index + 1}" + (" (base image)" if layer.line is None and self.dockerfile else "")


def stage_instructions(df: Dockerfile, target: str | None) -> list[tuple[int, str, str]]:
    """(line, keyword, text) of the built stage and the stages it derives from, oldest first."""
    stage = df.stage_by_ref(target) if target else df.final_stage
    if stage is None:
        return []
    out = []
    for s in reversed(stage.chain()):
        for inst in s.instructions:
            if inst.keyword != "FROM":
                out.append((inst.line, inst.keyword, inst.original))
    return out


def analyze_target(target: str, dockerfile: Dockerfile | None, stage: str | None, data_threshold: int) -> ImageTarget:
    from mllint_docker.image import analyze, attribute_layers

    report = analyze(target, data_threshold=data_threshold)
    if dockerfile is not None:
        attribute_layers(report, stage_instructions(dockerfile, stage))
    file = dockerfile.path if dockerfile is not None else Path(target)
    return ImageTarget(report, dockerfile, target, file)


def build_target(df: Dockerfile, context: Path, stage: str | None, build_args: dict[str, str], builder: str | None,
                 quiet: bool, data_threshold: int, progress=None, network: str | None = None) -> ImageTarget:
    from mllint_docker.image import analyze_image, attribute_layers, build_image

    image = build_image(df.path, context, target=stage, build_args=build_args, builder=builder, quiet=quiet,
                        progress_cb=progress, network=network)
    report = analyze_image(image, data_threshold=data_threshold)
    attribute_layers(report, stage_instructions(df, stage))
    return ImageTarget(report, df, image, df.path)


def image_json(t: ImageTarget) -> dict:
    r = t.report
    wasted_by_layer: dict[int, int] = {}
    for w in r.waste:
        wasted_by_layer[w.added_in] = wasted_by_layer.get(w.added_in, 0) + w.bytes
    return {
        "dockerfile": display_path(t.dockerfile.path) if t.dockerfile is not None else None,
        "image": t.name,
        "size": r.total_size,
        "docker_size": r.docker_size,
        "efficiency": r.efficiency,
        "wasted_bytes": r.wasted_bytes,
        "layers": [{"digest": layer.digest or layer.diff_id, "instruction": layer.instruction, "line": layer.line,
                    "size": layer.size, "wasted_bytes": wasted_by_layer.get(layer.index, 0)} for layer in r.layers],
        "largest_files": [{"path": f.path, "size": f.size, "layer": f.layer,
                           "line": t.layer_line(f.layer)} for f in r.largest_files],
    }


def render_image_text(t: ImageTarget, out, top: int = 10) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    r = t.report
    console = Console(file=out, highlight=False)
    title = f"image {t.name[:19] if t.name.startswith('sha256:') else t.name}"
    if t.dockerfile is not None:
        title += f" from {display_path(t.dockerfile.path)}"
    console.print(f"[bold]{escape(title)}[/]: {format_size(r.total_size)}, efficiency {r.efficiency:.1%}, "
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
        table.add_row(str(layer.index + 1), str(layer.line or "-"), escape(text[:70]), format_size(layer.size),
                      f"{share:.1%}", format_size(wasted.get(layer.index, 0)) if wasted.get(layer.index) else "-")
    console.print(table)
    if r.largest_files:
        files = Table(box=None, pad_edge=False, title="largest files", title_justify="left")
        files.add_column("size", justify="right")
        files.add_column("path")
        files.add_column("from", justify="right")
        for f in r.largest_files[:top]:
            files.add_row(format_size(f.size), escape(f.path), t.layer_label(f.layer))
        console.print(files)
    console.print()
