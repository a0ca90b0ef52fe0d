from mllint_docker.units import format_size
from mllint_docker.finding import display_path
from mllint_docker.rules import Issue, rule


@rule("MLD501", "image-size-budget", "warning", scope="image",
      summary="The built image is larger than the configured `max-image-size` (or its `image-budgets` entry)")
def check(target, project):
    config = project.config
    budget = config.max_image_size
    if target.dockerfile is not None:
        for key, size in config.image_budgets.items():
            if display_path(target.dockerfile.path).endswith(key.lstrip("./")):
                budget = size
    report = target.report
    if budget is None or report.docker_size <= budget:
        return
    biggest = sorted(report.layers, key=lambda layer: layer.size, reverse=True)[:3]
    parts = ", ".join(f"{target.layer_label(layer.index)} {format_size(layer.size)}" for layer in biggest)
    df = target.dockerfile
    line = df.final_stage.line if df is not None and df.final_stage is not None else None
    yield Issue(line, f"image is {format_size(report.docker_size)}, over its budget of {format_size(budget)}; "
                      f"largest layers: {parts}",
                fix="see the layer table: move build tools to a builder stage, clean caches in the same RUN, "
                    "keep data and weights out of the image")
