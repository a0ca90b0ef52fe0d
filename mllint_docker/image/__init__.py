"""The image analysis engine: build an image with a real engine, or read an image tarball, and
measure what each layer costs (sizes, wasted bytes as dive counts them, caches, data and model
files, which Dockerfile line made each layer)."""

from mllint_docker.image.analyze import DEFAULT_DATA_THRESHOLD, analyze_tarball
from mllint_docker.image.build import (
    analyze, analyze_image, attribute_layers, build_image, buildx_available, docker_available, inspect_image,
    parse_created_by, remove_image, save_image,
)
from mllint_docker.image.errors import ImageError
from mllint_docker.image.report import (
    DELETED, OVERWRITTEN, CacheUsage, DataFile, FileEntry, HistoryEntry, ImageConfig, ImageReport, InefficientPath,
    Layer, Waste,
)

__all__ = [
    "DEFAULT_DATA_THRESHOLD", "DELETED", "OVERWRITTEN", "CacheUsage", "DataFile", "FileEntry", "HistoryEntry",
    "ImageConfig", "ImageError", "ImageReport", "InefficientPath", "Layer", "Waste", "analyze", "analyze_image",
    "analyze_tarball", "attribute_layers", "build_image", "buildx_available", "docker_available", "inspect_image",
    "parse_created_by", "remove_image", "save_image",
]
