from mllint_docker.rules import Issue, rule


@rule("MLD141", "expose-proto-casing", "info", scope="dockerfile", buildkit=("ExposeProtoCasing",),
      summary="EXPOSE names its protocol in upper case (`80/TCP`)")
def check(df, project):
    for inst in df.instructions:
        if inst.keyword != "EXPOSE":
            continue
        for port in inst.expanded:
            proto = port.rpartition("/")[2] if "/" in port else ""
            if proto and proto != proto.lower():
                yield Issue(inst.line, f"`{port}`: the protocol should be lower case",
                            fix=f"write `{port.rpartition('/')[0]}/{proto.lower()}`")
