"""data-in-image (MLD303) and pointer-file-in-image (MLD305) judge copied files by content and
company, not only by extension: one line per case."""

from helpers import catches, passes

DATA, POINTER = "data-in-image", "pointer-file-in-image"
FROM = "FROM python:3.11.9-slim\nWORKDIR /app\n"
IGNORE = {".dockerignore": ".git\n"}
LFS = ("version https://git-lfs.github.com/spec/v1\n"
       "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 242043906\n")
HF = {"models/bert/config.json": "{}\n", "models/bert/tokenizer.json": 2_500_000, "models/bert/vocab.txt": 230_000,
      "models/bert/model.safetensors": 2_000_000}


def test_large_jsonl_dataset(tmp_path): catches(tmp_path, DATA, FROM + "COPY . .\n", line=3, files={**IGNORE, "data/train.jsonl": 5_000_000})
def test_large_json(tmp_path): catches(tmp_path, DATA, FROM + "COPY . .\n", line=3, files={**IGNORE, "data/qa.json": 3_000_000})
def test_large_txt_corpus(tmp_path): catches(tmp_path, DATA, FROM + "COPY corpus/ corpus/\n", line=3, files={**IGNORE, "corpus/wiki.txt": 8_000_000})
def test_large_pdf(tmp_path): catches(tmp_path, DATA, FROM + "COPY docs/ docs/\n", line=3, files={**IGNORE, "docs/handbook.pdf": 4_000_000})
def test_large_notebook(tmp_path): catches(tmp_path, DATA, FROM + "COPY . .\n", line=3, files={**IGNORE, "eda.ipynb": 6_000_000})
def test_small_json_config(tmp_path): passes(tmp_path, DATA, FROM + "COPY . .\n", files={**IGNORE, "config.json": 3000, "labels.txt": 900_000})
def test_large_package_lock(tmp_path): passes(tmp_path, DATA, FROM + "COPY . .\n", files={**IGNORE, "web/package-lock.json": 2_000_000})
def test_hf_model_folder(tmp_path): catches(tmp_path, DATA, FROM + "COPY models/ models/\n", line=3, files={**IGNORE, **HF})
def test_hf_tokenizer_folder(tmp_path): catches(tmp_path, DATA, FROM + "COPY . .\n", line=3, files={**IGNORE, "tok/config.json": "{}\n", "tok/tokenizer.json": 2_400_000, "tok/tokenizer_config.json": "{}\n"})
def test_small_config_folder(tmp_path): passes(tmp_path, DATA, FROM + "COPY . .\n", files={**IGNORE, "conf/config.json": "{}\n", "conf/vocab.txt": "a\nb\n"})
def test_dvc_tracked_file_any_extension(tmp_path): catches(tmp_path, DATA, FROM + "COPY . .\n", line=3, files={**IGNORE, "data/raw.dvc": "outs:\n- path: raw\n", "data/raw/part-0000": 3_000_000})
def test_dvc_tracked_below_threshold(tmp_path): passes(tmp_path, DATA, FROM + "COPY . .\n", files={**IGNORE, "data/raw.dvc": "outs:\n- path: raw\n", "data/raw/part-0000": 3000})

def test_lfs_pointer_copied(tmp_path): catches(tmp_path, POINTER, FROM + "COPY models/ models/\n", line=3, files={**IGNORE, "models/model.safetensors": LFS})
def test_lfs_pointer_in_whole_context(tmp_path): catches(tmp_path, POINTER, FROM + "COPY . .\n", line=3, files={**IGNORE, "weights/best.pt": LFS, "app.py": "print()\n"})
def test_lfs_pointer_not_copied(tmp_path): passes(tmp_path, POINTER, FROM + "COPY app.py .\n", files={**IGNORE, "weights/best.pt": LFS, "app.py": "print()\n"})
def test_lfs_pointer_ignored(tmp_path): passes(tmp_path, POINTER, FROM + "COPY . .\n", files={".dockerignore": ".git\nweights/\n", "weights/best.pt": LFS})
def test_real_file_starting_like_text(tmp_path): passes(tmp_path, POINTER, FROM + "COPY . .\n", files={**IGNORE, "notes.txt": "version 1 of the notes, see https://git-lfs.github.com/spec/v1 for more " * 2})
def test_pulled_lfs_file(tmp_path): passes(tmp_path, POINTER, FROM + "COPY . .\n", files={**IGNORE, "weights/best.pt": 5000})
def test_dvc_file_without_data(tmp_path): catches(tmp_path, POINTER, FROM + "COPY data/ data/\n", line=3, files={**IGNORE, "data/train.csv.dvc": "outs:\n- md5: 1\n  path: train.csv\n"})
def test_dvc_file_with_data(tmp_path): passes(tmp_path, POINTER, FROM + "COPY data/ data/\n", files={**IGNORE, "data/train.csv.dvc": "outs:\n- path: train.csv\n", "data/train.csv": "a,b\n"})
def test_dvc_file_pulled_in_build(tmp_path): passes(tmp_path, POINTER, FROM + "COPY . .\nRUN pip install --no-cache-dir dvc[s3]==3.55.2 && dvc pull data/train.csv\n", files={**IGNORE, "data/train.csv.dvc": "outs:\n- path: train.csv\n"})


def test_lfs_message_names_the_files(tmp_path):
    hit = catches(tmp_path, POINTER, FROM + "COPY . .\n", line=3, files={**IGNORE, "weights/best.pt": LFS})[0]
    assert "weights/best.pt" in hit["message"] and "git lfs pull" in hit["fix"]


def test_model_folder_message(tmp_path):
    hit = catches(tmp_path, DATA, FROM + "COPY models/ models/\n", line=3, files={**IGNORE, **HF})[0]
    assert "models/bert/ (a Hugging Face model folder: 4 files, 4.7 MB)" in hit["message"]


def test_long_lists_end_with_an_ellipsis(tmp_path):
    files = {**IGNORE, **{f"data/shard-{i}.parquet": 2_000_000 + i for i in range(6)}}
    hit = catches(tmp_path, DATA, FROM + "COPY data/ data/\n", line=3, files=files)[0]
    assert hit["message"].endswith(", … (2 more)")
def test_named_model_not_in_the_checkout(tmp_path): catches(tmp_path, DATA, FROM + "COPY ./model.bin /app/model.bin\nCOPY start.sh /app/\n", line=3, files={**IGNORE, "start.sh": "#!/bin/sh\n"})
def test_named_gguf_not_in_the_checkout(tmp_path): catches(tmp_path, DATA, FROM + "COPY models/llama-3-8b.Q4_K_M.gguf /models/\n", line=3, files=IGNORE)
def test_named_script_not_in_the_checkout(tmp_path): passes(tmp_path, DATA, FROM + "COPY start.sh /app/\n", files=IGNORE)
