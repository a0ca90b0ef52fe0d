"""The rule registry. A rule is one small module in this package: its metadata in the `@rule(...)`
call, then a `check` generator that reads the model and yields `Issue`s. Every module here is a rule
module; importing them fills the registry.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable, Iterable

from mllint_docker.finding import Issue

__all__ = ["Issue", "Rule", "rule", "all_rules", "by_selector"]

# Scopes: what `check` receives as its first argument.
#   dockerfile   -> mllint_docker.dockerfile.Dockerfile (with the Project as second argument)
#   requirements -> mllint_docker.requirements.RequirementsFile
#   image        -> mllint_docker.image report (only with --build / `mllint image`)
#   compose      -> mllint_docker.model.compose.ComposeFile (a base file with its override, includes, extends)
#   manifest     -> mllint_docker.model.manifests.Manifest (conda env, pyproject, Pipfile, lock files)
SCOPES = ("dockerfile", "requirements", "image", "manifest", "compose")



@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    scope: str
    summary: str
    check: Callable[..., Iterable[Issue]] | None
    default: bool = True
    hadolint: tuple[str, ...] = ()
    # BuildKit's build checks (`docker build --check`) that judge the same thing.
    buildkit: tuple[str, ...] = ()

    @property
    def group(self) -> str:
        return GROUPS.get(self.code[:4], "")


GROUPS = {
    "MLD0": "meta",
    "MLD1": "dockerfile",
    "MLD2": "dependencies",
    "MLD3": "build context",
    "MLD4": "security",
    "MLD5": "image",
    "MLD6": "gpu",
    "MLD7": "compose",
}

_registry: dict[str, Rule] = {}
_extra_checks: dict[str, dict[str, Callable]] = {}
_loaded = False


def rule(code: str, name: str, severity: str, *, scope: str, summary: str, default: bool = True,
         hadolint: tuple[str, ...] = (), buildkit: tuple[str, ...] = ()):
    """Registers the decorated `check` function as a rule."""

    def register(fn):
        _registry[code] = Rule(code, name, severity, scope, summary, fn, default, hadolint, buildkit)
        return fn

    return register


def also(code: str, scope: str):
    """Registers the decorated function as a second check of rule `code`, for another scope: one
    rule, one name, findings in Dockerfiles and in requirements files alike."""

    def register(fn):
        _extra_checks.setdefault(code, {})[scope] = fn
        return fn

    return register


def checks_for(r: Rule, scope: str) -> list[Callable[..., Iterable[Issue]]]:
    """The rule's check functions that receive targets of `scope`."""
    out = [r.check] if r.scope == scope and r.check is not None else []
    extra = _extra_checks.get(r.code, {}).get(scope)
    return out + ([extra] if extra is not None else [])


def declare(code: str, name: str, severity: str, *, scope: str, summary: str, default: bool = True,
            hadolint: tuple[str, ...] = ()) -> Rule:
    """A rule whose findings the engine itself emits (parse errors, internal errors)."""
    r = Rule(code, name, severity, scope, summary, None, default, hadolint)
    _registry[code] = r
    return r


def all_rules() -> list[Rule]:
    global _loaded
    if not _loaded:
        import pkgutil

        for mod in sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")):
            importlib.import_module(f"mllint_docker.rules.{mod}")
        _loaded = True
    return sorted(_registry.values(), key=lambda r: r.code)


def by_name(name_or_code: str) -> Rule | None:
    key = name_or_code.strip()
    for r in all_rules():
        if r.code.lower() == key.lower() or r.name == key.lower():
            return r
    return None


def by_selector(selector: str) -> list[Rule]:
    """A code, a name, a code prefix (`MLD1`) or `ALL`; [] when nothing matches."""
    s = selector.strip()
    if s.upper() == "ALL":
        return all_rules()
    exact = by_name(s)
    if exact is not None:
        return [exact]
    if is_hadolint_code(s):  # hadolint's code stands for our equivalent rules
        return by_hadolint(s)
    return [r for r in all_rules() if r.code.upper().startswith(s.upper()) and len(s) >= 3]


def by_hadolint(code: str) -> list[Rule]:
    return [r for r in all_rules() if code.upper() in r.hadolint]


def is_hadolint_code(code: str) -> bool:
    """`DL3007`: a hadolint rule code (ShellCheck's `SC` codes are not rules of ours either)."""
    c = code.strip().upper()
    return len(c) == 6 and c.startswith("DL") and c[2:].isdigit()


def suggest(name: str) -> str | None:
    """The closest rule name or code to a misspelt one (`base-image-unpined` -> `base-image-unpinned`)."""
    import difflib

    rules = all_rules()
    close = difflib.get_close_matches(name.strip(), [r.name for r in rules], n=1, cutoff=0.7)
    if not close:
        close = difflib.get_close_matches(name.strip().upper(), [r.code for r in rules], n=1, cutoff=0.8)
    return close[0] if close else None


def by_buildkit(name: str) -> list[Rule]:
    """Our rules that judge what BuildKit's check `name` (`StageNameCasing`) judges; case-insensitive."""
    key = name.strip().lower()
    return [r for r in all_rules() if key in (b.lower() for b in r.buildkit)]
