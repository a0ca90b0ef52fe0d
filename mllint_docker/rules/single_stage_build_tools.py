from mllint_docker.model.imageref import ImageRef
from mllint_docker.rules import Issue, rule
from mllint_docker.model.toolchain import build_packages, is_devel_image

PATTERN = ("build in a `-devel` (or full) builder stage, then start the final stage from a runtime/slim image and "
           "`COPY --from=builder` only the results, e.g.\n"
           "FROM nvidia/cuda:12.4.1-devel-ubuntu22.04 AS builder ... RUN pip wheel -w /wheels ...\n"
           "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nCOPY --from=builder /wheels /wheels")


@rule("MLD103", "single-stage-build-tools", "warning", scope="dockerfile",
      summary="The final stage carries a build toolchain (compilers, -dev packages, a devel base) and copies from no build stage")
def check(df, project):
    final = df.final_stage
    if final is None:
        return
    chain = final.chain()
    for stage in chain:
        for spec in df.copies:
            if spec.instruction.stage == stage.index and spec.from_stage is not None and spec.from_stage not in chain:
                return  # a multi-stage build already: something is built elsewhere
    root = chain[-1]
    if not root.base_unresolved and is_devel_image(ImageRef.parse(root.base)):
        yield Issue(root.line, f"the final image starts from `{root.base}`, which ships compilers and headers "
                               "that the running model does not need", fix=PATTERN)
        return
    for stage in reversed(chain):
        for inst in stage.of("RUN"):
            pkgs = build_packages(inst.commands)
            if pkgs:
                unique = sorted({p for p, _ in pkgs})
                names = ", ".join(unique[:8]) + (", …" if len(unique) > 8 else "")
                yield Issue(pkgs[0][1], f"the final stage installs build tools ({names}) and keeps them in the image",
                            fix=PATTERN)
                return
