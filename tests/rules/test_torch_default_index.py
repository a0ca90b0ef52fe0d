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
def test_other_packages(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install torchserve==0.12.0 numpy==1.26.4\n")


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


# torch pulled in by the packages that require it, on a CPU image.
def test_sentence_transformers(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install --no-cache-dir sentence-transformers==3.3.1\n", line=2)
def test_ultralytics(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install ultralytics==8.3.40\n", line=2)
def test_timm_and_accelerate(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install timm==1.0.12 accelerate==1.1.1\n", line=2)
def test_torchmetrics(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install torchmetrics==1.4.0\n", line=2)
def test_transformers_torch_extra(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install 'transformers[torch]==4.46.3'\n", line=2)
def test_transformers_alone(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install transformers==4.46.3\n")
def test_dependent_after_cpu_torch(tmp_path): passes(tmp_path, RULE, FROM + f"RUN pip install --index-url {CPU} torch==2.5.1\nRUN pip install sentence-transformers==3.3.1\n")
def test_dependent_with_cpu_extra_index(tmp_path): passes(tmp_path, RULE, FROM + f"RUN pip install --extra-index-url {CPU} sentence-transformers==3.3.1\n")
def test_dependent_after_cpu_label(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install torch==2.5.1+cpu -f https://download.pytorch.org/whl/torch_stable.html && pip install timm==1.0.12\n")
def test_dependent_on_cuda_base(tmp_path): passes(tmp_path, RULE, "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nRUN pip install ultralytics==8.3.40\n")


def test_dependent_in_requirements_file(tmp_path):
    hit = catches(tmp_path, RULE, FROM + "COPY requirements.txt .\nRUN pip install -r requirements.txt\n", line=3,
                  files={"requirements.txt": "fastapi==0.115.5\nsentence-transformers==3.3.1\n"})[0]
    assert "sentence-transformers==3.3.1" in hit["message"] and "pulls in torch" in hit["message"]


def test_dependent_with_cpu_torch_in_the_same_file(tmp_path):
    passes(tmp_path, RULE, FROM + "COPY requirements.txt .\nRUN pip install -r requirements.txt -f https://download.pytorch.org/whl/torch_stable.html\n",
           files={"requirements.txt": "torch==2.5.1+cpu\nsentence-transformers==3.3.1\n"})


# Code that runs on a GPU wants the CUDA build; a base that ships CPU torch needs no download.
APP = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir torch==2.5.1\n"
def test_code_moves_the_model_to_cuda(tmp_path): passes(tmp_path, RULE, APP, files={"serve.py": "import torch\nmodel = torch.nn.Linear(2, 2).to('cuda')\n"})
def test_code_uses_device_map(tmp_path): passes(tmp_path, RULE, APP, files={"serve.py": "from transformers import AutoModelForCausalLM\nm = AutoModelForCausalLM.from_pretrained('x', device_map='auto')\n"})
def test_code_calls_cuda(tmp_path): passes(tmp_path, RULE, APP, files={"app/model.py": "def load(m):\n    return m.cuda()\n"})
def test_runpod_handler(tmp_path): passes(tmp_path, RULE, APP, files={"handler.py": "import runpod\nrunpod.serverless.start({'handler': print})\n"})
def test_modal_app(tmp_path): passes(tmp_path, RULE, APP, files={"app.py": "import modal\napp = modal.App('x')\n"})
def test_device_chosen_at_run_time(tmp_path): catches(tmp_path, RULE, APP, line=4, files={"serve.py": "import torch\ndevice = 'cuda' if torch.cuda.is_available() else 'cpu'\nm = torch.nn.Linear(2, 2).to(device)\n"})
def test_gpu_code_not_copied(tmp_path): catches(tmp_path, RULE, FROM + "COPY serve.py /app/\nRUN pip install torch==2.5.1\n", line=3, files={"serve.py": "print()\n", "train_gpu.py": "import torch\ntorch.zeros(1).to('cuda')\n"})
def test_cpu_torch_base_unpinned(tmp_path): passes(tmp_path, RULE, "FROM pytorch/torchserve:0.12.0-cpu\nRUN pip install torch sentence-transformers==3.3.1\n")
def test_cpu_torch_base_other_version(tmp_path): catches(tmp_path, RULE, "FROM pytorch/torchserve:0.12.0-cpu\nRUN pip install torch==2.5.1\n", line=2)
def test_gpu_branch_of_an_availability_check(tmp_path): catches(tmp_path, RULE, APP, line=4, files={"enc.py": "import torch\nif torch.cuda.is_available():\n    device = torch.device('cuda')\n    m = torch.nn.Linear(2, 2).to('cuda')\nelse:\n    device = torch.device('cpu')\n"})
def test_cuda_call_outside_the_check(tmp_path): passes(tmp_path, RULE, APP, files={"enc.py": "import torch\nif torch.cuda.is_available():\n    print('gpu')\nmodel = torch.nn.Linear(2, 2).cuda()\n"})


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
def test_uv_lock_routes_by_marker(tmp_path): passes(tmp_path, RULE, _PY + "COPY pyproject.toml uv.lock ./\nRUN uv sync --locked\n", files={"pyproject.toml": _PP, "uv.lock": _LOCK.format("https://pypi.org/simple") + '\n[[package]]\nname = "torch"\nversion = "2.4.1+cpu"\nsource = { registry = "https://download.pytorch.org/whl/cpu" }\n'})
def test_uv_lock_from_pytorch(tmp_path): passes(tmp_path, RULE, _PY + "COPY pyproject.toml uv.lock ./\nRUN uv sync --locked\n", files={"pyproject.toml": _PP, "uv.lock": _LOCK.format("https://download.pytorch.org/whl/cpu")})
