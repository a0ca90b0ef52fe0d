from mllint_docker.model.imageref import ImageRef
from mllint_docker.rules import Issue, rule


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
