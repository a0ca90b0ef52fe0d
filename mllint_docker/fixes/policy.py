"""Which fixes apply: ruff's safe/unsafe/display model with per-rule overrides from the config."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from mllint_docker.engine.config import Config, ConfigError
from mllint_docker.finding import Finding
from mllint_docker.rules import by_selector


@dataclass(frozen=True)
class FixPolicy:
    unsafe: bool = False  # --unsafe-fixes
    extend_safe: frozenset[str] = field(default_factory=frozenset)  # rule codes
    extend_unsafe: frozenset[str] = field(default_factory=frozenset)

    def applicability(self, f: Finding) -> str | None:
        """The finding's fix applicability after the config's overrides; None without an edit."""
        if f.edit is None or not f.edit.edits:
            return None
        a = f.edit.applicability
        if a == "display":
            return a
        if f.code in self.extend_unsafe:
            return "unsafe"
        if f.code in self.extend_safe:
            return "safe"
        return a

    def applies(self, f: Finding) -> bool:
        a = self.applicability(f)
        return a == "safe" or (a == "unsafe" and self.unsafe)


def fix_policy(config: Config, unsafe: bool) -> FixPolicy:
    """Resolves `extend-safe-fixes` / `extend-unsafe-fixes` (codes, names, prefixes, ALL); an unknown
    rule is a configuration error, as in `select`. A rule in both lists stays unsafe."""
    where = str(config.path) if config.path else "config"

    def codes(selectors: list[str], key: str) -> frozenset[str]:
        out = set()
        for s in selectors:
            found = by_selector(s)
            if not found:
                raise ConfigError(f"{where}: {key}: unknown rule {s!r} (see `mllint rules`)")
            out.update(r.code for r in found)
        return frozenset(out)

    return FixPolicy(unsafe, codes(config.extend_safe_fixes, "extend-safe-fixes"),
                     codes(config.extend_unsafe_fixes, "extend-unsafe-fixes"))


def with_policy(findings: list[Finding], policy: FixPolicy) -> list[Finding]:
    """The findings with each fix's applicability as the policy decides it (what reporters show)."""
    out = []
    for f in findings:
        a = policy.applicability(f)
        out.append(f if a is None or a == f.edit.applicability else replace(f, edit=replace(f.edit, applicability=a)))
    return out
