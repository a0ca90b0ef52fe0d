from mllint_docker.model.imageref import ImageRef, is_gpu_image
from mllint_docker.rules import Issue, rule
from mllint_docker.model.installs import OS_PACKAGE_PROGRAMS
from mllint_docker.model.toolchain import build_packages, is_devel_image

GPU_PATTERN = ("build in a `-devel` (or full) builder stage, then start the final stage from a runtime/slim image and "
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
    ref = ImageRef.parse(root.base) if not root.base_unresolved else None
    pattern = _pattern(ref)
    if ref is not None and is_devel_image(ref):
        yield Issue(root.line, f"the final image starts from `{root.base}`, which ships compilers and headers "
                               "that the running model does not need", fix=pattern)
        return
    installing = df.runs_with(*OS_PACKAGE_PROGRAMS)
    for stage in reversed(chain):
        for inst in (i for i in installing if i.stage == stage.index):
            pkgs = build_packages(inst.commands)
            if pkgs:
                unique = sorted({p for p, _ in pkgs})
                names = ", ".join(unique[:8]) + (", …" if len(unique) > 8 else "")
                yield Issue(pkgs[0][1], f"the final stage installs build tools ({names}) and keeps them in the image",
                            fix=pattern)
                return


def _pattern(ref: ImageRef | None) -> str:
    """The two-stage pattern, spelled for this base: CUDA devel -> runtime for a GPU image, the
    slim flavour for `python:X` and other CPU images."""
    if ref is not None and is_gpu_image(ref) and "devel" in (ref.tag or ""):
        return (f"build in a builder stage, then start the final stage from the runtime flavour and `COPY --from=builder` "
                f"only the results, e.g.\nFROM {ref.name}:{ref.tag} AS builder ... RUN pip wheel -w /wheels ...\n"
                f"FROM {ref.name}:{ref.tag.replace('devel', 'runtime')}\nCOPY --from=builder /wheels /wheels")
    if ref is None or is_gpu_image(ref):
        return GPU_PATTERN
    tag = ref.tag or "latest"
    if ref.repository in ("python", "library/python"):
        slim = tag if "slim" in tag else (tag.replace("-", "-slim-", 1) if "-" in tag else f"{tag}-slim")
        runtime = f"{ref.name}:{slim}"
    else:
        runtime = f"a slim or distroless image (for Python, `python:3.x-slim`)"
    return ("build in a builder stage, then start the final stage from a slim image and `COPY --from=builder` only "
            f"the results, e.g.\nFROM {ref.name}:{tag} AS builder ... RUN pip wheel -w /wheels ...\n"
            f"FROM {runtime}\nCOPY --from=builder /wheels /wheels" if ref.repository in ("python", "library/python")
            else "build in a builder stage, then start the final stage from " + runtime +
            " and `COPY --from=builder` only the results")
