import posixpath

from mllint_docker.finding import Edit, Fix
from mllint_docker.model.compose_roles import is_datastore, writes_data
from mllint_docker.rules import rule
from mllint_docker.rules._compose import at, insert, scalar_text_span

# Directory names that hold weights and datasets a serving container only reads.
MODEL_DIRS = frozenset({"models", "model", "weights", "model-weights", "model_weights", "checkpoints-final",
                        "datasets", "dataset", "data", "embeddings", "artifacts", "artefacts", "onnx", "gguf"})


def _names(vol) -> set[str]:
    out = set()
    if vol.type == "bind" and vol.source:
        out.add(posixpath.basename(vol.source.rstrip("/")).lower())
    if vol.type == "volume" and vol.source:
        out.add(vol.source.lower())  # a named volume: `model-weights:/models`
    target = posixpath.basename(vol.target.rstrip("/")).lower()
    if target != "data":  # `/data` is where Redis, MinIO and others keep their state
        out.add(target)
    return out


def _edit(cf, vol) -> Fix | None:
    node = vol.node
    message = "Mount it read-only"
    if vol.short:
        where = scalar_text_span(cf, node)
        if where is None:
            return None
        line, start, end = where
        modes = vol.mode.split(",") if vol.mode else []
        if not modes:
            return Fix("unsafe", message, (insert(node.file, line, end, ":ro"),))
        if "rw" in modes and len(vol.mode) == len(",".join(modes)):
            i = modes.index("rw")
            offset = end - len(vol.mode) + len(",".join(modes[:i])) + (1 if i else 0)
            return Fix("unsafe", message, (Edit(node.file, (line, offset), (line, offset + 2), "ro"),))
        return Fix("unsafe", message, (insert(node.file, line, end, ",ro"),))
    ro = node.get("read_only")
    if ro is not None:
        where = scalar_text_span(cf, ro)
        if where is None:
            return None
        line, start, end = where
        return Fix("unsafe", message, (Edit(ro.file, (line, start), (line, end), "true"),))
    target = node.get("target")
    key = target.key_span if target is not None else None
    if key is None or target.span.end_line != key.line:
        return None
    text = cf.line_text(key.file, key.line)
    if not text[: key.column - 1].strip(" -") == "" or not text[key.column - 1 :].startswith("target"):
        return None  # a flow mapping (`{target: ...}`): no line of its own to add
    indent = " " * (key.column - 1)
    # At the end of the `target:` line, so a file without a final newline stays well-formed.
    return Fix("unsafe", message, (insert(key.file, key.line, len(text) + 1, f"\n{indent}read_only: true"),))


@rule("MLD709", "model-mount-writable", "warning", scope="compose",
      summary="Model weights or a dataset are mounted read-write into a service that only reads them")
def check(cf, project):
    for service in cf.services.values():
        if is_datastore(service):
            continue
        df = project.dockerfile_at(service.build.dockerfile) if service.build is not None else None
        if writes_data(service, df):
            continue  # training jobs, downloaders and notebooks write their mounts
        for vol in service.volumes:
            if vol.read_only or vol.type not in ("bind", "volume") or not (_names(vol) & MODEL_DIRS):
                continue
            src = vol.node.get("source") if not vol.short else None
            shown = vol.node.raw if vol.short else f"{src.raw if src is not None else vol.source}:{vol.target}"
            yield at(vol.node, f"service `{service.name}` mounts `{shown}` read-write: a bug or a compromised "
                               "server can overwrite the weights or the dataset every other service reads",
                     fix="mount it read-only: add `:ro` (or `read_only: true` in the long syntax)",
                     edit=_edit(cf, vol))
