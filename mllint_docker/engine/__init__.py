"""The engine: runs the selected rules over the model, then suppresses (pragmas, per-file ignores,
baselines) what the user asked to silence. `config.py` validates the configuration once, up front."""

from mllint_docker.engine.lint import Engine, Selection, select_rules

__all__ = ["Engine", "Selection", "select_rules"]
