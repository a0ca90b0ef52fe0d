"""Reading compose files: our model against Compose v2's own `docker compose config` on the same
projects (every compose fixture), in the same run, as a ratio.

    python benchmarks/bench_compose.py            # needs Compose v2: tests/compose-v2 installs it

Both read the files, interpolate, layer overrides, resolve `extends` and `include`; Compose also
validates against its JSON schema and prints the result (we time the process, start-up included,
since that is what a user waits for with `docker compose config`). The reading of a synthetic
200-service file is timed too, for scale.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def projects():
    from test_compose_docker import PROJECTS

    return [files for _, files in PROJECTS]


def best(fn, n: int = 5) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def synthetic(path: Path, services: int = 200) -> None:
    parts = ["x-common: &common\n  restart: unless-stopped\n  environment:\n    LOG_LEVEL: ${LOG_LEVEL:-info}\n",
             "services:\n"]
    for i in range(services):
        parts.append(f"  svc{i}:\n    <<: *common\n    image: ghcr.io/acme/svc{i}:1.{i}.0\n    volumes:\n"
                     f"      - ./data{i}:/data:ro\n    environment:\n      - INDEX={i}\n      - URL=http://svc{i}:80\n")
    path.write_text("".join(parts))


def main() -> None:
    from mllint_docker.model.compose import load_compose
    from test_compose_docker import compose_binary

    binary = compose_binary()
    groups = projects()
    ours = best(lambda: [load_compose(g, g[0].parent.parent) for g in groups])

    def theirs():
        for g in groups:
            args = [binary, "--profile", "*"] + [a for f in g for a in ("-f", str(f))] + ["config", "--format", "json"]
            subprocess.run(args, capture_output=True, cwd=g[0].parent, env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"})

    compose = best(theirs, 3)
    print(f"{len(groups)} compose projects: ours {ours * 1000:.1f} ms, docker compose config {compose * 1000:.1f} ms "
          f"({compose / ours:.0f}x)")
    with tempfile.TemporaryDirectory() as d:
        big = Path(d) / "compose.yaml"
        synthetic(big)
        t_ours = best(lambda: load_compose([big], Path(d)))
        t_theirs = best(lambda: subprocess.run([binary, "-f", str(big), "config", "--format", "json"], capture_output=True,
                                               env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}), 3)
        print(f"one 200-service file: ours {t_ours * 1000:.1f} ms, docker compose config {t_theirs * 1000:.1f} ms")


if __name__ == "__main__":
    main()
