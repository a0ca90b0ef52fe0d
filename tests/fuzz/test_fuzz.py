"""Fuzzing: mutated corpus files of every kind, hostile configs and hostile file trees. A bounded
number of examples per test in the normal run (derandomised, so CI is reproducible); longer, random
runs with `python tests/fuzz/run.py --examples 5000`."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import run_example
from strategies import any_text, compose_text, config_text, hostile_tree

EXAMPLES = int(os.environ.get("MLLINT_FUZZ_EXAMPLES", "40"))
RANDOM = os.environ.get("MLLINT_FUZZ_RANDOM") == "1"
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None, print_blob=True,
                suppress_health_check=list(HealthCheck))

DOCKERFILE_TAIL = "FROM python:3.11.9-slim\nCOPY . /app\nRUN pip install -r /app/requirements.txt\nUSER app\n"


@FUZZ
@given(dockerfile=any_text("dockerfiles"), requirements=any_text("requirements"))
def test_dockerfiles(dockerfile: str, requirements: str):
    run_example({"Dockerfile": dockerfile, "requirements.txt": requirements, "app.py": "print()\n"})


@FUZZ
@given(requirements=any_text("requirements"), included=any_text("requirements"))
def test_requirements(requirements: str, included: str):
    run_example({"requirements.txt": requirements, "base.txt": included, "constraints.txt": included,
                 "Dockerfile": "FROM python:3.11.9-slim\nCOPY requirements.txt base.txt ./\n"
                               "RUN pip install -r requirements.txt -c constraints.txt\nUSER app\n"})


@FUZZ
@given(ignore=any_text("dockerignore"), specific=st.none() | any_text("dockerignore"),
       copy=st.sampled_from(["COPY . /app", "COPY *.txt /app/", "COPY [!] /w/", "COPY sub/ /s/", "COPY **/x /x",
                             "COPY data/ /d/"]))
def test_dockerignore(ignore: str, specific: str | None, copy: str):
    files = {".dockerignore": ignore, "Dockerfile": f"FROM python:3.11.9-slim\n{copy}\nUSER app\n",
             "data/model.bin": b"\0" * 2048, "sub/keep.txt": "k", "x.pyc": "c", "!": "bang", "file1.txt": "1"}
    if specific is not None:
        files["Dockerfile.dockerignore"] = specific
    run_example(files)


@FUZZ
@given(compose=compose_text())
def test_compose(compose: str):
    run_example({"compose.yaml": compose, "Dockerfile": DOCKERFILE_TAIL, "sub/Dockerfile": DOCKERFILE_TAIL,
                 "requirements.txt": "numpy==2.1.0\n"})


@FUZZ
@given(config=config_text())
def test_config(config: str):
    run_example({".mllint-docker.toml": config, "Dockerfile": DOCKERFILE_TAIL, "requirements.txt": "numpy\n"})


@FUZZ
@given(tree=hostile_tree(), git=st.booleans(), gitignore=st.none() | any_text("dockerignore"))
def test_hostile_trees(tree, git: bool, gitignore):
    files = {"Dockerfile": DOCKERFILE_TAIL}
    if git:
        files[".git/HEAD"] = "ref: refs/heads/main\n"
        files[".git/config"] = "[core]\n\tfsmonitor = touch FSMONITOR-RAN\n"
    if gitignore is not None:
        files[".gitignore"] = gitignore
    run_example(files, tree)
