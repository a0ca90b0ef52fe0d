"""One line per case for the compose rules (and the compose checks of base-image-unpinned and
secret-in-build): which compose value is caught, on which line of which file."""

from pathlib import Path

from helpers import lint

SVC = "services:\n  api:\n    image: ghcr.io/acme/api:1.4.2\n"


def compose_catches(tmp_path: Path, rule: str, compose: str, line: int | None = None, files: dict | None = None,
                    file: str = "compose.yaml") -> list[dict]:
    _, findings = lint(tmp_path, {"compose.yaml": compose, **(files or {})}, select=rule)
    hits = [f for f in findings if rule in (f["name"], f["code"])]
    assert hits, f"{rule} should catch:\n{compose}"
    if line is not None:
        assert (file, line) in [(f["file"], f["line"]) for f in hits], f"{rule} expected at {file}:{line}, got {hits}"
    return hits


def compose_passes(tmp_path: Path, rule: str, compose: str, files: dict | None = None) -> None:
    _, findings = lint(tmp_path, {"compose.yaml": compose, **(files or {})}, select=rule)
    hits = [f for f in findings if rule in (f["name"], f["code"])]
    assert not hits, f"{rule} should pass:\n{compose}\nbut found {hits}"


def env(*entries: str) -> str:
    return SVC + "    environment:\n" + "".join(f"      {e}\n" for e in entries)


# compose-version-obsolete
def test_version(tmp_path): compose_catches(tmp_path, "compose-version-obsolete", "version: '3.8'\n" + SVC, 1)
def test_version_in_override(tmp_path): compose_catches(tmp_path, "compose-version-obsolete", SVC, 1, {"compose.override.yaml": "version: '3'\nservices: {}\n"}, file="compose.override.yaml")
def test_no_version(tmp_path): compose_passes(tmp_path, "compose-version-obsolete", SVC)
def test_version_as_a_service_key(tmp_path): compose_passes(tmp_path, "compose-version-obsolete", SVC + "    labels:\n      version: '3'\n")


# credentials-in-environment
def test_password_map(tmp_path): compose_catches(tmp_path, "credentials-in-environment", env("POSTGRES_PASSWORD: pass"), 5)
def test_password_list(tmp_path): compose_catches(tmp_path, "credentials-in-environment", env("- POSTGRES_PASSWORD=pass"), 5)
def test_url_with_password(tmp_path): compose_catches(tmp_path, "credentials-in-environment", env("- DATABASE_URL=postgresql://user:pass@db:5432/ml"), 5)
def test_redis_url_password_only(tmp_path): compose_catches(tmp_path, "credentials-in-environment", env("REDIS_URL: redis://:s3cret@cache:6379/0"), 5)
def test_token_format_any_name(tmp_path): compose_catches(tmp_path, "credentials-in-environment", env("HUB: hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"), 5)
def test_default_is_a_credential(tmp_path): compose_catches(tmp_path, "credentials-in-environment", env("DB_PASSWORD: ${DB_PASSWORD:-hunter2}"), 5)
def test_from_the_environment(tmp_path): compose_passes(tmp_path, "credentials-in-environment", env("HF_TOKEN: ${HF_TOKEN}", "- WANDB_API_KEY", "OPENAI_API_KEY:"))
def test_url_with_variables(tmp_path): compose_passes(tmp_path, "credentials-in-environment", env("DATABASE_URL: postgresql://${U}:${P}@db/ml"))
def test_url_without_password(tmp_path): compose_passes(tmp_path, "credentials-in-environment", env("REDIS_URL: redis://redis:6379/0", "HOME_URL: https://user@example.com/x"))
def test_file_variable(tmp_path): compose_passes(tmp_path, "credentials-in-environment", env("POSTGRES_PASSWORD_FILE: /run/secrets/db"))
def test_switches(tmp_path): compose_passes(tmp_path, "credentials-in-environment", env("TOKENIZERS_PARALLELISM: 'false'", "HF_HUB_DISABLE_TOKEN: 'true'", "REQUIRE_AUTH: 'true'"))
def test_placeholder_key(tmp_path): compose_passes(tmp_path, "credentials-in-environment", env("OPENAI_API_KEY: EMPTY", "- VLLM_API_KEY=dummy"))
def test_in_extended_file(tmp_path): compose_catches(tmp_path, "credentials-in-environment", "services:\n  api:\n    extends: {file: base.yml, service: b}\n", 5, {"base.yml": "services:\n  b:\n    image: x:1.0.0\n    environment:\n      API_TOKEN: abc123\n"}, file="base.yml")


# privileged-service / host-namespace / docker-socket-mounted
def test_privileged(tmp_path): compose_catches(tmp_path, "privileged-service", SVC + "    privileged: true\n", 4)
def test_privileged_false(tmp_path): compose_passes(tmp_path, "privileged-service", SVC + "    privileged: false\n")
def test_cap_add_all(tmp_path): compose_catches(tmp_path, "privileged-service", SVC + "    cap_add:\n      - ALL\n", 5)
def test_cap_add_narrow(tmp_path): compose_passes(tmp_path, "privileged-service", SVC + "    cap_add: [IPC_LOCK]\n")
def test_host_network(tmp_path): compose_catches(tmp_path, "host-namespace", SVC + "    network_mode: host\n", 4)
def test_host_pid(tmp_path): compose_catches(tmp_path, "host-namespace", SVC + "    pid: host\n", 4)
def test_ipc_host_is_pytorch_advice(tmp_path): compose_passes(tmp_path, "host-namespace", SVC + "    ipc: host\n    network_mode: bridge\n")
def test_socket_short(tmp_path): compose_catches(tmp_path, "docker-socket-mounted", SVC + "    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n", 5)
def test_socket_long(tmp_path): compose_catches(tmp_path, "docker-socket-mounted", SVC + "    volumes:\n      - type: bind\n        source: /run/docker.sock\n        target: /var/run/docker.sock\n", 5)
def test_socket_named_volume_is_not(tmp_path): compose_passes(tmp_path, "docker-socket-mounted", SVC + "    volumes:\n      - docker:/var/run/docker.sock\nvolumes: {docker: {}}\n")
def test_socket_pragma(tmp_path): compose_passes(tmp_path, "docker-socket-mounted", SVC + "    volumes:\n      - /var/run/docker.sock:/s  # mllint: disable=docker-socket-mounted\n")


# gpu-runtime-legacy / gpu-count-all
GPU_ALL = "    deploy:\n      resources:\n        reservations:\n          devices:\n            - driver: nvidia\n              count: all\n              capabilities: [gpu]\n"
def test_runtime_nvidia(tmp_path): compose_catches(tmp_path, "gpu-runtime-legacy", SVC + "    runtime: nvidia\n", 4)
def test_runtime_runc(tmp_path): compose_passes(tmp_path, "gpu-runtime-legacy", SVC + "    runtime: runc\n")
def test_count_all_one_visible(tmp_path): compose_catches(tmp_path, "gpu-count-all", SVC + "    environment:\n      CUDA_VISIBLE_DEVICES: '0'\n" + GPU_ALL, 11)
def test_count_all_tp_one(tmp_path): compose_catches(tmp_path, "gpu-count-all", SVC + "    command: ['--tensor-parallel-size', '1']\n" + GPU_ALL, 10)
def test_count_all_twice(tmp_path): compose_catches(tmp_path, "gpu-count-all", SVC + GPU_ALL + "  b:\n    image: x:1.0.0\n" + GPU_ALL, 9)
def test_count_all_alone(tmp_path): compose_passes(tmp_path, "gpu-count-all", SVC + "    command: ['torchrun', '--nproc-per-node', '8', 'train.py']\n" + GPU_ALL)
def test_count_one(tmp_path): compose_passes(tmp_path, "gpu-count-all", SVC + "    environment:\n      CUDA_VISIBLE_DEVICES: '0'\n" + GPU_ALL.replace("count: all", "count: 1"))


# model-server-no-healthcheck
def test_vllm_image(tmp_path): compose_catches(tmp_path, "model-server-no-healthcheck", "services:\n  llm:\n    image: vllm/vllm-openai:v0.6.3\n", 2)
def test_tgi_ghcr(tmp_path): compose_catches(tmp_path, "model-server-no-healthcheck", "services:\n  tgi:\n    image: ghcr.io/huggingface/text-generation-inference:2.4.0\n", 2)
def test_uvicorn_ml_api(tmp_path): compose_catches(tmp_path, "model-server-no-healthcheck", "services:\n  ml-api:\n    image: acme/api:1.0.0\n    command: uvicorn app:app\n", 2)
def test_uvicorn_other_api(tmp_path): compose_passes(tmp_path, "model-server-no-healthcheck", "services:\n  billing:\n    image: acme/billing:1.0.0\n    command: uvicorn app:app\n")
def test_healthcheck_present(tmp_path): compose_passes(tmp_path, "model-server-no-healthcheck", "services:\n  llm:\n    image: vllm/vllm-openai:v0.6.3\n    healthcheck:\n      test: [CMD, curl, -f, http://localhost:8000/health]\n")
def test_healthcheck_disabled(tmp_path): compose_catches(tmp_path, "model-server-no-healthcheck", "services:\n  llm:\n    image: vllm/vllm-openai:v0.6.3\n    healthcheck:\n      disable: true\n", 4)
def test_dockerfile_healthcheck(tmp_path): compose_passes(tmp_path, "model-server-no-healthcheck", "services:\n  model-server:\n    build: .\n", {"Dockerfile": "FROM python:3.11.9-slim\nHEALTHCHECK CMD curl -f http://localhost/\nCMD [\"uvicorn\", \"app:app\"]\n"})
def test_dockerfile_cmd_serves(tmp_path): compose_catches(tmp_path, "model-server-no-healthcheck", "services:\n  worker:\n    build: .\n", 2, {"Dockerfile": "FROM python:3.11.9-slim\nCMD [\"torchserve\", \"--start\"]\n"})
def test_database(tmp_path): compose_passes(tmp_path, "model-server-no-healthcheck", "services:\n  db:\n    image: postgres:16.4\n")


# model-mount-writable
def vol(*entries: str, name: str = "api", image: str = "ghcr.io/acme/api:1.4.2", extra: str = "") -> str:
    return f"services:\n  {name}:\n    image: {image}\n{extra}    volumes:\n" + "".join(f"      {e}\n" for e in entries)
def test_models_rw(tmp_path): compose_catches(tmp_path, "model-mount-writable", vol("- ./models:/models"), 5)
def test_models_ro(tmp_path): compose_passes(tmp_path, "model-mount-writable", vol("- ./models:/models:ro", "- ./data:/app/data:ro,z"))
def test_dataset_target(tmp_path): compose_catches(tmp_path, "model-mount-writable", vol("- /srv/corpus:/datasets"), 5)
def test_named_weights(tmp_path): compose_catches(tmp_path, "model-mount-writable", vol("- model-weights:/opt/w") + "volumes: {model-weights: {}}\n", 5)
def test_long_syntax(tmp_path): compose_catches(tmp_path, "model-mount-writable", vol("- type: bind", "  source: ./weights", "  target: /w"), 5)
def test_redis_data(tmp_path): compose_passes(tmp_path, "model-mount-writable", vol("- ./data:/data", image="redis:7.4.1"))
def test_data_target_alone(tmp_path): compose_passes(tmp_path, "model-mount-writable", vol("- ./state:/data"))
def test_trainer_writes(tmp_path): compose_passes(tmp_path, "model-mount-writable", vol("- ./models:/models", name="trainer"))
def test_download_command(tmp_path): compose_passes(tmp_path, "model-mount-writable", vol("- ./models:/models", extra="    command: huggingface-cli download org/m --local-dir /models\n"))
def test_hf_cache(tmp_path): compose_passes(tmp_path, "model-mount-writable", vol("- ~/.cache/huggingface:/root/.cache/huggingface"))


# image-tag-floating and base-image-unpinned on service images
def img(ref: str, build: bool = False) -> str:
    return f"services:\n  s:\n    image: {ref}\n" + ("    build: .\n" if build else "")
def test_major_only(tmp_path): compose_catches(tmp_path, "image-tag-floating", img("postgres:13"), 3)
def test_major_variant(tmp_path): compose_catches(tmp_path, "image-tag-floating", img("redis:7-alpine"), 3)
def test_moving_name(tmp_path): compose_catches(tmp_path, "image-tag-floating", img("ghcr.io/open-webui/open-webui:main"), 3)
def test_latest_variant(tmp_path): compose_catches(tmp_path, "image-tag-floating", img("tensorflow/serving:latest-gpu"), 3)
def test_full_version(tmp_path): compose_passes(tmp_path, "image-tag-floating", img("postgres:16.4-bookworm"))
def test_major_minor(tmp_path): compose_passes(tmp_path, "image-tag-floating", img("python:3.11-slim"))
def test_date_tag(tmp_path): compose_passes(tmp_path, "image-tag-floating", img("quay.io/jupyter/pytorch-notebook:2024-10-21"))
def test_digest(tmp_path): compose_passes(tmp_path, "image-tag-floating", img("redis:7@sha256:" + "a" * 64))
def test_built_service_names_its_image(tmp_path): compose_passes(tmp_path, "image-tag-floating", img("acme/api:1", build=True), {"Dockerfile": "FROM python:3.11.9-slim\n"})
def test_no_tag(tmp_path): compose_catches(tmp_path, "base-image-unpinned", img("qdrant/qdrant"), 3)
def test_latest(tmp_path): compose_catches(tmp_path, "base-image-unpinned", img("ollama/ollama:latest"), 3)
def test_default_latest(tmp_path): compose_catches(tmp_path, "base-image-unpinned", img("ollama/ollama:${TAG:-latest}"), 3)
def test_variable_tag(tmp_path): compose_passes(tmp_path, "base-image-unpinned", img("ollama/ollama:${TAG}"))
def test_built_latest(tmp_path): compose_passes(tmp_path, "base-image-unpinned", img("acme/api:latest", build=True), {"Dockerfile": "FROM python:3.11.9-slim\n"})


# secret-in-build: build args, and the Dockerfile judged with the service's args
def test_build_arg_secret(tmp_path): compose_catches(tmp_path, "secret-in-build", "services:\n  s:\n    build:\n      context: .\n      args:\n        - HF_TOKEN\n", 6, {"Dockerfile": "FROM python:3.11.9-slim\n"})
def test_build_arg_plain(tmp_path): compose_passes(tmp_path, "secret-in-build", "services:\n  s:\n    build:\n      context: .\n      args: {TORCH: 2.4.1}\n", {"Dockerfile": "FROM python:3.11.9-slim\n"})
def test_service_args_resolve_from(tmp_path): compose_passes(tmp_path, "base-image-unpinned", "services:\n  s:\n    build:\n      context: .\n      args: {TAG: 3.11.9-slim}\n", {"Dockerfile": "ARG TAG=latest\nFROM python:${TAG}\n"})
def test_without_compose_from_is_latest(tmp_path): compose_catches(tmp_path, "base-image-unpinned", "services: {}\n", 2, {"Dockerfile": "ARG TAG=latest\nFROM python:${TAG}\n"}, file="Dockerfile")
def test_target_is_the_final_stage(tmp_path): compose_passes(tmp_path, "runs-as-root", "services:\n  s:\n    build: {context: ., target: app}\n", {"Dockerfile": "FROM python:3.11.9-slim AS app\nUSER app\nFROM app AS debug\nUSER root\n"})
def test_no_target_last_stage(tmp_path): compose_catches(tmp_path, "runs-as-root", "services:\n  s:\n    build: {context: .}\n", 4, {"Dockerfile": "FROM python:3.11.9-slim AS app\nUSER app\nFROM app AS debug\nUSER root\n"}, file="Dockerfile")


def test_every_compose_rule_has_a_fixture():
    """Each compose rule is caught in at least one fixture stack (tests/fixtures/compose-*)."""
    from mllint_docker.rules import all_rules

    fixtures = Path(__file__).parent.parent / "fixtures"
    expected = "".join((p / "expected.txt").read_text() for p in fixtures.glob("compose-*") if (p / "expected.txt").is_file())
    compose_lines = [line for line in expected.splitlines() if ".y" in line.split(" ")[0]]
    for r in all_rules():
        if r.scope == "compose" or r.code in ("MLD101", "MLD402"):
            assert any(line.endswith(" " + r.name) for line in compose_lines), f"no compose fixture catches {r.name}"


def test_a_dockerfile_named_alone_is_linted_as_its_service_builds_it(tmp_path):
    """pre-commit passes only the changed Dockerfile: the compose file that builds it still gives
    the args and target, and is not itself linted."""
    import json

    from helpers import run_cli, write_tree

    write_tree(tmp_path, {".git/HEAD": "ref: refs/heads/main\n",  # the repository is the project boundary
                          "compose.yaml": "version: '3'\nservices:\n  api:\n    build:\n      context: .\n"
                                          "      dockerfile: docker/api.Dockerfile\n      args: {TAG: 3.11.9-slim}\n",
                          "docker/api.Dockerfile": "ARG TAG=latest\nFROM python:${TAG}\nUSER app\n"})
    code, out, err = run_cli(["check", "docker/api.Dockerfile", "--format", "json", "--isolated", "-v"], tmp_path)
    assert (code, json.loads(out)["findings"]) == (0, [])  # FROM python:3.11.9-slim; compose.yaml's version not linted
    assert "linted as service api builds it (TAG=3.11.9-slim)" in err
    (tmp_path / "compose.yaml").unlink()
    code, out, err = run_cli(["check", "docker/api.Dockerfile", "--format", "json", "--isolated"], tmp_path)
    assert ("base-image-unpinned", 2) in [(f["name"], f["line"]) for f in json.loads(out)["findings"]]


# credentials-in-environment: an env_file that git would commit
ENV_FILE = "services:\n  api:\n    image: ghcr.io/acme/api:1.4.2\n    env_file: [app.env]\n"
def _git(tmp_path): __import__("subprocess").run(["git", "init", "-q", str(tmp_path)], check=True)
def test_committed_env_file(tmp_path): _git(tmp_path); compose_catches(tmp_path, "credentials-in-environment", ENV_FILE, 2, {"app.env": "LOG=info\nDB_PASSWORD=hunter2\n"}, file="app.env")
def test_ignored_env_file(tmp_path): _git(tmp_path); compose_passes(tmp_path, "credentials-in-environment", ENV_FILE, {"app.env": "DB_PASSWORD=hunter2\n", ".gitignore": "*.env\n"})
def test_env_file_without_secrets(tmp_path): _git(tmp_path); compose_passes(tmp_path, "credentials-in-environment", ENV_FILE, {"app.env": "LOG=info\nDB_PASSWORD=\n"})
def test_env_file_outside_git(tmp_path): compose_passes(tmp_path, "credentials-in-environment", ENV_FILE, {"app.env": "DB_PASSWORD=hunter2\n"})
def test_server_in_a_shell_script(tmp_path): compose_catches(tmp_path, "model-server-no-healthcheck", "services:\n  llm:\n    image: acme/box:1.0.0\n    entrypoint: /bin/sh -c \"ollama serve & sleep 5 && wait\"\n", 2)
def test_mount_writer_in_a_shell_script(tmp_path): compose_passes(tmp_path, "model-mount-writable", vol("- ./models:/models", extra="    command: sh -c 'python fetch.py && huggingface-cli download org/m'\n"))


# compose-number-mangled
def test_python_version_float(tmp_path): compose_catches(tmp_path, "compose-number-mangled", "services:\n  s:\n    build:\n      context: .\n      args:\n        PYTHON_VERSION: 3.10\n", 6, {"Dockerfile": "FROM python:3.11.9-slim\n"})
def test_env_trailing_zero(tmp_path): compose_catches(tmp_path, "compose-number-mangled", env("TORCH_CUDA_ARCH_LIST: 8.0"), 5)
def test_octal(tmp_path): compose_catches(tmp_path, "compose-number-mangled", env("UMASK: 0022"), 5)
def test_quoted(tmp_path): compose_passes(tmp_path, "compose-number-mangled", env("PY: '3.10'", 'CUDA: "12.0"'))
def test_list_form_is_a_string(tmp_path): compose_passes(tmp_path, "compose-number-mangled", env("- PY=3.10"))
def test_numbers_that_survive(tmp_path): compose_passes(tmp_path, "compose-number-mangled", env("WORKERS: 4", "LR: 0.001", "PY: 3.11", "RATIO: 0.5"))


# pragmas in compose files
def test_pragma_on_the_line_above(tmp_path): compose_passes(tmp_path, "privileged-service", SVC + "    # the exporter reads every GPU's counters\n    # mllint: disable=privileged-service\n    privileged: true\n")
def test_pragma_above_applies_to_one_line(tmp_path): compose_catches(tmp_path, "privileged-service", SVC + "    # mllint: disable=privileged-service\n    privileged: true\n    cap_add: [ALL]\n", 6)
def test_pragma_disable_file(tmp_path): compose_passes(tmp_path, "image-tag-floating", "# mllint: disable-file=image-tag-floating\n" + img("postgres:13"))
def test_pragma_unknown_rule(tmp_path): compose_catches(tmp_path, "unknown-rule", SVC + "    privileged: true  # mllint: disable=no-such-rule\n", 4)
