"""Image references as Docker reads them: `registry:5000/ns/name:tag@sha256:...`."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ImageRef:
    name: str  # without tag and digest: `nvidia/cuda`, `registry:5000/x/y`
    tag: str | None
    digest: str | None

    @classmethod
    def parse(cls, ref: str) -> "ImageRef":
        ref = ref.strip()
        digest = None
        if "@" in ref:
            ref, digest = ref.split("@", 1)
        tag = None
        slash = ref.rfind("/")
        colon = ref.rfind(":")
        if colon > slash:
            ref, tag = ref[:colon], ref[colon + 1 :]
        return cls(ref, tag, digest)

    @property
    def is_scratch(self) -> bool:
        return self.name.lower() == "scratch" and not self.tag

    @property
    def repository(self) -> str:
        """The name without a registry host: `nvcr.io/nvidia/pytorch` -> `nvidia/pytorch`."""
        first, _, rest = self.name.partition("/")
        if rest and ("." in first or ":" in first or first == "localhost"):
            return rest
        return self.name.removeprefix("docker.io/").removeprefix("library/")


# Tags that name a channel, not a release: the image behind them is republished (`latest-gpu`,
# `nightly`, `edge`, `lts-slim`, `stable`, `main`). A part that is a version or a date pins it
# (`nightly-2024-05-01`, `22.04-edge`), except after a leading `latest` (`latest-rust-1.92`).
FLOATING_TAG_WORDS = frozenset({
    "latest", "nightly", "nightlies", "edge", "stable", "lts", "main", "master", "dev", "develop", "development",
    "rolling", "current", "unstable", "testing", "canary", "next", "head", "trunk", "beta", "alpha", "preview",
})
_VERSION_PART = re.compile(r"^v?\d+([._]\d+)*[a-z]?$|^\d{8}$", re.I)


def floating_tag(tag: str | None) -> str | None:
    """The word that makes a tag float (`latest` for `latest-cpu`), None for a release tag."""
    if not tag:
        return None
    parts = re.split(r"[-_.]", tag.lower())
    if parts[0] == "latest":
        return "latest"  # `latest-rust-1.92`: the image's own version floats, whatever it is built with
    if any(_VERSION_PART.match(p) for p in parts):
        return None
    return next((p for p in parts if p in FLOATING_TAG_WORDS), None)


# Images whose default user is not root, so a final stage FROM them that sets no USER is fine.
# (repository glob, tag glob) on ImageRef.repository; kept short and documented in runs-as-root.md.
NON_ROOT_IMAGES = (
    ("jupyter/*", "*"),  # jovyan (quay.io/jupyter/* and the older Docker Hub images)
    ("distroless/*", "*nonroot*"),
    ("*", "nonroot"),
    ("*", "*-nonroot"),
    ("grafana/grafana*", "*"),  # uid 472
    ("bitnami/*", "*"),  # uid 1001
    ("pytorch/torchserve", "*"),  # model-server
)


def runs_as_non_root_by_default(ref: "ImageRef") -> bool:
    from fnmatch import fnmatchcase

    repo = ref.repository.lower()
    tag = (ref.tag or "latest").lower()
    return any(fnmatchcase(repo, r) and fnmatchcase(tag, t) for r, t in NON_ROOT_IMAGES)


# Images built for GPUs: CUDA/ROCm in the name or tag, NVIDIA's registries, PyTorch's official images.
_GPU_NAMES = ("nvidia/*", "nvcr.io/*", "pytorch/pytorch", "*cuda*", "*gpu*", "*rocm*", "vllm/vllm-openai")
_GPU_TAG = ("cuda", "cudnn", "gpu", "rocm")


def is_gpu_image(ref: "ImageRef") -> bool:
    """A base that ships CUDA or ROCm (or is meant for GPU hosts): `nvidia/cuda:*`, `nvcr.io/...`,
    `pytorch/pytorch`, `tensorflow/tensorflow:*-gpu`, tags naming `cuda12.1`/`cu121`/`rocm`."""
    import re
    from fnmatch import fnmatchcase

    name = ref.name.lower()
    tag = (ref.tag or "").lower()
    if any(fnmatchcase(name, p) or fnmatchcase(ref.repository.lower(), p) for p in _GPU_NAMES):
        return True
    return any(t in tag for t in _GPU_TAG) or bool(re.search(r"(^|[^a-z])cu\d{2,3}([^0-9]|$)", tag))


def ships_cpu_torch(ref: "ImageRef") -> bool:
    """A PyTorch image built for CPUs (`pytorch/torchserve:0.12.0-cpu`, `*/pytorch-cpu:2.3`): torch
    is installed already, the CPU build."""
    name, tag = ref.repository.lower(), (ref.tag or "").lower()
    return "torch" in name and ("cpu" in tag or "cpu" in name)


# Docker's reference grammar (distribution/reference): [domain[:port]/]path[:tag][@digest].
_REFERENCE_RX = None


def valid_reference(ref: str) -> bool:
    """Whether Docker would accept `ref` as an image reference (lower-case repository, tag and
    digest syntax); `scratch` counts."""
    import re

    global _REFERENCE_RX
    if _REFERENCE_RX is None:
        component = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
        domain = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
        _REFERENCE_RX = re.compile(rf"^(?:{domain}/)?{component}(?:/{component})*(?::[\w][\w.-]{{0,127}})?"
                                   r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$")
    return bool(ref) and bool(_REFERENCE_RX.match(ref))
