from mllint_docker.model.installs import manifest_installs, strict_channel_priority
from mllint_docker.model.manifests import CONDA_ENV
from mllint_docker.rules import Issue, rule

DEFAULTS = ("defaults", "anaconda", "main", "https://repo.anaconda.com/pkgs/main")


@rule("MLD209", "conda-channel-mix", "warning", scope="manifest",
      summary="A conda environment mixes `defaults` and `conda-forge` without strict channel priority")
def check(m, project):
    if m.format != CONDA_ENV:
        return
    names = [(c.rstrip("/").lower(), line) for c, line in m.channels]
    if any(n == "nodefaults" for n, _ in names):
        return
    forge = next((line for n, line in names if n == "conda-forge" or n.endswith("/conda-forge")), None)
    defaults = next((line for n, line in names if n in DEFAULTS), None)
    if forge is None or defaults is None:
        return
    uses = manifest_installs(project).get(m.path.resolve(), [])
    if uses and all(strict_channel_priority(df, use.install) for df, use in uses):
        return
    yield Issue(max(forge, defaults), "`defaults` and `conda-forge` are both channels and nothing sets strict channel "
                                      "priority: the solver mixes builds of the two channels, whose binaries are not "
                                      "built against each other (ABI clashes, a different solve on every build)",
                fix="use conda-forge alone (`- conda-forge` then `- nodefaults`), or set strict priority in the image "
                    "(`conda config --set channel_priority strict` before the install)")
