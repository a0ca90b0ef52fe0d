from mllint_docker.units import format_size
from mllint_docker.rules import Issue, rule

MIN_BYTES = 100_000  # smaller leftovers are noise
FIXES = {
    "pip": "pass `--no-cache-dir` (or set PIP_NO_CACHE_DIR=1), or use a `--mount=type=cache` for ~/.cache/pip",
    "uv": "pass `--no-cache` (or set UV_NO_CACHE=1), or use a `--mount=type=cache` for ~/.cache/uv",
    "apt-lists": "end the RUN with `rm -rf /var/lib/apt/lists/*`, or use a cache mount",
    "apt-archives": "run `apt-get clean` in the same RUN, or use a cache mount for /var/cache/apt",
    "conda-pkgs": "run `conda clean -afy` (or `mamba clean -afy`) in the same RUN",
    "huggingface": "download models at run time into a volume, or in a builder stage; or remove the cache",
    "torch": "download weights at run time into a volume, or in a builder stage; or remove the cache",
    "pycache": "PYTHONDONTWRITEBYTECODE is set, yet bytecode was written at build time: remove `__pycache__` in the same RUN",
}


@rule("MLD503", "cache-in-layer", "warning", scope="image",
      summary="A package-manager or model cache (pip, uv, apt, conda, Hugging Face, torch) is left in a layer")
def check(target, project):
    report = target.report
    for cache in report.caches:
        if cache.bytes < MIN_BYTES:
            continue
        if cache.kind == "pycache" and not report.python_dont_write_bytecode:
            continue
        line = target.layer_line(cache.layer)
        if line is None and target.dockerfile is not None:
            continue  # a base image's layer: not this Dockerfile's doing
        gone = "" if cache.final_bytes else " (deleted by a later layer, so it still costs its bytes)"
        yield Issue(line, f"{cache.kind} cache {cache.root} left in {target.layer_label(cache.layer)}: "
                          f"{format_size(cache.bytes)} in {cache.files} files{gone}",
                    fix=FIXES.get(cache.kind))
