"""insecure-package-index (MLD403): one line per case."""

from helpers import catches, found, lint, passes

RULE = "insecure-package-index"
FROM = "FROM python:3.11-slim\n"


def req_hits(tmp_path, text: str) -> list:
    return found(lint(tmp_path, {"Dockerfile": "FROM scratch\n", "requirements.txt": text}, select=RULE)[1], RULE)


def test_http_index(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install --index-url http://pypi.corp/simple numpy==1.26.4\n", line=2)
def test_http_index_short(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install -i http://pypi.corp/simple numpy==1.26.4\n", line=2)
def test_https_index(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install --index-url https://pypi.corp/simple numpy==1.26.4\n")
def test_http_find_links(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install -f http://wheels.corp/ numpy==1.26.4\n", line=2)
def test_trusted_host(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install --trusted-host pypi.corp numpy==1.26.4\n", line=2)
def test_extra_index_https(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install --extra-index-url https://pypi.corp/simple mylib==1.0\n", line=2)
def test_extra_index_on_its_line(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip install \\\n    --extra-index-url https://pypi.corp/simple \\\n    mylib==1.0\n", line=3)
def test_uv_extra_index(tmp_path): passes(tmp_path, RULE, FROM + "RUN uv pip install --system --extra-index-url https://pypi.corp/simple mylib==1.0\n")
def test_uv_unsafe_strategy(tmp_path): catches(tmp_path, RULE, FROM + "RUN uv pip install --system --index-strategy unsafe-best-match --extra-index-url https://pypi.corp/simple mylib==1.0\n", line=2)
def test_uv_insecure_host(tmp_path): catches(tmp_path, RULE, FROM + "RUN uv pip install --system --allow-insecure-host pypi.corp mylib==1.0\n", line=2)
def test_localhost(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install --index-url http://localhost:3141/root/pypi --trusted-host localhost numpy==1.26.4\n")
def test_env_trusted_host(tmp_path): catches(tmp_path, RULE, FROM + "ENV PIP_TRUSTED_HOST=pypi.corp\n", line=2)
def test_env_pair_line(tmp_path): catches(tmp_path, RULE, FROM + "ENV LANG=C.UTF-8 \\\n    PIP_INDEX_URL=http://pypi.corp/simple\n", line=3)
def test_env_extra_index(tmp_path): catches(tmp_path, RULE, FROM + "ENV PIP_EXTRA_INDEX_URL=https://pypi.corp/simple\n", line=2)
def test_env_legacy_form(tmp_path): catches(tmp_path, RULE, FROM + "ENV PIP_TRUSTED_HOST pypi.corp\n", line=2)
def test_arg_default(tmp_path): catches(tmp_path, RULE, FROM + "ARG PIP_INDEX_URL=http://pypi.corp/simple\n", line=2)
def test_arg_without_value(tmp_path): passes(tmp_path, RULE, FROM + "ARG PIP_EXTRA_INDEX_URL\nRUN pip install numpy==1.26.4\n")
def test_env_https_index(tmp_path): passes(tmp_path, RULE, FROM + "ENV PIP_INDEX_URL=https://pypi.corp/simple\n")
def test_assignment_on_command(tmp_path): catches(tmp_path, RULE, FROM + "RUN PIP_TRUSTED_HOST=pypi.corp pip install numpy==1.26.4\n", line=2)
def test_pip_config(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip config set global.trusted-host pypi.corp\n", line=2)
def test_variable_value(tmp_path): passes(tmp_path, RULE, FROM + "ARG INDEX\nRUN pip install --index-url $INDEX numpy==1.26.4\n")
def test_conda_insecure(tmp_path): catches(tmp_path, RULE, "FROM continuumio/miniconda3:24.7.1-0\nRUN conda install --insecure -y numpy=1.26.4\n", line=2)
def test_one_finding_per_occurrence(tmp_path):
    hits = catches(tmp_path, RULE, FROM + "RUN pip install --trusted-host a.corp --trusted-host b.corp numpy==1.26.4\n", line=2)
    assert len(hits) == 2


def test_http_extra_index_reports_both(tmp_path):
    hits = catches(tmp_path, RULE, FROM + "RUN pip install --extra-index-url http://pypi.corp/simple mylib==1.0\n", line=2)
    assert len(hits) == 2 and any("plain HTTP" in h["message"] for h in hits) and any("confusion" in h["message"] for h in hits)


def test_requirements_extra_index(tmp_path): assert req_hits(tmp_path, "numpy==1.26.4\n--extra-index-url https://pypi.corp/simple\n") == [("requirements.txt", 2)]
def test_requirements_trusted_host(tmp_path): assert req_hits(tmp_path, "--trusted-host pypi.corp\nnumpy==1.26.4\n") == [("requirements.txt", 1)]
def test_requirements_http_index(tmp_path): assert req_hits(tmp_path, "-i http://pypi.corp/simple\nnumpy==1.26.4\n") == [("requirements.txt", 1)]
def test_requirements_https_index(tmp_path): assert req_hits(tmp_path, "--index-url https://pypi.corp/simple\nnumpy==1.26.4\n") == []
def test_requirements_pragma(tmp_path): assert req_hits(tmp_path, "--trusted-host pypi.corp  # mllint: disable=insecure-package-index\n") == []


# An extra index that is the primary index itself adds no second source.
def test_extra_equal_to_the_configured_index(tmp_path): passes(tmp_path, RULE, FROM + "ARG PIP_INDEX=https://pypi.org/simple\nRUN pip config set global.index-url \"${PIP_INDEX}\" && \\\n    pip config set global.extra-index-url \"${PIP_INDEX}\"\n")
def test_extra_equal_to_the_command_index(tmp_path): passes(tmp_path, RULE, FROM + "RUN pip install --index-url https://mirror.example/simple --extra-index-url https://mirror.example/simple/ x==1\n")
def test_extra_pypi_beside_a_private_index(tmp_path): catches(tmp_path, RULE, FROM + "RUN pip config set global.index-url https://pkgs.example.com/simple && \\\n    pip config set global.extra-index-url https://pypi.org/simple\n", line=3)
