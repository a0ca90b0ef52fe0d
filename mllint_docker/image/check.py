"""`mllint check --build` and `mllint image`: get an image report (built, saved or given) and tie its
layers to Dockerfile lines. The image rules read an `ImageTarget`; `render.py` presents it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mllint_docker.model.dockerfile import Dockerfile


@dataclass
class ImageTarget:
    report: object  # mllint_docker.image.ImageReport
    dockerfile: Dockerfile | None
    name: str  # image id, reference or tarball path
    file: Path  # where findings go: the Dockerfile, or the tarball / reference
    # Base image reference (as the FROM resolves it) -> a `name@sha256:...` the local engine knows
    # for it, or None when it knows none (an imported or locally built base has no registry digest).
    base_digests: dict[str, str | None] = field(default_factory=dict)
    _distributions: dict[str, str] | None = field(default=None, repr=False)

    @property
    def distributions(self) -> dict[str, str]:
        """The Python distributions installed in the image: canonical name -> version."""
        if self._distributions is None:
            from mllint_docker.image.distributions import installed_distributions

            self._distributions = installed_distributions(self.report)
        return self._distributions

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
    return ImageTarget(report, dockerfile, target, file, base_digests(dockerfile) if dockerfile is not None else {})


def build_target(df: Dockerfile, context: Path, stage: str | None, build_args: dict[str, str], builder: str | None,
                 quiet: bool, data_threshold: int, progress=None, network: str | None = None) -> ImageTarget:
    from mllint_docker.image import analyze_image, attribute_layers, build_image

    image = build_image(df.path, context, target=stage, build_args=build_args, builder=builder, quiet=quiet,
                        progress_cb=progress, network=network)
    report = analyze_image(image, data_threshold=data_threshold)
    attribute_layers(report, stage_instructions(df, stage))
    return ImageTarget(report, df, image, df.path, base_digests(df))


def base_digests(df: Dockerfile) -> dict[str, str | None]:
    """For each external base image of the Dockerfile: the digest reference the local engine
    records for it (`docker image inspect` RepoDigests), or None. Runs only in --build / image mode."""
    from mllint_docker.image import ImageError, inspect_image
    from mllint_docker.model.imageref import ImageRef

    out: dict[str, str | None] = {}
    for stage in df.stages:
        if stage.base_stage is not None or stage.base_unresolved or stage.base in out:
            continue
        ref = ImageRef.parse(stage.base)
        if ref.is_scratch or ref.digest:
            continue
        try:
            digests = inspect_image(stage.base).get("RepoDigests") or []
        except (ImageError, ValueError, IndexError):
            digests = []
        same = [d for d in digests if d.split("@", 1)[0] in (ref.name, stage.base.split(":", 1)[0])]
        out[stage.base] = (same or digests or [None])[0]
    return out
