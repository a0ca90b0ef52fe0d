from mllint_docker.model.gpu import GPU_PROGRAMS, python_gpu_queries
from mllint_docker.rules import Issue, rule

FIX = ("check for the GPU when the container starts (in the entrypoint or a health check), where `docker run --gpus` "
       "gives it one")


@rule("MLD602", "gpu-query-at-build", "error", scope="dockerfile",
      summary="A RUN asks for the GPU (`nvidia-smi`, `torch.cuda.is_available()`): `docker build` has no GPU")
def check(df, project):
    for inst in df.instructions:
        if inst.keyword != "RUN":
            continue
        for cmd in inst.commands:
            if cmd.name in GPU_PROGRAMS:
                yield Issue(cmd.line, f"`{cmd.name}` in RUN runs during `docker build`, where no GPU is attached: it "
                                      "fails the build or reports no device", column=cmd.column, fix=FIX)
        for snippet in inst.snippets:
            if snippet.language != "python":
                continue
            for line, call in python_gpu_queries(snippet):
                yield Issue(line, f"`{call}()` in RUN runs during `docker build`, where no GPU is attached: it reports "
                                  "no device, so the build configures itself for the CPU", fix=FIX)
