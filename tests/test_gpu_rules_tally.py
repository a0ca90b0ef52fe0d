"""Our GPU rules beside tally's (`tally-cli`, tally/gpu/*) on the same Dockerfiles: where both judge
a case they must agree; where we judge more (a base image from an ARG, PyTorch's own images,
Debian's CUDA toolkit, Python heredocs) or on purpose differently, the case says so."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import lint

TALLY = shutil.which("tally") or (str(Path(sys.executable).parent / "tally")
                                  if (Path(sys.executable).parent / "tally").exists() else None)
PEER = {"cuda-version-mismatch": "tally/gpu/cuda-version-mismatch", "gpu-query-at-build": "tally/gpu/no-buildtime-gpu-queries",
        "hardcoded-visible-devices": "tally/gpu/no-hardcoded-visible-devices",
        "driver-capabilities-all": "tally/gpu/prefer-minimal-driver-capabilities",
        "redundant-cuda-install": "tally/gpu/no-redundant-cuda-install",
        "container-toolkit-in-image": "tally/gpu/no-container-runtime-in-image"}
RT = "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n"
DEV = "FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04\n"
PIP = "RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/"
APT = "RUN apt-get update && apt-get install -y --no-install-recommends "

# (rule, Dockerfile, we flag it, tally flags it)
CASES = [
    ("cuda-version-mismatch", RT + PIP + "cu118 torch==2.3.1\n", True, True),
    # a newer minor of the same major runs (minor-version compatibility): tally flags it, we do not
    ("cuda-version-mismatch", RT + PIP + "cu126 torch==2.6.0\n", False, True),
    ("cuda-version-mismatch", RT + PIP + "cu121 torch==2.3.1\n", False, False),
    ("cuda-version-mismatch", RT + "RUN conda install -y pytorch=2.3.1 pytorch-cuda=11.8 -c pytorch -c nvidia\n", True, True),
    ("cuda-version-mismatch", RT + "RUN uv pip install --system --torch-backend cu118 torch==2.3.1\n", True, True),
    ("cuda-version-mismatch", "FROM ubuntu:22.04\n" + PIP + "cu118 torch==2.3.1\n", False, False),
    # beyond tally: the base resolved through its ARG, and PyTorch's own CUDA images
    ("cuda-version-mismatch", "ARG CUDA=12.4.1\nFROM nvidia/cuda:${CUDA}-runtime-ubuntu22.04\n" + PIP + "cu118 torch==2.3.1\n", True, False),
    ("cuda-version-mismatch", "FROM pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime\n" + PIP + "cu118 torch==2.3.1\n", True, False),
    ("gpu-query-at-build", RT + "RUN nvidia-smi\n", True, True),
    ("gpu-query-at-build", RT + 'RUN python3 -c "import torch; print(torch.cuda.is_available())"\n', True, True),
    ("gpu-query-at-build", RT + 'CMD ["nvidia-smi"]\n', False, False),
    # beyond tally: Python in a heredoc
    ("gpu-query-at-build", RT + "RUN <<EOF python3\nimport torch\nprint(torch.cuda.device_count())\nEOF\n", True, False),
    ("hardcoded-visible-devices", RT + "ENV CUDA_VISIBLE_DEVICES=0\n", True, True),
    ("hardcoded-visible-devices", RT + "ENV NVIDIA_VISIBLE_DEVICES=0,1\n", True, True),
    ("hardcoded-visible-devices", RT + "ENV NVIDIA_VISIBLE_DEVICES=none\n", False, False),
    # on purpose: `all` is what nvidia/cuda sets anyway, and -1 hides every GPU (a CPU image's choice)
    ("hardcoded-visible-devices", RT + "ENV NVIDIA_VISIBLE_DEVICES=all\n", False, True),
    ("hardcoded-visible-devices", RT + "ENV CUDA_VISIBLE_DEVICES=-1\n", False, True),
    ("driver-capabilities-all", RT + "ENV NVIDIA_DRIVER_CAPABILITIES=all\n", True, True),
    ("driver-capabilities-all", RT + "ENV NVIDIA_DRIVER_CAPABILITIES=compute,utility\n", False, False),
    ("redundant-cuda-install", DEV + APT + "cuda-toolkit-12-4\n", True, True),
    ("redundant-cuda-install", DEV + APT + "libcudnn9-cuda-12\n", True, True),
    ("redundant-cuda-install", RT + APT + "cuda-toolkit-12-4\n", False, False),
    # beyond tally: Debian's own CUDA toolkit on top of NVIDIA's
    ("redundant-cuda-install", RT + APT + "nvidia-cuda-toolkit\n", True, False),
    ("container-toolkit-in-image", "FROM ubuntu:22.04\n" + APT + "nvidia-container-toolkit\n", True, True),
    ("container-toolkit-in-image", RT + APT + "python3-pip\n", False, False),
]


@pytest.fixture(scope="module")
def tally_flags_by_case(tmp_path_factory) -> dict[int, bool]:
    """One tally run over every case (its GPU rules only)."""
    if TALLY is None:
        if os.environ.get("CI"):  # CI installs requirements-dev.txt: the comparison must run there
            pytest.fail("CI is set but tally-cli is not installed", pytrace=False)
        pytest.skip("tally-cli is not installed (pip install -r requirements-dev.txt)")
    base = tmp_path_factory.mktemp("gpu-tally")
    files = []
    for i, (_, dockerfile, _, _) in enumerate(CASES):
        (base / f"{i:02d}").mkdir()
        (base / f"{i:02d}" / "Dockerfile").write_text(dockerfile)
        files.append(base / f"{i:02d}" / "Dockerfile")
    selects = [a for rule in sorted(set(PEER.values())) for a in ("--select", rule)]  # a glob selects none of them
    r = subprocess.run([TALLY, "lint", "--no-config", "--format", "json", "--slow-checks", "off", "--ignore", "*",
                        *selects, *map(str, files)], capture_output=True, text=True, timeout=300)
    flagged: dict[int, set[str]] = {i: set() for i in range(len(CASES))}
    for entry in json.loads(r.stdout).get("files", []):
        i = int(Path(entry["file"]).parent.name)
        flagged[i] |= {v["rule"] for v in entry.get("violations", [])}
    return {i: PEER[CASES[i][0]] in rules for i, rules in flagged.items()}


@pytest.mark.parametrize("i", range(len(CASES)), ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_beside_tally(tmp_path: Path, tally_flags_by_case, i):
    rule, dockerfile, we_flag, tally_flags = CASES[i]
    _, findings = lint(tmp_path, {"Dockerfile": dockerfile}, select=rule)
    assert bool(findings) == we_flag
    assert tally_flags_by_case[i] == tally_flags, "tally changed: update this case"
