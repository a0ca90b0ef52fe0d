import re

from mllint_docker.finding import display_path
from mllint_docker.model.imageref import ImageRef, cuda_version
from mllint_docker.model.installs import installs, manifest_uses
from mllint_docker.model.manifests import CONDA_ENV
from mllint_docker.rules import Issue, rule

# conda packages that bring a CUDA runtime of their own, by the version they name.
CONDA_CUDA = ("pytorch-cuda", "cuda-version", "cudatoolkit", "cuda-runtime", "cuda-toolkit", "cuda")
_LOCAL_CU = re.compile(r"\+cu(\d{2,3})$")
_INDEX_CU = re.compile(r"/whl/(?:nightly/)?cu(\d{2,3})(?:/|$)")


@rule("MLD211", "cuda-version-mismatch", "warning", scope="dockerfile",
      summary="The image installs a CUDA build (conda's pytorch-cuda/cudatoolkit, a `+cu121` wheel) for another CUDA than its base")
def check(df, project):
    for install in installs(df):
        stage = df.stages[install.instruction.stage] if 0 <= install.instruction.stage < len(df.stages) else None
        if stage is None:
            continue
        root = stage.chain()[-1]
        if root.base_unresolved:
            continue
        base = cuda_version(ImageRef.parse(root.base))
        if base is None:
            continue
        for what, version, line, column in _cuda_asked(df, project, install):
            if version[:2] != base:
                yield Issue(line, f"{what} is built for CUDA {version[0]}.{version[1]}, but the base `{root.base}` ships "
                                  f"CUDA {base[0]}.{base[1]}: the image carries two CUDA runtimes (gigabytes), and "
                                  "which one a library loads depends on the search path",
                            column=column, fix=f"install the build for CUDA {base[0]}.{base[1]} (`pytorch-cuda="
                                               f"{base[0]}.{base[1]}`, `+cu{base[0]}{base[1]}`, `/whl/cu{base[0]}{base[1]}`), "
                                               "or start from a plain base and let the package bring CUDA")


def _cuda_asked(df, project, install):
    """(what, (major, minor), line, column) for each CUDA build the install asks for."""
    if install.tool == "conda":
        for p in install.packages:
            v = _conda_cuda(p.name, p.spec)
            if v:
                yield f"`{p.spec}`", v, p.line, p.word.column
        for use in manifest_uses(df, project, install):
            m = use.manifest
            if m is None or m.format != CONDA_ENV:
                continue
            for e in m.entries:
                v = _conda_cuda(e.name, e.text) if e.kind == "conda" else None
                if v:
                    yield f"`{e.text}` ({display_path(m.path)}:{e.line})", v, use.line, \
                        use.word.column if use.word else install.command.column
    elif install.tool in ("pip", "uv"):
        for p in install.packages:
            version = p.requirement.pinned_version if p.requirement else None
            m = _LOCAL_CU.search(version or "")
            if m:
                yield f"`{p.spec}`", _cu(m.group(1)), p.line, p.word.column
        for ix in install.indexes:
            m = _INDEX_CU.search(ix.url)
            if m:
                yield f"the index `{ix.url}`", _cu(m.group(1)), ix.line, ix.word.column if ix.word else None


def _cu(digits: str) -> tuple[int, int]:
    return int(digits[:-1]), int(digits[-1])


def _conda_cuda(name: str, spec: str) -> tuple[int, int] | None:
    if name not in CONDA_CUDA:
        return None
    m = re.search(r"[=\s]=?\s*(\d+)\.(\d+)", spec)
    return (int(m.group(1)), int(m.group(2))) if m else None
