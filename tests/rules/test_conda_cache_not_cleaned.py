"""conda-cache-not-cleaned (MLD109): one line per case."""

from helpers import catches, passes

RULE = "conda-cache-not-cleaned"
FROM = "FROM continuumio/miniconda3:24.7.1-0\n"
MICRO = "FROM mambaorg/micromamba:1.5.8\n"


def test_conda_install(tmp_path): catches(tmp_path, RULE, FROM + "RUN conda install -y numpy=1.26.4\n", line=2)
def test_conda_create(tmp_path): catches(tmp_path, RULE, FROM + "RUN conda create -y -n app python=3.11\n", line=2)
def test_conda_env_create(tmp_path): catches(tmp_path, RULE, FROM + "RUN conda env create -f environment.yml\n", line=2)
def test_conda_env_update(tmp_path): catches(tmp_path, RULE, FROM + "RUN conda env update -n base -f environment.yml\n", line=2)
def test_conda_update(tmp_path): catches(tmp_path, RULE, FROM + "RUN conda update -y -n base conda\n", line=2)
def test_clean_afy(tmp_path): passes(tmp_path, RULE, FROM + "RUN conda install -y numpy=1.26.4 && conda clean -afy\n")
def test_clean_long(tmp_path): passes(tmp_path, RULE, FROM + "RUN conda install -y numpy=1.26.4 \\\n && conda clean --all --yes\n")
def test_clean_tarballs(tmp_path): passes(tmp_path, RULE, FROM + "RUN conda install -y numpy=1.26.4 && conda clean -tipsy\n")
def test_clean_index_only(tmp_path): catches(tmp_path, RULE, FROM + "RUN conda install -y numpy=1.26.4 && conda clean -i -y\n", line=2)
def test_clean_dry_run(tmp_path): catches(tmp_path, RULE, FROM + "RUN conda install -y numpy=1.26.4 && conda clean --all --dry-run\n", line=2)
def test_clean_in_next_run(tmp_path): catches(tmp_path, RULE, FROM + "RUN conda install -y numpy=1.26.4\nRUN conda clean -afy\n", line=2)
def test_clean_before(tmp_path): catches(tmp_path, RULE, FROM + "RUN conda clean -afy && conda install -y numpy=1.26.4\n", line=2)
def test_rm_pkgs(tmp_path): passes(tmp_path, RULE, FROM + "RUN conda install -y numpy=1.26.4 && rm -rf /opt/conda/pkgs/*\n")
def test_cache_mount(tmp_path): passes(tmp_path, RULE, FROM + "RUN --mount=type=cache,target=/opt/conda/pkgs conda install -y numpy=1.26.4\n")
def test_mamba(tmp_path): catches(tmp_path, RULE, FROM + "RUN mamba install -y numpy=1.26.4\n", line=2)
def test_mamba_clean(tmp_path): passes(tmp_path, RULE, FROM + "RUN mamba install -y numpy=1.26.4 && mamba clean -a -y\n")
def test_micromamba(tmp_path): catches(tmp_path, RULE, MICRO + "RUN micromamba install -y -n base -f env.yaml\n", line=2)
def test_micromamba_clean(tmp_path): passes(tmp_path, RULE, MICRO + "RUN micromamba install -y -n base -f env.yaml && micromamba clean --all --yes\n")
def test_heredoc(tmp_path): catches(tmp_path, RULE, FROM + "RUN <<EOF\nset -e\nconda install -y numpy=1.26.4\nEOF\n", line=4)
def test_heredoc_cleaned(tmp_path): passes(tmp_path, RULE, FROM + "RUN <<EOF\nconda install -y numpy=1.26.4\nconda clean -afy\nEOF\n")
def test_builder_stage(tmp_path): passes(tmp_path, RULE, "FROM continuumio/miniconda3:24.7.1-0 AS build\nRUN conda create -y -p /env python=3.11\nFROM debian:12-slim\nCOPY --from=build /env /env\n")
def test_pip_is_not_conda(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install --no-cache-dir numpy==1.26.4\n")
def test_conda_list(tmp_path): passes(tmp_path, RULE, FROM + "RUN conda list\n")
