"""BuildKit's build checks as rules, and `# check=` directives: one line per case."""

from helpers import catches, lint, passes

P = "FROM python:3.11.9-slim\n"


# stage-name-casing (StageNameCasing)
def test_upper_stage_name(tmp_path): catches(tmp_path, "stage-name-casing", "FROM python:3.11.9-slim AS Builder\n", 1)
def test_lower_stage_name(tmp_path): passes(tmp_path, "stage-name-casing", "FROM python:3.11.9-slim AS builder-base\n")


# from-as-casing (FromAsCasing)
def test_upper_from_lower_as(tmp_path): catches(tmp_path, "from-as-casing", "FROM python:3.11.9-slim as b\n", 1)
def test_lower_from_upper_as(tmp_path): catches(tmp_path, "from-as-casing", "from python:3.11.9-slim AS b\n", 1)
def test_matching_case(tmp_path): passes(tmp_path, "from-as-casing", "from python:3.11.9-slim as b\nFROM b AS c\n")
def test_mixed_from_left_to_casing(tmp_path): passes(tmp_path, "from-as-casing", "From python:3.11.9-slim as b\n")


# empty-continuation (NoEmptyContinuation)
def test_blank_line_in_run(tmp_path): catches(tmp_path, "empty-continuation", P + "RUN echo a \\\n\n  && echo b\n", 3)
def test_blank_line_swallows_next_instruction(tmp_path): catches(tmp_path, "empty-continuation", P + "RUN cd /tmp \\\n\nRUN echo b\n", 3)
def test_comment_line_in_run(tmp_path): passes(tmp_path, "empty-continuation", P + "RUN echo a \\\n  # note\n  && echo b\n")
def test_blank_line_in_heredoc(tmp_path): passes(tmp_path, "empty-continuation", P + "RUN <<EOF\necho a\n\necho b\nEOF\n")


# inconsistent-instruction-casing (ConsistentInstructionCasing)
def test_minority_lower(tmp_path): catches(tmp_path, "inconsistent-instruction-casing", P + "run echo\nCOPY a /a\n", 2)
def test_mixed_keyword(tmp_path): catches(tmp_path, "inconsistent-instruction-casing", P + "Copy a /a\n", 2)
def test_all_lower(tmp_path): passes(tmp_path, "inconsistent-instruction-casing", "from python:3.11.9-slim\nrun echo\n")


# reserved-stage-name (ReservedStageName)
def test_scratch_stage(tmp_path): catches(tmp_path, "reserved-stage-name", "FROM python:3.11.9-slim AS scratch\n", 1)
def test_context_stage(tmp_path): catches(tmp_path, "reserved-stage-name", "FROM python:3.11.9-slim AS context\n", 1)
def test_reserved_any_case(tmp_path): catches(tmp_path, "reserved-stage-name", "FROM python:3.11.9-slim AS Scratch\n", 1)
def test_from_scratch_itself(tmp_path): passes(tmp_path, "reserved-stage-name", "FROM scratch\n")


# undefined-arg-in-from (UndefinedArgInFrom)
def test_undeclared_in_from(tmp_path): catches(tmp_path, "undefined-arg-in-from", "FROM python:${PY}-slim\n", 1)
def test_declared_in_stage_only(tmp_path): catches(tmp_path, "undefined-arg-in-from", "FROM python:3.11.9-slim\nARG PY\nFROM python:${PY}-slim\n", 3)
def test_global_arg(tmp_path): passes(tmp_path, "undefined-arg-in-from", "ARG PY=3.11\nFROM python:${PY}-slim\n")
def test_platform_arg(tmp_path): passes(tmp_path, "undefined-arg-in-from", "FROM --platform=$BUILDPLATFORM python:3.11.9-slim\n")
def test_default_form(tmp_path): passes(tmp_path, "undefined-arg-in-from", "FROM python:${PY:-3.11}-slim\n")


# undefined-var (UndefinedVar)
def test_global_arg_not_redeclared(tmp_path): catches(tmp_path, "undefined-var", "ARG DIR=/app\n" + P + "WORKDIR $DIR\n", 3)
def test_global_arg_redeclared(tmp_path): passes(tmp_path, "undefined-var", "ARG DIR=/app\n" + P + "ARG DIR\nWORKDIR $DIR\n")
def test_declared_later(tmp_path): catches(tmp_path, "undefined-var", P + "COPY a /opt/$APP/\nARG APP=x\n", 2)
def test_path_from_base_image(tmp_path): passes(tmp_path, "undefined-var", P + "ENV PATH=$PATH:/opt/bin\nENV PATH=/x:$PATH\n")
def test_run_not_judged(tmp_path): passes(tmp_path, "undefined-var", P + "RUN echo $LATER\nARG LATER=1\n")
def test_default_value_form(tmp_path): passes(tmp_path, "undefined-var", "ARG DIR=/app\n" + P + "WORKDIR ${DIR:-/srv}\n")


# legacy-key-value-format (LegacyKeyValueFormat)
def test_env_legacy(tmp_path): catches(tmp_path, "legacy-key-value-format", P + "ENV PYTHONUNBUFFERED 1\n", 2)
def test_label_legacy(tmp_path): catches(tmp_path, "legacy-key-value-format", P + "LABEL maintainer me\n", 2)
def test_env_equals(tmp_path): passes(tmp_path, "legacy-key-value-format", P + "ENV A=1 B=\"two words\"\n")


# invalid-default-arg-in-from (InvalidDefaultArgInFrom)
def test_arg_without_default(tmp_path): catches(tmp_path, "invalid-default-arg-in-from", "ARG TAG\nFROM python:${TAG}\n", 2)
def test_arg_with_default(tmp_path): passes(tmp_path, "invalid-default-arg-in-from", "ARG TAG=3.11-slim\nFROM python:${TAG}\n")
def test_quoted_default(tmp_path): passes(tmp_path, "invalid-default-arg-in-from", "ARG CUDA_IMAGE=\"12.5.0-devel-ubuntu22.04\"\nFROM nvidia/cuda:${CUDA_IMAGE}\n")  # Docker drops the quotes
def test_build_arg_config_does_not_hide_it(tmp_path): catches(tmp_path, "invalid-default-arg-in-from", "ARG TAG\nFROM python:${TAG}\n", 2, {".mllint-docker.toml": 'build-args = { TAG = "3.11" }\n'})
def test_whole_image_from_arg(tmp_path): catches(tmp_path, "invalid-default-arg-in-from", "ARG IMAGE\nFROM ${IMAGE}\n", 2)


# copy-ignored-file (CopyIgnoredFile)
def test_copy_ignored_dir(tmp_path): catches(tmp_path, "copy-ignored-file", P + "COPY data/ /d/\n", 2, {".dockerignore": "data\n", "data/a.txt": "x"})
def test_copy_file_under_ignored_dir(tmp_path): catches(tmp_path, "copy-ignored-file", P + "COPY data/a.txt /d/\n", 2, {".dockerignore": "data\n"})
def test_copy_not_ignored(tmp_path): passes(tmp_path, "copy-ignored-file", P + "COPY src/ /s/\n", {".dockerignore": "data\n", "src/a.py": "x"})
def test_exceptions_not_judged(tmp_path): passes(tmp_path, "copy-ignored-file", P + "COPY data/ /d/\n", {".dockerignore": "data\n!data/keep\n"})
def test_copy_dot(tmp_path): passes(tmp_path, "copy-ignored-file", P + "COPY . /app\n", {".dockerignore": "data\n"})
def test_copy_from_stage(tmp_path): passes(tmp_path, "copy-ignored-file", P + "COPY --from=python:3.11 /data /d\n", {".dockerignore": "data\n"})


# definition-description (InvalidDefinitionDescription, off by default)
def test_description_wrong(tmp_path): catches(tmp_path, "definition-description", "# the version\nARG PY=3.11\nFROM python:${PY}-slim\n", 2)
def test_description_right(tmp_path): passes(tmp_path, "definition-description", "# PY the version\nARG PY=3.11\nFROM python:${PY}-slim\n")


# expose-proto-casing / expose-invalid-format
def test_expose_upper_proto(tmp_path): catches(tmp_path, "expose-proto-casing", P + "EXPOSE 80/TCP\n", 2)
def test_expose_lower_proto(tmp_path): passes(tmp_path, "expose-proto-casing", P + "EXPOSE 80/tcp 53/udp\n")
def test_expose_host_port(tmp_path): catches(tmp_path, "expose-invalid-format", P + "EXPOSE 8080:80\n", 2)
def test_expose_ip(tmp_path): catches(tmp_path, "expose-invalid-format", P + "EXPOSE 127.0.0.1:80:80/tcp\n", 2)
def test_expose_port(tmp_path): passes(tmp_path, "expose-invalid-format", P + "EXPOSE 80 443/tcp\n")


# redundant-target-platform / constant-platform-flag
def test_target_platform(tmp_path): catches(tmp_path, "redundant-target-platform", "FROM --platform=${TARGETPLATFORM} python:3.11.9-slim\n", 1)
def test_build_platform(tmp_path): passes(tmp_path, "redundant-target-platform", "FROM --platform=$BUILDPLATFORM python:3.11.9-slim\n")
def test_constant_platform(tmp_path): catches(tmp_path, "constant-platform-flag", "FROM --platform=linux/amd64 python:3.11.9-slim\n", 1)
def test_constant_platform_named_stage(tmp_path): passes(tmp_path, "constant-platform-flag", "FROM --platform=linux/arm64 python:3.11.9-slim AS build-arm64\n")
def test_variable_platform(tmp_path): passes(tmp_path, "constant-platform-flag", "FROM --platform=$BUILDPLATFORM python:3.11.9-slim\n")


# `# check=` directives, as `docker build --check` reads them
def test_check_skip_one(tmp_path): passes(tmp_path, "legacy-key-value-format", "# check=skip=LegacyKeyValueFormat\n" + P + "ENV A 1\n")
def test_check_skip_list(tmp_path): passes(tmp_path, "stage-name-casing", "# check=skip=JSONArgsRecommended,StageNameCasing\nFROM python:3.11.9-slim AS B\n")
def test_check_skip_all(tmp_path): passes(tmp_path, "shell-form-cmd", "# check=skip=all\n" + P + "CMD python app.py\n")
def test_check_skip_all_keeps_ours(tmp_path): catches(tmp_path, "apt-recommends", "# check=skip=all\n" + P + "RUN apt-get install -y curl\n", 3)
def test_check_not_at_top(tmp_path): catches(tmp_path, "legacy-key-value-format", P + "# check=skip=LegacyKeyValueFormat\nENV A 1\n", 3)
def test_check_after_syntax(tmp_path): passes(tmp_path, "legacy-key-value-format", "# syntax=docker/dockerfile:1\n# check=skip=LegacyKeyValueFormat\n" + P + "ENV A 1\n")


def test_check_error_true(tmp_path):
    code, findings = lint(tmp_path, {"Dockerfile": "# check=error=true\n" + P + "ENV A 1\nRUN apt-get install -y curl\n"},
                          select="legacy-key-value-format,apt-recommends", extra=["--fail-on", "error"])
    assert {(f["name"], f["severity"]) for f in findings} == {("legacy-key-value-format", "error"), ("apt-recommends", "info")}
    assert code == 1


def test_check_skip_unknown_name(tmp_path):
    _, findings = lint(tmp_path, {"Dockerfile": "# check=skip=NoSuchCheck,InvalidBaseImagePlatform\n" + P}, select="unknown-rule")
    assert [(f["line"], "NoSuchCheck" in f["message"]) for f in findings] == [(1, True)]
