"""cuda-version-mismatch (MLD211): one line per case."""

from helpers import catches, passes

RULE = "cuda-version-mismatch"
CUDA121 = "FROM nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04\n"
ENV = "channels:\n  - pytorch\n  - nvidia\ndependencies:\n  - pytorch=2.4.1\n  - pytorch-cuda={}\n"
MM = "FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04\nCOPY environment.yml /tmp/\nRUN micromamba create -y -n a -f /tmp/environment.yml && micromamba clean -a -y\n"


def test_pip_local_label(tmp_path): catches(tmp_path, RULE, CUDA121 + "RUN pip install --no-cache-dir torch==2.4.1+cu118\n", line=2)
def test_pip_same_cuda(tmp_path): passes(tmp_path, RULE, CUDA121 + "RUN pip install --no-cache-dir torch==2.4.1+cu121\n")
def test_pip_index(tmp_path): catches(tmp_path, RULE, CUDA121 + "RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cu124 torch==2.4.1\n", line=2)
def test_pip_cpu_index(tmp_path): passes(tmp_path, RULE, CUDA121 + "RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch==2.4.1\n")
def test_conda_command(tmp_path): catches(tmp_path, RULE, CUDA121 + "RUN conda install -y pytorch=2.4.1 pytorch-cuda=12.4 && conda clean -afy\n", line=2)
def test_conda_env_file(tmp_path): catches(tmp_path, RULE, MM, line=3, files={"environment.yml": ENV.format("11.8")})
def test_conda_env_file_same(tmp_path): passes(tmp_path, RULE, MM, files={"environment.yml": ENV.format("12.1")})
def test_pytorch_image_tag(tmp_path): catches(tmp_path, RULE, "FROM pytorch/pytorch:2.4.1-cuda12.1-cudnn9-runtime\nRUN pip install --no-cache-dir torchvision==0.19.1+cu118\n", line=2)
def test_plain_base(tmp_path): passes(tmp_path, RULE, "FROM python:3.11.9-slim\nRUN pip install --no-cache-dir torch==2.4.1+cu118\n")
def test_later_stage_base(tmp_path): passes(tmp_path, RULE, "FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04 AS build\nRUN echo\nFROM python:3.11.9-slim\nRUN pip install --no-cache-dir torch==2.4.1+cu118\n")
