# syntax=docker/dockerfile:1
# An image for running mllint-docker in CI: docker run --rm -v "$PWD:/work" mllint-docker
FROM python:3.11.9-slim AS build
WORKDIR /src
COPY requirements-dev.txt ./
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements-dev.txt
COPY pyproject.toml README.md ./
COPY mllint_docker ./mllint_docker
COPY rules ./rules
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11.9-slim
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels mllint-docker==0.1.0 \
    && rm -rf /wheels \
    && useradd --create-home mllint
USER mllint
WORKDIR /work
ENTRYPOINT ["mllint"]
CMD ["check", "."]
