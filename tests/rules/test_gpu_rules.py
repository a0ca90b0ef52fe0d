"""GPU and CUDA rules (MLD6xx): one line per case."""

from helpers import catches, lint, passes

CUDA = "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n"
DEVEL = "FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04\n"
PIP = "RUN pip install --no-cache-dir "
TORCH_IX = "https://download.pytorch.org/whl/"


# cuda-version-mismatch
def test_index_older_major(tmp_path): catches(tmp_path, "cuda-version-mismatch", CUDA + PIP + f"--index-url {TORCH_IX}cu118 torch==2.3.1\n", 2)
def test_index_newer_minor(tmp_path): catches(tmp_path, "cuda-version-mismatch", CUDA + PIP + f"--index-url {TORCH_IX}cu126 torch==2.6.0\n", 2)
def test_index_older_minor_ok(tmp_path): passes(tmp_path, "cuda-version-mismatch", CUDA + PIP + f"--index-url {TORCH_IX}cu121 torch==2.3.1\n")
def test_index_same(tmp_path): passes(tmp_path, "cuda-version-mismatch", CUDA + PIP + f"--index-url {TORCH_IX}cu124 torch==2.4.1\n")
def test_extra_index(tmp_path): catches(tmp_path, "cuda-version-mismatch", CUDA + PIP + f"--extra-index-url {TORCH_IX}cu118 xformers==0.0.27\n", 2)
def test_local_version(tmp_path): catches(tmp_path, "cuda-version-mismatch", CUDA + PIP + "torch==2.3.1+cu118 -f https://download.pytorch.org/whl/torch_stable.html\n", 2)
def test_cpu_wheel_not_judged(tmp_path): passes(tmp_path, "cuda-version-mismatch", CUDA + PIP + f"--index-url {TORCH_IX}cpu torch==2.4.1\n")
def test_uv_torch_backend(tmp_path): catches(tmp_path, "cuda-version-mismatch", CUDA + "RUN uv pip install --system --torch-backend cu118 torch==2.3.1\n", 2)
def test_conda_pytorch_cuda(tmp_path): catches(tmp_path, "cuda-version-mismatch", CUDA + "RUN conda install -y pytorch=2.3.1 pytorch-cuda=11.8 -c pytorch -c nvidia\n", 2)
def test_conda_cudatoolkit_ok(tmp_path): passes(tmp_path, "cuda-version-mismatch", CUDA + "RUN conda install -y cudatoolkit=12.1\n")
def test_pytorch_image(tmp_path): catches(tmp_path, "cuda-version-mismatch", "FROM pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime\n" + PIP + f"--index-url {TORCH_IX}cu118 torchaudio==2.3.1\n", 2)
def test_through_stage(tmp_path): catches(tmp_path, "cuda-version-mismatch", CUDA.replace("\n", " AS base\n") + "FROM base\n" + PIP + f"--index-url {TORCH_IX}cu118 torch==2.3.1\n", 3)
def test_cpu_base_not_judged(tmp_path): passes(tmp_path, "cuda-version-mismatch", "FROM python:3.11.9-slim\n" + PIP + f"--index-url {TORCH_IX}cu118 torch==2.3.1\n")
def test_base_from_arg(tmp_path): catches(tmp_path, "cuda-version-mismatch", "ARG CUDA=12.4.1\nFROM nvidia/cuda:${CUDA}-runtime-ubuntu22.04\n" + PIP + f"--index-url {TORCH_IX}cu118 torch==2.3.1\n", 3)


def test_in_requirements_file(tmp_path):
    files = {"requirements.txt": f"--extra-index-url {TORCH_IX}cu118\ntorch==2.3.1+cu118\n"}
    _, findings = lint(tmp_path, {"Dockerfile": CUDA + "COPY requirements.txt .\n" + PIP + "-r requirements.txt\n", **files},
                       select="cuda-version-mismatch")
    assert sorted((f["file"], f["line"]) for f in findings) == [("requirements.txt", 1), ("requirements.txt", 2)]
    assert "installed by line 3 of Dockerfile" in findings[0]["message"]


# gpu-query-at-build
def test_nvidia_smi(tmp_path): catches(tmp_path, "gpu-query-at-build", CUDA + "RUN nvidia-smi\n", 2)
def test_nvidia_smi_in_chain(tmp_path): catches(tmp_path, "gpu-query-at-build", CUDA + "RUN apt-get --version && \\\n    nvidia-smi -L\n", 3)
def test_torch_cuda_python_c(tmp_path): catches(tmp_path, "gpu-query-at-build", CUDA + 'RUN python3 -c "import torch; print(torch.cuda.is_available())"\n', 2)
def test_tf_heredoc(tmp_path): catches(tmp_path, "gpu-query-at-build", CUDA + "RUN <<EOF python3\nimport tensorflow as tf\nprint(tf.config.list_physical_devices('GPU'))\nEOF\n", 4)
def test_query_in_cmd(tmp_path): passes(tmp_path, "gpu-query-at-build", CUDA + 'CMD ["nvidia-smi"]\n')
def test_torch_version(tmp_path): passes(tmp_path, "gpu-query-at-build", CUDA + 'RUN python3 -c "import torch; print(torch.version.cuda)"\n')


# hardcoded-visible-devices
def test_cuda_visible_devices(tmp_path): catches(tmp_path, "hardcoded-visible-devices", CUDA + "ENV CUDA_VISIBLE_DEVICES=0\n", 2)
def test_nvidia_visible_indices(tmp_path): catches(tmp_path, "hardcoded-visible-devices", CUDA + "ENV NVIDIA_VISIBLE_DEVICES=0,1\n", 2)
def test_nvidia_visible_uuid(tmp_path): catches(tmp_path, "hardcoded-visible-devices", CUDA + "ENV NVIDIA_VISIBLE_DEVICES=GPU-6a3f1c2e\n", 2)
def test_visible_all(tmp_path): passes(tmp_path, "hardcoded-visible-devices", CUDA + "ENV NVIDIA_VISIBLE_DEVICES=all\n")
def test_visible_disabled(tmp_path): passes(tmp_path, "hardcoded-visible-devices", CUDA + "ENV CUDA_VISIBLE_DEVICES=-1 NVIDIA_VISIBLE_DEVICES=void\n")
def test_visible_from_arg(tmp_path): passes(tmp_path, "hardcoded-visible-devices", CUDA + "ARG GPUS\nENV CUDA_VISIBLE_DEVICES=${GPUS}\n")
def test_visible_multi_line_env(tmp_path): catches(tmp_path, "hardcoded-visible-devices", CUDA + "ENV A=1 \\\n    CUDA_VISIBLE_DEVICES=1\n", 3)


# driver-capabilities-all
def test_caps_all(tmp_path): catches(tmp_path, "driver-capabilities-all", CUDA + "ENV NVIDIA_DRIVER_CAPABILITIES=all\n", 2)
def test_caps_all_upper(tmp_path): catches(tmp_path, "driver-capabilities-all", CUDA + "ENV NVIDIA_DRIVER_CAPABILITIES=ALL\n", 2)
def test_caps_minimal(tmp_path): passes(tmp_path, "driver-capabilities-all", CUDA + "ENV NVIDIA_DRIVER_CAPABILITIES=compute,utility\n")


# redundant-cuda-install
APT = "RUN apt-get update && apt-get install -y --no-install-recommends "
def test_toolkit_on_devel(tmp_path): catches(tmp_path, "redundant-cuda-install", DEVEL + APT + "cuda-toolkit-12-4\n", 2)
def test_toolkit_on_runtime(tmp_path): passes(tmp_path, "redundant-cuda-install", CUDA + APT + "cuda-toolkit-12-4\n")
def test_runtime_on_runtime(tmp_path): catches(tmp_path, "redundant-cuda-install", CUDA + APT + "cuda-runtime-12-4\n", 2)
def test_cudnn_on_cudnn(tmp_path): catches(tmp_path, "redundant-cuda-install", DEVEL + APT + "libcudnn9-cuda-12\n", 2)
def test_cudnn_on_plain(tmp_path): passes(tmp_path, "redundant-cuda-install", CUDA + APT + "libcudnn9-cuda-12\n")
def test_debian_toolkit(tmp_path): catches(tmp_path, "redundant-cuda-install", CUDA + APT + "nvidia-cuda-toolkit\n", 2)
def test_ubuntu_base(tmp_path): passes(tmp_path, "redundant-cuda-install", "FROM ubuntu:22.04\n" + APT + "nvidia-cuda-toolkit\n")
def test_tensorrt(tmp_path): passes(tmp_path, "redundant-cuda-install", DEVEL + APT + "tensorrt\n")


# container-toolkit-in-image
def test_toolkit_in_image(tmp_path): catches(tmp_path, "container-toolkit-in-image", "FROM ubuntu:22.04\n" + APT + "nvidia-container-toolkit\n", 2)
def test_nvidia_docker2(tmp_path): catches(tmp_path, "container-toolkit-in-image", "FROM centos:7\nRUN yum install -y nvidia-docker2\n", 2)
def test_app_packages(tmp_path): passes(tmp_path, "container-toolkit-in-image", CUDA + APT + "python3-pip\n")


# single-stage-build-tools: the fix fits the base
def test_cpu_fix_is_slim(tmp_path):
    hit = catches(tmp_path, "single-stage-build-tools", "FROM python:3.11\nUSER app\n", 1)[0]
    assert "python:3.11-slim" in hit["fix"] and "nvidia" not in hit["fix"]


def test_cpu_packages_fix_is_slim(tmp_path):
    hit = catches(tmp_path, "single-stage-build-tools", "FROM debian:12-slim\nRUN apt-get install -y gcc\nUSER app\n", 2)[0]
    assert "nvidia" not in hit["fix"]


def test_gpu_fix_keeps_cuda(tmp_path):
    hit = catches(tmp_path, "single-stage-build-tools", DEVEL + "USER app\n", 1)[0]
    assert "nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04" in hit["fix"]
