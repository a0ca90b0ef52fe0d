"""The HTML report (`--format html`, `--output html:FILE`): one self-contained page whose numbers are
the JSON report's, which renders user text as text, and which a real browser draws."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from docker_engine import check_engine, docker, engine_env, in_ci, local_python_base, unavailable, wheel_server
from helpers import run_cli, write_tree
from mllint_docker.image.testing import write_image_tarball

FIXTURE = Path(__file__).parent / "fixtures" / "html-report-image"
SP = "opt/venv/lib/python3.11/site-packages"
HOSTILE = '<script>alert("x")</script>\x1b]0;pwn\x07\'q'


class Page(HTMLParser):
    """Collects every element with its attributes and the text inside it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a))
        for key in ("src", "href"):
            if a.get(key) and not a[key].startswith("#"):
                self.external.append(a[key])

    def handle_data(self, data):
        self.text.append(data)

    def find(self, cls: str) -> list[dict]:
        return [a for _, a in self.elements if cls in (a.get("class") or "").split()]


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def image_tarball(path: Path) -> Path:
    record = ("numpy/__init__.py,sha256=a,400000\nnumpy/core/_multiarray.so,sha256=b,9000000\n"
              "numpy-1.26.4.dist-info/RECORD,,\n").encode()
    meta = b"Metadata-Version: 2.1\nName: numpy\nVersion: 1.26.4\n\nNumPy is the fundamental package.\n"
    write_image_tarball(path, [
        [("file", "usr/bin/python3.11", 6_000_000), ("file", "etc/os-release", 300)],
        [("file", f"{SP}/numpy/__init__.py", 400_000), ("file", f"{SP}/numpy/core/_multiarray.so", 9_000_000),
         ("file", f"{SP}/numpy-1.26.4.dist-info/RECORD", record),
         ("file", f"{SP}/numpy-1.26.4.dist-info/METADATA", meta),
         ("file", "root/.cache/pip/http/blob", 2_500_000)],
        [("file", "app/app.py", 1_200), ("file", "app/models/classifier.safetensors", 3_000_000),
         ("file", f"app/{HOSTILE}.txt", 10)],
        [("whiteout", "root/.cache/pip")],
    ], fmt="docker-save-oci")
    return path


def both(tmp_path: Path, args: list[str]) -> tuple[dict, str]:
    code, out, _ = run_cli(args + ["--format", "json"], tmp_path)
    assert code in (0, 1), out
    code2, html, _ = run_cli(args + ["--format", "html"], tmp_path)
    assert code2 == code
    return json.loads(out), html


def assert_image_numbers_match(image: dict, page: Page) -> None:
    section = next(a for t, a in page.elements if t == "section" and "image" in (a.get("class") or ""))
    assert section["data-image"] == image["image"]
    assert int(page.find("total-size")[0]["data-bytes"]) == image["size"]
    assert float(page.find("efficiency")[0]["data-value"]) == pytest.approx(image["efficiency"], abs=0)
    assert int(page.find("wasted")[0]["data-bytes"]) == image["wasted_bytes"]
    rows = page.find("layer")
    assert [int(r["data-bytes"]) for r in rows] == [layer["size"] for layer in image["layers"]]
    assert [int(r["data-wasted"]) for r in rows] == [layer["wasted_bytes"] for layer in image["layers"]]
    assert len(page.find("layer-bar")) == len(image["layers"])
    segments = [(s["data-kind"], int(s["data-bytes"])) for s in page.find("seg")]
    assert segments == [(k, v) for layer in image["layers"] for k, v in layer["kinds"].items()]
    assert [int(r["data-bytes"]) for r in page.find("largest-file")] == [f["size"] for f in image["largest_files"]]
    assert [(r["data-name"], int(r["data-bytes"])) for r in page.find("distribution")] == \
        [(d["name"], d["size"]) for d in image["distributions"]]


def test_image_report_numbers_equal_the_json_report(tmp_path):
    tar = image_tarball(tmp_path / "image.tar")
    doc, html = both(tmp_path, ["image", str(tar)])
    image = doc["images"][0]
    page = parse(html)
    assert_image_numbers_match(image, page)
    # what the bytes are, from the paths: the venv's site-packages, the cache hidden later, the model
    kinds = [layer["kinds"] for layer in image["layers"]]
    assert kinds[0] == {"os": 6_000_300}
    assert kinds[1]["python"] > 9_400_000 and kinds[1]["hidden"] == 2_500_000
    assert kinds[2]["data"] == 3_000_000
    assert image["distributions"] == [{"name": "numpy", "version": "1.26.4", "size": 9_400_000 + len(
        b"numpy/__init__.py,sha256=a,400000\nnumpy/core/_multiarray.so,sha256=b,9000000\nnumpy-1.26.4.dist-info/RECORD,,\n"),
        "files": 3, "layer": 1, "line": None}]


def test_report_is_self_contained_and_renders_user_text_as_text(tmp_path):
    tar = image_tarball(tmp_path / "image.tar")
    write_tree(tmp_path, {"Dockerfile": f'FROM python:3.11\nRUN pip install torch  # {HOSTILE}\nCMD python app.py\n',
                          f"{HOSTILE}/Dockerfile": "FROM python:latest\n"})
    code, _, _ = run_cli(["check", ".", "--format", "html", "--output", "html:static.html"], tmp_path)
    assert code == 1
    for html in ((tmp_path / "static.html").read_text(), both(tmp_path, ["image", str(tar)])[1]):
        page = parse(html)
        assert [t for t, _ in page.elements].count("script") == 0
        assert page.external == []  # no CDN, no fonts, no images fetched
        assert "<script>alert" not in html and "\x1b" not in html and "\x07" not in html
        assert "&lt;script&gt;alert" in html
        assert re.search(r"\\x1b\]0;pwn\\x07", "".join(page.text))  # control characters shown as escapes


def test_static_report_lists_findings_with_their_source_lines(tmp_path):
    write_tree(tmp_path, {"Dockerfile": "FROM python:latest\nRUN pip install torch\n", "requirements.txt": "numpy\n"})
    doc, html = both(tmp_path, ["check", "."])
    page = parse(html)
    items = page.find("item")
    assert [(i["data-code"], i["data-line"]) for i in items] == \
        [(f["code"], str(f["line"] or "")) for f in doc["findings"]]
    assert int(next(a for t, a in page.elements if a.get("id") == "findings-count")["data-count"]) == \
        doc["summary"]["findings"]
    assert "RUN pip install torch" in "".join(page.text)


def test_large_image_report_stays_small(tmp_path):
    layers = [[("file", f"usr/lib/x/{i:06d}.so", 1000 + i) for i in range(50_000)],
              [("file", f"{SP}/pkg/{i:06d}.py", 100 + i) for i in range(50_000)]]
    tar = tmp_path / "big.tar"
    write_image_tarball(tar, layers, fmt="docker-save")
    out = tmp_path / "big.html"
    code, _, _ = run_cli(["image", str(tar), "--output", f"html:{out}", "--format", "json"], tmp_path)
    assert code in (0, 1)
    assert out.stat().st_size < 500_000


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        if in_ci():
            pytest.fail("CI is set but chromium is not installed (apt-get install -y chromium)", pytrace=False)
        pytest.skip("chromium is not installed")
    return exe


@pytest.mark.docker
def test_real_image_report_drawn_by_a_browser(tmp_path):
    """Builds the fixture model server for real, writes the HTML report, and has headless Chromium
    draw it: the page is not blank and every layer bar is on it."""
    browser = chromium()
    env = engine_env()
    check_engine(env)
    base = local_python_base(env)
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    (project / "models").mkdir()
    (project / "models" / "classifier.bin").write_bytes(bytes(2_000_000))
    wheels = tmp_path / "wheels"
    r = subprocess.run(["python", "-m", "pip", "download", "-q", "--only-binary=:all:", "--no-deps",
                        "--python-version", "3.11", "--platform", "manylinux2014_x86_64", "-d", str(wheels),
                        "numpy==1.26.4"], capture_output=True, text=True)
    if r.returncode != 0:
        unavailable(f"pip download failed: {r.stderr.strip()[-300:]}")
    html = tmp_path / "report.html"
    with wheel_server(wheels) as url:
        import os

        old = os.environ.get("DOCKER_HOST")
        os.environ["DOCKER_HOST"] = env.get("DOCKER_HOST", old or "")
        try:
            code, out, err = run_cli(["check", "--build", "--network", "host", "--build-arg", f"BASE={base}",
                                      "--build-arg", f"WHEELS={url}", "-q", "--format", "json",
                                      "--output", f"html:{html}", "."], project)
        finally:
            if old is None:
                os.environ.pop("DOCKER_HOST", None)
            else:
                os.environ["DOCKER_HOST"] = old
    assert code in (0, 1), out + err
    image = json.loads(out)["images"][0]
    page = parse(html.read_text())
    assert_image_numbers_match(image, page)
    names = [d["name"] for d in image["distributions"]]
    assert "numpy" in names
    lines = {layer["line"] for layer in image["layers"]}
    assert {5, 7, 9, 10} <= lines  # apt, pip, COPY app.py, COPY models/ each made a layer
    dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", html.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert dom.stdout.count('class="bar layer-bar"') == len(image["layers"])
    shot = tmp_path / "report.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--window-size=1280,1600", f"--screenshot={shot}", html.as_uri()],
                   capture_output=True, text=True, timeout=120)
    from PIL import Image

    with Image.open(shot) as im:
        colours = im.convert("RGB").getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50  # text, bars and tables: not a blank page
    kind_colours = {(0x61, 0x72, 0xf3), (0x12, 0xb7, 0x6a), (0xdd, 0x25, 0x90)}  # os, python, data
    assert kind_colours <= {c for _, c in colours}
    docker(env, "image", "prune", "-f", check=False)
