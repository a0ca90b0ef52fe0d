"""A project with a 5,000-package uv.lock and a 2,000-entry environment.yml: `mllint check` as a
whole process (target: at most 1 s), against a bare `tomllib` + PyYAML load of the same two files in
a fresh interpreter (the floor any linter of these files pays), best of N wall times.

    python benchmarks/bench_manifests.py [--runs 5] [--tomlkit]

`--tomlkit` also times tomlkit (when installed) on the same uv.lock: the design-note figure for why
lines come from a light index over tomllib's result rather than from a position-keeping parser.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_project(root: Path, packages: int = 5000, env_entries: int = 2000) -> None:
    names = [f"pkg-{i:05d}" for i in range(packages)]
    deps = names[:200]
    lock = ['version = 1', 'requires-python = ">=3.11"', "",
            "[[package]]", 'name = "app"', 'version = "1.0.0"', 'source = { editable = "." }',
            "dependencies = [", *[f'    {{ name = "{n}" }},' for n in deps], "]", "",
            "[package.metadata]", "requires-dist = [", *[f'    {{ name = "{n}", specifier = ">=1.0" }},' for n in deps], "]", ""]
    for i, n in enumerate(names):
        digest = f"{i:064x}"
        lock += ["[[package]]", f'name = "{n}"', f'version = "1.{i % 50}.{i % 7}"',
                 'source = { registry = "https://pypi.org/simple" }',
                 f'dependencies = [{{ name = "{names[(i + 1) % packages]}" }}]',
                 f'sdist = {{ url = "https://files.pythonhosted.org/packages/aa/bb/{n}-1.0.tar.gz", hash = "sha256:{digest}", size = 12345 }}',
                 "wheels = [",
                 *[f'    {{ url = "https://files.pythonhosted.org/packages/aa/bb/{n}-1.0-cp311-cp311-{plat}.whl", hash = "sha256:{digest}", size = 23456 }},'
                   for plat in ("manylinux_2_17_x86_64", "macosx_11_0_arm64", "win_amd64")],
                 "]", ""]
    (root / "uv.lock").write_text("\n".join(lock))
    (root / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1.0.0"\ndependencies = [\n'
                                         + "".join(f'    "{n}>=1.0",\n' for n in deps) + "]\n")
    env = ["name: big", "channels:", "  - conda-forge", "dependencies:"]
    env += [f"  - cpkg-{i:05d}=1.{i % 30}.{i % 9}" for i in range(env_entries - 100)]
    env += ["  - pip", "  - pip:"] + [f"    - ppkg-{i:05d}==2.{i % 11}.0" for i in range(98)]
    (root / "environment.yml").write_text("\n".join(env) + "\n")
    (root / "Dockerfile").write_text(
        "FROM python:3.12.5-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.4.20 /uv /bin/uv\nWORKDIR /app\n"
        "COPY pyproject.toml uv.lock ./\nRUN uv sync --locked --no-install-project --no-cache\n"
        "COPY environment.yml /tmp/\nCOPY . .\nUSER nobody\n")
    (root / ".dockerignore").write_text(".git\n")


def wall(cmd: list[str], cwd: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return min(times)


BARE = ("import tomllib, yaml; tomllib.loads(open('uv.lock').read()); tomllib.loads(open('pyproject.toml').read()); "
        "yaml.compose(open('environment.yml').read(), Loader=getattr(yaml, 'CSafeLoader', yaml.SafeLoader))")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--tomlkit", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_project(root)
        size = (root / "uv.lock").stat().st_size
        check = wall([sys.executable, "-m", "mllint_docker", "check", ".", "--isolated", "--format", "json"], root, args.runs)
        bare = wall([sys.executable, "-c", BARE], root, args.runs)
        bare_tomli = wall([sys.executable, "-c", BARE.replace("import tomllib,", "import tomli as tomllib,")], root, args.runs)
        py = wall([sys.executable, "-c", "pass"], root, args.runs)
        out = subprocess.run([sys.executable, "-m", "mllint_docker", "check", ".", "--isolated", "-q"], cwd=root,
                             capture_output=True, text=True)
        print(f"project: uv.lock of 5,000 packages ({size / 1e6:.1f} MB), environment.yml of 2,000 entries")
        print(f"  bare interpreter               {py * 1000:7.1f} ms")
        print(f"  bare tomllib + yaml load       {bare * 1000:7.1f} ms   (the standard library's pure-Python tomllib)")
        print(f"  bare tomli + yaml load         {bare_tomli * 1000:7.1f} ms   (tomllib's upstream, compiled, which the model uses)")
        print(f"  mllint check (whole process)   {check * 1000:7.1f} ms   ratio {check / bare:.2f}x the bare tomllib load, {check / bare_tomli:.2f}x the tomli one "
              f"(target <= 1000 ms: {'met' if check <= 1.0 else 'MISSED'})")
        print(f"  findings: {len(out.stdout.splitlines())} ({'none' if not out.stdout.strip() else out.stdout.splitlines()[0]})")
        if args.tomlkit:
            try:
                import tomlkit
            except ImportError:
                print("  tomlkit not installed")
                return
            import tomllib

            text = (root / "uv.lock").read_text()
            t = time.perf_counter()
            tomllib.loads(text)
            t1 = time.perf_counter() - t
            t = time.perf_counter()
            tomlkit.parse(text)
            t2 = time.perf_counter() - t
            print(f"  uv.lock in-process: tomllib {t1 * 1000:.0f} ms, tomlkit {t2 * 1000:.0f} ms ({t2 / t1:.0f}x)")


if __name__ == "__main__":
    main()
