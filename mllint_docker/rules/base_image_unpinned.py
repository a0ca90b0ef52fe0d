from mllint_docker.model.imageref import ImageRef
from mllint_docker.rules import Issue, also, rule
from mllint_docker.rules._compose import at


@rule("MLD101", "base-image-unpinned", "warning", scope="dockerfile", hadolint=("DL3006", "DL3007"),
      summary="A FROM image (after ARG substitution) has no tag or the `latest` tag")
def check(df, project):
    for stage in df.stages:
        if stage.base_stage is not None or stage.base_unresolved:
            continue
        ref = ImageRef.parse(stage.base)
        if ref.is_scratch or ref.digest or (ref.tag and ref.tag != "latest"):
            continue
        shown = f"`{stage.base}`" + (f" (from `{stage.base_raw}`)" if stage.base_raw != stage.base else "")
        what = "the `latest` tag" if ref.tag == "latest" else "no tag"
        yield Issue(stage.line, f"base image {shown} has {what}: builds change when the image is republished",
                    fix=f"pin a version tag or a digest, e.g. `{ref.name}:<version>@sha256:<digest>`")


@also("MLD101", "compose")
def check_compose(cf, project):
    """A service that is not built runs `image:` as pulled: the same judgement as a FROM."""
    for service in cf.services.values():
        node = service.image
        if node is None or service.build is not None or node.unresolved:
            continue
        ref = ImageRef.parse(node.text() or "")
        if not ref.name or ref.digest or (ref.tag and ref.tag != "latest"):
            continue
        what = "the `latest` tag" if ref.tag == "latest" else "no tag"
        shown = f"`{node.text()}`" + (f" (from `{node.raw}`)" if node.raw and node.raw != node.text() else "")
        yield at(node, f"image {shown} of service `{service.name}` has {what}: `docker compose pull` brings "
                       "whatever was published last",
                 fix=f"pin a version tag or a digest, e.g. `{ref.name}:<version>@sha256:<digest>`")
