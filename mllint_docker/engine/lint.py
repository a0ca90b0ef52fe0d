"""Runs the selected rules over the project model and applies pragmas, per-file ignores and
severity overrides. A rule that raises becomes an `internal-error` finding; the others still run.
Every file uses the config closest to it (see `config.ConfigResolver`); what is suppressed is kept
(with how) so reports can show it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from mllint_docker.engine.config import Config, ConfigError
from mllint_docker.finding import Finding, Issue, display_path
from mllint_docker.rules import (Rule, all_rules, by_buildkit, by_hadolint, by_name, by_selector, checks_for,
                                 is_hadolint_code, suggest)

_NAME = r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*"
# `# mllint: disable=MLD108,runs-as-root -- the reason`
_PRAGMA = re.compile(r"mllint:\s*(disable-file|disable)\s*=\s*(" + _NAME + r"(?:\s*,\s*" + _NAME + r")*)"
                     r"(?:\s*--\s*(.*))?", re.I)
_HADOLINT = re.compile(r"hadolint\s+(global\s+)?ignore\s*=\s*([\w, ]+)", re.I)
HADOLINT_FILES = (".hadolint.yaml", ".hadolint.yml")
# BuildKit's parser directives: `# key=value` lines at the very top of the file (after an optional
# BOM and shebang), read until the first line that is not one.
_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")


@dataclass
class Selection:
    rules: list[Rule]
    severity: dict[str, str] = field(default_factory=dict)  # code -> level
    # per-file-ignores: (pattern, codes), gitignore-style patterns relative to the config
    per_file: list[tuple[str, set[str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.codes = {r.code for r in self.rules}

    def enabled(self, code: str) -> bool:
        return code in self.codes


def _unknown(selector: str, where: str) -> ConfigError:
    if is_hadolint_code(selector):
        return ConfigError(f"{where}hadolint rule {selector!r} has no mllint-docker equivalent (see `mllint rules`)")
    close = suggest(selector)
    hint = f"; did you mean {close!r}?" if close else " (see `mllint rules`)"
    return ConfigError(f"{where}unknown rule {selector!r}{hint}")


def select_rules(config: Config, select: list[str] | None = None, ignore: list[str] | None = None,
                 extend_select: list[str] | None = None, extra_ignore: list[str] | None = None,
                 extra_severity: tuple[tuple[str, str], ...] = ()) -> Selection:
    """ruff's model: `select` replaces the defaults, `extend-select` adds, `ignore` removes;
    CLI values override the config's. Unknown selectors raise ConfigError with where they are;
    hadolint codes stand for our equivalent rules (a hadolint code we have no rule for may be ignored)."""

    def resolve(selectors: list[str], key: str, cli: bool, ignoring: bool = False) -> list[Rule]:
        out = []
        for s in selectors:
            found = by_selector(s)
            if not found:
                if ignoring and is_hadolint_code(s):
                    continue  # nothing of ours to turn off
                raise _unknown(s, f"--{key}: " if cli else config.where(key, s))
            out.extend(found)
        return out

    base = resolve(select, "select", True) if select is not None else (
        resolve(config.select, "select", False) if config.select is not None else
        [r for r in all_rules() if r.default])
    chosen = {r.code: r for r in base}
    for r in resolve(config.extend_select, "extend-select", False) + resolve(extend_select or [], "extend-select", True):
        chosen[r.code] = r
    for r in (resolve(config.ignore, "ignore", False, True) + resolve(ignore or [], "ignore", True, True)
              + [r for code in extra_ignore or [] for r in by_hadolint(code)]):
        chosen.pop(r.code, None)
    severity = {}
    for code, level in extra_severity:  # a .hadolint.yaml `override:`; our own config's severities win
        for r in by_hadolint(code):
            severity[r.code] = level
    for key, level in config.severity.items():
        found = by_selector(key)
        if not found:
            raise _unknown(key, config.where("severity", key))
        for r in found:
            severity[r.code] = level
    per_file = []
    for pattern, names in config.per_file_ignores.items():
        codes = set()
        for n in names:
            found = by_selector(n)
            if not found and not is_hadolint_code(n):
                raise _unknown(n, config.where("per-file-ignores", n))
            codes.update(r.code for r in found)
        per_file.append((pattern, codes))
    for meta in ("MLD001", "MLD002"):  # files that cannot be read are always reported
        chosen.setdefault(meta, next(r for r in all_rules() if r.code == meta))
    return Selection(sorted(chosen.values(), key=lambda r: r.code), severity, per_file)


def hadolint_file(start: Path) -> Path | None:
    """The closest `.hadolint.yaml` at or above `start`, up to the repository root."""
    start = Path(os.path.abspath(start))
    for d in [start, *start.parents]:
        for name in HADOLINT_FILES:
            if (d / name).is_file():
                return d / name
        if (d / ".git").exists():
            break
    return None


_HADOLINT_LEVELS = {"error": "error", "warning": "warning", "info": "info", "style": "info"}  # hadolint's -> ours


@dataclass(frozen=True)
class HadolintConfig:
    """What we take from a `.hadolint.yaml`: `ignored:` codes and `override:` severities."""

    ignored: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()  # (hadolint code, our severity)


def hadolint_config(path: Path) -> HadolintConfig:
    """The `ignored:` list and the `override:` levels (`style` is our `info`) of a hadolint config; a
    broken file is an error, as a broken config is. Other keys are hadolint's own."""
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read: {err}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ConfigError(f"{where}: invalid YAML: {getattr(err, 'problem', None) or err}") from None
    doc = doc if isinstance(doc, dict) else {}
    ignored = doc.get("ignored")
    if ignored is None:
        ignored = []
    if not isinstance(ignored, list) or not all(isinstance(x, str) for x in ignored):
        raise ConfigError(f"{path}: ignored: expected a list of rule codes")
    override = doc.get("override") or {}
    if not isinstance(override, dict):
        raise ConfigError(f"{path}: override: expected levels (error, warning, info, style) with lists of rule codes")
    severity = []
    for level, codes in override.items():
        if level not in _HADOLINT_LEVELS:
            raise ConfigError(f"{path}: override: unknown level {level!r}; expected one of error, warning, info, style")
        if codes is None:
            continue
        if not isinstance(codes, list) or not all(isinstance(x, str) for x in codes):
            raise ConfigError(f"{path}: override: {level}: expected a list of rule codes")
        severity += [(code, _HADOLINT_LEVELS[level]) for code in codes]
    return HadolintConfig(tuple(ignored), tuple(severity))


class Selector:
    """The Selection of each file: from the config closest to it (and its `.hadolint.yaml`), with the
    command line's flags on top. Built once per distinct config."""

    def __init__(self, config: Config, select=None, ignore=None, extend_select=None):
        self.config = config
        self.flags = (select, ignore, extend_select)
        self._cache: dict[tuple, Selection] = {}
        self._dirs: dict[Path, Selection] = {}
        self._files: dict[Path, Selection] = {}  # a file's findings ask once per finding

    def for_path(self, path: Path) -> Selection:
        sel = self._files.get(path)
        if sel is None:
            sel = self._files[path] = self._for_dir_of(path)
        return sel

    def _for_dir_of(self, path: Path) -> Selection:
        d = Path(os.path.abspath(path)).parent
        sel = self._dirs.get(d)
        if sel is None:
            resolver = self.config.resolver
            sel = self._dirs[d] = self._for_config(resolver.for_dir(d) if resolver else self.config, d)
        return sel

    def _for_config(self, cfg: Config, d: Path) -> Selection:
        hl = hadolint_file(d) if cfg.respect_hadolint_config else None
        key = (id(cfg), hl)
        sel = self._cache.get(key)
        if sel is None:
            hadolint = hadolint_config(hl) if hl else HadolintConfig()
            sel = self._cache[key] = select_rules(cfg, *self.flags, extra_ignore=list(hadolint.ignored),
                                                  extra_severity=hadolint.severity)
        return sel

    def default(self) -> Selection:
        return self._for_config(self.config, Path(self.config.base))


@dataclass
class Pragma:
    line: int
    codes: set[str]
    start: int  # the lines it covers; 0, 0 for the whole file
    end: int
    file_wide: bool
    reason: str | None
    ours: bool  # `# mllint:` (checked for use), not `# hadolint`
    used: set[str] = field(default_factory=set)


class Pragmas:
    """Inline suppressions of one file: per line range, and for the whole file."""

    def __init__(self) -> None:
        self.items: list[Pragma] = []
        self.unknown: list[tuple[int, str]] = []
        # `# check=error=true`: findings of rules that map to a BuildKit check are errors.
        self.errors: set[str] = set()

    def add(self, names: str, line: int, start: int, end: int, file_wide: bool, hadolint: bool = False,
            reason: str | None = None) -> None:
        codes: set[str] = set()
        for name in (n.strip() for n in names.split(",")):
            if not name:
                continue
            if hadolint:
                codes.update(r.code for r in by_hadolint(name))  # codes we have no equivalent of are hadolint's own
                continue
            r = by_name(name)
            if r is None and is_hadolint_code(name):
                codes.update(r.code for r in by_hadolint(name))
            elif r is None:
                self.unknown.append((line, name))
            else:
                codes.add(r.code)
        if codes:
            self.items.append(Pragma(line, codes, start, end, file_wide, (reason or "").strip() or None, not hadolint))

    def suppressing(self, code: str, line: int | None) -> Pragma | None:
        """The pragma that silences `code` on `line` (marked as used), or None."""
        for p in self.items:
            if code in p.codes and (p.file_wide or (line is not None and p.start <= line <= p.end)):
                p.used.add(code)
                return p
        return None

    def suppresses(self, code: str, line: int | None) -> bool:
        return self.suppressing(code, line) is not None

    def skip_file(self, codes, line: int) -> None:
        """Codes off for the whole file by a directive (BuildKit's `# check=skip=`), not checked for use."""
        if codes:
            self.items.append(Pragma(line, set(codes), 0, 0, True, None, ours=False))


def _add_matches(p: Pragmas, text: str, line: int, start: int, end: int, file_wide_only: bool | None) -> None:
    for m in _PRAGMA.finditer(text):
        wide = m.group(1).lower() == "disable-file"
        if file_wide_only is None or wide == file_wide_only:
            p.add(m.group(2), line, 0 if wide else start, 0 if wide else end, wide, reason=m.group(3))


def dockerfile_pragmas(df) -> Pragmas:
    """`# mllint: disable=` on the comment lines directly above an instruction, trailing on one of
    its lines, or on a comment line inside a continued instruction: the whole instruction.
    `disable-file=` anywhere. hadolint's `ignore=` / `global ignore=` too."""
    p = Pragmas()
    for inst in df.instructions:
        for line, text in inst.comments_above:
            _add_matches(p, text, line, inst.line, inst.end_line, False)
            for m in _HADOLINT.finditer(text):
                if not m.group(1):
                    p.add(m.group(2), line, inst.line, inst.end_line, False, hadolint=True)
        for n in range(inst.line, inst.end_line + 1):
            text = df.line_text(n)
            hash_at = text.find("#")
            if hash_at >= 0 and "mllint" in text:
                _add_matches(p, text[hash_at:], n, inst.line, inst.end_line, False)
    for line, text in df.comments:
        _add_matches(p, text, line, 0, 0, True)
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
                p.skip_file(mapped, line)
                continue
            for name in (v.strip() for v in val.split(",")):
                if not name:
                    continue
                codes = [r.code for r in by_buildkit(name)]
                if not codes and not _BUILDKIT_ONLY.get(name.lower()):
                    p.unknown.append((line, name))
                p.skip_file(codes, line)
        elif key == "error" and val.lower() in ("true", "1", "t"):
            p.errors.update(mapped)


# BuildKit's checks that no rule here judges (they need the registry or the target platform);
# naming them in `# check=skip=` is not an unknown rule.
_BUILDKIT_ONLY = {"invalidbaseimageplatform": True}


def _comment_pragmas(lines: list[str], target) -> Pragmas:
    """Pragmas in `#` comments of a line-based file; `target(n, text before the #)` is the line each applies to."""
    p = Pragmas()
    for n, text in enumerate(lines, 1):
        if "mllint" not in text:
            continue
        hash_at = text.find("#")
        if hash_at < 0:
            continue
        to = target(n, text[:hash_at])
        _add_matches(p, text[hash_at:], n, to, to, None)
    return p


def line_pragmas(lines: list[str]) -> Pragmas:
    """Requirements and similar files: a trailing `# mllint: disable=...` applies to its line."""
    return _comment_pragmas(lines, lambda n, before: n)


def yaml_pragmas(lines: list[str]) -> Pragmas:
    """YAML (compose) files: `# mllint: disable=...` at the end of a line applies to that line, on a
    comment line of its own to the next line that is not a comment; `disable-file` to the file."""
    def target(n: int, before: str) -> int:
        if before.strip():
            return n
        return next((m for m in range(n + 1, len(lines) + 1) if not lines[m - 1].lstrip().startswith("#")), n)

    return _comment_pragmas(lines, target)


@dataclass
class Suppressed:
    """A finding a pragma (`inSource`) or the config (`external`) silenced, kept for SARIF."""

    finding: Finding
    kind: str
    justification: str | None


def _same(f: Finding) -> tuple:
    return f.code, Path(f.file).resolve(), f.line, f.column, f.message


class Engine:
    def __init__(self, project, selection: Selection | Selector, config: Config):
        self.project = project
        self.selector = selection if isinstance(selection, Selector) else None
        self.selection = selection.default() if isinstance(selection, Selector) else selection
        self.config = config
        self.findings: list[Finding] = []
        self.suppressed: list[Suppressed] = []
        self._pragmas: dict[Path, Pragmas] = {}
        self._resolved: dict = {}  # file -> resolved path, once per file rather than per finding
        self._meta = {r.name: r for r in all_rules() if r.check is None}

    def selection_for(self, file: Path) -> Selection:
        return self.selector.for_path(file) if self.selector is not None else self.selection

    def config_for(self, file: Path) -> Config:
        return self.config.for_path(file) if self.selector is not None else self.config

    # Emitting ------------------------------------------------------------

    def emit(self, rule: Rule, file: Path, issue: Issue) -> None:
        target = issue.file or file
        if not isinstance(target, Path):
            target = Path(target)
        selection = self.selection_for(target)
        if not selection.enabled(rule.code):
            return
        resolved = self._resolved.get(target)
        if resolved is None:
            resolved = self._resolved[target] = target.resolve()
        pragmas = self._pragmas.get(resolved)
        severity = selection.severity.get(rule.code, rule.severity)
        if pragmas is not None and rule.code in pragmas.errors:
            severity = "error"
        finding = Finding(rule.code, rule.name, severity, target, issue.line, issue.column,
                          issue.message, issue.fix, edit=issue.edit)
        pragma = pragmas.suppressing(rule.code, issue.line) if pragmas is not None else None
        if pragma is not None:
            self.suppressed.append(Suppressed(finding, "inSource", pragma.reason))
            return
        pattern = self._per_file_ignored(selection, rule, target)
        if pattern is not None:
            self.suppressed.append(Suppressed(finding, "external", f"per-file-ignores {pattern!r}"))
            return
        self.findings.append(finding)

    def meta(self, name: str, file: Path, line: int | None, message: str) -> None:
        self.emit(self._meta[name], file, Issue(line, message))

    def _per_file_ignored(self, selection: Selection, rule: Rule, file: Path) -> str | None:
        if not selection.per_file:
            return None
        cfg = self.config_for(file)
        for pattern, codes in selection.per_file:
            if rule.code in codes and cfg.matches("per-file-ignores", [pattern], file, is_dir=False):
                return pattern
        return None

    def _run(self, rule: Rule, target, file: Path, check=None) -> None:
        saved = getattr(self.project, "config", None)
        if self.selector is not None and saved is not None:
            self.project.config = self.config_for(file)  # rules read sizes and budgets of the file's config
        try:
            for issue in (check or rule.check)(target, self.project):
                self.emit(rule, file, issue)
        except Exception as err:  # one broken rule must not stop the others
            self.meta("internal-error", file, None, f"rule {rule.name} ({rule.code}) failed: {type(err).__name__}: {err}")
        finally:
            if saved is not None:
                self.project.config = saved

    def _register_installed_requirements(self, df) -> None:
        """Requirements files a RUN installs (`pip install -r`) are linted whatever rules are selected."""
        from mllint_docker.model.installs import register_requirement_files

        try:
            register_requirement_files(df, self.project)
        except Exception as err:  # the model failing on odd input must not stop the run
            self.meta("internal-error", df.path, None, f"reading the installs of this file failed: {type(err).__name__}: {err}")

    def _rules_for(self, file: Path, scope: str):
        return [(r, fn) for r in self.selection_for(file).rules for fn in checks_for(r, scope)]

    def _pragmas_of(self, path: Path, pragmas: Pragmas) -> None:
        self._pragmas[path.resolve()] = pragmas
        for line, name in pragmas.unknown:
            close = suggest(name)
            hint = f"; did you mean {close!r}?" if close else ""
            self.meta("unknown-rule", path, line, f"pragma names unknown rule {name!r}{hint}")

    def _run_compose(self, cf) -> None:
        """Compose rules on one Compose project; findings go on the file (base, override, included
        or extended) and line where the value is written, under that file's pragmas."""
        for file in cf.files:
            if Path(file).resolve() not in self._pragmas:
                self._pragmas_of(Path(file), yaml_pragmas(cf.lines.get(file, [])))
        for err in cf.errors:
            self.emit(self._meta["parse-error"], err.file, Issue(err.line, err.message, err.column))
        for rule, fn in self._rules_for(cf.path, "compose"):
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
        for cf in project.compose_files:
            self._run_compose(cf)
        for df in project.dockerfiles:
            self._pragmas_of(df.path, dockerfile_pragmas(df))
            if df.error is not None:
                self.meta("parse-error", df.path, df.error.line, df.error.message)
                continue
            for rule, fn in self._rules_for(df.path, "dockerfile"):
                self._run(rule, df, df.path, fn)
            self._register_installed_requirements(df)
        # Requirements files: those found, and those reached from Dockerfiles and includes.
        done: set[Path] = set()
        try:
            from mllint_docker.model.installs import conda_spec_files

            done |= conda_spec_files(project)  # `conda install --file requirements.txt`: conda's, not pip's
        except Exception as err:  # the model failing on odd input must not stop the run
            self.meta("internal-error", project.root, None, f"reading conda installs failed: {type(err).__name__}: {err}")
        while True:
            pending = [rf for p, rf in list(project.requirements.items()) if p not in done]
            if not pending:
                break
            for rf in pending:
                done.add(rf.path.resolve())
                self._pragmas_of(rf.path, line_pragmas(rf.lines))
                for line, message in rf.errors:
                    self.meta("parse-error", rf.path, line, message)
                for inc, message in project.broken_includes(rf):
                    self.meta("broken-include", rf.path, inc.line, message)
                for rule, fn in self._rules_for(rf.path, "requirements"):
                    self._run(rule, rf, rf.path, fn)
        self._run_manifests()
        for path, line, message in project.context_errors():
            self.meta("parse-error", path, line, message)
        for path, line, message in project.outside:  # the trust boundary: named, never read
            self.meta("reference-outside-project", path, line, message)
        self.findings.sort(key=Finding.sort_key)
        return self.findings

    def _run_manifests(self) -> None:
        """Conda environment files, pyproject.toml, Pipfile and lock files: those found, and those
        a Dockerfile's installs read."""
        project = self.project
        for df in project.dockerfiles:
            if df.error is None:
                try:
                    from mllint_docker.model.installs import register_manifests

                    register_manifests(df, project)
                except Exception as err:  # the model failing on odd input must not stop the run
                    self.meta("internal-error", df.path, None,
                              f"reading the manifests this file installs failed: {type(err).__name__}: {err}")
        for path, m in sorted(project.manifests.items(), key=lambda kv: str(kv[1].path)):
            if not m.relevant:
                continue
            self._pragmas_of(m.path, line_pragmas(m.lines))
            for line, message in m.errors:
                self.meta("parse-error", m.path, line, message)
            for rule, fn in self._rules_for(m.path, "manifest"):
                self._run(rule, m, m.path, fn)

    def report_unused_pragmas(self) -> list[Finding]:
        """`unused-pragma` (off by default): `# mllint:` pragmas that silenced nothing. Call after every
        rule ran (image rules included)."""
        for path, pragmas in list(self._pragmas.items()):
            selection = self.selection_for(path)
            if not selection.enabled("MLD010"):
                continue
            for p in pragmas.items:
                if not p.ours:
                    continue
                for code in sorted(p.codes - p.used):
                    r = by_name(code)
                    why = "the rule is not enabled" if not selection.enabled(code) else "it suppresses nothing"
                    self.meta("unused-pragma", path, p.line, f"unused pragma for {code} ({r.name if r else code}): {why}")
        self.findings.sort(key=Finding.sort_key)
        return self.findings

    def run_image(self, target) -> list[Finding]:
        """Image rules on one analysed image (`imagecheck.ImageTarget`); findings go on the Dockerfile
        line that made the layer, with the Dockerfile's pragmas, or on the image when there is none."""
        df = target.dockerfile
        if df is not None and df.path.resolve() not in self._pragmas:
            self._pragmas[df.path.resolve()] = dockerfile_pragmas(df)
        before = len(self.findings)
        for rule, fn in self._rules_for(target.file, "image"):
            self._run(rule, target, target.file, fn)
        # A static finding the image now knows more about (a digest, the installed version to pin
        # to) is reported once, as the image check words it.
        known = {_same(f) for f in self.findings[before:]}
        self.findings = [f for i, f in enumerate(self.findings) if i >= before or _same(f) not in known]
        self.findings.sort(key=Finding.sort_key)
        return self.findings
