from mllint_docker.finding import display_path
from mllint_docker.model.imageref import ImageRef, is_gpu_image
from mllint_docker.model.installs import installs, manifest_uses, requirement_files
from mllint_docker.model.manifests import CONDA_ENV, PYPROJECT
from mllint_docker.model.manifests.pyproject import requirements_for
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
        if any(ix.is_pytorch for ix in install.indexes) or install.has("torch-backend") or install.env.get("UV_TORCH_BACKEND"):
            continue
        for use in manifest_uses(df, project, install):
            hit = _from_manifest(use)
            if hit is not None:
                yield Issue(use.line, _message(hit, base), column=use.word.column if use.word else install.command.column,
                            fix=FIX)
        if install.tool not in ("pip", "uv") or install.action != "install":
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


def _from_manifest(use) -> str | None:
    """`torch` (with where it is written) that a manifest or lock makes this install take from PyPI."""
    m, install = use.manifest, use.install
    if m is None:
        return None
    where = display_path(m.path)
    if m.format == PYPROJECT and use.role == "project" and install.tool in ("pip", "uv") and install.action == "install" \
            and not install.has("no-deps"):
        hits = [e for e in requirements_for(m, set(use.extras)) if e.name in TORCH and "+" not in e.spec and not e.source]
        if hits:
            return f"`{hits[0].text}` ({where}:{hits[0].line}, installed by `{install.program} install`)"
    elif m.format == CONDA_ENV:
        if any(_pytorch_url(v) for opt, _ in m.meta.get("pip_options", []) for v in opt.split()[1:]):
            return None
        hits = [e for e in m.entries if e.section == "pip" and e.name in TORCH and "+" not in e.spec and not e.source]
        if hits:
            return f"`{hits[0].text}` ({where}:{hits[0].line}, the environment's `pip:` section)"
    elif m.is_lock and use.role == "lock":
        hits = [p for p in m.locked if p.name in TORCH and "+" not in p.version and "pytorch" not in (p.source or "").lower()]
        if hits:
            return f"`{hits[0].name}=={hits[0].version}` ({where}:{hits[0].line}, from {hits[0].source or 'the default index'})"
    return None


def _pytorch_url(url: str) -> bool:
    from mllint_docker.model.installs import Index

    return Index(url, "index", "option", "", 0).is_pytorch


def _message(what: str, base: str, plural: bool = False) -> str:
    return (f"{what} {'are' if plural else 'is'} installed from PyPI into an image with no CUDA base (`{base}`): on x86-64 Linux "
            "PyPI's torch is the CUDA build (torch 2.5.1: 3.0 GB of wheels with its nvidia-* libraries)")


FIX = ("for a CPU image add `--index-url https://download.pytorch.org/whl/cpu` (or pin `torch==<version>+cpu`); "
       "for a GPU image name the CUDA index (`.../whl/cu124`) or start from a CUDA base")
