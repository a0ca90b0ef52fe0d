"""One line per case for the ML-artefact, security, apt and hadolint-parity rules."""

from helpers import catches, passes

P = "FROM python:3.11.9-slim\n"
U = "USER app\n"
IGNORE = {".dockerignore": ".git\n"}


# data-in-image: judged on the files the COPY really brings
def test_data_copied(tmp_path): catches(tmp_path, "data-in-image", P + "COPY . /app\n" + U, 2, {**IGNORE, "m/w.safetensors": 2_000_000})
def test_data_excluded(tmp_path): passes(tmp_path, "data-in-image", P + "COPY . /app\n" + U, {".dockerignore": "m/\n", "m/w.pt": 2_000_000})
def test_data_exception_reincluded(tmp_path): catches(tmp_path, "data-in-image", P + "COPY data /d\n" + U, 2, {".dockerignore": "data\n!data/keep.csv\n", "data/keep.csv": 2_000_000, "data/big.csv": 9_000_000})
def test_data_small_file_passes(tmp_path): passes(tmp_path, "data-in-image", P + "COPY labels.csv /app/\n" + U, {**IGNORE, "labels.csv": 5_000})
def test_any_huge_file(tmp_path): catches(tmp_path, "data-in-image", P + "COPY blob /app/\n" + U, 2, {**IGNORE, "blob": 60_000_000})
def test_data_glob_source(tmp_path): catches(tmp_path, "data-in-image", P + "COPY *.onnx /m/\n" + U, 2, {**IGNORE, "a.onnx": 2_000_000})


# download-at-build: on the command's own line
def test_hf_cli_line(tmp_path): catches(tmp_path, "download-at-build", P + "RUN pip --version && \\\n    huggingface-cli download org/m\n" + U, 3)
def test_wget_weights(tmp_path): catches(tmp_path, "download-at-build", P + "RUN wget https://example.com/resnet50.pth\n" + U, 2)
def test_python_heredoc(tmp_path): catches(tmp_path, "download-at-build", P + "RUN <<EOF python3\nimport x\nfrom_pretrained = 1\nx.snapshot_download('m')\nEOF\n" + U, 5)
def test_get_pip_is_software(tmp_path): passes(tmp_path, "download-at-build", P + "RUN curl -sSL https://bootstrap.pypa.io/get-pip.py -o /tmp/g.py\n" + U)
def test_release_tarball_is_software(tmp_path): passes(tmp_path, "download-at-build", P + "RUN curl -LO https://github.com/a/b/releases/download/v1/tool.tar.gz\n" + U)
def test_dvc_pull(tmp_path): catches(tmp_path, "download-at-build", P + "RUN dvc pull\n" + U, 2)


# single-stage-build-tools / cuda-devel-in-final-stage
def test_build_essential_final(tmp_path): catches(tmp_path, "single-stage-build-tools", P + "RUN apt-get install -y \\\n  gcc\n" + U, 3)
def test_builder_stage_passes(tmp_path): passes(tmp_path, "single-stage-build-tools", P.replace("\n", " AS b\n") + "RUN apt-get install -y gcc\n" + P + "COPY --from=b /x /x\n" + U)
def test_full_python_base(tmp_path): catches(tmp_path, "single-stage-build-tools", "FROM python:3.11\n" + U, 1)
def test_cuda_devel_final(tmp_path): catches(tmp_path, "cuda-devel-in-final-stage", "FROM nvidia/cuda:12.4.1-devel-ubuntu22.04 AS b\nFROM b\n" + U, 1)
def test_cuda_runtime_final(tmp_path): passes(tmp_path, "cuda-devel-in-final-stage", "FROM nvidia/cuda:12.4.1-devel-ubuntu22.04 AS b\nFROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n" + U)


# secret-in-build
def test_hf_token_arg(tmp_path): catches(tmp_path, "secret-in-build", P + "ARG HF_TOKEN\n" + U, 2)
def test_api_key_env(tmp_path): catches(tmp_path, "secret-in-build", P + "ENV WANDB_API_KEY=abc\n" + U, 2)
def test_switch_is_not_a_secret(tmp_path): passes(tmp_path, "secret-in-build", P + "ENV GF_AUTH_DISABLE_LOGIN_FORM=true TOKENIZERS_PARALLELISM=false\n" + U)
def test_env_file_copied(tmp_path): catches(tmp_path, "secret-in-build", P + "COPY . /app\n" + U, 2, {**IGNORE, ".env": "K=1"})
def test_env_example_is_fine(tmp_path): passes(tmp_path, "secret-in-build", P + "COPY . /app\n" + U, {**IGNORE, ".env.example": "K="})


# context-bloat
def test_wandb_sent(tmp_path): catches(tmp_path, "context-bloat", P + "COPY . /app\n" + U, None, {**IGNORE, "wandb/r/f": "x"})
def test_git_sent(tmp_path): catches(tmp_path, "context-bloat", P + "COPY . /app\n" + U, None, {".dockerignore": "*.tmp\n", ".git/HEAD": "x"})


# apt
def test_lists_kept(tmp_path): catches(tmp_path, "apt-lists-not-cleaned", P + "RUN apt-get update && \\\n  apt-get install -y --no-install-recommends curl\n" + U, 3)
def test_lists_cache_mount(tmp_path): passes(tmp_path, "apt-lists-not-cleaned", P + "RUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y curl\n" + U)
def test_lists_in_builder_only(tmp_path): passes(tmp_path, "apt-lists-not-cleaned", P.replace("\n", " AS b\n") + "RUN apt-get install -y curl\n" + P + U)
def test_update_alone(tmp_path): catches(tmp_path, "apt-update-alone", P + "RUN apt-get update\n" + U, 2)
def test_recommends(tmp_path): catches(tmp_path, "apt-recommends", P + "RUN apt-get install -y curl\n" + U, 2)
def test_recommends_option(tmp_path): passes(tmp_path, "apt-recommends", P + "RUN apt-get install -y -o APT::Install-Recommends=false curl\n" + U)


# hadolint parity
def test_add_local(tmp_path): catches(tmp_path, "add-instead-of-copy", P + "ADD a.py /app/\n" + U, 2, {"a.py": "x"})
def test_add_archive(tmp_path): passes(tmp_path, "add-instead-of-copy", P + "ADD model.tar.gz /app/\n" + U, {"model.tar.gz": "x"})
def test_add_url(tmp_path): passes(tmp_path, "add-instead-of-copy", P + "ADD https://example.com/x.txt /app/\n" + U)
def test_shell_form_cmd(tmp_path): catches(tmp_path, "shell-form-cmd", P + U + "CMD python serve.py\n", 3)
def test_json_cmd(tmp_path): passes(tmp_path, "shell-form-cmd", P + U + 'CMD ["python", "serve.py"]\n')
def test_sudo_on_its_line(tmp_path): catches(tmp_path, "sudo-in-run", P + "RUN true && \\\n  sudo rm -rf /x\n" + U, 3)
def test_two_cmds(tmp_path): catches(tmp_path, "multiple-cmd", P + U + 'CMD ["a"]\nCMD ["b"]\n', 3)
def test_relative_workdir(tmp_path): catches(tmp_path, "relative-workdir", P + "WORKDIR app\n" + U, 2)
def test_relative_below_absolute(tmp_path): passes(tmp_path, "relative-workdir", P + "WORKDIR /srv\nWORKDIR app\n" + U)
def test_unknown_stage(tmp_path): catches(tmp_path, "copy-from-unknown-stage", P + "COPY --from=buidler /a /a\n" + U, 2)
def test_image_reference(tmp_path): passes(tmp_path, "copy-from-unknown-stage", P + "COPY --from=ghcr.io/x/y:1 /a /a\n" + U)
def test_duplicate_stage(tmp_path): catches(tmp_path, "duplicate-stage-name", "FROM a:1 AS x\nFROM b:1 AS X\n" + U, 2)
def test_maintainer(tmp_path): catches(tmp_path, "maintainer-deprecated", P + "MAINTAINER me\n" + U, 2)


# hadolint's pragmas silence our equivalents
def test_hadolint_ignore(tmp_path): passes(tmp_path, "apt-recommends", P + "# hadolint ignore=DL3015\nRUN apt-get install -y curl\n" + U)
def test_only_first_relative_workdir(tmp_path): assert [f["line"] for f in catches(tmp_path, "relative-workdir", P + "WORKDIR app\nWORKDIR sub\n" + U, 2)] == [2]


# download-at-build through a copied script, read with ast (never run); the finding is on the RUN.
DL = "download-at-build"
SCRIPT = "from huggingface_hub import snapshot_download\n\n\ndef main():\n    snapshot_download('org/model', local_dir='/models')\n\n\nmain()\n"
def test_script_snapshot_download(tmp_path): catches(tmp_path, DL, P + "WORKDIR /app\nCOPY download.py .\nRUN python download.py\n" + U, 4, files={"download.py": SCRIPT})
def test_script_from_pretrained(tmp_path): catches(tmp_path, DL, P + "COPY scripts/ /app/scripts/\nRUN python3 -u /app/scripts/fetch.py --model bert\n" + U, 3, files={"scripts/fetch.py": "from transformers import AutoModel\nAutoModel.from_pretrained('bert-base-uncased')\n"})
def test_script_torch_hub(tmp_path): catches(tmp_path, DL, P + "COPY . /app\nWORKDIR /app\nRUN python prep.py\n" + U, 4, files={"prep.py": "import torch\nm = torch.hub.load('ultralytics/yolov5', 'yolov5s')\n"})
def test_script_load_dataset(tmp_path): catches(tmp_path, DL, P + "WORKDIR /app\nCOPY . .\nRUN python -m app.prepare\n" + U, 4, files={"app/prepare.py": "from datasets import load_dataset\nload_dataset('imdb')\n"})
def test_script_urlretrieve(tmp_path): catches(tmp_path, DL, P + "COPY get.py /\nRUN python /get.py\n" + U, 3, files={"get.py": "import urllib.request\nurllib.request.urlretrieve('https://x/y.bin', 'y.bin')\n"})
def test_script_gdown(tmp_path): catches(tmp_path, DL, P + "COPY get.py /\nRUN python /get.py\n" + U, 3, files={"get.py": "import gdown\ngdown.download(id='1abc', output='w.pt')\n"})
def test_script_pretrained_true(tmp_path): catches(tmp_path, DL, P + "COPY get.py /\nRUN python /get.py\n" + U, 3, files={"get.py": "import timm\ntimm.create_model('resnet50', pretrained=True)\n"})
def test_script_without_downloads(tmp_path): passes(tmp_path, DL, P + "COPY manage.py /\nRUN python /manage.py collectstatic\n" + U, files={"manage.py": "import django\nprint('pretrained')  # from_pretrained(\n"})
def test_script_not_copied(tmp_path): passes(tmp_path, DL, P + "RUN python download.py\n" + U, files={"download.py": SCRIPT})
def test_script_that_does_not_parse(tmp_path): passes(tmp_path, DL, P + "COPY download.py /\nRUN python /download.py\n" + U, files={"download.py": "def (:\n snapshot_download(\n"})


def test_script_message_names_the_call(tmp_path):
    hit = catches(tmp_path, DL, P + "WORKDIR /app\nCOPY download.py .\nRUN python download.py\n" + U, 4, files={"download.py": SCRIPT})[0]
    assert "`python download.py` runs `snapshot_download(...)` (download.py:5)" in hit["message"]


# Messages that fit the file: its own command, its own USER, its own CMD.
def _hit(tmp_path, rule, dockerfile, line, files=None):
    """The finding, with `fix` as the hint in words (JSON puts it under `hint` when an edit exists)."""
    hit = catches(tmp_path, rule, dockerfile, line, files)[0]
    return {**hit, "fix": hit.get("hint", hit["fix"])}


def test_apt_recommends_names_apt(tmp_path):
    hit = _hit(tmp_path, "apt-recommends", P + "RUN apt update && apt install -y git && rm -rf /var/lib/apt/lists/*\n" + U, 2)
    assert hit["message"].startswith("`apt install`")


def test_apt_update_alone_names_apt(tmp_path):
    hit = _hit(tmp_path, "apt-update-alone", P + "RUN apt update\n" + U, 2)
    assert "`apt update`" in hit["message"] and hit["fix"] == "run `apt update && apt install -y ...` in the same RUN"


def test_apt_lists_names_apt_get(tmp_path):
    hit = _hit(tmp_path, "apt-lists-not-cleaned", P + "RUN apt-get update && apt-get install -y --no-install-recommends git\n" + U, 2)
    assert hit["message"].startswith("`apt-get install`")


def test_sudo_without_user_says_drop_it(tmp_path):
    hit = _hit(tmp_path, "sudo-in-run", P + "RUN sudo pip install --no-cache-dir x==1\n" + U, 2)
    assert "drop `sudo`" in hit["fix"] and "USER <" not in hit["fix"]


def test_sudo_with_user_names_it(tmp_path):
    hit = _hit(tmp_path, "sudo-in-run", P + "RUN useradd app\nUSER app\nRUN sudo apt-get install -y git\n", 4)
    assert hit["fix"] == "switch with `USER root` before the step and `USER app` after it"


def test_sudo_with_user_in_base_stage(tmp_path):
    hit = _hit(tmp_path, "sudo-in-run", P + "USER jovyan\nFROM python:3.11.9-slim AS b\nFROM b\nRUN sudo ls\n", 5)
    assert "drop `sudo`" in hit["fix"]


def test_shell_form_cmd_fix_is_the_files_command(tmp_path):
    hit = _hit(tmp_path, "shell-form-cmd", P + U + "CMD uvicorn app.main:app --host 0.0.0.0 --port 8000\n", 3)
    assert hit["fix"] == 'use the JSON form: `CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]`'


def test_shell_form_cmd_fix_keeps_quotes_out(tmp_path):
    hit = _hit(tmp_path, "shell-form-cmd", P + U + "ENTRYPOINT streamlit run \"app.py\" --server.port=8501\n", 3)
    assert hit["fix"] == 'use the JSON form: `ENTRYPOINT ["streamlit", "run", "app.py", "--server.port=8501"]`'


def test_shell_form_cmd_with_a_variable_execs(tmp_path):
    hit = _hit(tmp_path, "shell-form-cmd", P + U + "CMD python serve.py --port $PORT\n", 3)
    assert hit["fix"] == 'use the JSON form: `CMD ["sh", "-c", "exec python serve.py --port $PORT"]`'


def test_shell_form_cmd_with_operators_suggests_a_script(tmp_path):
    hit = _hit(tmp_path, "shell-form-cmd", P + U + "CMD python migrate.py && python serve.py\n", 3)
    assert "start.sh" in hit["fix"]


def test_long_package_lists_end_with_an_ellipsis(tmp_path):
    pkgs = " ".join(f"lib{i}-dev" for i in range(10))
    hit = _hit(tmp_path, "single-stage-build-tools", P + f"RUN apt-get install -y --no-install-recommends gcc {pkgs}\n" + U, 2)
    assert hit["message"].count(",") >= 7 and "…" in hit["message"]


def test_hadolint_dl3064_pragma(tmp_path):
    passes(tmp_path, "secret-in-build", P + "# hadolint ignore=DL3064\nARG HF_TOKEN\n" + U)


# apt-lists-not-cleaned: the lists are in the layer of the RUN that downloads them.
def test_lists_from_an_earlier_update(tmp_path):
    hit = catches(tmp_path, "apt-lists-not-cleaned", P + "RUN apt update\nRUN apt install -y tzdata\nRUN apt install -y git\n" + U, 3)
    assert len(hit) == 1 and "`apt update` on line 2" in hit[0]["message"]
def test_lists_update_then_cleaned_install(tmp_path):
    hit = catches(tmp_path, "apt-lists-not-cleaned", P + "RUN apt update\nRUN apt install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*\n" + U, 2)[0]
    assert "the `rm` on line 3 runs in another layer" in hit["message"]
def test_lists_install_without_update(tmp_path): passes(tmp_path, "apt-lists-not-cleaned", P + "RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*\nRUN apt-get install -y --no-install-recommends libopenblas-dev\n" + U)
def test_python_c_nltk_download(tmp_path): catches(tmp_path, DL, P + "RUN python3 -c \"import nltk; [nltk.download(p, download_dir='/nltk') for p in ('punkt', 'stopwords')]\"\n" + U, 2)
def test_python_c_urlretrieve(tmp_path): catches(tmp_path, DL, P + "RUN python3 -c \"import urllib.request; urllib.request.urlretrieve('https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken', 'e')\"\n" + U, 2)
def test_python_c_tiktoken(tmp_path): catches(tmp_path, DL, P + "RUN python3 -c \"import tiktoken; tiktoken.get_encoding('cl100k_base')\"\n" + U, 2)
def test_python_c_no_download(tmp_path): passes(tmp_path, DL, P + "RUN python3 -c \"import tomllib; print(tomllib.load(open('uv.lock', 'rb')))\"\n" + U)
def test_download_stage_copied_deliberately(tmp_path): passes(tmp_path, DL, "FROM python:3.11.9-slim AS downloads\nRUN python3 -c \"import nltk; nltk.download('punkt', download_dir='/nltk')\"\n" + P + "COPY --from=downloads /nltk /nltk\n" + U)
def test_sudo_twice_on_a_line_is_one_finding(tmp_path):
    hits = catches(tmp_path, "sudo-in-run", P + "RUN useradd app\nUSER app\nRUN sudo apt-get update && sudo apt-get install -y libopencv-dev\n", 4)
    assert len(hits) == 1
