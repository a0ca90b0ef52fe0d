from mllint_docker.rules import rule
from mllint_docker.rules._compose import at

# key -> (what sharing it gives the container, what to do instead)
_WHAT = {
    "network_mode": ("the host's network (no isolation, every service on the host's loopback reachable, every port "
                     "it opens public)", "publish the ports it serves with `ports:` and reach other services by name"),
    "pid": ("the host's process table (it can see and signal every process on the host and read their "
            "environments)", "drop `pid: host`; to debug another service, use `pid: service:<name>`"),
    "userns_mode": ("the host's user namespace (root in the container is root on the host)", "drop `userns_mode: host`"),
}


@rule("MLD704", "host-namespace", "warning", scope="compose",
      summary="A service shares the host's network, PID or user namespace (`network_mode: host`, `pid: host`)")
def check(cf, project):
    for service in cf.services.values():
        for key, (what, instead) in _WHAT.items():
            node = service.get(key)
            if node is not None and (node.text() or "").strip() == "host":
                yield at(node, f"service `{service.name}` uses {what} with `{key}: host`", fix=instead)
