"""Differential test of the rules that carry `buildkit=(...)` against Docker's own build checks:
every rule page's Example and Use instead, and every fixture Dockerfile, go through
`docker buildx build --check`; each BuildKit check that fires must be matched by one of our rules
that maps to it, and each such rule of ours that fires must be matched by the check, except for the
documented differences in KNOWN.

`--check` needs buildx 0.15+ and a Dockerfile frontend 1.8+ (built into Docker 27, or pulled with a
`# syntax=` line). An engine or CLI without it (Docker 26's buildx 0.13 says `unknown flag: --check`;
its built-in frontend says `unsupported request frontend.lint`) skips the test, also in CI: there is
nothing to compare with. Images cannot be pulled, so every FROM naming an image is pointed at the
locally imported busybox image; checks that depend on the base image (UndefinedVar with the image's
ENV, InvalidBaseImagePlatform) are therefore out of the comparison.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest

from buildkit_cases import BUILDKIT_RULES, BY_CHECK, cases, materialise_case, ours
from docker_engine import check_engine, docker, engine_env, import_base_image
from helpers import lint

pytestmark = pytest.mark.docker

# Checks whose verdict depends on what we replaced (the base image) or that we judge on purpose
# differently (documented on the rule's page).
KNOWN = {
    "UndefinedVar",  # BuildKit also sees the base image's ENV; we judge the cases a Dockerfile proves
    "InvalidBaseImagePlatform",  # needs the registry
    "SecretsUsedInArgOrEnv",  # we ignore switches such as GF_AUTH_DISABLE_LOGIN_FORM (secret-in-build.md)
    "JSONArgsRecommended",  # BuildKit stays silent after a SHELL instruction
}
_FROM = re.compile(r"^(\s*FROM\s+(?:--\S+\s+)*)(\S+)", re.I | re.M)
_CHECK_LINE = re.compile(r"^(?:WARNING|ERROR|WARN):\s*([A-Za-z]+)\b", re.M)


CASES = cases()


@pytest.fixture(scope="module")
def engine():
    env = engine_env()
    check_engine(env)
    probe = tempfile.mkdtemp()
    try:
        Path(probe, "Dockerfile").write_text("FROM scratch\nCMD echo\n")
        r = docker(env, "buildx", "build", "--check", probe, check=False)
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    text = r.stdout + r.stderr
    why = next((ln.strip() for ln in text.splitlines() if "unknown flag" in ln or "frontend.lint" in ln), None)
    if why:
        pytest.skip(f"this Docker has no build checks (`docker buildx build --check` needs buildx 0.15+ and "
                    f"Dockerfile frontend 1.8+): {why}")
    return env, import_base_image(env)


def _local(text: str, base: str, stages: set[str]) -> str:
    def sub(m: re.Match) -> str:
        ref = m.group(2)
        if ref.lower() in stages or ref.lower() == "scratch" or "$" in ref:
            return m.group(0)
        return m.group(1) + base

    return _FROM.sub(sub, text)


def _docker_checks(env, context: Path) -> set[str]:
    """The names of the build checks Docker reports for `context/Dockerfile`."""
    r = docker(env, "buildx", "build", "--check", "--progress", "plain", str(context), check=False)
    return set(_CHECK_LINE.findall(r.stdout + r.stderr))


@pytest.mark.parametrize("name,case", CASES, ids=[c[0] for c in CASES])
def test_same_checks_as_docker(engine, tmp_path: Path, name, case):
    env, base = engine
    dockerfile = materialise_case(case, tmp_path)
    if dockerfile is None:
        pytest.skip("no Dockerfile in this case")
    text = dockerfile.read_text()
    stages = {m.group(1).lower() for m in re.finditer(r"\bAS\s+(\S+)", text, re.I)}
    # Experimental checks (InvalidDefinitionDescription) only run when asked; the blank line keeps
    # the directive from reading as a description comment.
    directive = "" if re.match(r"#\s*check\s*=", text) else "# check=experimental=all\n\n"
    dockerfile.write_text(directive + _local(text, base, stages))
    theirs = _docker_checks(env, tmp_path) & set(BY_CHECK) - KNOWN
    _, findings = lint(tmp_path, select=",".join(BUILDKIT_RULES))
    mine = set(ours(findings)) - KNOWN
    assert mine == theirs, f"docker --check: {sorted(theirs)}; mllint: {sorted(mine)}"
