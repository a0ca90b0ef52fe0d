"""apt-install-without-yes (MLD145) and apk-cache-kept (MLD146): one line per case."""

from helpers import found, lint

P = "FROM debian:12.5\n"
A = "FROM alpine:3.20\n"
U = "USER nobody\n"


def hits(tmp_path, rule: str, dockerfile: str) -> list[int | None]:
    return [line for _, line in found(lint(tmp_path, {"Dockerfile": dockerfile, ".dockerignore": ".git\n"}, select=rule)[1], rule)]


def catches(tmp_path, rule, dockerfile, line): assert hits(tmp_path, rule, dockerfile) == [line]
def passes(tmp_path, rule, dockerfile): assert hits(tmp_path, rule, dockerfile) == []


Y = "apt-install-without-yes"
def test_no_yes(tmp_path): catches(tmp_path, Y, P + "RUN apt-get update && apt-get install curl\n" + U, 2)
def test_apt_no_yes(tmp_path): catches(tmp_path, Y, P + "RUN apt update && apt install git\n" + U, 2)
def test_continued(tmp_path): catches(tmp_path, Y, P + "RUN apt-get update \\\n && apt-get install \\\n    curl\n" + U, 3)
def test_sudo(tmp_path): catches(tmp_path, Y, P + "RUN sudo apt-get install curl\n" + U, 2)
def test_dash_y(tmp_path): passes(tmp_path, Y, P + "RUN apt-get install -y curl\n" + U)
def test_yes_after_packages(tmp_path): passes(tmp_path, Y, P + "RUN apt-get install curl --yes\n" + U)
def test_assume_yes(tmp_path): passes(tmp_path, Y, P + "RUN apt-get install --assume-yes curl\n" + U)
def test_cluster(tmp_path): passes(tmp_path, Y, P + "RUN apt-get install -qy curl\n" + U)
def test_quiet_two(tmp_path): passes(tmp_path, Y, P + "RUN apt-get install -qq curl\n" + U)
def test_quiet_level(tmp_path): passes(tmp_path, Y, P + "RUN apt-get -q=2 install curl\n" + U)
def test_apt_config(tmp_path): passes(tmp_path, Y, P + "RUN apt-get -o APT::Get::Assume-Yes=true install curl\n" + U)
def test_update_only(tmp_path): passes(tmp_path, Y, P + "RUN apt-get update\n" + U)

K = "apk-cache-kept"
def test_apk_add(tmp_path): catches(tmp_path, K, A + "RUN apk add python3\n" + U, 2)
def test_apk_update_add(tmp_path): catches(tmp_path, K, A + "RUN apk update && apk add --virtual .build gcc\n" + U, 2)
def test_apk_no_cache(tmp_path): passes(tmp_path, K, A + "RUN apk add --no-cache python3\n" + U)
def test_apk_rm_cache(tmp_path): passes(tmp_path, K, A + "RUN apk add python3 && rm -rf /var/cache/apk/*\n" + U)
def test_apk_cache_clean(tmp_path): passes(tmp_path, K, A + "RUN apk add python3 && apk cache clean\n" + U)
def test_apk_cache_mount(tmp_path): passes(tmp_path, K, A + "RUN --mount=type=cache,target=/var/cache/apk apk add python3\n" + U)
def test_apk_del(tmp_path): passes(tmp_path, K, A + "RUN apk del python3\n" + U)
