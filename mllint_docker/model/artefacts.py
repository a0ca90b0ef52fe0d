"""What ML artefacts look like: data and model files by extension, secret files by name, and
directories that bloat a build context. Shared by the static rules and the image analysis."""

from __future__ import annotations

import posixpath
import re
from fnmatch import fnmatchcase

from mllint_docker.model.pycode import may_call, parse_python

MODEL_EXTENSIONS = frozenset({
    ".pt", ".pth", ".ckpt", ".safetensors", ".bin", ".onnx", ".h5", ".hdf5", ".keras", ".pb", ".tflite",
    ".gguf", ".ggml", ".pkl", ".pickle", ".joblib", ".mlmodel", ".engine", ".plan", ".params", ".msgpack",
})
DATA_EXTENSIONS = frozenset({
    ".npy", ".npz", ".parquet", ".feather", ".arrow", ".tfrecord", ".tfrecords", ".csv", ".tsv", ".jsonl",
    ".zip", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".zst", ".7z", ".lmdb", ".db", ".sqlite", ".avro", ".orc",
    ".hdf", ".nc", ".mat", ".wav", ".flac", ".mp4",
})
_ARCHIVE_SUFFIXES = (".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst")
# Every suffix `is_data_file` takes, for patterns that must name the same files (the pre-commit hook).
DATA_FILE_SUFFIXES = tuple(sorted(MODEL_EXTENSIONS | DATA_EXTENSIONS | set(_ARCHIVE_SUFFIXES)))

SECRET_FILES = (".env", ".env.*", "*.pem", "*.key", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".netrc",
                ".git-credentials", "kaggle.json", ".pypirc", "credentials.json", "service-account*.json")
SECRET_PATHS = (".aws/credentials", ".docker/config.json", ".kube/config", ".ssh/*")
SECRET_FILE_EXCEPTIONS = (".env.example", ".env.sample", ".env.template", ".env.dist")

BLOAT_DIRS = {
    ".git": "git history", ".venv": "virtualenv", "venv": "virtualenv", "__pycache__": "bytecode",
    ".ipynb_checkpoints": "notebook checkpoints", "mlruns": "MLflow runs", "wandb": "W&B runs",
    "lightning_logs": "Lightning logs", "node_modules": "node modules",
}
BLOAT_PATHS = {".dvc/cache": "DVC cache"}
# Run directories that tools write; a directory of the same name that is a Python package
# (`utils/loggers/wandb/__init__.py`: code that talks to the tool) is source, not runs.
RUN_DIRS = frozenset({"mlruns", "wandb", "lightning_logs"})


def extension(path: str) -> str:
    low = path.lower()
    for s in _ARCHIVE_SUFFIXES:
        if low.endswith(s):
            return s
    return posixpath.splitext(low)[1]


def is_model_file(path: str) -> bool:
    return extension(path) in MODEL_EXTENSIONS


def is_data_file(path: str) -> bool:
    """A dataset, model or checkpoint file by its extension (archives count: they usually hold data)."""
    ext = extension(path)
    return ext in MODEL_EXTENSIONS or ext in DATA_EXTENSIONS or ext in _ARCHIVE_SUFFIXES


# Files that hold data when they are large, though the extension also serves small text and
# configuration: a 40 MB `.json`/`.jsonl`/`.txt` is a dataset or a vocabulary, a 30 MB notebook
# carries its outputs, a folder of large PDFs is a corpus.
TEXT_DATA_EXTENSIONS = frozenset({".json", ".jsonl", ".ndjson", ".txt", ".pdf", ".ipynb", ".xml", ".xlsx", ".xls"})
_NOT_DATA_NAMES = frozenset({"package-lock.json", "npm-shrinkwrap.json", "composer.lock"})


def is_large_text_data(path: str) -> bool:
    """A file whose extension makes it data once it is above the data threshold (the caller
    compares the size)."""
    return extension(path) in TEXT_DATA_EXTENSIONS and posixpath.basename(path).lower() not in _NOT_DATA_NAMES


# Hugging Face model folders: `config.json` beside weights or tokenizer files (`save_pretrained`).
HF_WEIGHTS = re.compile(r"^(.*\.safetensors|pytorch_model.*\.bin|tf_model\.h5|flax_model\.msgpack|model\.onnx|"
                        r".*\.gguf|model\.ckpt.*|consolidated\..*\.pth)$")
HF_TOKENIZER = frozenset({"tokenizer.json", "tokenizer_config.json", "vocab.txt", "vocab.json", "merges.txt",
                          "spiece.model", "sentencepiece.bpe.model", "tokenizer.model", "special_tokens_map.json",
                          "preprocessor_config.json"})


def model_folders(paths: list[str]) -> set[str]:
    """Directories that are Hugging Face model folders ("" for the context root itself)."""
    by_dir: dict[str, set[str]] = {}
    for p in paths:
        d, _, name = p.rpartition("/")
        by_dir.setdefault(d, set()).add(name)
    out = set()
    for d, names in by_dir.items():
        if "config.json" in names and (any(HF_WEIGHTS.match(n) for n in names) or names & HF_TOKENIZER):
            out.add(d)
    return out


# Git LFS pointer files (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md): a text file of
# under 1024 bytes that starts with this line; a checkout without `git lfs pull` holds these
# instead of the real files.
LFS_POINTER_START = b"version https://git-lfs.github.com/spec/v1"
LFS_POINTER_MAX = 1024


def is_lfs_pointer(size: int, head: bytes) -> bool:
    return size < LFS_POINTER_MAX and head.startswith(LFS_POINTER_START)


# Source and text files are never stored in LFS in practice: not worth opening.
_NOT_LFS = frozenset({".py", ".pyi", ".md", ".rst", ".txt", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".sh", ".js",
                      ".ts", ".tsx", ".jsx", ".html", ".css", ".scss", ".go", ".rs", ".java", ".c", ".h", ".cpp", ".hpp",
                      ".cu", ".json", ".lock", ".in", ".dockerfile", ".gitignore", ".dockerignore", ".env"})


def lfs_pointer_candidate(path: str, size: int) -> bool:
    """Only files of a pointer's size (~130 bytes) that are not source or text are worth reading."""
    return 100 <= size < LFS_POINTER_MAX and extension(path) not in _NOT_LFS


def dvc_targets(paths: list[str]) -> dict[str, str]:
    """`data/train.csv.dvc` -> `data/train.csv`: what each `.dvc` file tracks (the target beside it)."""
    return {p[: -len(".dvc")]: p for p in paths if p.endswith(".dvc") and not p.endswith("/.dvc") and p != ".dvc"}


def is_secret_file(path: str) -> bool:
    name = posixpath.basename(path)
    if name in SECRET_FILE_EXCEPTIONS:
        return False
    if any(fnmatchcase(name, p) for p in SECRET_FILES):
        return True
    return any(fnmatchcase(path, p) or fnmatchcase(path, "*/" + p) for p in SECRET_PATHS)


_DATA_URL = re.compile(r"^(https?|s3|gs|hf)://", re.I)
# Hosts whose downloads are models or datasets whatever the file name; generic buckets
# (storage.googleapis.com, S3) also serve software, so there the extension decides.
_MODEL_HOSTS = re.compile(r"(huggingface\.co/.+/(resolve|blob)/|hf\.co/.+/resolve/|zenodo\.org/record|"
                          r"kaggle\.com/api|download\.pytorch\.org/models|dl\.fbaipublicfiles\.com|"
                          r"openaipublic\.blob\.core\.windows\.net)", re.I)
_SOFTWARE = re.compile(r"(\.(deb|rpm|whl|sh|py|apk|key|asc|gpg|pub)$|get-pip|install|/releases/download/.*"
                       r"\.(tar\.gz|tgz|zip)$|miniconda|micromamba|anaconda|cuda_|cudnn|nccl|tensorrt|"
                       r"\.tar\.(gz|xz|bz2)$)", re.I)


def is_data_url(url: str) -> bool:
    """A URL that most likely points at model weights or a dataset, not at software."""
    if not _DATA_URL.match(url):
        return False
    path = url.split("?", 1)[0].split("#", 1)[0]
    if _MODEL_HOSTS.search(url):
        return not path.lower().endswith((".sh", ".py", ".deb", ".whl"))
    if _SOFTWARE.search(path):
        return False
    ext = extension(path)
    return ext in MODEL_EXTENSIONS or (ext in DATA_EXTENSIONS and ext not in (".gz", ".zip", ".tar", ".tgz", ".xz", ".bz2", ".zst"))


_PY_DOWNLOAD = re.compile(r"\b(snapshot_download|hf_hub_download|from_pretrained|load_dataset|torch\.hub\.load|"
                          r"torch\.hub\.load_state_dict_from_url|load_state_dict_from_url|download_url_to_file|"
                          r"SentenceTransformer|pipeline)\s*\(")


# Every name below (and in _PY_DOWNLOAD) contains one of these words: code without them calls none.
_DOWNLOAD_WORDS = ("load", "pretrained", "pipeline", "SentenceTransformer", "CrossEncoder", "urlretrieve", "get_encoding",
                   "encoding_for_model")


def python_downloads(snippet) -> list[tuple[int, str]]:
    """(line, call) for each call in Python code a RUN runs (`python -c`, a heredoc) that fetches
    models or datasets: read with `ast` as scripts are; code that does not parse is searched by name."""
    if not may_call(snippet.text, _DOWNLOAD_WORDS):
        return []
    calls = snippet.calls
    if calls is not None:
        return [(snippet.line + line - 1, call) for line, call in _download_calls(calls)]
    out = []
    for n, line in enumerate(snippet.text.splitlines()):
        code = line.split("#", 1)[0]
        for m in _PY_DOWNLOAD.finditer(code):
            out.append((snippet.line + n, m.group(1)))
    return out


# Calls that fetch models or datasets, read from a Python script with `ast` (never run): the last
# name of the called expression, or a dotted tail for names too generic alone (`hub.load`).
_CALLS = frozenset({"from_pretrained", "hf_hub_download", "snapshot_download", "load_dataset", "urlretrieve",
                    "load_state_dict_from_url", "download_url_to_file", "SentenceTransformer", "CrossEncoder",
                    "pipeline", "model_download", "dataset_download", "cached_download", "download_folder"})
_DOTTED_CALLS = ("torch.hub.load", "hub.load", "gdown.download", "wget.download", "nltk.download", "spacy.cli.download",
                 "cli.download", "whisper.load_model", "clip.load", "kagglehub.model_download", "hf_hub.download",
                 "tiktoken.get_encoding", "tiktoken.encoding_for_model")
MAX_SCRIPT_BYTES = 1024 * 1024


def script_downloads(source: str) -> list[tuple[int, str]]:
    """(line, call) for each call in a Python script that fetches models or data (`from_pretrained`,
    `hf_hub_download`, `torch.hub.load`, `load_dataset`, `urlretrieve`, `gdown.download`, a
    `pretrained=True` model constructor...), read with `ast`; [] when it does not parse."""
    from mllint_docker.model.pycode import python_calls

    return _download_calls(python_calls(source) or [])


def _download_calls(calls) -> list[tuple[int, str]]:
    out = []
    for c in calls:
        name = c.name
        if name.rpartition(".")[2] in _CALLS or any(name == d or name.endswith("." + d) for d in _DOTTED_CALLS):
            out.append((c.line, name))
        elif c.pretrained:
            out.append((c.line, f"{name}(pretrained=True)"))
    return sorted(set(out))


def read_script(path) -> str | None:
    """The text of a Python script of the build context (None when too large or unreadable)."""
    try:
        if path.is_symlink() or path.stat().st_size > MAX_SCRIPT_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


_PY_VALUE_OPTIONS = frozenset({"-W", "-X", "--check-hash-based-pycs"})


def python_script_arg(argv: list[str]) -> tuple[str, bool] | None:
    """For `python [options] script.py ...` or `python -m pkg.mod ...`: (the script path or module,
    whether it is a module); None for `-c`, stdin or a bare interpreter."""
    i = 1
    while i < len(argv):
        a = argv[i]
        if a == "-m" and i + 1 < len(argv):
            return argv[i + 1], True
        if a.startswith("-m") and len(a) > 2:
            return a[2:], True
        if a == "-c" or a.startswith("-c") or a == "-":
            return None
        if a in _PY_VALUE_OPTIONS:
            i += 2
            continue
        if a.startswith("-"):
            i += 1
            continue
        return a, False
    return None


DOWNLOAD_PROGRAMS = frozenset({"curl", "wget", "aria2c", "axel", "huggingface-cli", "hf", "gsutil", "aws", "dvc", "git", "kaggle",
                          "gdown"})


def download_command(argv: list[str]) -> str | None:
    """What a shell command downloads, when it fetches models or data: a short description, else None."""
    if not argv:
        return None
    prog = argv[0].rpartition("/")[2]
    if prog not in DOWNLOAD_PROGRAMS:
        return None
    args = argv[1:]
    if prog in ("curl", "wget", "aria2c", "axel"):
        urls = [a for a in args if _DATA_URL.match(a) and is_data_url(a)]
        return f"{prog} {urls[0]}" if urls else None
    if prog in ("huggingface-cli", "hf") and args[:1] == ["download"]:
        return f"{prog} download {' '.join(a for a in args[1:2])}".strip()
    if prog == "gsutil" and args[:1] in (["cp"], ["rsync"], ["-m"]) and any(a.startswith("gs://") for a in args):
        return "gsutil copy from gs://"
    if prog == "aws" and args[:1] == ["s3"] and args[1:2] in (["cp"], ["sync"]) and any(a.startswith("s3://") for a in args[2:3]):
        return f"aws s3 {args[1]} {args[2]}"
    if prog == "dvc" and args[:1] in (["pull"], ["fetch"], ["get"], ["import"]):
        return f"dvc {args[0]}"
    if prog == "git" and args[:2] in (["lfs", "pull"], ["lfs", "fetch"]):
        return "git lfs " + args[1]
    if prog == "kaggle" and len(args) >= 2 and args[0] in ("datasets", "competitions", "models") and args[1] == "download":
        return f"kaggle {args[0]} download"
    if prog == "gdown":
        return "gdown"
    return None


class ContextArtefacts:
    """What the files of one build context are, by name and by content, computed once per context:
    Hugging Face model folders, DVC-tracked paths; Git LFS pointer files are read on demand."""

    def __init__(self, ctx):
        paths = [e.path for e in ctx.entries]
        self.model_folders = model_folders(paths)
        self.dvc_files = dvc_targets(paths)  # target -> its .dvc file
        self._ctx = ctx
        self._lfs: dict[str, bool] = {}
        self._present = set(paths) | set(ctx.dirs)

    def is_lfs_pointer(self, entry) -> bool:
        """A Git LFS pointer, by content (its first bytes; read once, only for files of a pointer's size)."""
        hit = self._lfs.get(entry.path)
        if hit is None:
            hit = self._lfs[entry.path] = (not entry.is_symlink and lfs_pointer_candidate(entry.path, entry.size)
                                           and is_lfs_pointer(entry.size, self._ctx.head(entry.path, 64)))
        return hit

    def dvc_tracked(self, path: str) -> str | None:
        """The `.dvc` file that tracks `path` (the target itself or a file beneath it)."""
        probe = path
        while probe:
            dvc = self.dvc_files.get(probe)
            if dvc is not None:
                return dvc
            probe = probe.rpartition("/")[0]
        return None

    def missing_dvc_target(self, dvc_file: str) -> str | None:
        """The target of a `.dvc` file when the context does not hold it (never `dvc pull`ed)."""
        target = dvc_file[: -len(".dvc")]
        return None if target in self._present else target

    def model_folder(self, path: str) -> str | None:
        d = path.rpartition("/")[0]
        return d if d in self.model_folders else None


def context_artefacts(ctx) -> ContextArtefacts:
    cached = ctx.memo.get("artefacts")
    if cached is None:
        cached = ctx.memo["artefacts"] = ContextArtefacts(ctx)
    return cached


# Code that runs a model on a GPU: `.to("cuda")`, `.cuda()`, `device_map=...`, `device="cuda"`,
# `torch.device("cuda:0")`, or a GPU runtime's SDK (RunPod, Modal). A device chosen at run time
# (`"cuda" if torch.cuda.is_available() else "cpu"`) is not a GPU commitment.
GPU_RUNTIMES = frozenset({"runpod", "modal", "beam", "banana_dev", "replicate", "cog"})


def _is_cuda(node) -> bool:
    import ast

    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.lower().startswith("cuda")


def _outside_availability_checks(tree):
    """Every node except those under `if torch.cuda.is_available():` (or any test that asks
    `is_available` / `device_count`): code there is the GPU branch of a run-time choice."""
    import ast

    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.If, ast.IfExp)):
            test = ast.unparse(node.test)
            if "is_available" in test or "device_count" in test:
                stack.append(node.test)
                stack.extend(node.orelse if isinstance(node.orelse, list) else [node.orelse])
                continue
        stack.extend(ast.iter_child_nodes(node))


def gpu_usage(source: str) -> tuple[int, str] | None:
    """(line, what) of the first place a Python file commits to a GPU, read with `ast`; None when
    it does not (or does not parse)."""
    import ast

    tree = parse_python(source)
    if tree is None:
        return None
    hits = []
    for node in _outside_availability_checks(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for n in names:
                if n.split(".")[0] in GPU_RUNTIMES - {"cog", "replicate"}:
                    hits.append((node.lineno, f"import {n}"))
        elif isinstance(node, ast.Call):
            func = node.func
            attr = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if attr == "to" and node.args and _is_cuda(node.args[0]):
                hits.append((node.lineno, f'.to("{node.args[0].value}")'))
            elif attr == "cuda" and isinstance(func, ast.Attribute) and not node.args:
                hits.append((node.lineno, ".cuda()"))
            elif attr == "device" and node.args and _is_cuda(node.args[0]):
                hits.append((node.lineno, f'device("{node.args[0].value}")'))
            for k in node.keywords:
                if k.arg == "device_map" and not (isinstance(k.value, ast.Constant) and k.value.value in (None, "cpu")):
                    hits.append((node.lineno, "device_map="))
                elif k.arg == "device" and _is_cuda(k.value):
                    hits.append((node.lineno, f'device="{k.value.value}"'))
                elif k.arg == "gpu" and isinstance(k.value, ast.Constant) and k.value.value not in (None, False, 0, ""):
                    hits.append((node.lineno, "gpu="))  # modal's `@app.function(gpu="A10G")`
    return min(hits) if hits else None
