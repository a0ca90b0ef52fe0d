import re

from mllint_docker.model.imageref import ImageRef
from mllint_docker.rules import rule
from mllint_docker.rules._compose import at

_MAJOR_ONLY = re.compile(r"^v?\d+(?:-[A-Za-z][\w.-]*)?$")  # `13`, `7-alpine`, `v1`
MOVING_TAGS = frozenset({"stable", "lts", "edge", "nightly", "main", "master", "dev", "develop", "rolling",
                         "current", "alpine", "slim", "bookworm", "bullseye", "jammy", "noble"})


def floating(tag: str) -> str | None:
    """Why a tag moves (in words), None for a tag that names a release."""
    low = tag.lower()
    if low.startswith("latest-") or low.endswith("-latest"):
        return "a `latest` variant"
    if low in MOVING_TAGS:
        return "a moving tag"
    if _MAJOR_ONLY.match(low):
        return "a major version only"
    return None


@rule("MLD710", "image-tag-floating", "warning", scope="compose",
      summary="A service image pinned to a major version only (`postgres:13`, `redis:7-alpine`) or a moving tag")
def check(cf, project):
    for service in cf.services.values():
        node = service.image
        if node is None or service.build is not None or node.unresolved:
            continue
        ref = ImageRef.parse(node.text() or "")
        if ref.digest or not ref.tag or ref.tag == "latest":
            continue  # base-image-unpinned reports no tag and `latest`
        why = floating(ref.tag)
        if why:
            yield at(node, f"image `{node.text()}` of service `{service.name}` is {why}: every pull may bring "
                           "another release (new minor versions change index formats, defaults and behaviour)",
                     fix=f"pin the full version, e.g. `{ref.name}:<major.minor.patch>`, or a digest")
