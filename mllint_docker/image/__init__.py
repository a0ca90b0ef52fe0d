"""The image analysis engine: build an image with a real engine, or read an image tarball, and
measure what each layer costs (sizes, wasted bytes, caches, data and model files)."""

from mllint_docker.image.errors import ImageError

__all__ = ["ImageError"]
