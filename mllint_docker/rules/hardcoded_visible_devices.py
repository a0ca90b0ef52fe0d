import re

from mllint_docker.model.installs import settings
from mllint_docker.rules import Issue, rule

_DISABLED = {"", "none", "void", "nodevfiles", "-1"}


@rule("MLD603", "hardcoded-visible-devices", "warning", scope="dockerfile",
      summary="ENV pins which GPUs the container sees (`CUDA_VISIBLE_DEVICES=0`): a deployment decision baked into the image")
def check(df, project):
    for s in settings(df):
        if s.instruction.keyword != "ENV" or s.name not in ("CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES"):
            continue
        value = s.value.strip()
        if "$" in value or value.lower() in _DISABLED or value.lower() == "all":
            continue
        if s.name == "NVIDIA_VISIBLE_DEVICES" and not re.match(r"^(\d+|GPU-|MIG-)", value, re.I):
            continue
        yield Issue(s.line, f"`{s.name}={value}` makes every container of this image see only GPU {value}: on a host "
                            "or a scheduler slot with other GPUs it uses the wrong one or none",
                    fix=f"drop it from the image and choose GPUs when the container runs (`docker run --gpus "
                        f"'\"device={value}\"'`, the orchestrator's GPU request, or `-e {s.name}=...`)")
