"""pip-install-unpinned (MLD202): one line per case."""

from helpers import catches, found, lint, passes

RULE = "pip-install-unpinned"
FROM = "FROM python:3.11-slim\n"


# Programs -----------------------------------------------------------------------------------------

def test_pip(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install numpy\n", line=2)
def test_pip3(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip3 install numpy\n", line=2)
def test_versioned_pip(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip3.11 install numpy\n", line=2)
def test_pip_by_path(tmp_path): catches(tmp_path, RULE, FROM + "RUN /opt/venv/bin/pip install numpy\n", line=2)
def test_python_m_pip(tmp_path): catches(tmp_path, RULE, FROM + "RUN python -m pip install numpy\n", line=2)
def test_python3_m_pip(tmp_path): catches(tmp_path, RULE, FROM + "RUN python3 -m pip install numpy\n", line=2)
def test_python_flags_before_m(tmp_path): catches(tmp_path, RULE, FROM + "RUN python3 -u -m pip install numpy\n", line=2)
def test_pip_global_option_first(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip --no-cache-dir install numpy\n", line=2)
def test_pip_download(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip download -d /wheels numpy\n", line=2)
def test_pip_wheel(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip wheel -w /wheels numpy\n", line=2)
def test_pip_uninstall(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip uninstall -y numpy\n")
def test_uv_pip_install(tmp_path): catches(tmp_path, RULE, FROM + "RUN uv pip install --system numpy\n", line=2)
def test_uv_add(tmp_path): catches(tmp_path, RULE, FROM + "RUN uv add numpy\n", line=2)
def test_uv_pinned(tmp_path): passes(tmp_path, RULE, FROM + "RUN uv pip install --system numpy==1.26.4\n")
def test_sudo(tmp_path): catches(tmp_path, RULE, FROM + "RUN sudo -H pip install numpy\n", line=2)
def test_env_wrapper(tmp_path): catches(tmp_path, RULE, FROM + "RUN env PIP_QUIET=1 pip install numpy\n", line=2)
def test_conda_run(tmp_path): catches(tmp_path, RULE, FROM + "RUN conda run -n app --no-capture-output pip install numpy\n", line=2)
def test_poetry_run(tmp_path): catches(tmp_path, RULE, FROM + "RUN poetry run pip install numpy\n", line=2)
def test_pipenv_install_package(tmp_path): catches(tmp_path, RULE, FROM + "RUN pipenv install requests\n", line=2)
def test_pipenv_install_from_lock(tmp_path): passes(tmp_path, RULE, FROM + "RUN pipenv install --system --deploy\n")
def test_poetry_add_caret(tmp_path): catches(tmp_path, RULE, FROM + "RUN poetry add requests@^2.31\n", line=2)
def test_poetry_add_latest(tmp_path): catches(tmp_path, RULE, FROM + "RUN poetry add requests@latest\n", line=2)
def test_poetry_add_exact(tmp_path): passes(tmp_path, RULE, FROM + "RUN poetry add requests@2.32.3\n")
def test_poetry_install(tmp_path): passes(tmp_path, RULE, FROM + "RUN poetry install --no-root\n")


# conda ------------------------------------------------------------------------------------------

CONDA = "FROM continuumio/miniconda3:24.7.1-0\n"
def test_conda_bare(tmp_path): catches(tmp_path, RULE, CONDA + "RUN conda install -y -c conda-forge numpy\n", line=2)
def test_conda_single_equals(tmp_path): passes(tmp_path, RULE, CONDA + "RUN conda install -y numpy=1.26.4\n")
def test_conda_double_equals(tmp_path): passes(tmp_path, RULE, CONDA + "RUN conda install -y numpy==1.26.4\n")
def test_conda_build_string(tmp_path): passes(tmp_path, RULE, CONDA + "RUN conda install -y numpy=1.26.4=py311h64a7726_0\n")
def test_conda_space_spec(tmp_path): passes(tmp_path, RULE, CONDA + "RUN conda install -y 'numpy 1.26.4'\n")
def test_conda_channel_prefix(tmp_path): catches(tmp_path, RULE, CONDA + "RUN conda install -y conda-forge::numpy\n", line=2)
def test_conda_channel_prefix_pinned(tmp_path): passes(tmp_path, RULE, CONDA + "RUN conda install -y conda-forge::numpy=1.26.4\n")
def test_conda_range(tmp_path): catches(tmp_path, RULE, CONDA + "RUN conda install -y 'numpy>=1.26'\n", line=2)
def test_conda_wildcard(tmp_path): catches(tmp_path, RULE, CONDA + "RUN conda install -y 'numpy=1.*'\n", line=2)
def test_conda_create(tmp_path): catches(tmp_path, RULE, CONDA + "RUN conda create -y -n app python=3.11 numpy\n", line=2)
def test_conda_channel_value_is_not_a_package(tmp_path): passes(tmp_path, RULE, CONDA + "RUN conda install -y -c pytorch -n base numpy=1.26.4\n")
def test_mamba(tmp_path): catches(tmp_path, RULE, CONDA + "RUN mamba install -y numpy\n", line=2)
def test_micromamba(tmp_path): catches(tmp_path, RULE, CONDA + "RUN micromamba install -y -n base -c conda-forge numpy\n", line=2)
def test_micromamba_env_file(tmp_path): passes(tmp_path, RULE, CONDA + "RUN micromamba install -y -n base -f env.yaml\n")
def test_conda_env_create(tmp_path): passes(tmp_path, RULE, CONDA + "RUN conda env create -f environment.yml\n")
def test_conda_update_conda(tmp_path): passes(tmp_path, RULE, CONDA + "RUN conda update -n base -y conda\n")


# Judgement --------------------------------------------------------------------------------------

def test_pinned(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install numpy==1.26.4 'pandas[excel]==2.2.2'\n")
def test_quoted_range(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install 'numpy>=1.24'\n", line=2)
def test_compatible_release(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install 'numpy~=1.26.0'\n", line=2)
def test_wildcard(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install 'numpy==1.*'\n", line=2)
def test_marker_with_pin(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install 'numpy==1.26.4; python_version<\"3.13\"'\n")
def test_arg_resolved_pin(tmp_path): passes(tmp_path, RULE, FROM + "ARG TORCH=2.5.1\nRUN pip install torch==${TORCH}\n")
def test_arg_without_default(tmp_path): passes(tmp_path, RULE, FROM + "ARG TORCH_VERSION\nRUN pip install \"torch==${TORCH_VERSION}\"\n")
def test_arg_range(tmp_path): catches(tmp_path, RULE, FROM + "ARG V\nRUN pip install \"torch>=${V}\"\n", line=3)
def test_whole_spec_in_variable(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install $PACKAGES\n")
def test_arg_holding_a_bare_name(tmp_path): catches(tmp_path, RULE, FROM + "ARG PKG=torch\nRUN pip install $PKG\n", line=3)
def test_vcs_branch(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install git+https://github.com/org/tool.git@main\n", line=2)
def test_vcs_commit(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install git+https://github.com/org/tool.git@" + "ab" * 20 + "\n")
def test_wheel_url(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install https://download.pytorch.org/whl/cpu/torch-2.5.1%2Bcpu-cp311-cp311-linux_x86_64.whl\n")
def test_only_unpinned_words_flagged(tmp_path):
    hits = catches(tmp_path, RULE, FROM + "RUN pip install numpy==1.26.4 pandas scipy==1.14.0\n", line=2)
    assert len(hits) == 1 and "`pandas`" in hits[0]["message"] and hits[0]["column"] == 31


def test_unquoted_operator_is_a_redirection(tmp_path):
    hits = catches(tmp_path, RULE, FROM + "RUN pip install numpy>=1.24 pandas==2.2.2\n", line=2)
    assert len(hits) == 1 and "redirection" in hits[0]["message"] and "`numpy>=1.24`" in hits[0]["message"]


# Local code, requirement files and the installer -------------------------------------------------

def test_requirements_file(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install -r requirements.txt\n")
def test_requirement_long_option(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install --requirement=requirements.txt\n")
def test_local_project(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install . && pip install -e . && pip install ./libs/tool\n")
def test_local_wheels(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install /wheels/*.whl dist/tool-1.0.tar.gz\n")
def test_upgrade_pip(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install --upgrade pip\n")
def test_upgrade_pip_setuptools_wheel(tmp_path): passes(tmp_path, RULE, FROM + "RUN python -m pip install -U pip setuptools wheel\n")
def test_upgrade_pip_with_others(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install -U pip poetry\n", line=2)
def test_stdin_names(tmp_path): passes(tmp_path, RULE, FROM + "RUN cat packages.txt | xargs -n1 pip install\n")
def test_option_values_are_not_packages(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install -i https://pypi.org/simple --target /opt/lib --extra-index-url https://x.org/simple numpy==1.26.4\n")
def test_unknown_constraints_file(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install -c /etc/pip/constraints.txt numpy\n")


def test_copied_constraints_pin(tmp_path):
    passes(tmp_path, RULE, FROM + "COPY constraints.txt /c.txt\nRUN pip install -c /c.txt numpy\n",
           files={"constraints.txt": "numpy==1.26.4\n"})


def test_copied_constraints_do_not_pin(tmp_path):
    catches(tmp_path, RULE, FROM + "COPY constraints.txt /c.txt\nRUN pip install -c /c.txt numpy pandas\n", line=3,
            files={"constraints.txt": "numpy==1.26.4\n"})


def test_requirements_file_gets_the_findings(tmp_path):
    _, findings = lint(tmp_path, {"Dockerfile": FROM + "WORKDIR /app\nCOPY requirements.txt .\n"
                                                "RUN pip install -r requirements.txt flask\n",
                                  "requirements.txt": "numpy==1.26.4\ntorch\n"})
    assert ("requirements.txt", 2) in found(findings, "requirement-unpinned")
    assert found(findings, RULE) == [("Dockerfile", 4)]


# Where the line is ------------------------------------------------------------------------------

def test_continued_run(tmp_path):
    catches(tmp_path, RULE, FROM + "RUN pip install --no-cache-dir \\\n    numpy==1.26.4 \\\n    pandas \\\n    scipy==1.14.0\n", line=4)


def test_continued_run_with_comment_lines(tmp_path):
    catches(tmp_path, RULE, FROM + "RUN pip install \\\n# the data stack\n    numpy==1.26.4 \\\n    pandas\n", line=5)


def test_json_form(tmp_path): catches(tmp_path, RULE, FROM + 'RUN ["pip", "install", "numpy"]\n', line=2)
def test_heredoc(tmp_path): catches(tmp_path, RULE, FROM + "RUN <<EOF\nset -e\npip install numpy\nEOF\n", line=4)
def test_heredoc_bash(tmp_path): catches(tmp_path, RULE, FROM + "RUN bash <<EOF\napt-get update\npip install \\\n  numpy\nEOF\n", line=5)
def test_heredoc_python_text(tmp_path): passes(tmp_path, RULE, FROM + "RUN python3 <<EOF\nprint('pip install numpy')\nEOF\n")
def test_heredoc_copy_body(tmp_path): passes(tmp_path, RULE, FROM + "COPY <<EOF /setup.sh\npip install numpy\nEOF\n")
def test_sh_c(tmp_path): catches(tmp_path, RULE, FROM + "RUN sh -c 'pip install numpy'\n", line=2)
def test_json_sh_c(tmp_path): catches(tmp_path, RULE, FROM + 'RUN ["/bin/bash", "-c", "pip install numpy"]\n', line=2)
def test_after_and(tmp_path): catches(tmp_path, RULE, FROM + "RUN apt-get update && \\\n    pip install numpy\n", line=3)
def test_lower_case_instruction(tmp_path): catches(tmp_path, RULE, "from python:3.11-slim\nrun pip install numpy\n", line=2)
def test_crlf(tmp_path): catches(tmp_path, RULE, "FROM python:3.11-slim\r\nRUN pip install \\\r\n    numpy\r\n", line=3)


def test_lower_case_file_name(tmp_path):
    _, findings = lint(tmp_path, {"dockerfile": FROM + "RUN pip install numpy\n"}, select=RULE)
    assert found(findings, RULE) == [("dockerfile", 2)]


def test_hadolint_pragma(tmp_path): passes(tmp_path, RULE, FROM + "# hadolint ignore=DL3013\nRUN pip install numpy\n")
def test_own_pragma(tmp_path): passes(tmp_path, RULE, FROM + "# mllint: disable=pip-install-unpinned\nRUN pip install numpy\n")


def test_message_and_fix(tmp_path):
    hit = catches(tmp_path, RULE, CONDA + "RUN conda install -y numpy\n", line=2)[0]
    assert "`numpy` has no version" in hit["message"] and "`conda install`" in hit["message"]
    assert "numpy=<version>" in hit["fix"]
def test_pipx(tmp_path): catches(tmp_path, RULE, FROM + "RUN pipx install --include-deps transformers\n", line=2)
def test_pipx_pinned(tmp_path): passes(tmp_path, RULE, FROM + "RUN pipx install poetry==1.8.3\n")
def test_program_path_with_variables(tmp_path): catches(tmp_path, RULE, FROM + 'ARG ENV_DIR\nRUN "${ENV_DIR}/bin/pip" install flake8\n', line=3)
def test_name_with_variable_suffix(tmp_path): passes(tmp_path, RULE, FROM + 'RUN pip install "tensorflow${TF_SUFFIX}"\n')
def test_editable_directory_without_dot(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install -e gguf-py\n")
def test_local_project_with_extras(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install '.[dev,test]' && pip install -e '.[gpu]'\n")


def test_bind_mounted_constraints_pin(tmp_path):
    passes(tmp_path, RULE, FROM + "RUN --mount=type=bind,source=c.txt,target=/c.txt pip install -c /c.txt numpy\n",
           files={"c.txt": "numpy==1.26.4\n"})


def test_bind_mounted_constraints_do_not_pin(tmp_path):
    catches(tmp_path, RULE, FROM + "RUN --mount=type=bind,source=c.txt,target=/c.txt pip install -c /c.txt numpy pandas\n",
            line=2, files={"c.txt": "numpy==1.26.4\n"})
