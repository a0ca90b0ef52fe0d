"""mllint-docker: a linter for the container setup of machine-learning projects."""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/mllint-docker/mllint-docker"
