"""manifest-unpinned, lock-file-not-used, lock-file-stale, hashes-incomplete, conda-channel-mix,
pytorch-channel-retired: one line per case."""

from helpers import catches, lint, passes

CONDA = "FROM mambaorg/micromamba:1.5.8\nCOPY environment.yml /tmp/env.yml\n"
MM = CONDA + "RUN micromamba create -y -n app -f /tmp/env.yml && micromamba clean --all --yes\n"
PY = "FROM python:3.11.9-slim\nWORKDIR /app\n"
UV = PY + "COPY --from=ghcr.io/astral-sh/uv:0.4.20 /uv /bin/uv\n"
PYPROJECT = '[project]\nname = "app"\nversion = "1"\ndependencies = [\n  "numpy>=1.26",\n  "torch==2.4.1",\n]\n'
ENV = "channels:\n  - conda-forge\ndependencies:\n  - python=3.11\n"
LOCK = "version: 1\nmetadata:\n  sources:\n  - environment.yml\npackage: []\n"


def hits(tmp_path, rule, files):
    _, findings = lint(tmp_path, files, select=rule)
    return sorted((f["file"], f["line"]) for f in findings if f["name"] == rule)


# manifest-unpinned ---------------------------------------------------------------------------------
U = "manifest-unpinned"
def test_conda_bare(tmp_path): assert hits(tmp_path, U, {"Dockerfile": MM, "environment.yml": ENV + "  - numpy\n"}) == [("environment.yml", 5)]
def test_conda_range(tmp_path): assert hits(tmp_path, U, {"environment.yml": ENV + "  - numpy>=1.24\n"}) == [("environment.yml", 5)]
def test_conda_wildcard(tmp_path): assert hits(tmp_path, U, {"environment.yml": ENV + "  - pytorch=2.*\n"}) == [("environment.yml", 5)]
def test_conda_pins(tmp_path): assert hits(tmp_path, U, {"environment.yml": ENV + "  - numpy=1.26\n  - scipy==1.13.1\n  - pandas 2.2.2 py311_0\n"}) == []
def test_conda_pip_section(tmp_path): assert hits(tmp_path, U, {"environment.yml": ENV + "  - pip\n  - pip:\n    - transformers>=4\n    - einops==0.8.0\n"}) == [("environment.yml", 7)]
def test_conda_pip_git_branch(tmp_path): assert hits(tmp_path, U, {"environment.yml": ENV + "  - pip:\n    - -e git+https://github.com/x/y.git@main#egg=y\n"}) == [("environment.yml", 6)]
def test_conda_installer_exempt(tmp_path): assert hits(tmp_path, U, {"environment.yml": ENV + "  - pip\n  - conda\n"}) == []
def test_conda_with_lock_beside(tmp_path): assert hits(tmp_path, U, {"environment.yml": ENV + "  - numpy\n", "conda-lock.yml": LOCK}) == []
def test_conda_file_list(tmp_path): assert hits(tmp_path, U, {"Dockerfile": "FROM continuumio/miniconda3:24.7.1-0\nCOPY specs.txt /tmp/\nRUN conda install -y --file /tmp/specs.txt && conda clean -afy\n", "specs.txt": "numpy=1.26\nscipy\n"}) == [("specs.txt", 2)]
def test_pip_install_dot(tmp_path): assert hits(tmp_path, U, {"Dockerfile": PY + "COPY . .\nRUN pip install --no-cache-dir .\n", "pyproject.toml": PYPROJECT}) == [("pyproject.toml", 5)]
def test_pip_install_editable(tmp_path): assert hits(tmp_path, U, {"Dockerfile": PY + "COPY . .\nRUN pip install --no-cache-dir -e .\n", "pyproject.toml": PYPROJECT}) == [("pyproject.toml", 5)]
def test_pip_install_extras(tmp_path): assert hits(tmp_path, U, {"Dockerfile": PY + "COPY . .\nRUN pip install --no-cache-dir '.[gpu]'\n", "pyproject.toml": PYPROJECT + '[project.optional-dependencies]\ngpu = ["cupy>=13"]\ndocs = ["sphinx"]\n'}) == [("pyproject.toml", 5), ("pyproject.toml", 9)]
def test_pip_install_no_deps(tmp_path): assert hits(tmp_path, U, {"Dockerfile": PY + "COPY . .\nRUN pip install --no-cache-dir --no-deps .\n", "pyproject.toml": PYPROJECT}) == []
def test_pip_install_constrained(tmp_path): assert hits(tmp_path, U, {"Dockerfile": PY + "COPY . .\nRUN pip install --no-cache-dir -c constraints.txt .\n", "pyproject.toml": PYPROJECT, "constraints.txt": "numpy==1.26.4\n"}) == []
def test_pip_install_after_lock(tmp_path): assert hits(tmp_path, U, {"Dockerfile": PY + "COPY requirements.lock ./\nRUN pip install --no-cache-dir -r requirements.lock\nCOPY . .\nRUN pip install --no-cache-dir .\n", "pyproject.toml": PYPROJECT, "requirements.lock": "numpy==1.26.4\ntorch==2.4.1\n"}) == []
def test_pyproject_not_installed(tmp_path): assert hits(tmp_path, U, {"pyproject.toml": PYPROJECT}) == []
def test_pyproject_installed_from_lock(tmp_path): assert hits(tmp_path, U, {"Dockerfile": UV + "COPY pyproject.toml uv.lock ./\nRUN uv sync --locked\n", "pyproject.toml": PYPROJECT, "uv.lock": "version = 1\n"}) == []
def test_poetry_caret_via_pip(tmp_path): assert hits(tmp_path, U, {"Dockerfile": PY + "COPY . .\nRUN pip install --no-cache-dir .\n", "pyproject.toml": '[tool.poetry]\nname = "a"\n[tool.poetry.dependencies]\npython = "^3.11"\nnumpy = "^1.26"\nscipy = "1.13.1"\n'}) == [("pyproject.toml", 5)]

# lock-file-not-used -------------------------------------------------------------------------------
L = "lock-file-not-used"
def test_poetry_without_lock(tmp_path): catches(tmp_path, L, PY + "COPY pyproject.toml ./\nRUN poetry install --no-root\n", line=4, files={"pyproject.toml": PYPROJECT, "poetry.lock": ""})
def test_poetry_no_lock_anywhere(tmp_path): catches(tmp_path, L, PY + "COPY pyproject.toml ./\nRUN poetry install --no-root\n", line=4, files={"pyproject.toml": PYPROJECT})
def test_lock_named_by_a_copy(tmp_path): passes(tmp_path, L, PY + "COPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\n", files={"pyproject.toml": PYPROJECT})  # the context lacks it: that COPY fails, not this rule
def test_context_without_the_project(tmp_path): passes(tmp_path, L, PY + "COPY server server\nRUN cd server && uv sync --frozen\n")  # not the context the file is built with
def test_poetry_with_lock(tmp_path): passes(tmp_path, L, PY + "COPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\n", files={"pyproject.toml": PYPROJECT, "poetry.lock": ""})
def test_poetry_directory(tmp_path): passes(tmp_path, L, PY + "COPY svc/pyproject.toml svc/poetry.lock /src/\nRUN poetry install -C /src --no-root\n", files={"svc/pyproject.toml": PYPROJECT, "svc/poetry.lock": ""})
def test_uv_sync_unlocked(tmp_path): catches(tmp_path, L, UV + "COPY pyproject.toml uv.lock ./\nRUN uv sync\n", line=5, files={"pyproject.toml": PYPROJECT, "uv.lock": "version = 1\n"})
def test_uv_sync_locked(tmp_path): passes(tmp_path, L, UV + "COPY pyproject.toml uv.lock ./\nRUN uv sync --locked\n", files={"pyproject.toml": PYPROJECT, "uv.lock": "version = 1\n"})
def test_uv_sync_frozen_env(tmp_path): passes(tmp_path, L, UV + "ENV UV_FROZEN=1\nCOPY pyproject.toml uv.lock ./\nRUN uv sync\n", files={"pyproject.toml": PYPROJECT, "uv.lock": "version = 1\n"})
def test_uv_sync_bind_mount(tmp_path): passes(tmp_path, L, UV + "RUN --mount=type=bind,source=uv.lock,target=uv.lock --mount=type=bind,source=pyproject.toml,target=pyproject.toml uv sync --locked --no-install-project\n", files={"pyproject.toml": PYPROJECT, "uv.lock": "version = 1\n"})
def test_uv_pip_sync_is_not_uv_sync(tmp_path): passes(tmp_path, L, UV + "COPY requirements.txt ./\nRUN uv pip sync --system requirements.txt\n", files={"requirements.txt": "numpy==1.26.4\n"})
def test_pipenv_without_deploy(tmp_path): catches(tmp_path, L, PY + "COPY Pipfile Pipfile.lock ./\nRUN pipenv install --system\n", line=4, files={"Pipfile": "[packages]\n", "Pipfile.lock": "{}"})
def test_pipenv_deploy(tmp_path): passes(tmp_path, L, PY + "COPY Pipfile Pipfile.lock ./\nRUN pipenv install --system --deploy\n", files={"Pipfile": "[packages]\n", "Pipfile.lock": "{}"})
def test_pipenv_sync(tmp_path): passes(tmp_path, L, PY + "COPY Pipfile Pipfile.lock ./\nRUN pipenv sync --system\n", files={"Pipfile": "[packages]\n", "Pipfile.lock": "{}"})
def test_pdm_install(tmp_path): catches(tmp_path, L, PY + "COPY pyproject.toml pdm.lock ./\nRUN pdm install --prod\n", line=4, files={"pyproject.toml": PYPROJECT, "pdm.lock": ""})
def test_pdm_frozen(tmp_path): passes(tmp_path, L, PY + "COPY pyproject.toml pdm.lock ./\nRUN pdm install --prod --frozen-lockfile\n", files={"pyproject.toml": PYPROJECT, "pdm.lock": ""})
def test_conda_env_with_lock(tmp_path): catches(tmp_path, L, MM, line=3, files={"environment.yml": ENV, "conda-lock.yml": LOCK})
def test_conda_env_no_lock(tmp_path): passes(tmp_path, L, MM, files={"environment.yml": ENV})
def test_conda_env_explicit_lock(tmp_path): catches(tmp_path, L, "FROM continuumio/miniconda3:24.7.1-0\nCOPY environment.yml .\nRUN conda env create -f environment.yml && conda clean -afy\n", line=3, files={"environment.yml": ENV, "conda-linux-64.lock": "@EXPLICIT\n"})

# lock-file-stale ----------------------------------------------------------------------------------
S = "lock-file-stale"
UVROOT = 'version = 1\n\n[[package]]\nname = "app"\nversion = "1"\nsource = { editable = "." }\n\n[package.metadata]\nrequires-dist = [\n    { name = "numpy", specifier = ">=1.26" },\n    { name = "torch", specifier = "==2.4.1" },\n]\n'
def test_uv_fresh(tmp_path): assert hits(tmp_path, S, {"pyproject.toml": PYPROJECT, "uv.lock": UVROOT}) == []
def test_uv_spec_changed(tmp_path): assert hits(tmp_path, S, {"pyproject.toml": PYPROJECT.replace(">=1.26", ">=2.0"), "uv.lock": UVROOT}) == [("uv.lock", 8)]
def test_uv_dependency_added(tmp_path): assert hits(tmp_path, S, {"pyproject.toml": PYPROJECT.replace('  "torch', '  "scipy",\n  "torch'), "uv.lock": UVROOT}) == [("uv.lock", 8)]
def test_uv_group_changed(tmp_path): assert hits(tmp_path, S, {"pyproject.toml": PYPROJECT + '[dependency-groups]\ndev = ["pytest"]\n', "uv.lock": UVROOT}) == [("uv.lock", 8)]
def test_uv_source_compared_by_name(tmp_path): assert hits(tmp_path, S, {"pyproject.toml": PYPROJECT + '[tool.uv.sources]\ntorch = { index = "pytorch" }\n', "uv.lock": UVROOT.replace('specifier = "==2.4.1"', 'specifier = "==2.4.1", index = "https://download.pytorch.org/whl/cpu"')}) == []
def test_poetry_hash_matches(tmp_path):
    from mllint_docker.model.manifests.stale import poetry_content_hash
    import tomllib
    pp = '[tool.poetry]\nname = "a"\n[tool.poetry.dependencies]\npython = "^3.11"\nnumpy = "1.26.4"\n'
    h = poetry_content_hash(tomllib.loads(pp))
    assert hits(tmp_path, S, {"pyproject.toml": pp, "poetry.lock": f'[metadata]\nlock-version = "2.0"\ncontent-hash = "{h}"\n'}) == []
def test_poetry_hash_differs(tmp_path): assert hits(tmp_path, S, {"pyproject.toml": '[tool.poetry.dependencies]\nnumpy = "1.26.4"\n', "poetry.lock": '[metadata]\nlock-version = "2.0"\ncontent-hash = "00"\n'}) == [("poetry.lock", 3)]
def test_lock_without_pyproject(tmp_path): assert hits(tmp_path, S, {"poetry.lock": '[metadata]\ncontent-hash = "00"\n'}) == []

# hashes-incomplete --------------------------------------------------------------------------------
H = "hashes-incomplete"
HASHED = "numpy==1.26.4 --hash=sha256:" + "a" * 64 + "\n"
def test_line_without_hash(tmp_path): assert hits(tmp_path, H, {"requirements.txt": HASHED + "requests==2.32.3\n"}) == [("requirements.txt", 2)]
def test_all_hashed(tmp_path): assert hits(tmp_path, H, {"requirements.txt": HASHED + "requests==2.32.3 --hash=sha256:" + "b" * 64 + "\n"}) == []
def test_no_hashes(tmp_path): assert hits(tmp_path, H, {"requirements.txt": "numpy==1.26.4\nrequests==2.32.3\n"}) == []
def test_require_hashes_option(tmp_path): assert hits(tmp_path, H, {"requirements.txt": "--require-hashes\nnumpy==1.26.4\n"}) == [("requirements.txt", 2)]
def test_hashed_range(tmp_path): assert hits(tmp_path, H, {"requirements.txt": "numpy>=1.26 --hash=sha256:" + "a" * 64 + "\n"}) == [("requirements.txt", 1)]
def test_editable_in_hash_mode(tmp_path): assert hits(tmp_path, H, {"requirements.txt": HASHED + "-e ./lib\n"}) == [("requirements.txt", 2)]
def test_included_file(tmp_path): assert hits(tmp_path, H, {"requirements.txt": HASHED + "-r extra.txt\n", "extra.txt": "requests==2.32.3\n"}) == []

# conda-channel-mix --------------------------------------------------------------------------------
C = "conda-channel-mix"
MIX = "channels:\n  - conda-forge\n  - defaults\ndependencies:\n  - python=3.11\n"
def test_mix(tmp_path): assert hits(tmp_path, C, {"environment.yml": MIX}) == [("environment.yml", 3)]
def test_forge_only(tmp_path): assert hits(tmp_path, C, {"environment.yml": ENV}) == []
def test_nodefaults(tmp_path): assert hits(tmp_path, C, {"environment.yml": MIX.replace("defaults", "nodefaults")}) == []
def test_strict_in_image(tmp_path): assert hits(tmp_path, C, {"environment.yml": MIX, "Dockerfile": "FROM continuumio/miniconda3:24.7.1-0\nCOPY environment.yml .\nRUN conda config --set channel_priority strict\nRUN conda env create -f environment.yml && conda clean -afy\n"}) == []
def test_strict_flag(tmp_path): assert hits(tmp_path, C, {"environment.yml": MIX, "Dockerfile": "FROM mambaorg/micromamba:1.5.8\nCOPY environment.yml .\nRUN micromamba create -y -n a -f environment.yml --strict-channel-priority && micromamba clean -a -y\n"}) == []

# pytorch-channel-retired --------------------------------------------------------------------------
P = "pytorch-channel-retired"
PT = "channels:\n  - pytorch\n  - conda-forge\ndependencies:\n"
def test_pytorch_new(tmp_path): assert hits(tmp_path, P, {"environment.yml": PT + "  - pytorch=2.6.0\n"}) == [("environment.yml", 5)]
def test_pytorch_unversioned(tmp_path): assert hits(tmp_path, P, {"environment.yml": PT + "  - pytorch\n"}) == [("environment.yml", 5)]
def test_pytorch_old_pin(tmp_path): assert hits(tmp_path, P, {"environment.yml": PT + "  - pytorch=2.1.2\n  - torchvision=0.16.2\n"}) == []
def test_torchvision_new(tmp_path): assert hits(tmp_path, P, {"environment.yml": PT + "  - torchvision>=0.21\n"}) == [("environment.yml", 5)]
def test_no_pytorch_channel(tmp_path): assert hits(tmp_path, P, {"environment.yml": "channels:\n  - conda-forge\ndependencies:\n  - pytorch=2.6.0\n"}) == []
def test_prefixed_spec(tmp_path): assert hits(tmp_path, P, {"environment.yml": "channels:\n  - conda-forge\ndependencies:\n  - pytorch::pytorch=2.7\n"}) == [("environment.yml", 4)]
def test_run_channel(tmp_path): catches(tmp_path, P, "FROM continuumio/miniconda3:24.7.1-0\nRUN conda install -y -c pytorch pytorch=2.6.0 && conda clean -afy\n", line=2)
def test_run_old(tmp_path): passes(tmp_path, P, "FROM continuumio/miniconda3:24.7.1-0\nRUN conda install -y -c pytorch pytorch=2.4.1 && conda clean -afy\n")
def test_conda_lock_of_another_file(tmp_path): assert hits(tmp_path, U, {"environment.yml": ENV + "  - numpy\n", "conda-lock.yml": LOCK.replace("environment.yml", "pyproject.toml")}) == [("environment.yml", 5)]
def test_conda_pip_bare_url(tmp_path): assert hits(tmp_path, U, {"environment.yml": ENV + "  - pip:\n    - git+https://github.com/x/y.git\n"}) == [("environment.yml", 6)]
_PIPFILE = '[[source]]\nurl = "https://pypi.org/simple"\nverify_ssl = true\nname = "pypi"\n\n[packages]\nfastapi = "==0.115.0"\n'
def _pipfile_lock(pipfile):
    import json, tomllib
    from mllint_docker.model.manifests.stale import pipfile_hash
    return json.dumps({"_meta": {"hash": {"sha256": pipfile_hash(tomllib.loads(pipfile))}, "pipfile-spec": 6}, "default": {}, "develop": {}}, indent=4)
def test_pipfile_lock_fresh(tmp_path): assert hits(tmp_path, S, {"Pipfile": _PIPFILE, "Pipfile.lock": _pipfile_lock(_PIPFILE)}) == []
def test_pipfile_lock_stale(tmp_path): assert hits(tmp_path, S, {"Pipfile": _PIPFILE + 'numpy = "*"\n', "Pipfile.lock": _pipfile_lock(_PIPFILE)}) == [("Pipfile.lock", 4)]
def test_uv_pip_sync_pylock(tmp_path): passes(tmp_path, L, UV + "COPY pylock.toml ./\nRUN uv pip sync --system pylock.toml\n", files={"pylock.toml": 'lock-version = "1.0"\n'})
def test_pylock_is_not_a_requirements_file(tmp_path):
    _, findings = lint(tmp_path, {"Dockerfile": UV + "COPY pylock.toml ./\nRUN uv pip install --system -r pylock.toml\n", "pylock.toml": 'lock-version = "1.0"\n\n[[packages]]\nname = "numpy"\nversion = "2.1.1"\n'})
    assert [f for f in findings if f["name"] in ("parse-error", "requirement-unpinned")] == []
def test_require_hashes_on_command(tmp_path): assert hits(tmp_path, H, {"Dockerfile": "FROM python:3.11.9-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir --require-hashes -r requirements.txt\n", "requirements.txt": "numpy==1.26.4\n"}) == [("requirements.txt", 1)]
def test_require_hashes_env(tmp_path): assert hits(tmp_path, H, {"Dockerfile": "FROM python:3.11.9-slim\nENV PIP_REQUIRE_HASHES=1\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n", "requirements.txt": HASHED}) == []
def test_env_pip_requirements_followed(tmp_path):
    _, findings = lint(tmp_path, {"environment.yml": ENV + "  - pip:\n    - -r deps/pip-deps.txt\n", "deps/pip-deps.txt": "numpy>=1\n"}, select="requirement-unpinned")
    assert [(f["file"], f["line"]) for f in findings] == [("deps/pip-deps.txt", 1)]
def test_uv_dynamic_dependencies(tmp_path): assert hits(tmp_path, S, {"pyproject.toml": '[project]\nname = "app"\nversion = "1"\ndynamic = ["dependencies"]\n', "uv.lock": UVROOT}) == []
def test_conda_env_create_default_file(tmp_path): assert hits(tmp_path, U, {"Dockerfile": "FROM continuumio/miniconda3:24.7.1-0\nWORKDIR /app\nCOPY environment.yml .\nRUN conda env create && conda clean -afy\n", "environment.yml": ENV + "  - numpy\n", "conda-lock.yml": LOCK}) == [("environment.yml", 5)]
def test_pragma_in_environment_file(tmp_path): assert hits(tmp_path, U, {"environment.yml": ENV + "  - numpy  # mllint: disable=manifest-unpinned\n  - scipy\n"}) == [("environment.yml", 6)]
def test_pragma_in_pyproject(tmp_path): assert hits(tmp_path, U, {"Dockerfile": PY + "COPY . .\nRUN pip install --no-cache-dir .\n", "pyproject.toml": PYPROJECT.replace('"numpy>=1.26",', '"numpy>=1.26",  # mllint: disable=MLD205')}) == []
def test_conda_file_named_requirements(tmp_path):
    _, findings = lint(tmp_path, {"Dockerfile": "FROM continuumio/miniconda3:24.7.1-0\nCOPY requirements.txt /tmp/\nRUN conda install -y --file /tmp/requirements.txt && conda clean -afy\n", "requirements.txt": "numpy=1.26.4\nscipy>=1.13\n"})
    assert sorted((f["file"], f["line"], f["name"]) for f in findings if f["file"] == "requirements.txt") == [("requirements.txt", 2, "manifest-unpinned")]
def test_conda_env_not_installed_by_the_images(tmp_path): assert hits(tmp_path, U, {"Dockerfile": PY + "COPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n", "requirements.txt": "numpy==1.26.4\n", "environment.yml": ENV + "  - numpy\n"}) == []

# cuda-version-mismatch follows the manifests an install reads ---------------------------------------
CU = "cuda-version-mismatch"
GPU_MM = "FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04\nCOPY environment.yml /tmp/\nRUN micromamba create -y -n a -f /tmp/environment.yml && micromamba clean -a -y\n"
def test_cuda_env_file_conda_spec(tmp_path): assert hits(tmp_path, CU, {"Dockerfile": GPU_MM, "environment.yml": ENV + "  - pytorch-cuda=11.8\n"}) == [("environment.yml", 5)]
def test_cuda_env_file_same(tmp_path): assert hits(tmp_path, CU, {"Dockerfile": GPU_MM, "environment.yml": ENV + "  - pytorch-cuda=12.1\n"}) == []
def test_cuda_env_file_pip_wheel(tmp_path): assert hits(tmp_path, CU, {"Dockerfile": GPU_MM, "environment.yml": ENV + "  - pip:\n    - torch==2.4.1+cu118\n"}) == [("environment.yml", 6)]
def test_cuda_uv_lock(tmp_path): assert hits(tmp_path, CU, {"Dockerfile": "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nWORKDIR /app\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --locked\n", "pyproject.toml": PYPROJECT, "uv.lock": 'version = 1\n\n[[package]]\nname = "torch"\nversion = "2.4.1+cu118"\n'}) == [("uv.lock", 3)]
def test_cuda_env_file_not_installed(tmp_path): assert hits(tmp_path, CU, {"Dockerfile": "FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04\nUSER 1000\n", "environment.yml": ENV + "  - pytorch-cuda=11.8\n"}) == []
