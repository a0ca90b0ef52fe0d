"""What the image analysis finds: plain dataclasses, every size in bytes, every path absolute.

Sizes follow dive's accounting: a layer's size is the sum of the sizes its tar headers declare
(regular files; directories, symlinks, hard links and whiteouts count 0). `docker image inspect`'s
`Size` also counts each symlink as the length of its target, so
`ImageReport.docker_size == total_size + sum(layer.symlink_bytes)` equals it exactly for images
in an overlay2 engine (see `Layer.docker_size`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

OVERWRITTEN = "overwritten"
DELETED = "deleted"


@dataclass
class Layer:
    index: int
    digest: str | None  # the blob's digest in the tarball ("sha256:..."), when it has one
    diff_id: str | None  # from the config's rootfs.diff_ids
    size: int  # sum of the tar entries' sizes, as dive counts
    symlink_bytes: int  # lengths of symlink targets: what Docker counts on top of `size`
    files: dict[str, int]  # every non-directory entry (files, links) -> its size
    dirs: set[str]  # directories the layer lists
    whiteouts: list[str]  # paths this layer deletes from the layers below
    opaque_dirs: list[str]  # directories whose lower contents this layer hides (`.wh..wh..opq`)
    created_by: str | None = None  # the config history's `created_by` of this layer
    created: str | None = None
    comment: str | None = None
    compression: str | None = None  # "gzip", "zstd" or None for a plain tar blob
    wasted_created: int = 0  # bytes this layer added that later layers overwrite or delete
    # filled by build.attribute_layers(): the Dockerfile instruction that made the layer
    line: int | None = None
    instruction: str | None = None
    # bytes by kind (analyze.content_kind: os, python, code, data, cache; `hidden` for bytes a later
    # layer overwrote or deleted)
    composition: dict[str, int] = field(default_factory=dict)

    @property
    def docker_size(self) -> int:
        """This layer's size as Docker's overlay2 driver reports it (`docker history`)."""
        return self.size + self.symlink_bytes

    @property
    def empty(self) -> bool:
        return not self.files and not self.whiteouts and not self.opaque_dirs and not self.dirs


@dataclass
class HistoryEntry:
    created_by: str
    empty_layer: bool
    created: str | None = None
    comment: str | None = None
    layer: int | None = None  # index into ImageReport.layers for a non-empty entry


@dataclass
class ImageConfig:
    env: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    workdir: str | None = None
    entrypoint: list[str] | None = None
    cmd: list[str] | None = None
    exposed_ports: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    volumes: list[str] = field(default_factory=list)
    healthcheck: dict | None = None
    architecture: str | None = None
    os: str | None = None


@dataclass
class FileEntry:
    path: str
    size: int
    layer: int  # the layer the visible version comes from


@dataclass
class InefficientPath:
    """dive's "inefficient file": a path present in more than one layer."""

    path: str
    references: int  # how many layers have it (dive's "Count")
    wasted_bytes: int  # its size summed over those layers (dive's "Wasted Space")
    layers: list[int]  # the layers that have it, first one first
    created_in: int  # the first layer that has it: the bytes later layers overwrite or delete


@dataclass
class Waste:
    """Bytes one layer added that a later layer made invisible, grouped by (added_in, removed_in, how)."""

    added_in: int
    removed_in: int
    how: str  # OVERWRITTEN (a later layer writes the same path again) or DELETED
    bytes: int
    files: int
    largest: list[tuple[str, int]]  # up to 10 (path, size), largest first


@dataclass
class CacheUsage:
    """A package-manager or framework cache that a layer leaves in the image."""

    kind: str  # pip, uv, apt-lists, apt-archives, conda-pkgs, huggingface, torch, pycache
    root: str  # the cache directory ("/root/.cache/pip"; "**/__pycache__" for bytecode)
    layer: int
    bytes: int
    files: int
    final_bytes: int  # of these bytes, how many are still visible in the final image


@dataclass
class DataFile:
    """A dataset or model file above the size threshold."""

    path: str
    size: int
    layer: int
    kind: str  # "model" or "data"
    in_final: bool  # still visible in the final image (not deleted or overwritten later)
    in_package: bool  # inside site-packages/dist-packages (shipped by a Python package)


@dataclass
class Distribution:
    """An installed Python distribution (a `*.dist-info` directory) of the final image."""

    name: str
    version: str
    dist_info: str  # the directory, absolute
    layer: int  # the layer its RECORD comes from
    size: int  # bytes of the files its RECORD lists that the final filesystem holds
    files: int


@dataclass
class ImageReport:
    format: str  # "docker-save" (legacy), "docker-save-oci" (Docker 25+), "oci-layout"
    image_id: str | None  # sha256 of the config blob: what `docker images --no-trunc` shows
    repo_tags: list[str]
    config: ImageConfig
    history: list[HistoryEntry]
    layers: list[Layer]
    total_size: int  # dive's image size: sum of the layers' sizes
    docker_size: int  # `docker image inspect --format {{.Size}}`
    user_size: int  # dive: the layers above the first one
    efficiency: float  # dive's efficiency score, 0..1
    wasted_bytes: int  # dive's "wastedBytes"
    inefficient: list[InefficientPath]  # dive's list, most bytes first
    waste: list[Waste]  # what was overwritten or deleted, by the layer that added it, most first
    final_size: int  # sum of the sizes of the files visible in the final filesystem
    final_files: int
    largest_files: list[FileEntry]  # of the final filesystem, largest first
    caches: list[CacheUsage]
    data_files: list[DataFile]  # largest first
    data_threshold: int
    distributions: list[Distribution] = field(default_factory=list)  # largest first

    @property
    def wasted_user_percent(self) -> float:
        """dive's "userWastedPercent" as a ratio (0 when only one layer)."""
        return self.wasted_bytes / self.user_size if self.user_size else 0.0

    @property
    def invisible_bytes(self) -> int:
        """Bytes stored in layers but not visible in the final filesystem."""
        return sum(w.bytes for w in self.waste)

    def env(self, name: str) -> str | None:
        return self.config.env.get(name)

    @property
    def python_dont_write_bytecode(self) -> bool:
        return bool(self.config.env.get("PYTHONDONTWRITEBYTECODE"))

    def layer_of(self, path: str) -> int | None:
        """The layer whose version of `path` (absolute) is visible in the final image, or None."""
        ancestors = set()
        p = path
        while p.rfind("/") > 0:
            p = p[:p.rfind("/")]
            ancestors.add(p)
        for layer in reversed(self.layers):
            if path in layer.files or path in layer.dirs:
                return layer.index
            if path in layer.whiteouts or ancestors.intersection(layer.whiteouts) or \
                    ancestors.intersection(layer.opaque_dirs):
                return None
        return None
