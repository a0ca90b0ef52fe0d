from mllint_docker.rules import Issue, rule


@rule("MLD142", "expose-invalid-format", "warning", scope="dockerfile", buildkit=("ExposeInvalidFormat",),
      summary="EXPOSE with an IP address or a host port (`8080:80`): publishing is `docker run -p`'s job")
def check(df, project):
    for inst in df.instructions:
        if inst.keyword != "EXPOSE":
            continue
        for port in inst.expanded:
            spec = port.partition("/")[0]
            if ":" in spec and "$" not in spec:
                container = spec.rsplit(":", 1)[1]
                yield Issue(inst.line, f"`EXPOSE {port}` maps an IP address or a host port: EXPOSE only documents the "
                                       "container's port (Docker warns this will become an error)",
                            fix=f"write `EXPOSE {container}` and publish with `docker run -p {spec}`")
