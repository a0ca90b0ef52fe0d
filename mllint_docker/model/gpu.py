"""CUDA in an image: which CUDA a base image ships (and in which flavour), which CUDA the packages
installed on top of it were built for, and what in a RUN asks for a GPU that a build does not have.

The CUDA demands are plain data (`CudaDemand`) made from the install model: pip/uv packages and
indexes on RUN lines, the requirements files those installs read, uv's torch backend and conda
match specs. `demands_from_conda_specs` turns any conda specs (a RUN's, or an environment file's
dependencies once a model of those files exists) into demands, so a new source only has to call it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from mllint_docker.model.imageref import ImageRef
from mllint_docker.model.pycode import may_call

if TYPE_CHECKING:
    from mllint_docker.model.dockerfile import Dockerfile, Stage
    from mllint_docker.model.project import Project


@dataclass(frozen=True, slots=True)
class CudaVersion:
    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    @property
    def suffix(self) -> str:
        """PyTorch's wheel tag: `cu121`."""
        return f"cu{self.major}{self.minor}"

    def runs_on(self, base: "CudaVersion") -> bool:
        """Software built for this CUDA works in an image that ships `base`: from CUDA 11 on, any
        release of the same major (minor-version compatibility: a cu118 wheel brings its own 11.8
        runtime, which an 11.x driver runs); before 11, only the same release."""
        if self.major >= 11:
            return self.major == base.major
        return (self.major, self.minor) == (base.major, base.minor)


@dataclass(frozen=True, slots=True)
class BaseCuda:
    """The CUDA a base image ships: its version and flavour (`base`, `runtime`, `devel`), whether
    cuDNN is in it, and the image it was read from."""

    version: CudaVersion
    flavour: str
    cudnn: bool
    image: str
    stage: "Stage"


@dataclass(frozen=True, slots=True)
class CudaDemand:
    """Something installed that was built for one CUDA version."""

    version: CudaVersion
    what: str  # for messages: "`torch==2.3.0+cu118`", "index `.../whl/cu118`", "`pytorch-cuda=11.8`"
    line: int
    column: int | None = None
    file: Path | None = None  # set when the demand is in another file (a requirements file)
    instruction_line: int | None = None  # the RUN that installs it, when `file` is another file


_SUFFIX = re.compile(r"(?:^|[^a-z0-9])cu(\d{2,3})(?![0-9])", re.I)
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})")


def parse_suffix(text: str) -> CudaVersion | None:
    """`cu118` -> 11.8, `cu121` -> 12.1, `cu92` -> 9.2 (PyTorch's wheel tags and index names)."""
    m = _SUFFIX.search(text)
    if not m:
        return None
    digits = m.group(1)
    return CudaVersion(int(digits[:-1]), int(digits[-1]))


def parse_dotted(text: str) -> CudaVersion | None:
    m = _DOTTED.search(text)
    return CudaVersion(int(m.group(1)), int(m.group(2))) if m else None


_CUDA_TAG = re.compile(r"^(\d{1,2})\.(\d{1,2})(?:\.\d+)?-(?:(cudnn\d*)-)?(base|runtime|devel)\b", re.I)
_FRAMEWORK_TAG = re.compile(r"cuda(\d{1,2})\.?(\d{1,2})?.*?(?:-(cudnn\d*))?-(runtime|devel)", re.I)


def base_cuda(ref: ImageRef) -> tuple[CudaVersion, str, bool] | None:
    """(version, flavour, cuDNN) of `nvidia/cuda:12.1.0-cudnn8-devel-ubuntu22.04` or
    `pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime`; None for other images and unparsable tags."""
    repo, tag = ref.repository.lower(), ref.tag or ""
    if repo in ("nvidia/cuda", "nvidia/cudagl") or repo.endswith("/nvidia/cuda"):
        m = _CUDA_TAG.match(tag)
        if m:
            return CudaVersion(int(m.group(1)), int(m.group(2))), m.group(4).lower(), bool(m.group(3))
        return None
    if repo == "pytorch/pytorch":
        m = re.search(r"cuda(\d{1,2})\.(\d{1,2})", tag)
        if m:
            flavour = "devel" if "devel" in tag else "runtime"
            return CudaVersion(int(m.group(1)), int(m.group(2))), flavour, "cudnn" in tag
    return None


def stage_cuda(df: "Dockerfile", stage: "Stage") -> BaseCuda | None:
    """The CUDA of the image a stage starts from, following `FROM <earlier stage>`."""
    root = stage.chain()[-1]
    if root.base_unresolved:
        return None
    ref = ImageRef.parse(root.base)
    found = base_cuda(ref)
    if found is None:
        return None
    version, flavour, cudnn = found
    return BaseCuda(version, flavour, cudnn, root.base, root)


# Demands ----------------------------------------------------------------------------------------

_CONDA_CUDA = ("pytorch-cuda", "cudatoolkit", "cuda-toolkit", "cuda-version", "cuda-runtime", "cuda")


def demands_from_conda_specs(specs: Iterable[tuple[str, int, int | None]], file: Path | None = None,
                             instruction_line: int | None = None) -> list[CudaDemand]:
    """conda match specs (`pytorch-cuda=11.8`, `cudatoolkit==11.3.1`, `cuda-version 12.1`), each
    with its line and column, to demands. Feed it a RUN's specs or an environment file's."""
    out = []
    for spec, line, column in specs:
        m = re.match(r"^(?:[\w.\-/:]+::)?([A-Za-z0-9_.-]+)\s*(?:==?|\s)\s*([0-9][0-9.*]*)", spec.strip())
        if not m or m.group(1).lower() not in _CONDA_CUDA:
            continue
        version = parse_dotted(m.group(2))
        if version is not None:
            out.append(CudaDemand(version, f"`{spec.strip()}`", line, column, file, instruction_line))
    return out


def cuda_demands(df: "Dockerfile", project: "Project", stage: "Stage") -> list[CudaDemand]:
    """Every CUDA version the installs of one stage's RUNs ask for."""
    from mllint_docker.model.installs import installs, requirement_files

    out: list[CudaDemand] = []
    for install in installs(df):
        if install.instruction.stage != stage.index:
            continue
        if install.tool in ("pip", "uv"):
            for p in install.packages:
                local = p.local_version
                v = parse_suffix(local) if local else None
                if v is not None:
                    out.append(CudaDemand(v, f"`{p.shown}`", p.line, p.word.column))
            for ix in install.indexes:
                if ix.kind in ("index", "extra", "find-links") and ix.is_pytorch:
                    v = _index_cuda(ix.url)
                    if v is not None:
                        out.append(CudaDemand(v, f"`{ix.name} {ix.url}`", ix.line, ix.word.column if ix.word else None))
            for w in install.values("torch-backend"):
                v = parse_suffix(w.value)
                if v is not None:
                    out.append(CudaDemand(v, f"`--torch-backend {w.value}`", w.line, w.column))
            backend = install.env.get("UV_TORCH_BACKEND")
            if install.tool == "uv" and backend and parse_suffix(backend) and not install.values("torch-backend"):
                out.append(CudaDemand(parse_suffix(backend), f"`UV_TORCH_BACKEND={backend}`", install.line))
            for word, rf in requirement_files(df, project, install):
                if rf is None:
                    continue
                for f in [rf, *project.included_files(rf, kind="requirement")]:
                    for r in f.requirements:
                        v = parse_suffix(r.pinned_version.split("+", 1)[1]) if r.pinned_version and "+" in r.pinned_version else None
                        if v is not None:
                            out.append(CudaDemand(v, f"`{r.text}`", r.line, None, f.path, install.line))
                    for o in f.options:
                        if o.name not in ("index_url", "extra_index_urls", "find_links"):
                            continue
                        for url in o.values:
                            v = _index_cuda(url) if "pytorch" in url.lower() or "/whl/" in url else None
                            if v is not None:
                                out.append(CudaDemand(v, f"`{url}`", o.line, None, f.path, install.line))
        elif install.tool == "conda":
            out.extend(demands_from_conda_specs((p.word.value, p.line, p.word.column) for p in install.packages))
        out.extend(_manifest_demands(df, project, install))
    return out


def _manifest_demands(df: "Dockerfile", project: "Project", install) -> list[CudaDemand]:
    """What the manifests and locks an install reads ask for: an environment file's conda specs
    (`pytorch-cuda=11.8`) and `+cuXXX` pins in its `pip:` section, `+cuXXX` versions in a lock."""
    from mllint_docker.model.installs import manifest_uses

    out: list[CudaDemand] = []
    for use in manifest_uses(df, project, install):
        m = use.manifest
        if m is None or not m.relevant:
            continue
        out.extend(demands_from_conda_specs(((e.text, e.line, e.column) for e in m.entries if e.kind == "conda"),
                                            m.path, install.line))
        for e in m.entries:
            local = e.spec.rsplit("+", 1)[1] if e.kind == "pypi" and "+" in e.spec else None
            v = parse_suffix(local) if local else None
            if v is not None:
                out.append(CudaDemand(v, f"`{e.text}`", e.line, e.column, m.path, install.line))
        for p in m.locked:
            v = parse_suffix(p.version.rsplit("+", 1)[1]) if "+" in p.version else None
            if v is not None:
                out.append(CudaDemand(v, f"`{p.name}=={p.version}`", p.line, None, m.path, install.line))
    return out


def _index_cuda(url: str) -> CudaVersion | None:
    m = re.search(r"/(cu\d{2,3})(?:/|$)", url.lower())
    return parse_suffix(m.group(1)) if m else None


# GPU queries at build time ------------------------------------------------------------------------

GPU_PROGRAMS = frozenset({"nvidia-smi", "nvidia-debugdump", "nvidia-persistenced", "rocm-smi", "rocminfo"})
_GPU_CALLS = {
    ("torch", "cuda", "is_available"), ("torch", "cuda", "device_count"), ("torch", "cuda", "get_device_name"),
    ("torch", "cuda", "current_device"), ("torch", "cuda", "get_device_properties"),
    ("torch", "cuda", "get_device_capability"), ("tf", "test", "is_gpu_available"),
    ("tensorflow", "test", "is_gpu_available"), ("tf", "config", "list_physical_devices"),
    ("tensorflow", "config", "list_physical_devices"), ("jax", "devices"), ("cupy", "cuda", "runtime", "getDeviceCount"),
}


# Every call in _GPU_CALLS (and the pattern below) ends in a name containing one of these words.
_GPU_WORDS = ("device", "Device", "is_available", "is_gpu_available")


def python_gpu_queries(snippet) -> list[tuple[int, str]]:
    """(line, call) for each call in Python code a RUN runs that asks the GPU driver about devices."""
    if not may_call(snippet.text, _GPU_WORDS):
        return []
    calls = snippet.calls
    if calls is None:
        # `python -c "import torch; print(torch.cuda.is_available())"` may hold shell leftovers.
        text = snippet.text
        return [(snippet.line + text[: m.start()].count("\n"), m.group(0)[:-1]) for m in re.finditer(
            r"\b(torch\.cuda\.(is_available|device_count|get_device_name|current_device)|tf\.test\.is_gpu_available)\s*\(", text)]
    return sorted((snippet.line + c.line - 1, c.name) for c in calls if c.rooted and tuple(c.name.split(".")) in _GPU_CALLS)
