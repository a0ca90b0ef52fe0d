"""copy-before-deps-install (MLD102): one line per case."""

from helpers import catches, passes

RULE = "copy-before-deps-install"
FROM = "FROM python:3.11-slim\nWORKDIR /app\n"
PROJECT = {"requirements.txt": "numpy==1.26.4\n", "app/main.py": "print('hi')\n", "pyproject.toml": "[project]\nname='x'\n",
           "README.md": "x\n", ".dockerignore": ".git\n"}


def test_whole_context_then_requirements(tmp_path): catches(tmp_path, RULE, FROM + "COPY . .\nRUN pip install -r requirements.txt\n", line=3, files=PROJECT)
def test_source_dir_then_requirements(tmp_path): catches(tmp_path, RULE, FROM + "COPY requirements.txt .\nCOPY app/ app/\nRUN pip install -r requirements.txt\n", line=4, files=PROJECT)
def test_add_whole_context(tmp_path): catches(tmp_path, RULE, FROM + "ADD . /app\nRUN pip install -r requirements.txt\n", line=3, files=PROJECT)
def test_then_named_packages(tmp_path): catches(tmp_path, RULE, FROM + "COPY . .\nRUN pip install numpy==1.26.4\n", line=3, files=PROJECT)
def test_then_poetry_install(tmp_path): catches(tmp_path, RULE, FROM + "COPY . .\nRUN poetry install\n", line=3, files=PROJECT)
def test_then_uv_sync(tmp_path): catches(tmp_path, RULE, FROM + "COPY . .\nRUN uv sync --frozen\n", line=3, files=PROJECT)
def test_then_pipenv(tmp_path): catches(tmp_path, RULE, FROM + "COPY . .\nRUN pipenv install --system --deploy\n", line=3, files=PROJECT)
def test_then_conda_env(tmp_path): catches(tmp_path, RULE, FROM + "COPY . .\nRUN conda env create -f environment.yml\n", line=3, files=PROJECT)
def test_then_project_only(tmp_path): catches(tmp_path, RULE, FROM + "COPY . .\nRUN pip install .\n", line=3, files=PROJECT)
def test_then_install_in_heredoc(tmp_path): catches(tmp_path, RULE, FROM + "COPY . .\nRUN <<EOF\nset -e\npip install -r requirements.txt\nEOF\n", line=3, files=PROJECT)
def test_manifests_first(tmp_path): passes(tmp_path, RULE, FROM + "COPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n", files=PROJECT)
def test_manifest_set_first(tmp_path): passes(tmp_path, RULE, FROM + "COPY pyproject.toml README.md ./\nRUN pip install -r requirements.txt\nCOPY . .\n", files=PROJECT)
def test_project_after_deps(tmp_path): passes(tmp_path, RULE, FROM + "COPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nRUN pip install -e .\n", files=PROJECT)
def test_project_no_deps(tmp_path): passes(tmp_path, RULE, FROM + "COPY . .\nRUN pip install --no-deps .\n", files=PROJECT)
def test_poetry_only_root(tmp_path): passes(tmp_path, RULE, FROM + "COPY pyproject.toml ./\nRUN poetry install --no-root\nCOPY . .\nRUN poetry install --only-root\n", files=PROJECT)
def test_uv_project_after_deps(tmp_path): passes(tmp_path, RULE, FROM + "COPY pyproject.toml ./\nRUN uv sync --no-install-project\nCOPY . .\nRUN uv sync\n", files=PROJECT)
def test_project_after_deps_with_more_packages(tmp_path): catches(tmp_path, RULE, FROM + "COPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nRUN pip install . gunicorn==22.0.0\n", line=5, files=PROJECT)
def test_requirements_after_source_even_if_deps_before(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install numpy==1.26.4\nCOPY . .\nRUN pip install -r requirements.txt\n", line=4, files=PROJECT)
def test_single_file(tmp_path): passes(tmp_path, RULE, FROM + "COPY app/main.py .\nRUN pip install -r requirements.txt\n", files=PROJECT)
def test_other_stage(tmp_path): passes(tmp_path, RULE, "FROM python:3.11-slim AS src\nCOPY . /src\nFROM python:3.11-slim\nRUN pip install numpy==1.26.4\n", files=PROJECT)
def test_copy_from_stage(tmp_path): passes(tmp_path, RULE, "FROM python:3.11-slim AS build\nRUN mkdir /w\nFROM python:3.11-slim\nCOPY --from=build /w /w\nRUN pip install numpy==1.26.4\n", files=PROJECT)
def test_only_pip_upgrade_after(tmp_path): passes(tmp_path, RULE, FROM + "COPY . .\nRUN pip install --upgrade pip\n", files=PROJECT)
def test_no_install(tmp_path): passes(tmp_path, RULE, FROM + "COPY . .\nRUN python -m compileall .\n", files=PROJECT)
def test_install_before_copy(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install numpy==1.26.4\nCOPY . .\n", files=PROJECT)


def test_context_of_manifests_only(tmp_path):
    # the .dockerignore lets only the manifests through, so `COPY . .` brings no source
    passes(tmp_path, RULE, FROM + "COPY . .\nRUN pip install -r requirements.txt\n",
           files={**PROJECT, ".dockerignore": "*\n!requirements.txt\n!pyproject.toml\n"})


def test_directory_of_manifests(tmp_path):
    passes(tmp_path, RULE, FROM + "COPY requirements/ requirements/\nRUN pip install -r requirements/prod.txt\n",
           files={"requirements/prod.txt": "-r base.txt\n", "requirements/base.txt": "numpy==1.26.4\n", ".dockerignore": ".git\n"})


def test_message_names_install_and_fix(tmp_path):
    hit = catches(tmp_path, RULE, FROM + "COPY . .\nRUN pip install -r requirements.txt\n", line=3, files=PROJECT)[0]
    assert "line 4" in hit["message"] and "pip install -r requirements.txt" in hit["message"]
    assert "COPY requirements.txt ./" in hit["hint"]  # the prose; `fix` holds the edit


def test_project_fix_mentions_no_deps(tmp_path):
    hit = catches(tmp_path, RULE, FROM + "COPY . .\nRUN pip install .\n", line=3, files=PROJECT)[0]
    assert "--no-deps" in hit["fix"]


def test_named_packages_fix_moves_the_install(tmp_path):
    hit = catches(tmp_path, RULE, FROM + "COPY . .\nRUN pip install --no-cache-dir gunicorn==22.0.0\n", line=3, files=PROJECT)[0]
    assert "move this install above" in hit["hint"]


def test_fix_keeps_manifest_paths(tmp_path):
    hit = catches(tmp_path, RULE, FROM + "COPY . .\nRUN pip install -r requirements/prod.txt\n", line=3,
                  files={**PROJECT, "requirements/prod.txt": "numpy==1.26.4\n"})[0]
    assert "`COPY requirements/prod.txt requirements/prod.txt`" in hit["hint"]


def test_project_with_extras_after_source(tmp_path):
    hit = catches(tmp_path, RULE, FROM + "COPY . .\nRUN pip install --no-cache-dir '.[serve]'\n", line=3, files=PROJECT)[0]
    assert "--no-deps" in hit["fix"]


# Installing the installer is not installing the dependencies (issue: poetry/uv bootstraps).
def test_poetry_bootstrap_then_source_then_install(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install poetry==2.1.3\nCOPY . .\nRUN poetry install --no-interaction\n", line=4, files=PROJECT)
def test_uv_bootstrap_then_source_then_sync(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install uv\nCOPY . .\nRUN uv sync --frozen\n", line=4, files=PROJECT)
def test_pipx_poetry_bootstrap(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install --upgrade pip pipx==1.7.1 && pipx install poetry==2.1.3\nCOPY . .\nRUN poetry install\n", line=4, files=PROJECT)
def test_poetry_bootstrap_then_manifests_first(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install poetry==2.1.3\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\nCOPY . .\nRUN poetry install --only-root\n", files={**PROJECT, "poetry.lock": "x\n"})
def test_real_deps_before_source_then_project(tmp_path): passes(tmp_path, RULE, FROM + "COPY requirements.txt .\nRUN pip install uv==0.5.4 && uv pip install --system -r requirements.txt\nCOPY . .\nRUN uv pip install --system --no-deps .\n", files=PROJECT)


def test_names_the_install_that_busts_the_cache(tmp_path):
    hit = catches(tmp_path, RULE, FROM + "COPY . .\nRUN pip install --no-cache-dir poetry==2.1.3\nRUN poetry install --no-interaction\n",
                  line=3, files=PROJECT)[0]
    assert "line 5" in hit["message"] and "`poetry install --no-interaction`" in hit["message"]
def test_context_of_the_dockerfile_alone(tmp_path): passes(tmp_path, RULE, FROM + "COPY . .\nRUN pip install --no-cache-dir fastapi==0.115.5\n", files={})
