from mllint_docker.model.imageref import ImageRef
from mllint_docker.rules import Issue, rule
from mllint_docker.model.toolchain import is_cuda_devel


@rule("MLD104", "cuda-devel-in-final-stage", "warning", scope="dockerfile",
      summary="A multi-stage build whose final stage still starts from a CUDA or framework `-devel` image")
def check(df, project):
    if len(df.stages) < 2 or df.final_stage is None:
        return
    root = df.final_stage.chain()[-1]
    if root.base_unresolved:
        return
    ref = ImageRef.parse(root.base)
    if is_cuda_devel(ref):
        runtime = (ref.tag or "").replace("devel", "runtime")
        yield Issue(root.line, f"the final stage starts from `{root.base}`: the -devel flavour adds compilers, headers "
                               "and static libraries (several GB) that inference never uses",
                    fix=f"start the final stage from the runtime flavour, e.g. `{ref.name}:{runtime}`, and copy the "
                        "built artefacts from the builder stage")
