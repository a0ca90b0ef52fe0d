from collections import defaultdict

from mllint_docker.units import format_size
from mllint_docker.rules import Issue, rule


@rule("MLD504", "data-in-layer", "warning", scope="image",
      summary="Dataset or model files above `data-file-size` really landed in a layer of the built image")
def check(target, project):
    by_layer = defaultdict(list)
    for f in target.report.data_files:
        if f.in_package:  # files a Python package ships (e.g. tokenizer data) are the package's business
            continue
        if f.size >= project.config.data_file_size:
            by_layer[f.layer].append(f)
    for layer, files in sorted(by_layer.items()):
        line = target.layer_line(layer)
        if line is None and target.dockerfile is not None:
            continue  # the base image's layers
        files.sort(key=lambda f: -f.size)
        total = sum(f.size for f in files)
        names = ", ".join(f"{f.path} ({format_size(f.size)})" for f in files[:3])
        more = f" and {len(files) - 3} more" if len(files) > 3 else ""
        yield Issue(line, f"{len(files)} data/model file{'s' if len(files) != 1 else ''} "
                          f"({format_size(total)}) in {target.layer_label(layer)}: {names}{more}",
                    fix="mount datasets and weights at run time (a volume, or a model server's storage), "
                        "or ship them as a separate artefact; keep them out of image layers")
