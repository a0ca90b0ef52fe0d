"""Runs the selected rules over the project model and applies pragmas, per-file ignores and
severity overrides. A rule that raises becomes an `internal-error` finding; the others still run.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from mllint_docker.engine.config import Config, ConfigError
from mllint_docker.finding import Finding, Issue, display_path
from mllint_docker.rules import Rule, all_rules, by_buildkit, by_hadolint, by_name, by_selector, checks_for

_PRAGMA = re.compile(r"mllint:\s*(disable|disable-file)\s*=\s*([\w\-, ]+)", re.I)
_HADOLINT = re.compile(r"hadolint\s+(global\s+)?ignore\s*=\s*([\w, ]+)", re.I)
# BuildKit's parser directives: `# key=value` lines at the very top of the file (after an optional
# BOM and shebang), read until the first line that is not one.
_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")


@dataclass
class Selection:
    rules: list[Rule]
    severity: dict[str, str] = field(default_factory=dict)  # code -> level

    def enabled(self, code: str) -> bool:
        return any(r.code == code for r in self.rules)


def select_rules(config: Config, select: list[str] | None = None, ignore: list[str] | None = None,
                 extend_select: list[str] | None = None) -> Selection:
    """ruff's model: `select` replaces the defaults, `extend-select` adds, `ignore` removes;
    CLI values override the config's. Unknown selectors raise ConfigError."""

    def resolve(selectors: list[str], where: str) -> list[Rule]:
        out = []
        for s in selectors:
            found = by_selector(s)
            if not found:
                raise ConfigError(f"{where}: unknown rule {s!r} (see `mllint rules`)")
            out.extend(found)
        return out

    where_cfg = str(config.path) if config.path else "config"
    base = resolve(select, "--select") if select is not None else (
        resolve(config.select, f"{where_cfg}: select") if config.select is not None else
        [r for r in all_rules() if r.default])
    chosen = {r.code: r for r in base}
    for r in resolve(config.extend_select, f"{where_cfg}: extend-select") + resolve(extend_select or [], "--extend-select"):
        chosen[r.code] = r
    for r in resolve(config.ignore, f"{where_cfg}: ignore") + resolve(ignore or [], "--ignore"):
        chosen.pop(r.code, None)
    severity = {}
    for key, level in config.severity.items():
        found = by_selector(key)
        if not found:
            raise ConfigError(f"{where_cfg}: severity: unknown rule {key!r}")
        for r in found:
            severity[r.code] = level
    for meta in ("MLD001", "MLD002"):  # files that cannot be read are always reported
        chosen.setdefault(meta, next(r for r in all_rules() if r.code == meta))
    return Selection(sorted(chosen.values(), key=lambda r: r.code), severity)


class Pragmas:
    """Inline suppressions of one file: per line range, and for the whole file."""

    def __init__(self) -> None:
        self.file_wide: set[str] = set()
        self.ranges: list[tuple[int, int, set[str]]] = []
        self.unknown: list[tuple[int, str]] = []
        # `# check=error=true`: findings of rules that map to a BuildKit check are errors.
        self.errors: set[str] = set()

    def add(self, names: str, line: int, start: int, end: int, file_wide: bool, hadolint: bool = False) -> None:
        codes: set[str] = set()
        for name in (n.strip() for n in names.split(",")):
            if not name:
                continue
            if hadolint:
                codes.update(r.code for r in by_hadolint(name))  # codes we have no equivalent of are hadolint's own
                continue
            r = by_name(name)
            if r is None:
                self.unknown.append((line, name))
            else:
                codes.add(r.code)
        if file_wide:
            self.file_wide |= codes
        elif codes:
            self.ranges.append((start, end, codes))

    def suppresses(self, code: str, line: int | None) -> bool:
        if code in self.file_wide:
            return True
        return line is not None and any(s <= line <= e and code in c for s, e, c in self.ranges)


def dockerfile_pragmas(df) -> Pragmas:
    p = Pragmas()
    for inst in df.instructions:
        for line, text in inst.comments_above:
            for m in _PRAGMA.finditer(text):
                if m.group(1).lower() == "disable":
                    p.add(m.group(2), line, inst.line, inst.end_line, False)
            for m in _HADOLINT.finditer(text):
                if not m.group(1):
                    p.add(m.group(2), line, inst.line, inst.end_line, False, hadolint=True)
    for line, text in df.comments:
        for m in _PRAGMA.finditer(text):
            if m.group(1).lower() == "disable-file":
                p.add(m.group(2), line, 0, 0, True)
        for m in _HADOLINT.finditer(text):
            if m.group(1):
                p.add(m.group(2), line, 0, 0, True, hadolint=True)
    apply_check_directive(p, df.lines)
    return p


def check_directive(lines: list[str]) -> tuple[int, str] | None:
    """BuildKit's `# check=...` parser directive: (line, value), or None. As BuildKit reads it:
    only among the leading `# key=value` lines, the first `check` one."""
    for n, text in enumerate(lines, 1):
        if n == 1 and text.startswith("#!"):
            continue
        m = _DIRECTIVE.match(text.strip())
        if not m:
            return None
        if m.group(1).lower() == "check":
            return n, m.group(2)
    return None


def apply_check_directive(p: Pragmas, lines: list[str]) -> None:
    """`# check=skip=StageNameCasing,JSONArgsRecommended`, `# check=skip=all` and `# check=error=true`
    act on our rules that judge what those BuildKit checks judge, as `docker build --check` would."""
    found = check_directive(lines)
    if found is None:
        return
    line, value = found
    mapped = [r.code for r in all_rules() if r.buildkit]
    for part in value.split(";"):
        key, _, val = part.partition("=")
        key, val = key.strip().lower(), val.strip()
        if key == "skip":
            if val.lower() == "all":
                p.file_wide.update(mapped)
                continue
            for name in (v.strip() for v in val.split(",")):
                if not name:
                    continue
                codes = [r.code for r in by_buildkit(name)]
                if not codes and not _BUILDKIT_ONLY.get(name.lower()):
                    p.unknown.append((line, name))
                p.file_wide.update(codes)
        elif key == "error" and val.lower() in ("true", "1", "t"):
            p.errors.update(mapped)


# BuildKit's checks that no rule here judges (they need the registry or the target platform);
# naming them in `# check=skip=` is not an unknown rule.
_BUILDKIT_ONLY = {"invalidbaseimageplatform": True}


def line_pragmas(lines: list[str]) -> Pragmas:
    """Requirements and similar files: a trailing `# mllint: disable=...` applies to its line."""
    p = Pragmas()
    for n, text in enumerate(lines, 1):
        if "mllint" not in text:
            continue
        hash_at = text.find("#")
        if hash_at < 0:
            continue
        for m in _PRAGMA.finditer(text[hash_at:]):
            p.add(m.group(2), n, n, n, m.group(1).lower() == "disable-file")
    return p


def yaml_pragmas(lines: list[str]) -> Pragmas:
    """YAML (compose) files: `# mllint: disable=...` at the end of a line applies to that line, on a
    comment line of its own to the next line that is not a comment; `disable-file` to the file."""
    p = Pragmas()
    for n, text in enumerate(lines, 1):
        if "mllint" not in text:
            continue
        hash_at = text.find("#")
        if hash_at < 0:
            continue
        target = n
        if not text[:hash_at].strip():
            target = next((m for m in range(n + 1, len(lines) + 1) if not lines[m - 1].lstrip().startswith("#")), n)
        for m in _PRAGMA.finditer(text[hash_at:]):
            file_wide = m.group(1).lower() == "disable-file"
            p.add(m.group(2), n, target, target, file_wide)
    return p


def _same(f: Finding) -> tuple:
    return f.code, Path(f.file).resolve(), f.line, f.column, f.message


class Engine:
    def __init__(self, project, selection: Selection, config: Config):
        self.project = project
        self.selection = selection
        self.config = config
        self.findings: list[Finding] = []
        self._pragmas: dict[Path, Pragmas] = {}
        self._resolved: dict = {}  # file -> resolved path, once per file rather than per finding
        self._meta = {r.name: r for r in all_rules() if r.check is None}

    # Emitting ------------------------------------------------------------

    def emit(self, rule: Rule, file: Path, issue: Issue) -> None:
        if not self.selection.enabled(rule.code):
            return
        target = issue.file or file
        resolved = self._resolved.get(target)
        if resolved is None:
            resolved = self._resolved[target] = Path(target).resolve()
        pragmas = self._pragmas.get(resolved)
        if pragmas is not None and pragmas.suppresses(rule.code, issue.line):
            return
        if self._per_file_ignored(rule, target):
            return
        severity = self.selection.severity.get(rule.code, rule.severity)
        if pragmas is not None and rule.code in pragmas.errors:
            severity = "error"
        self.findings.append(Finding(rule.code, rule.name, severity, Path(target), issue.line, issue.column,
                                     issue.message, issue.fix, edit=issue.edit))

    def meta(self, name: str, file: Path, line: int | None, message: str) -> None:
        self.emit(self._meta[name], file, Issue(line, message))

    def _per_file_ignored(self, rule: Rule, file: Path) -> bool:
        if not self.config.per_file_ignores:
            return False
        base = self.config.path.parent if self.config.path else Path.cwd()
        try:
            rel = os.path.relpath(Path(file).resolve(), base.resolve()).replace(os.sep, "/")
        except ValueError:
            rel = display_path(file)
        for pattern, names in self.config.per_file_ignores.items():
            if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(Path(file).name, pattern):
                for n in names:
                    if any(r.code == rule.code for r in by_selector(n)):
                        return True
        return False

    def _run(self, rule: Rule, target, file: Path, check=None) -> None:
        try:
            for issue in (check or rule.check)(target, self.project):
                self.emit(rule, file, issue)
        except Exception as err:  # one broken rule must not stop the others
            self.meta("internal-error", file, None, f"rule {rule.name} ({rule.code}) failed: {type(err).__name__}: {err}")

    def _register_installed_requirements(self, df) -> None:
        """Requirements files a RUN installs (`pip install -r`) are linted whatever rules are selected."""
        from mllint_docker.model.installs import register_requirement_files

        try:
            register_requirement_files(df, self.project)
        except Exception as err:  # the model failing on odd input must not stop the run
            self.meta("internal-error", df.path, None, f"reading the installs of this file failed: {type(err).__name__}: {err}")

    def _run_compose(self, cf, rules) -> None:
        """Compose rules on one Compose project; findings go on the file (base, override, included
        or extended) and line where the value is written, under that file's pragmas."""
        for file in cf.files:
            key = Path(file).resolve()
            if key not in self._pragmas:
                self._pragmas[key] = pragmas = yaml_pragmas(cf.lines.get(file, []))
                for line, name in pragmas.unknown:
                    self.meta("unknown-rule", file, line, f"pragma names unknown rule {name!r}")
        for err in cf.errors:
            self.emit(self._meta["parse-error"], err.file, Issue(err.line, err.message, err.column))
        for rule, fn in rules:
            # A value several services share (an anchor, an extended service) is reported once.
            seen: set[tuple] = set()
            try:
                for issue in fn(cf, self.project):
                    key = (Path(issue.file or cf.path).resolve(), issue.line, issue.column)
                    if key not in seen:
                        seen.add(key)
                        self.emit(rule, cf.path, issue)
            except Exception as err:  # one broken rule must not stop the others
                self.meta("internal-error", cf.path, None, f"rule {rule.name} ({rule.code}) failed: {type(err).__name__}: {err}")

    # Running -------------------------------------------------------------

    def run(self) -> list[Finding]:
        project = self.project
        for path, message in project.errors:
            self.meta("parse-error", path, None, message)
        compose_rules = [(r, fn) for r in self.selection.rules for fn in checks_for(r, "compose")]
        for cf in project.compose_files:
            self._run_compose(cf, compose_rules)
        df_rules = [(r, fn) for r in self.selection.rules for fn in checks_for(r, "dockerfile")]
        req_rules = [(r, fn) for r in self.selection.rules for fn in checks_for(r, "requirements")]
        for df in project.dockerfiles:
            pragmas = dockerfile_pragmas(df)
            self._pragmas[df.path.resolve()] = pragmas
            for line, name in pragmas.unknown:
                self.meta("unknown-rule", df.path, line, f"pragma names unknown rule {name!r}")
            if df.error is not None:
                self.meta("parse-error", df.path, df.error.line, df.error.message)
                continue
            for rule, fn in df_rules:
                self._run(rule, df, df.path, fn)
            self._register_installed_requirements(df)
        # Requirements files: those found, and those reached from Dockerfiles and includes.
        done: set[Path] = set()
        while True:
            pending = [rf for p, rf in list(project.requirements.items()) if p not in done]
            if not pending:
                break
            for rf in pending:
                done.add(rf.path.resolve())
                self._pragmas[rf.path.resolve()] = pragmas = line_pragmas(rf.lines)
                for line, name in pragmas.unknown:
                    self.meta("unknown-rule", rf.path, line, f"pragma names unknown rule {name!r}")
                for line, message in rf.errors:
                    self.meta("parse-error", rf.path, line, message)
                for inc, message in project.broken_includes(rf):
                    self.meta("broken-include", rf.path, inc.line, message)
                for rule, fn in req_rules:
                    self._run(rule, rf, rf.path, fn)
        for path, line, message in project.context_errors():
            self.meta("parse-error", path, line, message)
        for path, line, message in project.outside:  # the trust boundary: named, never read
            self.meta("reference-outside-project", path, line, message)
        self.findings.sort(key=Finding.sort_key)
        return self.findings

    def run_image(self, target) -> list[Finding]:
        """Image rules on one analysed image (`imagecheck.ImageTarget`); findings go on the Dockerfile
        line that made the layer, with the Dockerfile's pragmas, or on the image when there is none."""
        df = target.dockerfile
        if df is not None and df.path.resolve() not in self._pragmas:
            self._pragmas[df.path.resolve()] = dockerfile_pragmas(df)
        before = len(self.findings)
        for rule, fn in [(r, fn) for r in self.selection.rules for fn in checks_for(r, "image")]:
            self._run(rule, target, target.file, fn)
        # A static finding the image now knows more about (a digest, the installed version to pin
        # to) is reported once, as the image check words it.
        known = {_same(f) for f in self.findings[before:]}
        self.findings = [f for i, f in enumerate(self.findings) if i >= before or _same(f) not in known]
        self.findings.sort(key=Finding.sort_key)
        return self.findings
