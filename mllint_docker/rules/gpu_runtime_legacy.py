from mllint_docker.rules import rule
from mllint_docker.rules._compose import at


@rule("MLD706", "gpu-runtime-legacy", "warning", scope="compose",
      summary="GPUs through `runtime: nvidia` instead of `deploy.resources.reservations.devices`")
def check(cf, project):
    for service in cf.services.values():
        node = service.get("runtime")
        if node is not None and (node.text() or "").strip() == "nvidia":
            yield at(node, f"service `{service.name}` gets GPUs through `runtime: nvidia`, the nvidia-docker2 way: "
                           "it needs the nvidia runtime registered in the daemon and gives no say over how many GPUs",
                     fix="reserve GPUs as devices: `deploy: {resources: {reservations: {devices: [{driver: nvidia, "
                         "count: 1, capabilities: [gpu]}]}}}` and drop `runtime:`")
