from mllint_docker.model.installs import settings
from mllint_docker.rules import Issue, rule


@rule("MLD604", "driver-capabilities-all", "info", scope="dockerfile",
      summary="`NVIDIA_DRIVER_CAPABILITIES=all` mounts every driver library (graphics, video, display) into the container")
def check(df, project):
    for s in settings(df):
        if s.instruction.keyword == "ENV" and s.name == "NVIDIA_DRIVER_CAPABILITIES" and s.value.strip().lower() == "all":
            yield Issue(s.line, "`NVIDIA_DRIVER_CAPABILITIES=all` has the NVIDIA runtime mount every driver component "
                                "(graphics, video, display, compat32) into the container; CUDA work needs only "
                                "`compute,utility`",
                        fix="`ENV NVIDIA_DRIVER_CAPABILITIES=compute,utility` (add `video` for NVDEC/NVENC, `graphics` "
                            "for OpenGL/Vulkan rendering)")
