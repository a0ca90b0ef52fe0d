"""mllint-docker: a linter for the container setup of machine-learning projects."""

__version__ = "0.1.0"
