from fnmatch import fnmatchcase

from mllint_docker.model.installs import OS_PACKAGE_PROGRAMS, os_packages
from mllint_docker.rules import Issue, rule

HOST_PACKAGES = ("nvidia-container-toolkit*", "nvidia-docker2", "nvidia-container-runtime", "libnvidia-container*")


@rule("MLD606", "container-toolkit-in-image", "warning", scope="dockerfile",
      summary="The NVIDIA Container Toolkit (a host component) is installed inside the image")
def check(df, project):
    for inst in df.runs_with(*OS_PACKAGE_PROGRAMS):
        for pkg, line in os_packages(inst.commands):
            if any(fnmatchcase(pkg.lower(), g) for g in HOST_PACKAGES):
                yield Issue(line, f"`{pkg}` belongs on the host: the container runtime uses it to hand GPUs to "
                                  "containers; inside the image it does nothing but add size",
                            fix="remove it from the image; install the NVIDIA Container Toolkit on the host and run "
                                "with `docker run --gpus all`")
