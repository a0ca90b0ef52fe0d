from mllint_docker.rules import rule
from mllint_docker.rules._compose import at

SOCKETS = ("/var/run/docker.sock", "/run/docker.sock", "/var/run/docker", "/run/containerd/containerd.sock",
           "/run/podman/podman.sock", "/var/run/podman/podman.sock")


@rule("MLD705", "docker-socket-mounted", "warning", scope="compose",
      summary="The Docker (or containerd/podman) socket is mounted into a service: root on the host")
def check(cf, project):
    for service in cf.services.values():
        for vol in service.volumes:
            if vol.type == "bind" and vol.source and vol.source.rstrip("/") in SOCKETS:
                ro = " (`:ro` does not help: the socket still takes API calls)" if vol.read_only else ""
                yield at(vol.node, f"service `{service.name}` mounts `{vol.source}`: whoever controls it can start a "
                                   f"privileged container, which is root on the host{ro}",
                         fix="do not mount the engine's socket; if a tool must reach Docker, give it a socket proxy "
                             "that allows only the API calls it needs")
