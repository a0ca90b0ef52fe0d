"""Configuration: `[tool.mllint-docker]` in pyproject.toml or `.mllint-docker.toml`, validated once,
up front, so rules never see a bad option. Errors name the file, line and column, the key and what is
allowed.

Hierarchical, as ruff's: every file uses the closest config file at or above its directory (up to
the repository root), so a file's results do not depend on where the linter runs from or whether
its file or its folder was named. `exclude` and `per-file-ignores` globs use gitignore's semantics
(pathspec), relative to the config file's directory.
"""

from __future__ import annotations

import os
import re
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
    respect_hadolint_config: bool = True
    extend_safe_fixes: list[str] = field(default_factory=list)  # rules whose unsafe fixes count as safe
    extend_unsafe_fixes: list[str] = field(default_factory=list)  # rules whose safe fixes count as unsafe
    path: Path | None = None  # the file it came from
    # Where each key came from, for messages: key -> "file: [tool.mllint-docker] key".
    origin: dict[str, str] = field(default_factory=dict)
    source: str = field(default="", repr=False)  # the file's text, to point at a line in messages
    resolver: "ConfigResolver | None" = field(default=None, repr=False, compare=False)
    _specs: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def base(self) -> Path:
        """The directory `exclude`, `per-file-ignores` and `contexts` are relative to."""
        if self.path is not None:
            return Path(os.path.abspath(self.path.parent))
        return Path(os.path.abspath(self.resolver.default_base if self.resolver else Path.cwd()))

    def for_path(self, path: Path) -> "Config":
        """The config that applies to `path` (the closest one above it)."""
        return self.resolver.for_path(path) if self.resolver is not None else self

    def excluded(self, path: Path, named: bool = False) -> bool:
        if self.resolver is not None:
            return self.resolver.excluded(path, named)
        return self.matches("exclude", self.exclude, path)

    def matches(self, kind: str, patterns: list[str], path: Path, is_dir: bool | None = None) -> bool:
        """Whether gitignore-style `patterns` (relative to this config's directory) match `path`."""
        if not patterns:
            return False
        rel = os.path.relpath(os.path.abspath(path), self.base).replace(os.sep, "/")
        if rel == "." or rel.startswith("../"):
            return False
        if is_dir if is_dir is not None else os.path.isdir(path):
            rel += "/"
        return glob_spec(tuple(patterns)).match_file(rel)

    def where(self, key: str, value: str | None = None) -> str:
        """`file:line:col: ` of a key (or of a value under it) for messages; `--key: ` without a file."""
        if self.path is None:
            return f"config {key}: "
        line, col = locate(self.source, key, value)
        return f"{self.path}:{line}:{col}: {key}: " if line else f"{self.path}: {key}: "


def glob_spec(patterns: tuple[str, ...]):
    """gitignore-style patterns, compiled once per distinct list."""
    spec = _SPECS.get(patterns)
    if spec is None:
        import warnings

        import pathspec

        with warnings.catch_warnings():  # `[[x]`: Python's regex FutureWarning is not the user's business
            warnings.simplefilter("ignore", FutureWarning)
            spec = _SPECS[patterns] = pathspec.GitIgnoreSpec.from_lines(patterns)
    return spec


_SPECS: dict = {}


def locate(source: str, key: str, value: str | None = None) -> tuple[int | None, int | None]:
    """Line and column (1-based) of `key` in a config's text, or of `value` written under it."""
    lines = source.splitlines()
    start = 0
    for n, text in enumerate(lines):
        if re.match(r"\s*\[\s*tool\s*\.\s*[\"']?mllint-docker", text):
            start = n
            break
    key_re = re.compile(r"(^|[\s{,.\[])[\"']?" + re.escape(key) + r"[\"']?\s*(=|\])")
    for n in range(start, len(lines)):
        m = key_re.search(lines[n])
        if m:
            if value is None:
                return n + 1, m.start() + len(m.group(1)) + 1
            for k in range(n, len(lines)):
                for q in ('"', "'"):
                    col = lines[k].find(q + value + q)
                    if col >= 0:
                        return k + 1, col + 1
            return n + 1, m.start() + len(m.group(1)) + 1
    return None, None


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


def _bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError("expected true or false")
    return v


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
    "respect-hadolint-config": _bool,
    "extend-safe-fixes": _str_list,
    "extend-unsafe-fixes": _str_list,
}


def _inside_check(f: Path, d: Path) -> None:
    """A config file found in a tree must not be a symlink out of it (the tree may be a fork's pull
    request): it is refused, not read."""
    if not f.is_symlink():
        return
    top = next((p for p in [d, *d.parents] if (p / ".git").exists()), d)
    real = f.resolve()
    if not (real == top or top in real.parents):
        raise ConfigError(f"{f}: a symlink to a file outside the project; not read")


def has_table(path: Path) -> bool:
    """A pyproject.toml counts only when it has a [tool.mllint-docker] table."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    if "mllint-docker" not in text:
        return False
    import tomllib

    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return True  # it means to configure us: loading it reports where it is broken
    tool = data.get("tool")
    return isinstance(tool, dict) and "mllint-docker" in tool


def find_config(start: Path) -> Path | None:
    """The nearest `.mllint-docker.toml`, or pyproject.toml with a [tool.mllint-docker] table, at or
    above `start`, up to the repository root."""
    start = Path(os.path.abspath(start))
    if start.is_file() or not start.exists():
        start = start.parent
    for d in [start, *start.parents]:
        for name in CONFIG_FILES:
            f = d / name
            if f.is_file():
                _inside_check(f, d)
                if name == "pyproject.toml" and not has_table(f):
                    continue
                return f
        if (d / ".git").exists():
            break
    return None


_TOML_POS = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


def load_config(path: Path | None) -> Config:
    cfg = Config()
    if path is None:
        return cfg
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as err:
        raise ConfigError(f"{path}: cannot read config: {err.strerror or err}") from None
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 ({err.reason})") from None
    except tomllib.TOMLDecodeError as err:
        m = _TOML_POS.search(str(err))
        where = f"{path}:{m.group(1)}:{m.group(2)}" if m else str(path)
        raise ConfigError(f"{where}: invalid TOML: {_TOML_POS.sub('', str(err))}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    except ValueError as err:  # tomllib lets some (e.g. a 5000-digit integer) through as ValueError
        raise ConfigError(f"{path}: invalid TOML: {str(err)[:120]}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("mllint-docker", {})
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: [tool.mllint-docker] must be a table")
    cfg.path = path
    cfg.source = text
    apply(cfg, data)
    return cfg


def apply(cfg: Config, data: dict[str, Any]) -> None:
    """Validates and sets keys; raises ConfigError naming file, line, column, the key and what is allowed."""
    import difflib

    for key, value in data.items():
        validator = KEYS.get(key)
        if validator is None:
            close = difflib.get_close_matches(key, list(KEYS), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            allowed = ", ".join(sorted(KEYS))
            line, col = locate(cfg.source, key)
            where = f"{cfg.path}:{line}:{col}: " if line else f"{cfg.path}: "
            raise ConfigError(f"{where}unknown key {key!r} ({hint}allowed: {allowed})")
        try:
            setattr(cfg, key.replace("-", "_"), validator(value))
        except (ValueError, OverflowError, RecursionError) as err:
            raise ConfigError(f"{cfg.where(key)}{err}") from None
        cfg.origin[key] = key


class ConfigResolver:
    """Which config applies where. With `fixed` (`--config FILE`, `--isolated`), that one everywhere;
    otherwise the closest config file above each directory, each file loaded once."""

    def __init__(self, fixed: Config | None = None, default_base: Path | None = None):
        self.fixed = fixed
        self.default_base = Path(os.path.abspath(default_base or Path.cwd()))
        self.default = Config(resolver=self)
        self._by_dir: dict[Path, Config] = {}
        self._by_file: dict[Path, Config] = {}
        if fixed is not None:
            fixed.resolver = self

    def for_dir(self, d: Path) -> Config:
        """The config of the closest config file at or above `d` (up to the repository root);
        each directory is looked at once."""
        d = Path(os.path.abspath(d))
        if self.fixed is not None:
            return self.fixed
        cfg = self._by_dir.get(d)
        if cfg is None:
            path = self._config_file_in(d)
            if path is not None:
                cfg = self._by_file.get(path)
                if cfg is None:
                    cfg = self._by_file[path] = load_config(path)
                    cfg.resolver = self
            elif d.parent == d or (d / ".git").exists():
                cfg = self.default
            else:
                cfg = self.for_dir(d.parent)
            self._by_dir[d] = cfg
        return cfg

    @staticmethod
    def _config_file_in(d: Path) -> Path | None:
        for name in CONFIG_FILES:
            f = d / name
            if f.is_file():
                _inside_check(f, d)
                if name != "pyproject.toml" or has_table(f):
                    return f
        return None

    def for_path(self, path: Path) -> Config:
        path = Path(os.path.abspath(path))
        return self.for_dir(path if path.is_dir() else path.parent)

    def configs(self) -> list[Config]:
        """Every config loaded so far."""
        return [self.fixed] if self.fixed is not None else [self.default, *self._by_file.values()]

    def excluded(self, path: Path, named: bool = False) -> bool:
        """A walked entry: by the config of its directory. A named file: by the config of each of its
        ancestors too (as ruff's --force-exclude), so pre-commit honours a parent's `exclude`."""
        path = Path(os.path.abspath(path))
        chain = [path, *path.parents] if named else [path]
        for i, p in enumerate(chain):
            if p.parent == p:
                break
            cfg = self.for_dir(p.parent)
            if cfg.exclude and cfg.matches("exclude", cfg.exclude, p, is_dir=True if i else None):
                return True
        return False
