"""torch-default-index (MLD203): one line per case."""

from helpers import catches, passes

RULE = "torch-default-index"
FROM = "FROM python:3.11-slim\n"
CPU = "https://download.pytorch.org/whl/cpu"


def test_torch_from_pypi(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install torch==2.5.1\n", line=2)
def test_torchvision(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install torchvision==0.20.1\n", line=2)
def test_torchaudio(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install torchaudio\n", line=2)
def test_python_m_pip(tmp_path): catches(tmp_path, RULE, FROM + "RUN python3 -m pip install torch\n", line=2)
def test_uv_pip(tmp_path): catches(tmp_path, RULE, FROM + "RUN uv pip install --system torch==2.5.1\n", line=2)
def test_line_of_the_package(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install \\\n    numpy==1.26.4 \\\n    torch==2.5.1\n", line=4)
def test_ubuntu_base(tmp_path): catches(tmp_path, RULE, "FROM ubuntu:22.04\nRUN pip3 install torch\n", line=2)
def test_cpu_index(tmp_path): passes(tmp_path, RULE, FROM + f"RUN pip install --index-url {CPU} torch==2.5.1\n")
def test_cpu_index_short_option(tmp_path): passes(tmp_path, RULE, FROM + f"RUN pip install -i {CPU} torch==2.5.1\n")
def test_cpu_extra_index(tmp_path): passes(tmp_path, RULE, FROM + f"RUN pip install --extra-index-url={CPU} torch==2.5.1\n")
def test_find_links(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install -f https://download.pytorch.org/whl/torch_stable.html torch==2.0.1+cpu\n")
def test_cuda_index_is_a_choice(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install --index-url https://download.pytorch.org/whl/cu124 torch\n")
def test_local_version_label(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install torch==2.5.1+cpu\n")
def test_wheel_url(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install https://download.pytorch.org/whl/cpu/torch-2.5.1%2Bcpu-cp311-cp311-linux_x86_64.whl\n")
def test_index_env(tmp_path): passes(tmp_path, RULE, FROM + f"ENV PIP_INDEX_URL={CPU}\nRUN pip install torch\n")
def test_extra_index_env_on_command(tmp_path): passes(tmp_path, RULE, FROM + f"RUN PIP_EXTRA_INDEX_URL={CPU} pip install torch\n")
def test_pip_config(tmp_path): passes(tmp_path, RULE, FROM + f"RUN pip config set global.extra-index-url {CPU}\nRUN pip install torch\n")
def test_uv_torch_backend(tmp_path): passes(tmp_path, RULE, FROM + "RUN uv pip install --system --torch-backend=cpu torch\n")
def test_uv_torch_backend_env(tmp_path): passes(tmp_path, RULE, FROM + "ENV UV_TORCH_BACKEND=cpu\nRUN uv pip install --system torch\n")
def test_cuda_base(tmp_path): passes(tmp_path, RULE, "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nRUN pip install torch\n")
def test_pytorch_base(tmp_path): passes(tmp_path, RULE, "FROM pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime\nRUN pip install torchvision\n")
def test_ngc_base(tmp_path): passes(tmp_path, RULE, "FROM nvcr.io/nvidia/pytorch:24.08-py3\nRUN pip install torchaudio\n")
def test_gpu_tag(tmp_path): passes(tmp_path, RULE, "FROM tensorflow/tensorflow:2.17.0-gpu\nRUN pip install torch\n")
def test_cuda_runtime_final_stage(tmp_path): passes(tmp_path, RULE, "FROM python:3.11-slim AS build\nRUN pip install torch\nFROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nCOPY --from=build /usr/local /usr/local\n")
def test_arg_base_resolved(tmp_path): catches(tmp_path, RULE, "ARG BASE=python:3.11-slim\nFROM ${BASE}\nRUN pip install torch\n", line=3)
def test_arg_base_cuda(tmp_path): passes(tmp_path, RULE, "ARG BASE=nvidia/cuda:12.4.1-runtime-ubuntu22.04\nFROM ${BASE}\nRUN pip install torch\n")
def test_arg_base_unknown(tmp_path): passes(tmp_path, RULE, "ARG BASE\nFROM ${BASE}\nRUN pip install torch\n")
def test_conda_not_judged(tmp_path): passes(tmp_path, RULE, "FROM continuumio/miniconda3:24.7.1-0\nRUN conda install -y pytorch=2.5.1\n")
def test_other_packages(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install torchmetrics==1.4.0 numpy==1.26.4\n")


def test_requirements_file(tmp_path):
    catches(tmp_path, RULE, FROM + "COPY requirements.txt .\nRUN pip install -r requirements.txt\n", line=3,
            files={"requirements.txt": "numpy==1.26.4\ntorch==2.5.1\n"})


def test_requirements_include(tmp_path):
    hit = catches(tmp_path, RULE, FROM + "COPY requirements/ /req/\nRUN pip install -r /req/prod.txt\n", line=3,
                  files={"requirements/prod.txt": "-r base.txt\n", "requirements/base.txt": "torch==2.5.1\n"})[0]
    assert "requirements/base.txt:1" in hit["message"]


def test_requirements_file_with_index(tmp_path):
    passes(tmp_path, RULE, FROM + "COPY requirements.txt .\nRUN pip install -r requirements.txt\n",
           files={"requirements.txt": f"--extra-index-url {CPU}\ntorch==2.5.1\n"})


def test_requirements_file_cpu_label(tmp_path):
    passes(tmp_path, RULE, FROM + "COPY requirements.txt .\nRUN pip install -r requirements.txt\n",
           files={"requirements.txt": "torch==2.5.1+cpu\n"})


def test_requirements_file_with_command_index(tmp_path):
    passes(tmp_path, RULE, FROM + f"COPY requirements.txt .\nRUN pip install --index-url {CPU} -r requirements.txt\n",
           files={"requirements.txt": "torch==2.5.1\n"})


def test_message(tmp_path):
    hit = catches(tmp_path, RULE, FROM + "RUN pip install torch==2.5.1\n", line=2)[0]
    assert "python:3.11-slim" in hit["message"] and "download.pytorch.org/whl/cpu" in hit["fix"]


def test_requirements_file_bind_mounted(tmp_path):
    hit = catches(tmp_path, RULE, FROM + "RUN --mount=type=bind,source=requirements.txt,target=/r.txt \\\n"
                                         "    pip install --no-cache-dir -r /r.txt\n", line=3,
                  files={"requirements.txt": "numpy==1.26.4\ntorchaudio==2.5.1\n"})[0]
    assert "requirements.txt:2" in hit["message"]


def test_requirements_file_bind_mounted_cpu_index(tmp_path):
    passes(tmp_path, RULE, FROM + "RUN --mount=type=bind,source=requirements.txt,target=/r.txt pip install -r /r.txt\n",
           files={"requirements.txt": "-i https://download.pytorch.org/whl/cpu\ntorchaudio==2.5.1\n"})


# Manifests the install reads -----------------------------------------------------------------------
_PY = "FROM python:3.11.9-slim\nWORKDIR /app\n"
_PP = '[project]\nname = "a"\nversion = "1"\ndependencies = ["torch==2.4.1", "numpy==2.1.1"]\n'
def test_pyproject_pip_install(tmp_path): catches(tmp_path, RULE, _PY + "COPY . .\nRUN pip install --no-cache-dir .\n", line=4, files={"pyproject.toml": _PP})
def test_pyproject_cpu_index(tmp_path): passes(tmp_path, RULE, _PY + "COPY . .\nRUN pip install --no-cache-dir --extra-index-url https://download.pytorch.org/whl/cpu .\n", files={"pyproject.toml": _PP})
def test_pyproject_no_deps(tmp_path): passes(tmp_path, RULE, _PY + "COPY . .\nRUN pip install --no-cache-dir --no-deps .\n", files={"pyproject.toml": _PP})
def test_conda_pip_section(tmp_path): catches(tmp_path, RULE, "FROM mambaorg/micromamba:1.5.8\nCOPY environment.yml /tmp/\nRUN micromamba create -y -n a -f /tmp/environment.yml && micromamba clean -a -y\n", line=3, files={"environment.yml": "channels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pip:\n    - torch==2.4.1\n"})
def test_conda_pip_section_cpu_index(tmp_path): passes(tmp_path, RULE, "FROM mambaorg/micromamba:1.5.8\nCOPY environment.yml /tmp/\nRUN micromamba create -y -n a -f /tmp/environment.yml && micromamba clean -a -y\n", files={"environment.yml": "channels:\n  - conda-forge\ndependencies:\n  - pip:\n    - --extra-index-url https://download.pytorch.org/whl/cpu\n    - torch==2.4.1\n"})
_LOCK = 'version = 1\n\n[[package]]\nname = "torch"\nversion = "2.4.1"\nsource = {{ registry = "{}" }}\n'
def test_uv_lock_from_pypi(tmp_path): catches(tmp_path, RULE, _PY + "COPY pyproject.toml uv.lock ./\nRUN uv sync --locked\n", line=4, files={"pyproject.toml": _PP, "uv.lock": _LOCK.format("https://pypi.org/simple")})
def test_uv_lock_from_pytorch(tmp_path): passes(tmp_path, RULE, _PY + "COPY pyproject.toml uv.lock ./\nRUN uv sync --locked\n", files={"pyproject.toml": _PP, "uv.lock": _LOCK.format("https://download.pytorch.org/whl/cpu")})
