from mllint_docker.model.gpu import cuda_demands, stage_cuda
from mllint_docker.rules import Issue, rule


@rule("MLD601", "cuda-version-mismatch", "warning", scope="dockerfile",
      summary="A package or index built for one CUDA version is installed on a base image with another")
def check(df, project):
    for stage in df.stages:
        base = stage_cuda(df, stage)
        if base is None:
            continue
        for d in cuda_demands(df, project, stage):
            if d.version.runs_on(base.version):
                continue
            newer = (d.version.major, d.version.minor) > (base.version.major, base.version.minor)
            why = (f"built for CUDA {d.version}, newer than the CUDA {base.version} of `{base.image}`: it needs a newer "
                   "driver than the base image targets and falls back to the CPU or fails with a CUDA error where "
                   "that driver is missing") if newer else (
                   f"built for CUDA {d.version}, while `{base.image}` ships CUDA {base.version}: the image carries two "
                   "CUDA runtimes, and extensions compiled with the base's nvcc do not match the framework's CUDA")
            want = base.version.suffix
            fix = (f"install the build for the base's CUDA (`{want}`, e.g. `--index-url https://download.pytorch.org/whl/"
                   f"{want}`; `pytorch-cuda={base.version}` for conda) if it exists, or start from a "
                   f"CUDA {d.version} base image")
            if d.file is not None:
                where = f" (installed by line {d.instruction_line} of {df.path.name})" if d.instruction_line else ""
                yield Issue(d.line, f"{d.what} is {why}{where}", column=d.column, fix=fix, file=d.file)
            else:
                yield Issue(d.line, f"{d.what} is {why}", column=d.column, fix=fix)
