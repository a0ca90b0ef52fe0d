from mllint_docker.finding import Edit
from mllint_docker.model.imageref import ImageRef, floating_tag
from mllint_docker.rules import Issue, also, rule
from mllint_docker.rules._compose import at
from mllint_docker.rules._edits import fix


def _unpinned(df):
    for stage in df.stages:
        if stage.base_stage is not None or stage.base_unresolved:
            continue
        ref = ImageRef.parse(stage.base)
        if ref.is_scratch or ref.digest:
            continue
        if ref.tag and floating_tag(ref.tag) is None:
            continue
        shown = f"`{stage.base}`" + (f" (from `{stage.base_raw}`)" if stage.base_raw != stage.base else "")
        if not ref.tag:
            what = "no tag"
        elif ref.tag.lower() == "latest":
            what = "the `latest` tag"
        else:
            what = f"the floating tag `{ref.tag}` (a channel, not a release)"
        yield stage, ref, f"base image {shown} has {what}: builds change when the image is republished"


@rule("MLD101", "base-image-unpinned", "warning", scope="dockerfile", hadolint=("DL3006", "DL3007"),
      summary="A FROM or COPY --from image has no tag, `latest` or another floating tag (`nightly`, `edge`, `lts`...)")
def check(df, project):
    for stage, ref, message in _unpinned(df):
        yield Issue(stage.line, message, fix=f"pin a version tag or a digest, e.g. `{ref.name}:<version>@sha256:<digest>`")
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


@also("MLD101", "image")
def check_image(target, project):
    """With --build / `mllint image`: pin to the digest the local engine records for the base
    (unsafe: the build then uses exactly that image), or say that it records none."""
    df = target.dockerfile
    if df is None:
        return
    for stage, ref, message in _unpinned(df):
        digest = target.base_digests.get(stage.base)
        if digest is None:
            yield Issue(stage.line, message, fix=f"the local Docker engine records no registry digest for `{stage.base}` "
                                                 "(it was imported or built locally): pin a version tag, or pull it "
                                                 "from a registry and run again")
            continue
        pinned = f"{stage.base}@{digest.split('@', 1)[1]}"
        yield Issue(stage.line, message, fix=f"pin it: `FROM {pinned}`",
                    edit=fix("unsafe", f"Pin the digest the local engine has: `{pinned}`", _from_edit(df, stage, pinned)))


def _from_edit(df, stage, pinned):
    """Replaces the image reference as written on the FROM line (a literal one only)."""
    inst = stage.from_instruction
    if stage.base_raw != stage.base or inst.end_line != inst.line:
        return None
    text = df.line_text(inst.line)
    at = text.find(stage.base_raw, text.upper().find("FROM") + 4)
    if at < 0:
        return None
    return Edit(df.path, (inst.line, at + 1), (inst.line, at + 1 + len(stage.base_raw)), pinned)


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
