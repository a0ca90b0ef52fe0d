from mllint_docker.rules import rule
from mllint_docker.rules._compose import at

_ROOT_CAPS = frozenset({"ALL", "SYS_ADMIN", "CAP_SYS_ADMIN"})


@rule("MLD703", "privileged-service", "warning", scope="compose",
      summary="A service runs `privileged: true` or adds the ALL / SYS_ADMIN capability: root on the host")
def check(cf, project):
    for service in cf.services.values():
        node = service.get("privileged")
        if node is not None and node.is_true():
            yield at(node, f"service `{service.name}` runs privileged: every device and kernel capability of the "
                           "host, so a compromised process owns the host",
                     fix="drop `privileged:`; for GPUs reserve them under `deploy.resources.reservations.devices`, "
                         "for one device use `devices:`, for one capability `cap_add:`")
        caps = service.get("cap_add")
        for cap in (caps.value if caps is not None and isinstance(caps.value, list) else []):
            if (cap.text() or "").upper() in _ROOT_CAPS:
                yield at(cap, f"service `{service.name}` adds capability `{cap.text()}`: as good as privileged",
                         fix="add only the capability the process needs (e.g. `IPC_LOCK`, `SYS_NICE`)")
