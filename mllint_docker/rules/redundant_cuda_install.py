from fnmatch import fnmatchcase

from mllint_docker.model.gpu import stage_cuda
from mllint_docker.model.installs import os_packages
from mllint_docker.rules import Issue, rule

# (package glob, flavours of nvidia/cuda that ship it)
SHIPPED = (
    ("cuda-runtime", ("base", "runtime", "devel")), ("cuda-runtime-*", ("base", "runtime", "devel")),
    ("cuda-cudart-*", ("base", "runtime", "devel")), ("cuda-compat-*", ("base", "runtime", "devel")),
    ("cuda-libraries", ("runtime", "devel")), ("cuda-libraries-[0-9]*", ("runtime", "devel")),
    ("cuda", ("devel",)), ("cuda-[0-9]*", ("devel",)), ("cuda-toolkit", ("devel",)), ("cuda-toolkit-*", ("devel",)),
    ("cuda-nvcc", ("devel",)), ("cuda-nvcc-*", ("devel",)), ("cuda-libraries-dev*", ("devel",)),
    ("cuda-compiler*", ("devel",)), ("cuda-minimal-build*", ("devel",)),
)


@rule("MLD605", "redundant-cuda-install", "warning", scope="dockerfile",
      summary="A CUDA toolkit or runtime is installed on a CUDA base image that already ships it (or Debian's own CUDA on top of NVIDIA's)")
def check(df, project):
    for stage in df.stages:
        base = stage_cuda(df, stage)
        if base is None:
            continue
        for inst in stage.of("RUN"):
            for pkg, line in os_packages(inst.commands):
                name = pkg.lower()
                if name == "nvidia-cuda-toolkit":
                    yield Issue(line, f"`{pkg}` is the distribution's own CUDA toolkit, another CUDA version beside the "
                                      f"CUDA {base.version} of `{base.image}`: two toolkits, and nvcc may not match the "
                                      "libraries", fix=_fix(base))
                    continue
                if name.startswith("libcudnn") and base.cudnn:
                    yield Issue(line, f"`{pkg}`: `{base.image}` already ships cuDNN", fix=_fix(base))
                    continue
                hit = next((fl for glob, fl in SHIPPED if fnmatchcase(name, glob)), None)
                if hit and base.flavour in hit:
                    yield Issue(line, f"`{pkg}` is already in `{base.image}` (the {base.flavour} flavour ships it): "
                                      "a second copy or another version of CUDA", fix=_fix(base))


def _fix(base) -> str:
    return (f"drop the install; if you need the compilers, start from the `devel` flavour of CUDA {base.version}, "
            "ideally in a builder stage")
