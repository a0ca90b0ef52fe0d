"""What a container's CMD/ENTRYPOINT serves: development servers (auto-reload, debuggers) and
notebook servers left open. Read from the argv of the command (`exec_script`)."""

from __future__ import annotations

import ast
import posixpath
import re
from pathlib import Path

from mllint_docker.model.pycode import parse_python

_PYTHON = re.compile(r"^python(\d+(\.\d+)?)?$")
_TRUE = {"1", "true", "yes", "on"}
_ASGI = ("uvicorn", "gunicorn", "hypercorn", "granian", "daphne")


def _program(argv: list[str]) -> tuple[str, list[str]]:
    """`python -m uvicorn app:app` -> ("uvicorn", [...]); `/usr/bin/flask run` -> ("flask", [...])."""
    if not argv:
        return "", []
    name = posixpath.basename(argv[0])
    if _PYTHON.match(name):
        rest = argv[1:]
        while rest and rest[0].startswith("-") and rest[0] != "-m":
            rest = rest[1:]
        if len(rest) >= 2 and rest[0] == "-m":
            return rest[1], rest[2:]
        if rest and posixpath.basename(rest[0]) == "manage.py":
            return "manage.py", rest[1:]
        return "python", rest
    if name == "manage.py":
        return name, argv[1:]
    return name, argv[1:]


def dev_server(argv: list[str], env: dict[str, str]) -> tuple[str, str] | None:
    """(what runs, the fix) when the command is a development server, else None."""
    prog, args = _program(argv)
    if prog == "flask" and "run" in args:
        debug = any(a in ("--debug", "--reload", "--debugger") for a in args) or \
            env.get("FLASK_DEBUG", "").lower() in _TRUE or env.get("FLASK_ENV", "").lower() == "development"
        if debug:
            return ("Flask's development server with the debugger and reloader (`flask run --debug` or FLASK_DEBUG): "
                    "the Werkzeug debugger executes Python code sent from the browser",
                    'serve with a production WSGI server, e.g. CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"], '
                    "and leave debugging to development")
        return ("Flask's development server (`flask run`), which Flask's documentation says not to use in production",
                'serve with a production WSGI server, e.g. CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]')
    if prog in _ASGI and any(a == "--reload" or a.startswith("--reload=") or a.startswith("--reload-") for a in args):
        return (f"`{prog} --reload`: a file watcher that restarts the server on every change, meant for development "
                "(one worker, extra CPU, restarts when the app writes files)",
                f"drop `--reload` from the image's command; use it only in a development compose override")
    if prog == "fastapi" and args[:1] == ["dev"]:
        return ("`fastapi dev`: development mode, with auto-reload and bound to localhost by default",
                'use `fastapi run` (CMD ["fastapi", "run", "app/main.py", "--port", "80"])')
    if prog == "manage.py" and args[:1] == ["runserver"]:
        return ("Django's `runserver`, which Django's documentation says must not be used in production (it has not "
                "gone through security audits or performance tests)",
                'serve with gunicorn or uvicorn, e.g. CMD ["gunicorn", "-b", "0.0.0.0:8000", "mysite.wsgi"]')
    if prog == "gradio" and args:
        return ("`gradio app.py`: Gradio's reload mode, which watches the source and re-runs it on changes",
                'run the app with Python: CMD ["python", "app.py"]')
    return None


_JUPYTER = re.compile(r"^jupyter(-(notebook|lab|server))?$")
_EMPTY = {"", "''", '""'}


def jupyter_problems(argv: list[str]) -> list[tuple[str, str, str]]:
    """(argument, problem, fix) for a Jupyter server started without authentication or as root."""
    prog, args = _program(argv)
    if not (_JUPYTER.match(prog) or prog in ("jupyterlab", "notebook", "jupyter_server", "start-notebook.sh",
                                             "start-notebook.py")):
        return []
    if prog == "jupyter" and not (args[:1] and args[0] in ("notebook", "lab", "server", "nbclassic")):
        return []
    out = []
    for a in args:
        key, eq, value = a.partition("=")
        name = key.lstrip("-").split(".")[-1].lower()
        if eq and name in ("token", "password") and key.startswith("--") and "." in key and value.strip() in _EMPTY:
            out.append((a, f"the Jupyter server starts with an empty {name}: anyone who reaches the port runs code in "
                           "the container", f"drop `{key}=...` so Jupyter generates a token, or set a hashed password "
                                            "from a secret at run time"))
        elif key in ("--allow-root",):
            out.append((a, "Jupyter runs as root: every notebook, terminal and kernel has root in the container",
                        "create a user and switch to it with USER before starting Jupyter, then drop `--allow-root`"))
        elif eq and name == "disable_check_xsrf" and value.lower() == "true":
            out.append((a, "XSRF protection is off, so any web page the user visits can drive the server",
                        f"drop `{key}=True`"))
    return out


def python_script(argv: list[str]) -> str | None:
    """The script a `python app.py ...` command runs (not `-m`, not `-c`)."""
    prog, args = _program(argv)
    if prog != "python" or not args or not args[0].endswith(".py"):
        return None
    return args[0]


MAX_SCRIPT_BYTES = 512 * 1024


def script_dev_server(path: Path) -> tuple[int, str] | None:
    """(line, call) where a Python script starts a development server itself:
    `app.run(debug=True)` (Flask), `uvicorn.run(..., reload=True)`, `demo.launch(debug=True)` is not
    one (Gradio's debug only keeps the process in the foreground)."""
    try:
        if path.is_symlink() or path.resolve() != path.absolute() or path.stat().st_size > MAX_SCRIPT_BYTES:
            return None  # a link may point outside the project: never followed
        source = path.read_bytes()
    except OSError:
        return None
    tree = parse_python(source)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        flags = {k.arg: k.value for k in node.keywords if k.arg}
        attr = node.func.attr
        owner = node.func.value.id if isinstance(node.func.value, ast.Name) else ""
        if attr == "run" and owner == "uvicorn" and _true(flags.get("reload")):
            return node.lineno, "uvicorn.run(..., reload=True)"
        if attr == "run" and owner != "uvicorn" and _true(flags.get("debug")):
            return node.lineno, f"{owner or 'app'}.run(debug=True)"
    return None


def _true(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is True
