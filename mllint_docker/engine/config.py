"""Configuration: `[tool.mllint-docker]` in pyproject.toml or `.mllint-docker.toml`, validated once,
up front, so rules never see a bad option. Errors name the file, the key and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from mllint_docker.finding import SEVERITIES
from mllint_docker.units import parse_size

CONFIG_FILES = (".mllint-docker.toml", "pyproject.toml")


class ConfigError(Exception):
    """A bad configuration: the CLI prints it and exits with 2."""


@dataclass
class Config:
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    fail_on: str = "warning"
    data_file_size: int = 1_000_000
    large_file_size: int = 50_000_000
    context_size: int = 1_000_000_000
    contexts: dict[str, str] = field(default_factory=dict)
    build_args: dict[str, str] = field(default_factory=dict)
    max_image_size: int | None = None
    image_budgets: dict[str, int] = field(default_factory=dict)
    wasted_space_share: float = 0.10
    extend_safe_fixes: list[str] = field(default_factory=list)  # rules whose unsafe fixes count as safe
    extend_unsafe_fixes: list[str] = field(default_factory=list)  # rules whose safe fixes count as unsafe
    path: Path | None = None  # the file it came from
    # Where each key came from, for messages: key -> "file: [tool.mllint-docker] key".
    origin: dict[str, str] = field(default_factory=dict)


def _str_list(v: Any) -> list[str]:
    if isinstance(v, str):
        return [v]
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return list(v)
    raise ValueError("expected a list of strings")


def _level(v: Any) -> str:
    if v not in SEVERITIES:
        raise ValueError(f"expected one of {', '.join(SEVERITIES)}, got {v!r}")
    return v


def _level_map(v: Any) -> dict[str, str]:
    if not isinstance(v, dict):
        raise ValueError("expected a table of rule = severity")
    return {str(k): _level(x) for k, x in v.items()}


def _list_map(v: Any) -> dict[str, list[str]]:
    if not isinstance(v, dict):
        raise ValueError("expected a table of glob = [rules]")
    return {str(k): _str_list(x) for k, x in v.items()}


def _str_map(v: Any) -> dict[str, str]:
    if not isinstance(v, dict) or not all(isinstance(x, (str, int, float)) for x in v.values()):
        raise ValueError("expected a table of strings")
    return {str(k): str(x) for k, x in v.items()}


def _size_map(v: Any) -> dict[str, int]:
    if not isinstance(v, dict):
        raise ValueError("expected a table of path = size")
    return {str(k): parse_size(x) for k, x in v.items()}


def _share(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
        raise ValueError("expected a number between 0 and 1")
    return float(v)


# Every key a user may write, with its validator. The names are public API.
KEYS: dict[str, Callable[[Any], Any]] = {
    "select": _str_list,
    "extend-select": _str_list,
    "ignore": _str_list,
    "severity": _level_map,
    "per-file-ignores": _list_map,
    "exclude": _str_list,
    "fail-on": _level,
    "data-file-size": parse_size,
    "large-file-size": parse_size,
    "context-size": parse_size,
    "contexts": _str_map,
    "build-args": _str_map,
    "max-image-size": parse_size,
    "image-budgets": _size_map,
    "wasted-space-share": _share,
    "extend-safe-fixes": _str_list,
    "extend-unsafe-fixes": _str_list,
}


def find_config(start: Path) -> Path | None:
    """The nearest `.mllint-docker.toml`, or pyproject.toml with a [tool.mllint-docker] table."""
    start = start.resolve()
    for d in [start, *start.parents]:
        for name in CONFIG_FILES:
            f = d / name
            if f.is_file():
                if name == "pyproject.toml" and "mllint-docker" not in f.read_text(errors="replace"):
                    continue
                return f
        if (d / ".git").exists():
            break
    return None


def load_config(path: Path | None) -> Config:
    cfg = Config()
    if path is None:
        return cfg
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"{path}: cannot read config: {err.strerror or err}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    except ValueError as err:  # tomllib lets some (e.g. a 5000-digit integer) through as ValueError
        raise ConfigError(f"{path}: invalid TOML: {str(err)[:120]}") from None
    table = "[tool.mllint-docker]" if path.name == "pyproject.toml" else ""
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("mllint-docker", {})
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: [tool.mllint-docker] must be a table")
    cfg.path = path
    apply(cfg, data, f"{path}: {table + ' ' if table else ''}")
    return cfg


def apply(cfg: Config, data: dict[str, Any], where: str) -> None:
    """Validates and sets keys; raises ConfigError naming the key and what is allowed."""
    for key, value in data.items():
        validator = KEYS.get(key)
        if validator is None:
            allowed = ", ".join(sorted(KEYS))
            raise ConfigError(f"{where}unknown key {key!r} (allowed: {allowed})")
        try:
            setattr(cfg, key.replace("-", "_"), validator(value))
        except (ValueError, OverflowError, RecursionError) as err:
            raise ConfigError(f"{where}{key}: {err}") from None
        cfg.origin[key] = f"{where}{key}"
