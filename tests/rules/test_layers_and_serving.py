"""Rules for what real ML repositories showed: malformed JSON form, development and notebook servers,
downloads and caches left in layers, `pip install --user` as root. One line per case."""

from helpers import catches, lint, passes

P = "FROM python:3.11.9-slim\n"
U = "USER app\n"


# malformed-json-form
def test_trailing_garbage(tmp_path): catches(tmp_path, "malformed-json-form", P + 'CMD ["python", "app.py"]S\n', 2)
def test_single_quotes(tmp_path): catches(tmp_path, "malformed-json-form", P + "ENTRYPOINT ['python', 'app.py']\n", 2)
def test_missing_comma(tmp_path): catches(tmp_path, "malformed-json-form", P + 'CMD ["python" "app.py"]\n', 2)
def test_trailing_comma(tmp_path): catches(tmp_path, "malformed-json-form", P + 'CMD ["python", "app.py",]\n', 2)
def test_run_json(tmp_path): catches(tmp_path, "malformed-json-form", P + "RUN ['pip', 'install', 'x']\n", 2)
def test_valid_json(tmp_path): passes(tmp_path, "malformed-json-form", P + 'CMD ["python", "app.py"]\n')
def test_shell_test(tmp_path): passes(tmp_path, "malformed-json-form", P + 'RUN [ "$(uname -m)" = "x86_64" ] && echo ok\n')
def test_shell_form(tmp_path): passes(tmp_path, "malformed-json-form", P + "CMD python app.py\n")


def test_message_says_why(tmp_path):
    hit = catches(tmp_path, "malformed-json-form", P + 'CMD ["python", "app.py"]S\n', 2)[0]
    assert "`S` follows the closing `]`" in hit["message"] and hit["severity"] == "error"


# dev-server-in-cmd
def test_uvicorn_reload(tmp_path): catches(tmp_path, "dev-server-in-cmd", P + 'CMD ["uvicorn", "main:app", "--reload"]\n', 2)
def test_python_m_uvicorn_reload(tmp_path): catches(tmp_path, "dev-server-in-cmd", P + "CMD python -m uvicorn main:app --reload --host 0.0.0.0\n", 2)
def test_flask_debug(tmp_path): catches(tmp_path, "dev-server-in-cmd", P + 'CMD ["flask", "run", "--debug", "--host=0.0.0.0"]\n', 2)
def test_flask_debug_env(tmp_path): catches(tmp_path, "dev-server-in-cmd", P + "ENV FLASK_DEBUG=1\nCMD flask run --host=0.0.0.0\n", 3)
def test_flask_run(tmp_path): catches(tmp_path, "dev-server-in-cmd", P + 'CMD ["flask", "run", "--host=0.0.0.0"]\n', 2)
def test_django_runserver(tmp_path): catches(tmp_path, "dev-server-in-cmd", P + 'CMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]\n', 2)
def test_fastapi_dev(tmp_path): catches(tmp_path, "dev-server-in-cmd", P + 'CMD ["fastapi", "dev", "main.py"]\n', 2)
def test_gunicorn(tmp_path): passes(tmp_path, "dev-server-in-cmd", P + 'CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]\n')
def test_uvicorn_workers(tmp_path): passes(tmp_path, "dev-server-in-cmd", P + 'CMD ["uvicorn", "main:app", "--workers", "2"]\n')
def test_dev_stage_not_final(tmp_path): passes(tmp_path, "dev-server-in-cmd", P.replace("\n", " AS dev\n") + 'CMD ["uvicorn", "m:app", "--reload"]\n' + P + 'CMD ["uvicorn", "m:app"]\n')
def test_inherited_cmd(tmp_path): catches(tmp_path, "dev-server-in-cmd", P.replace("\n", " AS base\n") + 'CMD ["uvicorn", "m:app", "--reload"]\nFROM base\n' + U, 2)


def test_script_flask_debug(tmp_path): catches(tmp_path, "dev-server-in-cmd", P + "WORKDIR /app\nCOPY app.py .\nCMD [\"python\", \"app.py\"]\n", 4, {"app.py": "from flask import Flask\napp = Flask(__name__)\nif __name__ == '__main__':\n    app.run(host='0.0.0.0', debug=True)\n"})
def test_script_uvicorn_reload(tmp_path): catches(tmp_path, "dev-server-in-cmd", P + "COPY . /srv\nWORKDIR /srv\nCMD python main.py\n", 4, {"main.py": "import uvicorn\nuvicorn.run('main:app', reload=True)\n"})
def test_script_without_debug(tmp_path): passes(tmp_path, "dev-server-in-cmd", P + "WORKDIR /app\nCOPY app.py .\nCMD [\"python\", \"app.py\"]\n", {"app.py": "app.run(host='0.0.0.0', debug=False)\n"})
def test_script_not_copied(tmp_path): passes(tmp_path, "dev-server-in-cmd", P + "CMD [\"python\", \"app.py\"]\n", {"app.py": "app.run(debug=True)\n"})


# jupyter-without-auth
def test_empty_token_shell(tmp_path): catches(tmp_path, "jupyter-without-auth", P + "CMD jupyter notebook --ip=0.0.0.0 --NotebookApp.token=''\n", 2)
def test_empty_token_json(tmp_path): catches(tmp_path, "jupyter-without-auth", P + 'CMD ["jupyter", "lab", "--ServerApp.token=", "--ServerApp.password="]\n', 2)
def test_allow_root(tmp_path): catches(tmp_path, "jupyter-without-auth", P + 'CMD ["jupyter", "lab", "--ip=0.0.0.0", "--allow-root"]\n', 2)
def test_jupyter_with_token(tmp_path): passes(tmp_path, "jupyter-without-auth", P + 'CMD ["jupyter", "lab", "--ip=0.0.0.0"]\n')
def test_jupyter_nbconvert(tmp_path): passes(tmp_path, "jupyter-without-auth", P + 'CMD ["jupyter", "nbconvert", "--allow-root", "x.ipynb"]\n')


# download-left-in-layer
def test_wget_tarball(tmp_path): catches(tmp_path, "download-left-in-layer", P + "RUN wget https://x.org/t-1.tar.gz && tar xzf t-1.tar.gz\n", 2)
def test_curl_deb_on_its_line(tmp_path): catches(tmp_path, "download-left-in-layer", P + "RUN apt-get --version && \\\n  curl -fsSLo /tmp/x.deb https://x.org/x.deb && dpkg -i /tmp/x.deb\n", 3)
def test_removed(tmp_path): passes(tmp_path, "download-left-in-layer", P + "RUN wget https://x.org/t.tar.gz && tar xzf t.tar.gz && rm t.tar.gz\n")
def test_removed_dir(tmp_path): passes(tmp_path, "download-left-in-layer", P + "RUN cd /tmp && wget https://x.org/t.zip && unzip t.zip && rm -rf /tmp/*\n")
def test_removed_in_next_run(tmp_path): catches(tmp_path, "download-left-in-layer", P + "RUN curl -LO https://x.org/Miniforge3-Linux-x86_64.sh\nRUN bash Miniforge3-Linux-x86_64.sh -b && rm Miniforge3-Linux-x86_64.sh\n", 2)
def test_add_remote_archive(tmp_path): catches(tmp_path, "download-left-in-layer", P + "ADD https://x.org/t-1.tar.gz /tmp/\nRUN tar xzf /tmp/t-1.tar.gz -C /opt && rm /tmp/t-1.tar.gz\n", 2)
def test_add_remote_font(tmp_path): passes(tmp_path, "download-left-in-layer", P + "ADD https://x.org/Arial.ttf /root/.config/\n")
def test_add_local_archive(tmp_path): passes(tmp_path, "download-left-in-layer", P + "ADD vendor.tar.gz /opt/\n", {"vendor.tar.gz": "x"})
def test_small_install_script(tmp_path): passes(tmp_path, "download-left-in-layer", P + "RUN curl -fsSL -o install.sh https://x.org/install.sh && sh install.sh\n")
def test_streamed(tmp_path): passes(tmp_path, "download-left-in-layer", P + "RUN curl -fsSL https://x.org/t.tar.gz | tar -xz -C /opt\n")
def test_wget_stdout(tmp_path): passes(tmp_path, "download-left-in-layer", P + "RUN wget -qO- https://x.org/t.tar.gz | tar -xz\n")
def test_moved_into_place(tmp_path): passes(tmp_path, "download-left-in-layer", P + "RUN curl -o /tmp/tool.sh https://x.org/tool.sh && mv /tmp/tool.sh /usr/local/bin/tool\n")
def test_not_an_archive(tmp_path): passes(tmp_path, "download-left-in-layer", P + "RUN curl -o /etc/app.conf https://x.org/app.conf\n")
def test_builder_stage(tmp_path): passes(tmp_path, "download-left-in-layer", P.replace("\n", " AS b\n") + "RUN wget https://x.org/t.tar.gz\n" + P + "COPY --from=b /t.tar.gz /t\n")
def test_cache_mount(tmp_path): passes(tmp_path, "download-left-in-layer", P + "RUN --mount=type=tmpfs,target=/tmp wget -P /tmp https://x.org/t.tar.gz\n")


# pip-cache-not-disabled now judges poetry's cache too
def test_poetry_cache(tmp_path): catches(tmp_path, "pip-cache-not-disabled", P + "RUN poetry install --no-root\n", 2)
def test_poetry_no_cache(tmp_path): passes(tmp_path, "pip-cache-not-disabled", P + "RUN poetry install --no-root --no-cache\n")
def test_poetry_cache_removed(tmp_path): passes(tmp_path, "pip-cache-not-disabled", P + "ENV POETRY_CACHE_DIR=/tmp/pc\nRUN poetry install --no-root && rm -rf $POETRY_CACHE_DIR\n")
def test_poetry_cache_mount(tmp_path): passes(tmp_path, "pip-cache-not-disabled", P + "RUN --mount=type=cache,target=/root/.cache/pypoetry poetry install\n")


# pip-user-install-as-root
def test_user_then_switch(tmp_path): catches(tmp_path, "pip-user-install-as-root", P + "RUN pip install --user --no-cache-dir x==1\nUSER app\n", 2)
def test_pip_user_env(tmp_path): catches(tmp_path, "pip-user-install-as-root", P + "ENV PIP_USER=1\nRUN pip install --no-cache-dir x==1\nUSER 1000\n", 3)
def test_user_first(tmp_path): passes(tmp_path, "pip-user-install-as-root", P + "USER app\nRUN pip install --user x==1\n")
def test_stays_root(tmp_path): passes(tmp_path, "pip-user-install-as-root", P + "RUN pip install --user x==1\n")
def test_userbase_moved(tmp_path): passes(tmp_path, "pip-user-install-as-root", P + "ENV PYTHONUSERBASE=/opt/py\nRUN pip install --user x==1\nUSER app\n")
def test_no_user_flag(tmp_path): passes(tmp_path, "pip-user-install-as-root", P + "RUN pip install x==1\nUSER app\n")


# model-cache-in-image
def test_hf_home_download(tmp_path): catches(tmp_path, "model-cache-in-image", P + "ENV HF_HOME=/cache/hf\nRUN huggingface-cli download org/m\n", 2)
def test_transformers_cache_python(tmp_path): catches(tmp_path, "model-cache-in-image", P + "ENV TRANSFORMERS_CACHE=/models\nRUN python -c \"from transformers import AutoModel; AutoModel.from_pretrained('org/m')\"\n", 2)
def test_cache_without_download(tmp_path): passes(tmp_path, "model-cache-in-image", P + "ENV HF_HOME=/cache/hf\n")
def test_cache_mounted(tmp_path): passes(tmp_path, "model-cache-in-image", P + "ENV HF_HOME=/cache/hf\nRUN --mount=type=cache,target=/cache/hf huggingface-cli download org/m\n")
def test_download_before_env(tmp_path): passes(tmp_path, "model-cache-in-image", P + "RUN huggingface-cli download org/m\nENV HF_HOME=/cache/hf\n")


def test_script_symlink_not_followed(tmp_path):
    import os

    outside = tmp_path / "outside.py"
    outside.write_text("app.run(debug=True)\n")
    project = tmp_path / "project"
    project.mkdir()
    os.symlink(outside, project / "app.py")
    passes(project, "dev-server-in-cmd", P + "WORKDIR /app\nCOPY app.py .\nCMD [\"python\", \"app.py\"]\n")
