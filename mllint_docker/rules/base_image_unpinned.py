from mllint_docker.model.imageref import ImageRef, floating_tag
from mllint_docker.rules import Issue, rule


@rule("MLD101", "base-image-unpinned", "warning", scope="dockerfile", hadolint=("DL3006", "DL3007"),
      summary="A FROM or COPY --from image has no tag, `latest` or another floating tag (`nightly`, `edge`, `lts`...)")
def check(df, project):
    for stage in df.stages:
        if stage.base_stage is not None or stage.base_unresolved:
            continue
        ref = ImageRef.parse(stage.base)
        if ref.is_scratch or ref.digest:
            continue
        word = floating_tag(ref.tag)
        if ref.tag and word is None:
            continue
        shown = f"`{stage.base}`" + (f" (from `{stage.base_raw}`)" if stage.base_raw != stage.base else "")
        if not ref.tag:
            what = "no tag"
        elif ref.tag.lower() == "latest":
            what = "the `latest` tag"
        else:
            what = f"the floating tag `{ref.tag}` (a channel, not a release)"
        yield Issue(stage.line, f"base image {shown} has {what}: builds change when the image is republished",
                    fix=f"pin a version tag or a digest, e.g. `{ref.name}:<version>@sha256:<digest>`")
    for spec in df.copies:
        image = spec.from_image
        if image is None or "$" in image or not any(c in image for c in ":/@"):
            continue  # an unknown stage name is copy-from-unknown-stage's
        ref = ImageRef.parse(image)
        if ref.digest or (ref.tag and floating_tag(ref.tag) is None):
            continue
        what = "no tag" if not ref.tag else f"the floating tag `{ref.tag}`"
        yield Issue(spec.instruction.line, f"`COPY --from={image}` has {what}: the files it copies change when the "
                                           "image is republished",
                    fix=f"pin a version tag or a digest, e.g. `--from={ref.name}:<version>@sha256:<digest>`")
