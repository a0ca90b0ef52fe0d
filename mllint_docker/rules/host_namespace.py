from mllint_docker.rules import rule
from mllint_docker.rules._compose import at

_WHAT = {"network_mode": "the host's network (no isolation, every host port reachable from it)",
         "pid": "the host's process table (it can see and signal every process on the host)",
         "userns_mode": "the host's user namespace"}


@rule("MLD704", "host-namespace", "warning", scope="compose",
      summary="A service shares the host's network, PID or user namespace (`network_mode: host`, `pid: host`)")
def check(cf, project):
    for service in cf.services.values():
        for key, what in _WHAT.items():
            node = service.get(key)
            if node is not None and (node.text() or "").strip() == "host":
                yield at(node, f"service `{service.name}` uses {what} with `{key}: host`",
                         fix="publish the ports it serves with `ports:` and talk to other services by name; "
                             "drop `pid: host`" if key != "userns_mode" else "drop `userns_mode: host`")
