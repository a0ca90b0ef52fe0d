"""Build toolchains in a stage: compilers and -dev packages installed by OS package managers, and
base images that ship them (CUDA/framework `-devel`, the full `python:X`)."""

from __future__ import annotations

import re
from fnmatch import translate

from mllint_docker.model.imageref import ImageRef
from mllint_docker.model.installs.os_packages import os_packages

BUILD_PACKAGES = ("build-essential", "gcc", "gcc-*", "g++", "g++-*", "clang", "clang-*", "cmake", "make", "ninja-build",
                  "*-dev", "*-devel", "git", "cargo", "rustc", "gfortran", "autoconf", "automake", "libtool",
                  "build-base", "musl-dev", "cuda-toolkit*", "cuda-nvcc*")


_build_package = None  # fnmatchcase on any of BUILD_PACKAGES, as one pattern (compiled on first use)


def build_packages(commands) -> list[tuple[str, int]]:
    global _build_package
    if _build_package is None:
        _build_package = re.compile("|".join(translate(g) for g in BUILD_PACKAGES))
    return [(p, line) for p, line in os_packages(commands) if _build_package.match(p)]


def is_devel_image(ref: ImageRef) -> bool:
    """A base that ships compilers: `nvidia/cuda:*-devel*`, `pytorch/pytorch:*-devel*`, NGC images, full `python:X`."""
    repo, tag = ref.repository.lower(), (ref.tag or "latest").lower()
    if "devel" in tag and (repo.endswith("cuda") or "pytorch" in repo or "tensorflow" in repo or "nvidia" in repo):
        return True
    if repo in ("python", "library/python"):
        return not any(s in tag for s in ("slim", "alpine", "distroless"))
    return False


def is_cuda_devel(ref: ImageRef) -> bool:
    repo, tag = ref.repository.lower(), (ref.tag or "").lower()
    return "devel" in tag and any(k in repo for k in ("cuda", "pytorch", "tensorflow", "nvidia", "rocm", "jax"))


