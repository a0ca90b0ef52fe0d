"""The compose model reads a file as Compose does, with the file, line and column of every value; bad
input becomes located errors, never a traceback. (tests/test_compose_docker.py checks the same
reading against `docker compose config` on every fixture.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import lint, write_tree
from mllint_docker.model.compose import compose_projects, interpolate, load_compose, parse_compose, parse_env_file


def load(tmp_path: Path, files: dict[str, str], *names: str):
    write_tree(tmp_path, files)
    paths = [tmp_path / n for n in (names or ("compose.yaml",))]
    return load_compose(paths, tmp_path)


# Interpolation: defaults only --------------------------------------------------------------------

@pytest.mark.parametrize("text, value, unresolved", [
    ("plain", "plain", ()),
    ("${TAG:-3.11}", "3.11", ()),
    ("${TAG-3.11}", "3.11", ()),
    ("${TAG}", "", ("TAG",)),
    ("$TAG", "", ("TAG",)),
    ("python:${TAG}-slim", "python:-slim", ("TAG",)),
    ("${A:-${B:-deep}}", "deep", ()),
    ("${A:-${B}}", "", ("B",)),
    ("${A:?must be set}", "", ("A",)),
    ("${A:+only when set}", "", ("A",)),
    ("$$5 and $${NOT}", "$5 and ${NOT}", ()),
    ("100%$", "100%$", ()),
])
def test_interpolation(text, value, unresolved):
    assert interpolate(text) == (value, unresolved)


def test_the_users_environment_is_never_read(tmp_path, monkeypatch):
    monkeypatch.setenv("TAG", "from-the-shell")
    cf = load(tmp_path, {"compose.yaml": "services:\n  a:\n    image: python:${TAG:-3.11.9}\n"})
    assert cf.services["a"].image.text() == "python:3.11.9"


# Types: YAML 1.2 as Compose's Go library reads it -------------------------------------------------

def test_environment_values_as_compose_prints_them(tmp_path):
    cf = load(tmp_path, {"compose.yaml": "services:\n  a:\n    image: x:1.0.0\n    environment:\n"
                         "      YES: yes\n      ON: on\n      F: 1.50\n      O: 010\n      H: 0x1F\n      B: true\n"
                         "      N: ~\n      Q: 'true'\n"})
    env = {k: v.value for k, v in cf.services["a"].environment.items()}
    assert env == {"YES": "yes", "ON": "on", "F": "1.5", "O": "8", "H": "31", "B": "true", "N": None, "Q": "true"}


def test_both_environment_forms_with_their_lines(tmp_path):
    cf = load(tmp_path, {"compose.yaml": "services:\n  a:\n    image: x:1.0.0\n    environment:\n      - K=V\n"
                         "      - PASS\n      - EMPTY=\n  b:\n    image: x:1.0.0\n    environment:\n      K: V\n"})
    a, b = cf.services["a"].environment, cf.services["b"].environment
    assert (a["K"].value, a["PASS"].value, a["EMPTY"].value) == ("V", None, "")
    assert (a["K"].node.line, a["K"].node.column) == (5, 9)
    assert (b["K"].node.key_span.line, b["K"].node.key_span.column) == (11, 7)


def test_anchors_and_merge_keys(tmp_path):
    cf = load(tmp_path, {"compose.yaml": "x-env: &env\n  LOG: info\nx-base: &base\n  image: x:1.0.0\n  environment: *env\n"
                         "services:\n  a:\n    <<: *base\n  b:\n    <<: *base\n    image: y:2.0.0\n"})
    assert cf.services["a"].image.text() == "x:1.0.0" and cf.services["a"].image.line == 4
    assert cf.services["b"].image.text() == "y:2.0.0"
    assert cf.services["b"].environment["LOG"].value == "info"


# Builds, volumes, devices ----------------------------------------------------------------------------

def test_build_forms(tmp_path):
    cf = load(tmp_path, {"compose.yaml": "services:\n  a:\n    build: ./api\n  b:\n    build:\n      context: docker\n"
                         "      dockerfile: gpu.Dockerfile\n      target: runtime\n      args:\n        - CUDA=12.4.1\n"
                         "        - HF_TOKEN\n      secrets: [hf]\n  c:\n    build: https://github.com/acme/x.git#main\n"})
    a, b, c = (cf.services[n].build for n in "abc")
    assert (a.context, a.dockerfile) == (tmp_path / "api", tmp_path / "api" / "Dockerfile")
    assert (b.dockerfile, b.target, b.secrets) == (tmp_path / "docker" / "gpu.Dockerfile", "runtime", ["hf"])
    assert b.args["CUDA"].text() == "12.4.1" and b.args["HF_TOKEN"] is None
    assert c.context is None and c.dockerfile is None
    assert [d for _, d, _, _ in cf.builds] == [tmp_path / "api" / "Dockerfile", tmp_path / "docker" / "gpu.Dockerfile"]


def test_volume_syntaxes(tmp_path):
    cf = load(tmp_path, {"compose.yaml": "services:\n  a:\n    image: x:1.0.0\n    volumes:\n      - ./models:/models:ro\n"
                         "      - cache:/root/.cache\n      - /tmp\n      - type: bind\n        source: ../data\n"
                         "        target: /data\n        read_only: true\n"})
    vols = [(v.type, v.source, v.target, v.read_only, v.short) for v in cf.services["a"].volumes]
    assert vols == [("bind", str(tmp_path / "models"), "/models", True, True), ("volume", "cache", "/root/.cache", False, True),
                    ("volume", None, "/tmp", False, True), ("bind", str(tmp_path.parent / "data"), "/data", True, False)]


def test_gpu_devices(tmp_path):
    cf = load(tmp_path, {"compose.yaml": "services:\n  a:\n    image: x:1.0.0\n    deploy:\n      resources:\n"
                         "        reservations:\n          devices:\n            - driver: nvidia\n              count: all\n"
                         "              capabilities: [gpu]\n            - driver: nvidia\n              device_ids: ['0', '1']\n"
                         "              capabilities: [gpu]\n"})
    d = cf.services["a"].devices
    assert [(x.driver, x.count, x.device_ids, x.capabilities) for x in d] == [
        ("nvidia", "all", [], ["gpu"]), ("nvidia", None, ["0", "1"], ["gpu"])]


# Layering: override, extends, include --------------------------------------------------------------

def test_the_override_layers_over_the_base(tmp_path):
    files = {"compose.yaml": "services:\n  a:\n    image: x:1.0.0\n    command: [serve]\n    environment: [A=1, B=2]\n"
                             "    volumes: ['./models:/models:ro', './a:/a']\n",
             "compose.override.yaml": "services:\n  a:\n    command: [debug]\n    environment: {B: 3}\n"
                                      "    volumes: ['./dev-models:/models']\n"}
    write_tree(tmp_path, files)
    cf = parse_compose(tmp_path / "compose.yaml", tmp_path)
    a = cf.services["a"]
    assert a.words("command") == ["debug"]
    assert {k: v.value for k, v in a.environment.items()} == {"A": "1", "B": "3"}
    assert a.environment["B"].node.file == tmp_path / "compose.override.yaml"
    assert [(v.source, v.read_only) for v in a.volumes] == [(str(tmp_path / "dev-models"), False), (str(tmp_path / "a"), False)]


def test_which_files_make_a_project(tmp_path):
    write_tree(tmp_path, {"compose.yaml": "", "compose.override.yaml": "", "docker-compose.yml": "",
                          "docker-compose.prod.yml": "", "other/docker-compose.override.yml": ""})
    names = [[p.relative_to(tmp_path).as_posix() for p in g] for g in compose_projects(sorted(
        p for p in tmp_path.rglob("*.y*ml")))]
    assert names == [["compose.yaml", "compose.override.yaml"], ["docker-compose.prod.yml"], ["docker-compose.yml"],
                     ["other/docker-compose.override.yml"]]


def test_extends_another_file_resolves_paths_there(tmp_path):
    cf = load(tmp_path, {"compose.yaml": "services:\n  a:\n    extends:\n      file: common/base.yml\n      service: b\n"
                         "    environment: {OWN: '1'}\n",
                         "common/base.yml": "services:\n  b:\n    build: ../worker\n    environment: {BASE: '1'}\n"
                                            "    volumes: ['./data:/data']\n"})
    a = cf.services["a"]
    assert a.build.context == tmp_path / "worker"
    assert a.volumes[0].source == str(tmp_path / "common" / "data")
    assert set(a.environment) == {"BASE", "OWN"}
    assert tmp_path / "common" / "base.yml" in cf.files


def test_include(tmp_path):
    cf = load(tmp_path, {"compose.yaml": "include:\n  - infra/compose.yaml\nservices:\n  a:\n    image: x:1.0.0\n",
                         "infra/compose.yaml": "services:\n  db:\n    image: postgres:16.4\n    volumes: ['./pg:/pg']\n"})
    assert sorted(cf.services) == ["a", "db"]
    assert cf.services["db"].volumes[0].source == str(tmp_path / "infra" / "pg")
    assert cf.services["db"].image.file == tmp_path / "infra" / "compose.yaml"


def test_env_file_values_under_environment(tmp_path):
    cf = load(tmp_path, {"compose.yaml": "services:\n  a:\n    image: x:1.0.0\n    env_file: [app.env]\n"
                         "    environment: {B: own}\n",
                         "app.env": "# comment\nA=1\nexport B=from-file\nC=\"quoted # not a comment\"\nD=${A}-x # comment\n"})
    env = {k: v.value for k, v in cf.services["a"].environment.items()}
    assert env == {"A": "1", "B": "own", "C": "quoted # not a comment", "D": "1-x"}
    assert cf.services["a"].environment["A"].env_file == tmp_path / "app.env"


def test_env_file_parser_multiline_and_single_quotes(tmp_path):
    (tmp_path / "x.env").write_text("K='a $B'\nM=\"line1\nline2\"\nN=after\n")
    values, problem = parse_env_file(tmp_path / "x.env")
    assert problem is None
    assert [(n, v, line) for n, v, line, _ in values] == [("K", "a $B", 1), ("M", "line1\nline2", 2), ("N", "after", 4)]


# Nothing outside the project is read -------------------------------------------------------------

def test_include_and_extends_outside_the_project_are_refused(tmp_path):
    (tmp_path / "outside.yml").write_text("services:\n  o:\n    image: x:1.0.0\n")
    files = {"compose.yaml": "include: [../outside.yml]\nservices:\n  a:\n    extends: {file: ../outside.yml, service: o}\n"}
    write_tree(tmp_path / "p", files)
    cf = load_compose([tmp_path / "p" / "compose.yaml"], tmp_path / "p")
    assert [(line, "outside the project" in message) for _, line, message in cf.outside] == [(1, True), (4, True)]
    assert tmp_path / "outside.yml" not in cf.files and not cf.errors


def test_references_outside_are_findings_never_reads(tmp_path):
    (tmp_path / "secrets.env").write_text("DB_PASSWORD=hunter2\n")
    (tmp_path / "outside.yml").write_text("services:\n  o:\n    image: x:1.0.0\n")
    code, findings = lint(tmp_path / "p", {".git/HEAD": "ref: refs/heads/main\n", "compose.yaml":
                          "include: [../outside.yml]\nservices:\n  a:\n    image: x:1.0.0\n    env_file: ../secrets.env\n"})
    got = sorted((f["file"], f["line"], f["name"]) for f in findings)
    assert got == [("compose.yaml", 1, "reference-outside-project"), ("compose.yaml", 5, "reference-outside-project")]


# Bad input: located errors, never a traceback ----------------------------------------------------

@pytest.mark.parametrize("text, line, words", [
    ("services:\n  a:\n    image: [unclosed\n", 4, "invalid YAML"),
    ("services:\n\t a:\n", 2, "invalid YAML"),
    ("- a\n- b\n", 1, "top level"),
    ("services: 5\n", 1, "`services` must be a mapping"),
    ("services:\n  a: 5\n", 2, "service 'a' must be a mapping"),
    ("services:\n  a:\n    build: 5\n", 3, "`build`"),
    ("services:\n  a:\n    image: x\n    environment: 5\n", 4, "`environment`"),
    ("services:\n  a:\n    image: x\n    volumes: {a: b}\n", 4, "`volumes` must be a list"),
    ("services:\n  a:\n    image: x\n    environment: {K: {nested: 1}}\n", 4, "environment variable 'K'"),
    ("services:\n  a:\n    image: x\n  a:\n    image: y\n", 4, "already defined"),
    ("services:\n  a:\n    image: ${\n", 3, "interpolation"),
    ("services:\n  a:\n    extends: a\n", 3, "cycle"),
    ("services:\n  a:\n    extends: {service: nope}\n", 3, "does not define"),
    ("include: [missing.yaml]\n", 1, "does not exist"),
    ("services:\n  a:\n    healthcheck: yes\n", 3, "`healthcheck` must be a mapping"),
    ("services:\n  a:\n    image: x\n    deploy: {resources: {reservations: {devices: [1]}}}\n", 4, "device request"),
])
def test_malformed(tmp_path, text, line, words):
    cf = load(tmp_path, {"compose.yaml": text})
    assert cf.errors, text
    assert (cf.errors[0].line, words in cf.errors[0].message) == (line, True), cf.errors


@pytest.mark.parametrize("depth", [150, 5000])
def test_deep_nesting(tmp_path, depth):
    cf = load(tmp_path, {"compose.yaml": "services:\n  a:\n    x-deep: " + "[" * depth + "]" * depth + "\n"})
    assert cf.errors and "nest" in cf.errors[0].message and cf.errors[0].line == 3


def test_alias_bomb(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    cf = load(tmp_path, {"compose.yaml": "\n".join(lines) + "\nservices: {}\n"})
    assert cf.errors and "aliases" in cf.errors[0].message


def test_huge_numbers_are_located_errors(tmp_path):
    cf = load(tmp_path, {"compose.yaml": "services:\n  a:\n    image: x:1.0.0\n    cpus: " + "9" * 5000 + "\n"
                         "    mem_limit: 1e400\n    environment:\n      INF: .inf\n      OK: 18446744073709551615\n"
                         "    deploy: {resources: {reservations: {devices: [{count: 99999999999999999999999}]}}}\n"})
    assert [(e.line, e.column) for e in cf.errors] == [(4, 11), (5, 16), (9, 59)]
    assert "out of range" in cf.errors[0].message and "5000 characters" in cf.errors[0].message
    assert {k: v.value for k, v in cf.services["a"].environment.items()} == {"INF": "+Inf", "OK": "18446744073709551615"}


def test_every_bad_file_is_a_located_finding_and_the_rest_is_linted(tmp_path):
    code, findings = lint(tmp_path, {
        "a/compose.yaml": "services:\n  a:\n    image: [unclosed\n",
        "b/compose.yaml": b"\xff\xfe\x00\x01binary",
        "c/compose.yaml": 100 * 1024 * 1024,
        "d/compose.yaml": "services:\n  d:\n    image: qdrant/qdrant\n",
        "e/compose.yaml": "",
    })
    got = sorted((f["file"], f["line"], f["name"]) for f in findings)
    assert code == 1
    assert ("a/compose.yaml", 4, "parse-error") in got
    assert ("b/compose.yaml", None, "parse-error") in got
    assert ("c/compose.yaml", None, "parse-error") in got
    assert ("d/compose.yaml", 3, "base-image-unpinned") in got
    assert not [g for g in got if g[0] == "e/compose.yaml"]


def test_mangled_fixtures_never_raise(tmp_path):
    """Seeded mutations of every compose fixture (YAML tokens, anchors, interpolation, wrong types
    inserted or text cut out) load without an exception: errors are data."""
    import random

    fixtures = Path(__file__).parent / "fixtures"
    sources = [p.read_text() for p in sorted(fixtures.rglob("*")) if p.is_file()
               and p.name.startswith(("compose", "docker-compose")) and p.suffix in (".yaml", ".yml")]
    tokens = ["{", "}", "[", "]", ":", "- ", "&a", "*a", "<<: *a", "${", "$$", "${X:-", "\t", "\n", "  ", "~",
              "!!str", "? ", "|", ">", "'", '"', "1e999", "- *a", "extends: x", "include: [a]", "volumes: 5",
              "build:", "environment:", "count: all", "env_file: 3", "healthcheck: []"]
    rng = random.Random(15)
    for _ in range(500):
        text = list(rng.choice(sources))
        for _ in range(rng.randint(1, 6)):
            pos = rng.randrange(len(text) + 1)
            if rng.random() < 0.4 and text:
                del text[pos : pos + rng.randint(1, 5)]
            else:
                text[pos:pos] = list(rng.choice(tokens))
        (tmp_path / "compose.yaml").write_text("".join(text))
        cf = load_compose([tmp_path / "compose.yaml"], tmp_path)
        for s in cf.services.values():
            assert isinstance(s.has_healthcheck, bool) and isinstance(s.words("command"), list)


def test_explicit_tags_and_yaml_1_2_floats(tmp_path):
    cf = load(tmp_path, {"compose.yaml": "services:\n  a:\n    image: x:1.0.0\n    environment:\n"
                         "      LR: 1e-4\n      PY: 3.10\n      S: !!str 010\n      A: &v !!str 1.50\n"})
    env = {k: v.value for k, v in cf.services["a"].environment.items()}
    assert env == {"LR": "0.0001", "PY": "3.1", "S": "010", "A": "1.50"}


def test_extending_service_keeps_the_context_it_inherits(tmp_path):
    cf = load(tmp_path, {"compose.yaml": "services:\n  a:\n    extends: {file: sub/base.yml, service: b}\n"
                         "    build:\n      args: {X: '1'}\n",
                         "sub/base.yml": "services:\n  b:\n    build: ../worker\n"})
    assert cf.services["a"].build.context == tmp_path / "worker"
    assert cf.services["a"].build.args["X"].text() == "1"
