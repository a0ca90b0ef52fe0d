"""What a compose service is, from its image, name and command: a model server, a datastore, a job
that writes data (training, downloads). Shared by the compose rules; documented on their pages."""

from __future__ import annotations

import posixpath
import re
from fnmatch import fnmatchcase

from mllint_docker.model.compose import Service
from mllint_docker.model.imageref import ImageRef

# Images that serve models over HTTP/gRPC (repository globs, registry host stripped).
MODEL_SERVER_IMAGES = (
    "vllm/vllm-openai", "vllm/*", "huggingface/text-generation-inference", "huggingface/text-embeddings-inference",
    "nvidia/tritonserver", "*/tritonserver", "pytorch/torchserve", "tensorflow/serving", "ollama/ollama",
    "bentoml/*", "seldonio/mlserver", "ggerganov/llama.cpp", "ggml-org/llama.cpp", "localai/localai",
    "michaelf34/infinity", "lmsysorg/sglang",
)
# Programs (or `python -m` modules) that serve a model whatever the service is called.
MODEL_SERVER_WORDS = frozenset({
    "vllm", "vllm.entrypoints.openai.api_server", "text-generation-launcher", "text-embeddings-router",
    "tritonserver", "torchserve", "tensorflow_model_server", "llama-server", "mlserver", "sglang.launch_server",
})
# Two-word commands that serve a model: `mlflow models serve`, `bentoml serve`, `ollama serve`.
MODEL_SERVER_PAIRS = (("mlflow", "serve"), ("bentoml", "serve"), ("ollama", "serve"), ("serve", "run"))
# Generic web servers: a model server when the service's name says it serves a model.
WEB_SERVERS = frozenset({"uvicorn", "gunicorn", "hypercorn", "granian", "fastapi", "flask", "waitress-serve"})
MODEL_NAME_WORDS = frozenset({"ml", "model", "models", "inference", "infer", "predict", "predictor", "prediction",
                              "serve", "server", "serving", "llm", "embed", "embedding", "embeddings", "triton"})

DATASTORE_IMAGES = (
    "postgres", "*postgres*", "pgvector/*", "timescale/*", "mysql", "mariadb", "mongo", "redis", "*redis*", "valkey/*",
    "memcached", "qdrant/qdrant", "milvusdb/milvus", "semitechnologies/weaviate", "chromadb/chroma", "*elasticsearch*",
    "opensearchproject/*", "minio/minio", "quay.io/minio/*", "*etcd*", "rabbitmq", "*kafka*", "zookeeper",
    "clickhouse/*", "cassandra", "neo4j", "mlflow/*", "*/mlflow", "bitnami/*",
)
# Words in a service's name or command that say it writes data: training, downloads, notebooks.
WRITER_WORDS = frozenset({
    "train", "training", "trainer", "finetune", "fine-tune", "fine_tune", "fit", "download", "downloader", "fetch",
    "prepare", "preprocess", "ingest", "ingestion", "etl", "jupyter", "jupyterlab", "notebook", "lab", "dvc",
    "snapshot_download", "huggingface-cli", "convert", "export", "quantize", "seed", "init", "indexer", "index",
    "embed-docs", "pull",
})


def _repo(service: Service) -> str:
    img = service.image.text() if service.image is not None else None
    return ImageRef.parse(img).repository.lower() if img else ""


def name_words(service: Service) -> set[str]:
    return {w for w in re.split(r"[-_.\s]+", service.name.lower()) if w}


def command_words(service: Service, dockerfile=None) -> list[str]:
    """The service's entrypoint and command, else its Dockerfile's final stage's, as words
    (paths reduced to their last part: `/usr/bin/python3` -> `python3`)."""
    words = service.words("entrypoint") + service.words("command")
    if not words and dockerfile is not None and dockerfile.final_stage is not None:
        for stage in dockerfile.final_stage.chain():
            insts = stage.of("ENTRYPOINT", "CMD")
            if insts:
                for inst in insts[-2:]:
                    for a in inst.args:
                        words.extend(a.split() if not inst.json else [a])
                break
    # `sh -c "ollama serve & ..."`: the words of the script count too.
    return [posixpath.basename(part).lower() for w in words for part in w.split()]


def is_model_server(service: Service, dockerfile=None) -> bool:
    repo = _repo(service)
    if repo and any(fnmatchcase(repo, p) for p in MODEL_SERVER_IMAGES):
        return True
    words = command_words(service, dockerfile)
    if any(w in MODEL_SERVER_WORDS for w in words):
        return True
    if any(a in words and b in words[words.index(a) + 1:] for a, b in MODEL_SERVER_PAIRS):
        return True
    if any(w in WEB_SERVERS for w in words) or (words[:1] == ["python"] and "app.py" in words):
        return bool(name_words(service) & MODEL_NAME_WORDS)
    return False


def is_datastore(service: Service) -> bool:
    repo = _repo(service)
    return bool(repo) and any(fnmatchcase(repo, p) for p in DATASTORE_IMAGES)


def writes_data(service: Service, dockerfile=None) -> bool:
    """A training job, a downloader, a notebook: services that are meant to write their mounts."""
    words = set(name_words(service))
    for w in command_words(service, dockerfile):
        words.update(re.split(r"[-_./=]+", w) + [w])
    return bool(words & WRITER_WORDS)
