import re

from mllint_docker.rules import rule
from mllint_docker.rules._compose import at

_ONE_DEVICE = re.compile(r"^\s*(\d+|GPU-[0-9a-fA-F-]+|MIG-[\w/-]+)\s*$")
_ONE_GPU_FLAGS = ("--tensor-parallel-size", "-tp", "--num-gpus", "--num-shard", "--gpus", "--tp")


def _means_one(service) -> str | None:
    """Why one GPU is meant: a single device in `CUDA_VISIBLE_DEVICES` / `NVIDIA_VISIBLE_DEVICES`,
    or a server told to use one (`--tensor-parallel-size 1`)."""
    for name in ("CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES"):
        var = service.environment.get(name)
        if var is not None and var.value and _ONE_DEVICE.match(var.value):
            return f"`{name}={var.value}` names one GPU"
    words = service.words("entrypoint") + service.words("command")
    for i, w in enumerate(words):
        flag, eq, value = w.partition("=")
        if flag in _ONE_GPU_FLAGS:
            value = value if eq else (words[i + 1] if i + 1 < len(words) else "")
            if value == "1":
                return f"`{flag} 1` uses one GPU"
    return None


@rule("MLD707", "gpu-count-all", "warning", scope="compose",
      summary="A GPU reservation with `count: all` where one GPU is meant, or in several services at once")
def check(cf, project):
    claiming = [(s, d) for s in cf.services.values() for d in s.devices
                if str(d.count).lower() == "all" and ("gpu" in d.capabilities or d.driver == "nvidia")]
    for service, device in claiming:
        why = _means_one(service)
        others = [s.name for s, _ in claiming if s is not service]
        if why is None and not others:
            continue
        reason = why or f"so do {', '.join(f'`{o}`' for o in others)}: every one of them gets every GPU and they contend"
        node = device.node.get("count") or device.node
        yield at(node, f"service `{service.name}` reserves `count: all` GPUs, but {reason}",
                 fix="reserve what the service uses: `count: 1`, or `device_ids: ['0']` to pin which GPU")
