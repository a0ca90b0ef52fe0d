"""The fix loop over a linted project: apply, check the result parses, lint the changed files again
while fixes wait behind overlapping ones, then write (or show) the result."""

from __future__ import annotations

import difflib
import functools
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

from mllint_docker.finding import Finding, display_path
from mllint_docker.inert import terminal
from mllint_docker.fixes.apply import Source, apply_fixes
from mllint_docker.fixes.policy import FixPolicy

MAX_PASSES = 10


@dataclass
class FixReport:
    originals: dict[Path, Source] = field(default_factory=dict)
    fixed: dict[Path, Source] = field(default_factory=dict)  # only files whose text changed
    counts: Counter = field(default_factory=Counter)  # rule name -> fixes applied
    refused: list[tuple[Path, str]] = field(default_factory=list)  # files left alone: why
    remaining: list[Finding] = field(default_factory=list)  # the findings after fixing
    passes: int = 0

    # A file other than a Dockerfile changed (a .dockerignore): the contexts must be read again.
    other_files: bool = False
    _checker: object = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def write(self) -> list[tuple[Path, str]]:
        """Writes every changed file in place; returns (file, error) for those that could not be written."""
        errors = []
        for path, src in self.fixed.items():
            try:
                path.write_bytes(src.to_bytes())
            except OSError as err:
                errors.append((path, err.strerror or str(err)))
        return errors


def unified_diff(report: FixReport) -> str:
    out = []
    for path in sorted(report.fixed, key=display_path):
        before = report.originals[path]
        after = report.fixed[path]
        name = terminal(display_path(path))  # one line: a file name cannot start a line of the diff
        source = f"a/{name}" if path.exists() else "/dev/null"
        old = (("\ufeff" if before.bom else "") + before.text).splitlines(keepends=True)
        new = (("\ufeff" if after.bom else "") + after.text).splitlines(keepends=True)
        for i, lines in enumerate((old, new)):
            if lines and not lines[-1].endswith(("\n", "\r")):
                lines[-1] += "\n\\ No newline at end of file\n"
        out.extend(difflib.unified_diff(old, new, source, f"b/{name}"))
    return "".join(out)


def _key(path: Path) -> Path:
    path = Path(path)
    return _resolved(path) if path.is_absolute() else path.resolve()


@functools.lru_cache(maxsize=65536)
def _resolved(path: Path) -> Path:
    return path.resolve()


class _Checker:
    """Parses a changed text with the model, as the lint would; says why it must not be written."""

    def __init__(self, project):
        self.project = project
        self.dockerfiles = {_key(df.path): df for df in project.dockerfiles}
        self.parsed: dict[Path, object] = {}

    def problem(self, path: Path, before: str, after: str) -> str | None:
        from mllint_docker.model.dockerfile import parse_dockerfile

        key = _key(path)
        old = self.dockerfiles.get(key)
        if old is None:
            return None
        new = parse_dockerfile(old.path, after, self.project.config.build_args)
        if new.error is not None:
            return f"the fixed file would not parse (line {new.error.line or '-'}: {new.error.message})"
        if _shell_errors(new) > _shell_errors(old):
            return "the fixed file's shell commands would not parse"
        self.parsed[key] = new
        return None


def _parsing_subset(checker: _Checker, key: Path, text: str, group: list[Finding]):
    """The fixes that together still give a file that parses, taken one by one in order; (None, group)
    when not one does."""
    kept: list[Finding] = []
    for f in group:
        trial = apply_fixes(text, [g.edit for g in kept + [f]])
        if trial.text != text and checker.problem(key, text, trial.text) is None:
            kept.append(f)
    if not kept:
        return None, group
    result = apply_fixes(text, [g.edit for g in kept])
    checker.problem(key, text, result.text)  # keeps the parse of what is written
    return result, kept


def _shell_errors(df) -> int:
    return sum(len(i.script.errors) for i in df.instructions if i.script is not None)


def fix_project(project, selection, config, findings: list[Finding], policy: FixPolicy,
                lint_after: bool = True) -> FixReport:
    """Applies the fixes the policy allows to the project's files, in memory; `report.write()`
    writes them. With `lint_after`, `report.remaining` holds the findings of the fixed project."""
    report = FixReport()
    checker = _Checker(project)
    current = findings
    dirty: set[Path] = set()
    for n in range(MAX_PASSES):
        fixable = sorted((f for f in current if policy.applies(f)), key=lambda f: str(_key(f.edit.edits[0].file)))
        if not fixable:
            break
        report.passes = n + 1
        waiting = False
        changed: set[Path] = set()
        for key, group in groupby(fixable, key=lambda f: _key(f.edit.edits[0].file)):
            group = [f for f in group if all(_key(e.file) == key for e in f.edit.edits)]
            if key in {k for k, _ in report.refused}:
                continue
            src = report.fixed.get(key) or report.originals.get(key)
            if src is None:
                try:
                    src = Source.read(key) if key.exists() else Source(key, "")
                except OSError as err:
                    report.refused.append((key, f"not fixed: cannot read it: {err.strerror or err}"))
                    continue
                report.originals[key] = src
            result = apply_fixes(src.text, [f.edit for f in group])
            if result.text == src.text:
                continue
            problem = checker.problem(key, src.text, result.text)
            if problem is not None:
                result, group = _parsing_subset(checker, key, src.text, group)
                if result is None:
                    report.refused.append((key, f"not fixed: {problem}"))
                    continue
                report.refused.append((key, f"some fixes left out: {problem}"))
            report.fixed[key] = src.with_text(result.text)
            for i in result.applied_index:
                report.counts[group[i].name] += 1
            waiting |= bool(result.deferred)
            changed.add(key)
        if not changed:
            break
        dirty |= changed
        if not waiting:
            break
        # Later passes take only edits of the Dockerfiles just linted again: a fix for another file
        # (a .dockerignore) was built from the scan before this pass and is already applied.
        relinted = {k for k in changed if k in checker.parsed}
        current = [f for f in _relint(project, selection, config, checker, changed)
                   if f.edit is None or all(_key(e.file) in relinted for e in f.edit.edits)]
    for key in [k for k, src in report.fixed.items() if src.text == report.originals[k].text]:
        del report.fixed[key]
    report.fixed = {report.originals[k].path: v for k, v in report.fixed.items()}
    report.originals = {v.path: v for v in report.originals.values()}
    report.other_files = any(_key(p) not in checker.dockerfiles for p in report.fixed)
    report._checker = checker
    if lint_after and not report.other_files:  # else: `lint_written` once the files are written
        changed = {k for k in dirty if k in {_key(p) for p in report.fixed}}
        kept = [f for f in findings if _key(f.file) not in changed]
        report.remaining = sorted(kept + (_relint(project, selection, config, checker, changed) if changed else []),
                                  key=Finding.sort_key)
    return report


def _relint(project, selection, config, checker: _Checker, changed: set[Path]) -> list[Finding]:
    """Lints the changed Dockerfiles again (their new parse), reusing the project's context scans."""
    from mllint_docker.engine.lint import Engine
    from mllint_docker.model.project import Project

    dfs = [checker.parsed[k] for k in changed if k in checker.parsed]
    scans = {k: v for k, v in project._scans.items() if not (isinstance(k, tuple) and k[0] == "copied" and k[1] in changed)}
    sub = Project(root=project.root, config=project.config, dockerfiles=dfs, contexts=project.contexts,
                  _scans=scans, _roots=project._roots, boundary=project.boundary)
    out = [f for f in Engine(sub, selection, config).run() if _key(f.file) in changed]
    for df in dfs:
        checker.dockerfiles[_key(df.path)] = df
    return out


def lint_written(project, selection, config, report: FixReport) -> list[Finding]:
    """The findings after the fixes were written. A changed .dockerignore changes build contexts:
    then every Dockerfile is linted again (from the models already parsed) on fresh context scans."""
    if not report.other_files:
        return report.remaining
    checker = report._checker
    from mllint_docker.engine.lint import Engine
    from mllint_docker.model.project import Project
    from mllint_docker.model.requirements import parse_requirements

    fixed = {_key(p) for p in report.fixed}
    dfs = [checker.parsed.get(_key(df.path)) or checker.dockerfiles.get(_key(df.path)) or df
           for df in project.dockerfiles]
    requirements = {k: (parse_requirements(v.path) if k in fixed else v) for k, v in project.requirements.items()}
    sub = Project(root=project.root, config=project.config, dockerfiles=dfs, requirements=requirements,
                  compose_files=project.compose_files, contexts=project.contexts, errors=project.errors,
                  _roots=project._roots, boundary=project.boundary)
    return Engine(sub, selection, config).run()
