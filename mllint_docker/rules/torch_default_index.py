from mllint_docker.finding import display_path
from mllint_docker.model.imageref import ImageRef, is_gpu_image
from mllint_docker.model.installs import installs, requirement_files
from mllint_docker.rules import Issue, rule

TORCH = ("torch", "torchvision", "torchaudio")
_PYTORCH_OPTIONS = ("index_url", "extra_index_urls", "find_links")


@rule("MLD203", "torch-default-index", "warning", scope="dockerfile",
      summary="torch/torchvision/torchaudio come from PyPI (the CUDA build) into an image with no CUDA base")
def check(df, project):
    bases = [s for s in df.stages if s.base_stage is None]
    if not bases or any(s.base_unresolved or is_gpu_image(ImageRef.parse(s.base)) for s in bases):
        return  # a GPU image wants the CUDA build; an unresolved base may be one
    base = df.final_stage.chain()[-1].base if df.final_stage else bases[0].base
    for install in installs(df):
        if install.tool not in ("pip", "uv") or install.action != "install":
            continue
        if any(ix.is_pytorch for ix in install.indexes) or install.has("torch-backend") or install.env.get("UV_TORCH_BACKEND"):
            continue
        named = [p for p in install.packages if p.name in TORCH and p.kind == "requirement" and p.local_version is None]
        if named:
            shown = ", ".join(f"`{p.spec}`" for p in named)
            yield Issue(named[0].line, _message(shown, base, len(named) > 1), column=named[0].word.column, fix=FIX)
        for word, rf in requirement_files(df, project, install):
            if rf is None:
                continue
            files = [rf, *project.included_files(rf, kind="requirement")]
            if any(_pytorch_url(v) for f in files for o in f.options if o.name in _PYTORCH_OPTIONS for v in o.values):
                continue
            hits = [(f, r) for f in files for r in f.requirements
                    if r.name in TORCH and r.url is None and "+" not in (r.pinned_version or "")]
            if hits:
                f, r = hits[0]
                where = f"`{r.text}` ({display_path(f.path)}:{r.line}, installed by `-r {word.value}`)"
                yield Issue(word.line, _message(where, base), column=word.column, fix=FIX)


def _pytorch_url(url: str) -> bool:
    from mllint_docker.model.installs import Index

    return Index(url, "index", "option", "", 0).is_pytorch


def _message(what: str, base: str, plural: bool = False) -> str:
    return (f"{what} {'are' if plural else 'is'} installed from PyPI into an image with no CUDA base (`{base}`): on x86-64 Linux "
            "PyPI's torch is the CUDA build (torch 2.5.1: 3.0 GB of wheels with its nvidia-* libraries)")


FIX = ("for a CPU image add `--index-url https://download.pytorch.org/whl/cpu` (or pin `torch==<version>+cpu`); "
       "for a GPU image name the CUDA index (`.../whl/cu124`) or start from a CUDA base")
