"""requirement-unpinned (MLD201): one line per case."""

from helpers import found, lint

RULE = "requirement-unpinned"
DOCKERFILE = "FROM scratch\n"


def hits(tmp_path, files: dict) -> list[tuple[str, int | None]]:
    return found(lint(tmp_path, {"Dockerfile": DOCKERFILE, **files}, select=RULE)[1], RULE)


def catches(tmp_path, text: str, line: int, file: str = "requirements.txt", files: dict | None = None):
    got = hits(tmp_path, {"requirements.txt": text, **(files or {})})
    assert (file, line) in got, f"expected {file}:{line}, got {got}"


def passes(tmp_path, text: str, files: dict | None = None):
    got = hits(tmp_path, {"requirements.txt": text, **(files or {})})
    assert not got, f"expected no findings, got {got}"


def test_bare_name(tmp_path): catches(tmp_path, "numpy\n", line=1)
def test_lower_bound(tmp_path): catches(tmp_path, "pandas==2.2.2\nnumpy>=1.24\n", line=2)
def test_compatible_release(tmp_path): catches(tmp_path, "numpy~=1.26\n", line=1)
def test_upper_bound(tmp_path): catches(tmp_path, "numpy<2\n", line=1)
def test_exclusion(tmp_path): catches(tmp_path, "numpy!=1.25.0\n", line=1)
def test_wildcard(tmp_path): catches(tmp_path, "numpy==1.26.*\n", line=1)
def test_exact_pin(tmp_path): passes(tmp_path, "numpy==1.26.4\n")
def test_arbitrary_equality(tmp_path): passes(tmp_path, "numpy===1.26.4\n")
def test_pin_with_extras(tmp_path): passes(tmp_path, "transformers[torch]==4.44.2\n")
def test_pin_with_marker(tmp_path): passes(tmp_path, 'numpy==1.26.4; python_version < "3.13"\n')
def test_range_with_marker(tmp_path): catches(tmp_path, 'numpy>=1.26; python_version < "3.13"\n', line=1)
def test_pin_with_hash(tmp_path): passes(tmp_path, "numpy==1.26.4 --hash=sha256:" + "a" * 64 + "\n")
def test_comments_and_blank_lines(tmp_path): catches(tmp_path, "# pinned below\n\nnumpy==1.26.4\ntorch  # latest\n", line=4)
def test_vcs_branch(tmp_path): catches(tmp_path, "git+https://github.com/org/tool.git@main#egg=tool\n", line=1)
def test_vcs_short_sha(tmp_path): catches(tmp_path, "tool @ git+https://github.com/org/tool.git@abc1234\n", line=1)
def test_vcs_no_ref(tmp_path): catches(tmp_path, "tool @ git+https://github.com/org/tool.git\n", line=1)
def test_vcs_full_sha(tmp_path): passes(tmp_path, "tool @ git+https://github.com/org/tool.git@" + "0123456789abcdef" * 2 + "01234567\n")
def test_vcs_editable_branch(tmp_path): catches(tmp_path, "-e git+https://github.com/org/tool.git@dev#egg=tool\n", line=1)
def test_editable_local(tmp_path): passes(tmp_path, "-e .\n-e ./libs/tool\n")
def test_local_path(tmp_path): passes(tmp_path, "./libs/tool\n")
def test_local_wheel(tmp_path): passes(tmp_path, "dist/tool-1.0-py3-none-any.whl\n")
def test_wheel_url(tmp_path): passes(tmp_path, "https://download.pytorch.org/whl/cpu/torch-2.5.1%2Bcpu-cp311-cp311-linux_x86_64.whl\n")
def test_archive_with_hash(tmp_path): passes(tmp_path, "tool @ https://example.org/tool.zip#sha256=" + "b" * 64 + "\n")
def test_tag_archive(tmp_path): catches(tmp_path, "tool @ https://github.com/org/tool/archive/refs/tags/v1.0.zip\n", line=1)
def test_commit_archive(tmp_path): passes(tmp_path, "tool @ https://github.com/org/tool/archive/" + "0123456789abcdef" * 2 + "01234567.zip\n")
def test_crlf_file(tmp_path): catches(tmp_path, "numpy==1.26.4\r\ntorch\r\n", line=2)
def test_trailing_pragma(tmp_path): passes(tmp_path, "torch  # mllint: disable=requirement-unpinned\n")
def test_options_are_not_requirements(tmp_path): passes(tmp_path, "--index-url https://pypi.org/simple\nnumpy==1.26.4\n")


# Constraints ------------------------------------------------------------------------------------

def test_pinned_by_included_constraints(tmp_path): passes(tmp_path, "-c constraints.txt\nnumpy\n", files={"constraints.txt": "numpy==1.26.4\n"})
def test_constraint_range_does_not_pin(tmp_path): catches(tmp_path, "-c constraints.txt\nnumpy\n", line=2, files={"constraints.txt": "numpy<2\n"})
def test_constraint_pins_only_its_names(tmp_path): catches(tmp_path, "-c constraints.txt\nnumpy\npandas\n", line=3, files={"constraints.txt": "numpy==1.26.4\n"})
def test_constraints_file_is_not_judged(tmp_path): passes(tmp_path, "-c pins.txt\nnumpy\n", files={"pins.txt": "numpy==1.26.4\nscipy<2\n"})
def test_constraints_name_is_not_judged(tmp_path): passes(tmp_path, "numpy==1.26.4\n", files={"constraints.txt": "scipy<2\n"})
def test_constraints_name_normalised(tmp_path): passes(tmp_path, "-c c.txt\nScikit_Learn\n", files={"c.txt": "scikit-learn==1.5.1\n"})


def test_constraints_of_the_including_file_apply(tmp_path):
    # pip applies constraints to the whole install: base.txt is installed by requirements.txt
    got = hits(tmp_path, {"requirements.txt": "-c constraints.txt\n-r base.txt\n", "base.txt": "numpy\n",
                          "constraints.txt": "numpy==1.26.4\n"})
    assert not got, got


# Includes ---------------------------------------------------------------------------------------

def test_finding_on_included_file(tmp_path):
    got = hits(tmp_path, {"requirements.txt": "-r base.txt\nflask==3.0.3\n", "base.txt": "numpy==1.26.4\ntorch\n"})
    assert got == [("base.txt", 2)], got


def test_include_chain(tmp_path):
    got = hits(tmp_path, {"requirements.txt": "-r a.txt\n", "a.txt": "--requirement b/c.txt\n", "b/c.txt": "scipy>=1\n"})
    assert got == [("b/c.txt", 1)], got


def test_include_cycle_does_not_loop(tmp_path):
    got = hits(tmp_path, {"requirements.txt": "-r a.txt\nnumpy\n", "a.txt": "-r requirements.txt\n"})
    assert got == [("requirements.txt", 2)], got


# Files a Dockerfile installs --------------------------------------------------------------------

def test_file_installed_by_dockerfile(tmp_path):
    _, findings = lint(tmp_path, {"Dockerfile": "FROM python:3.11-slim\nCOPY deps.pip /tmp/deps.pip\n"
                                                 "RUN pip install --no-cache-dir -r /tmp/deps.pip\n",
                                  "deps.pip": "numpy==1.26.4\ntorch\n"}, select=RULE)
    assert found(findings, RULE) == [("deps.pip", 2)]


def test_command_line_constraints_apply(tmp_path):
    _, findings = lint(tmp_path, {"Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt pins.txt ./\n"
                                                 "RUN pip install --no-cache-dir -r requirements.txt -c pins.txt\n",
                                  "requirements.txt": "numpy\ntorch\n", "pins.txt": "numpy==1.26.4\n"}, select=RULE)
    assert found(findings, RULE) == [("requirements.txt", 2)]


def test_message_names_the_problem_and_fix(tmp_path):
    _, findings = lint(tmp_path, {"Dockerfile": DOCKERFILE, "requirements.txt": "numpy>=1.24\n"}, select=RULE)
    assert "`numpy`" in findings[0]["message"] and "`>=1.24`" in findings[0]["message"]
    assert "numpy==" in findings[0]["fix"]


def test_file_bind_mounted_by_dockerfile(tmp_path):
    _, findings = lint(tmp_path, {"Dockerfile": "FROM python:3.11-slim\nWORKDIR /app\n"
                                                 "RUN --mount=type=bind,source=deps/prod.pip,target=/tmp/r.txt \\\n"
                                                 "    pip install --no-cache-dir -r /tmp/r.txt\n",
                                  "deps/prod.pip": "numpy==1.26.4\nscipy>=1.10\n"}, select=RULE)
    assert found(findings, RULE) == [("deps/prod.pip", 2)]


def test_directory_bind_mounted_by_dockerfile(tmp_path):
    _, findings = lint(tmp_path, {"Dockerfile": "FROM python:3.11-slim\n"
                                                 "RUN --mount=type=bind,target=/src pip install --no-cache-dir -r /src/deps.pip\n",
                                  "deps.pip": "scipy\n"}, select=RULE)
    assert found(findings, RULE) == [("deps.pip", 1)]


def test_local_project_with_extras(tmp_path): passes(tmp_path, "-e .[dev]\n.[serve]\n")
