import re

from mllint_docker.finding import display_path
from mllint_docker.model.artefacts import gpu_usage, read_script
from mllint_docker.model.imageref import ImageRef, is_gpu_image, ships_cpu_torch
from mllint_docker.model.installs import installs, manifest_uses, requirement_files
from mllint_docker.model.manifests import CONDA_ENV, PYPROJECT
from mllint_docker.model.manifests.pyproject import requirements_for
from mllint_docker.rules import Issue, rule

TORCH = ("torch", "torchvision", "torchaudio")
# Packages that require torch, so installing them from PyPI pulls PyPI's (CUDA) torch in too.
DEPENDENTS = frozenset({
    "sentence-transformers", "ultralytics", "timm", "accelerate", "torchmetrics", "pytorch-lightning", "lightning",
    "peft", "openai-whisper", "easyocr", "kornia", "fastai", "pyannote-audio", "speechbrain", "xformers", "trl",
    "open-clip-torch", "flair", "stanza", "torch-geometric", "detoxify", "torchcrepe", "whisperx", "gliner",
})
# Packages that require torch only with an extra: `transformers[torch]`.
EXTRA_DEPENDENTS = {"transformers": "torch", "diffusers": "torch", "optimum": "torch"}
_EXTRAS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\[([^\]]*)\]")
_PYTORCH_OPTIONS = ("index_url", "extra_index_urls", "find_links")
MAX_CODE_FILES = 500


def _pulls_torch(name: str, text: str) -> bool:
    if name in DEPENDENTS:
        return True
    extra = EXTRA_DEPENDENTS.get(name)
    m = _EXTRAS.match(text.strip().strip("'\""))
    return bool(extra and m and extra in {e.strip().lower() for e in m.group(1).split(",")})


@rule("MLD203", "torch-default-index", "warning", scope="dockerfile",
      summary="torch (named or pulled in by sentence-transformers, timm, ...) comes from PyPI (the CUDA build) "
              "into an image with no CUDA base")
def check(df, project):
    bases = [s for s in df.stages if s.base_stage is None]
    if not bases or any(s.base_unresolved or is_gpu_image(ImageRef.parse(s.base)) for s in bases):
        return  # a GPU image wants the CUDA build; an unresolved base may be one
    base = df.final_stage.chain()[-1].base if df.final_stage else bases[0].base
    cpu_torch_base = ships_cpu_torch(ImageRef.parse(base))
    found = []
    cpu_torch = False  # an earlier install got torch from PyTorch's CPU index: dependents find it installed
    for install in sorted(installs(df), key=lambda i: i.line):
        pytorch_index = any(ix.is_pytorch for ix in install.indexes) or install.has("torch-backend") \
            or install.env.get("UV_TORCH_BACKEND")
        if not pytorch_index and not cpu_torch_base:
            for use in manifest_uses(df, project, install):  # pyproject, a conda pip: section, a lock
                hit = _from_manifest(use)
                if hit is not None:
                    found.append((use.line, use.word.column if use.word else install.command.column, _message(hit, base)))
        if install.tool not in ("pip", "uv") or install.action != "install":
            continue
        if any(ix.is_pytorch for ix in install.indexes) or install.has("torch-backend") or install.env.get("UV_TORCH_BACKEND"):
            cpu_torch = cpu_torch or any(p.name in TORCH for p in install.packages)
            continue
        if any(p.name == "torch" and p.local_version for p in install.packages):
            cpu_torch = True
        named = [p for p in install.packages if p.name in TORCH and p.kind == "requirement" and p.local_version is None
                 and not (cpu_torch_base and _satisfied(p.requirement, base))]
        if named:
            shown = ", ".join(f"`{p.spec}`" for p in named)
            found.append((named[0].line, named[0].word.column, _message(shown, base, len(named) > 1)))
        elif not cpu_torch and not cpu_torch_base:
            pulling = [p for p in install.packages if p.kind == "requirement" and _pulls_torch(p.name, p.spec)]
            if pulling:
                p = pulling[0]
                found.append((p.line, p.word.column, _message(f"`{p.spec}` pulls in torch, which", base)))
        for word, rf in requirement_files(df, project, install):
            if rf is None:
                continue
            files = [rf, *project.included_files(rf, kind="requirement")]
            if any(_pytorch_url(v) for f in files for o in f.options if o.name in _PYTORCH_OPTIONS for v in o.values):
                continue
            reqs = [(f, r) for f in files for r in f.requirements if r.url is None]
            hits = [(f, r) for f, r in reqs if r.name in TORCH and "+" not in (r.pinned_version or "")
                    and not (cpu_torch_base and _satisfied(r, base))]
            if any(r.name == "torch" and "+" in (r.pinned_version or "") for _, r in reqs):
                cpu_torch = True
                continue
            if hits:
                f, r = hits[0]
                where = f"`{r.text}` ({display_path(f.path)}:{r.line}, installed by `-r {word.value}`)"
                found.append((word.line, word.column, _message(where, base)))
            elif not cpu_torch and not cpu_torch_base:
                pulling = [(f, r) for f, r in reqs if _pulls_torch(r.name, r.text)]
                if pulling:
                    f, r = pulling[0]
                    where = (f"`{r.text}` ({display_path(f.path)}:{r.line}, installed by `-r {word.value}`) "
                             "pulls in torch, which")
                    found.append((word.line, word.column, _message(where, base)))
    if not found or _serves_on_gpu(df, project):
        return
    for line, column, message in found:
        yield Issue(line, message, column=column, fix=FIX)


def _satisfied(req, base: str) -> bool:
    """The base's torch satisfies the requirement, so pip downloads nothing: no version asked, or
    the version the base's tag names."""
    if req is None:
        return False
    version = req.pinned_version
    return not req.specifier.strip() or (version is not None and version in (ImageRef.parse(base).tag or ""))


def _serves_on_gpu(df, project) -> bool:
    """The code the image ships commits to a GPU (`.to("cuda")`, `device_map=`, RunPod/Modal):
    then the CUDA build from PyPI is what it needs."""
    seen = 0
    ctx = project.context_for(df)
    if ctx is None:
        return False
    for _spec, entries in project.copied_files(df):
        for e in entries:
            if not e.path.endswith(".py") or e.is_symlink:
                continue
            seen += 1
            if seen > MAX_CODE_FILES:
                return False
            key = ("gpu-usage", ctx.root / e.path)
            hit = project.memo.get(key, False)
            if hit is False:
                text = read_script(ctx.root / e.path)
                hit = project.memo[key] = gpu_usage(text) if text is not None else None
            if hit is not None:
                return True
    return False


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
        if any(p.name in TORCH and ("+" in p.version or "pytorch" in (p.source or "").lower()) for p in m.locked):
            return None  # the lock routes torch to a PyTorch index (e.g. by platform markers): a choice made
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


FIX = ("for a CPU image install torch first from the CPU index (`pip install --index-url https://download.pytorch.org/whl/cpu "
       "torch==<version>`, or pin `torch==<version>+cpu`), then the rest; for a GPU image name the CUDA index "
       "(`.../whl/cu124`) or start from a CUDA base")
