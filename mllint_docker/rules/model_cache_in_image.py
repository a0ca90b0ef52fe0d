import posixpath

from mllint_docker.model.artefacts import download_command, python_downloads
from mllint_docker.model.installs import cache_mounted, settings
from mllint_docker.rules import Issue, rule

MODEL_CACHES = ("HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "TRANSFORMERS_CACHE", "HF_DATASETS_CACHE",
                "TORCH_HOME", "SENTENCE_TRANSFORMERS_HOME", "TFHUB_CACHE_DIR", "KERAS_HOME", "XDG_CACHE_HOME")


@rule("MLD129", "model-cache-in-image", "warning", scope="dockerfile",
      summary="ENV points a model cache (HF_HOME, TRANSFORMERS_CACHE, TORCH_HOME, ...) into the image and a later RUN downloads into it")
def check(df, project):
    final = df.final_stage
    if final is None:
        return
    chain = {s.index for s in final.chain()}
    for s in settings(df):
        if s.instruction.keyword != "ENV" or s.name not in MODEL_CACHES or s.instruction.stage not in chain:
            continue
        path = s.value.strip()
        if not path.startswith("/"):
            continue
        for inst in df.instructions:
            if inst.keyword != "RUN" or inst.stage not in chain or inst.line <= s.line or inst.env.get(s.name) != s.value:
                continue
            if cache_mounted(inst, posixpath.normpath(path)):
                continue
            what = next((w for c in inst.commands if (w := download_command(c.argv))), None) or next(
                (f"{call}(...)" for sn in inst.snippets if sn.language == "python"
                 for _, call in python_downloads(sn)), None)
            if what:
                yield Issue(s.line, f"`{s.name}={path}` makes `{what}` on line {inst.line} store the model in a layer "
                                    f"under {path}: the weights ship in every image, and a volume mounted at {path} "
                                    "at run time hides them and downloads them again",
                            fix=f"download at run time into a volume at {path}, or fetch in a builder stage and COPY the "
                                f"files to a path outside the cache (a `RUN --mount=type=cache,target={path}` keeps "
                                "build downloads out of the layer)")
                break
