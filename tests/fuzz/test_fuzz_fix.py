"""Fuzzing `--fix`: mutated corpus Dockerfiles fixed with every fix. Never a traceback; a file that
parsed still parses after the fix (BuildKit's parser and ours); a second `--fix` changes nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given

from strategies import any_text
from test_fuzz import FUZZ

from mllint_docker.cli import main
from mllint_docker.model.dockerfile import parse_dockerfile


def _fix(project: Path, *extra: str):
    import os

    old = os.getcwd()
    os.chdir(project)
    try:
        return CliRunner().invoke(main, ["check", ".", "--isolated", "--select", "ALL", "--unsafe-fixes", *extra],
                                  catch_exceptions=True)
    finally:
        os.chdir(old)


def _buildkit(path: Path) -> bool:
    """BuildKit's own parser reads the file (True when its wrapper is not installed)."""
    try:
        import dockerfile
    except ImportError:
        return True
    try:
        dockerfile.parse_string(path.read_bytes().decode("utf-8", "replace").lstrip("\ufeff"))
    except dockerfile.GoParseError:
        return False
    return True


@FUZZ
@given(dockerfile=any_text("dockerfiles"))
def test_fix_keeps_files_parsing_and_is_idempotent(dockerfile: str):
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        path = project / "Dockerfile"
        path.write_bytes(dockerfile.encode("utf-8", "surrogateescape"))
        (project / "requirements.txt").write_text("numpy>=1.20\n")
        (project / "uv.lock").write_text('version = 1\n[[package]]\nname = "numpy"\nversion = "1.26.4"\n')
        parsed_before = parse_dockerfile(path).error is None
        buildkit_before = _buildkit(path)
        first = _fix(project, "--fix-only")
        assert first.exception is None or isinstance(first.exception, SystemExit), first.output
        assert first.exit_code == 0, first.output
        if parsed_before:
            assert parse_dockerfile(path).error is None, path.read_text(errors="replace")
        if buildkit_before:
            assert _buildkit(path), path.read_text(errors="replace")
        second = _fix(project, "--diff")
        assert second.exit_code == 0 and second.stdout == "", second.stdout
