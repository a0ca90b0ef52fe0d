"""The command line: `mllint check`, `rules`, `explain`, `context`. Exit codes: 0 clean, 1 findings at
or above --fail-on, 2 usage error, bad config or unreadable path."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from mllint_docker import __version__
from mllint_docker.finding import SEVERITIES, severity_rank

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _fail(message: str) -> None:
    from mllint_docker.inert import terminal

    click.echo("\n".join(terminal(line) for line in f"mllint: error: {message}".split("\n")), err=True)
    sys.exit(EXIT_USAGE)


def _split(values: tuple[str, ...]) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


class _Guarded(click.Group):
    """An unexpected exception is one line asking for a report, and exit 2 (never a traceback, never
    exit 1, which CI would read as findings)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Abort, click.exceptions.Exit):
            raise
        except BrokenPipeError:  # `mllint check . | head`: the reader went away
            try:
                sys.stdout = open(os.devnull, "w")
            except OSError:
                pass
            sys.exit(EXIT_USAGE)
        except Exception as err:
            from mllint_docker.inert import terminal

            detail = terminal(str(err))[:300]
            click.echo(f"mllint: internal error, please report: {type(err).__name__}" + (f": {detail}" if detail else ""),
                       err=True)
            sys.exit(EXIT_USAGE)


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mllint-docker")
def main() -> None:
    """A linter for the container setup of machine-learning projects."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github", "gitlab", "junit", "checkstyle", "html"]),
              default=None,
              help="Output format (default: text; github under GitHub Actions).")
@click.option("--output", "outputs", multiple=True, metavar="FORMAT:FILE",
              help="Also write a report to a file, e.g. sarif:mllint.sarif; repeatable.")
@click.option("--statistics", is_flag=True, help="Print how many findings each rule has, instead of the findings.")
@click.option("--write-baseline", type=click.Path(path_type=Path), default=None,
              help="Record today's findings in FILE and exit 0.")
@click.option("--baseline", "baseline_path", type=click.Path(path_type=Path), default=None,
              help="Report only findings that are not in this baseline FILE.")
@click.option("--select", multiple=True, help="Rules to run (codes, names or prefixes), replacing the defaults.")
@click.option("--extend-select", multiple=True, help="Rules to run in addition to the selected ones.")
@click.option("--ignore", multiple=True, help="Rules not to run.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
              help="Exit 1 when a finding has this severity or higher (default: warning).")
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
              help="Config file (default: nearest .mllint-docker.toml or pyproject.toml).")
@click.option("--isolated", is_flag=True, help="Ignore every config file.")
@click.option("-q", "--quiet", is_flag=True, help="Only findings, one line each.")
@click.option("-v", "--verbose", is_flag=True, help="Say which files and build contexts were used.")
@click.option("--build", is_flag=True, help="Also build each Dockerfile with Docker and analyse the image (runs the build!).")
@click.option("-f", "--file", "build_files", multiple=True, type=click.Path(path_type=Path),
              help="With --build: the Dockerfile(s) to build (default: every one found).")
@click.option("--target", default=None, help="With --build: the stage to build.")
@click.option("--build-arg", "build_args", multiple=True, help="With --build: KEY=VALUE, as for docker build.")
@click.option("--builder", default=None, help="With --build: the buildx builder to use (remote BuildKit works).")
@click.option("--network", default=None, help="With --build: the network for RUN steps (e.g. `none`), as for docker build.")
@click.option("--fix", "apply_fixes", is_flag=True, help="Apply safe fixes in place; report what remains.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply (with --fix, --diff) and count unsafe fixes.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Print the fixes as a unified diff and change nothing; exit 1 when there is one.")
@click.option("--fix-only", is_flag=True, help="Apply fixes and report only what was fixed, not the remaining findings.")
def check(paths, fmt, outputs, statistics, write_baseline, baseline_path, select, extend_select, ignore, fail_on, config_path, isolated, quiet, verbose,
          build, build_files, target, build_args, builder, network, apply_fixes, unsafe_fixes, show_diff, fix_only) -> None:
    """Lint Dockerfiles, requirements files, compose files and build contexts under PATHS (default: .)."""
    from mllint_docker.engine.config import ConfigError, find_config, load_config
    from mllint_docker.engine.lint import Engine, select_rules
    from mllint_docker.inert import terminal
    from mllint_docker.model.project import load_project

    paths = list(paths) or [Path(".")]
    for p in paths:
        try:
            exists = p.exists()
        except OSError as err:  # a name too long for the file system, a loop
            _fail(f"{p}: {err.strerror or err}")
        if not exists:
            _fail(f"{p}: no such file or directory")
        if not os.access(p, os.R_OK):
            _fail(f"{p}: permission denied")
    try:
        if config_path is not None and not config_path.is_file():
            _fail(f"{config_path}: config file not found")
        # One directory: its config. Named files (pre-commit passes many): the config of the working
        # directory, so a nested project's config cannot take over the whole run.
        start = paths[0] if len(paths) == 1 and paths[0].is_dir() else Path.cwd()
        config = load_config(None if isolated else config_path or find_config(start))
        selection = select_rules(config, _split(select), _split(ignore), _split(extend_select))
        from mllint_docker.fixes import fix_policy

        policy = fix_policy(config, unsafe_fixes)
    except ConfigError as err:
        _fail(str(err))
    fail_on = fail_on or config.fail_on
    project = load_project(paths, config)
    if verbose:
        for note in project.notes:
            click.echo(f"mllint: {terminal(note)}", err=True)
    engine = Engine(project, selection, config)
    findings = engine.run()
    images = []
    if build:
        images = _build_images(project, engine, build_files, target, build_args, builder, network, quiet)
        findings = engine.findings
    files_checked = len(project.dockerfiles) + len(project.requirements) + len(project.compose_files)
    if write_baseline is not None:
        from mllint_docker.engine.baseline import write_baseline as write

        write(write_baseline, findings)
        click.echo(f"mllint: wrote {len(findings)} findings to the baseline {write_baseline}", err=True)
        sys.exit(EXIT_OK)
    if baseline_path is not None:
        from mllint_docker.engine.baseline import BaselineError, filter_baselined

        try:
            findings, dropped = filter_baselined(baseline_path, findings)
        except BaselineError as err:
            _fail(str(err))
        if verbose:
            click.echo(f"mllint: {dropped} findings are in the baseline", err=True)
    from mllint_docker.fixes import with_policy

    findings = with_policy(findings, policy)
    if apply_fixes or fix_only or show_diff:
        def relint():
            fresh = Engine(load_project(paths, config), selection, config).run()
            return _baselined(fresh, baseline_path) if baseline_path is not None else fresh

        findings = _fix(project, selection, config, findings, policy, show_diff, fix_only, quiet, relint)
        if fix_only:
            sys.exit(EXIT_OK)
    from mllint_docker.reporters import get

    _write_outputs(outputs, findings, files_checked, quiet, images, unsafe_fixes)
    if statistics:
        _print_statistics(findings)
    else:
        if fmt is None and os.environ.get("GITHUB_ACTIONS") == "true":
            fmt = "github"
        get(fmt or "text")(findings, files_checked, sys.stdout, quiet=quiet, images=images, unsafe_fixes=unsafe_fixes)
    threshold = severity_rank(fail_on)
    sys.exit(EXIT_FINDINGS if any(severity_rank(f.severity) >= threshold for f in findings) else EXIT_OK)


def _write_outputs(outputs, findings, files_checked: int, quiet: bool, images, unsafe_fixes: bool = False) -> None:
    """`--output FORMAT:FILE`: each report written to its file."""
    from mllint_docker.reporters import FORMATS, get

    for spec in outputs:
        kind, sep, dest = spec.partition(":")
        if not sep or kind not in FORMATS or not dest:
            _fail(f"--output {spec!r}: expected FORMAT:FILE with FORMAT one of {', '.join(FORMATS)}")
        try:
            with open(dest, "w", encoding="utf-8") as fh:
                get(kind)(findings, files_checked, fh, quiet=quiet, images=images, unsafe_fixes=unsafe_fixes)
        except OSError as err:
            _fail(f"--output {dest}: {err.strerror or err}")


def _baselined(findings, baseline_path):
    from mllint_docker.engine.baseline import filter_baselined

    return filter_baselined(baseline_path, findings)[0]


def _fix(project, selection, config, findings, policy, show_diff: bool, fix_only: bool, quiet: bool, relint):
    """--fix / --fix-only / --diff: applies the fixes (or prints them); returns the findings to report."""
    from mllint_docker.finding import display_path
    from mllint_docker.fixes import fix_project, unified_diff, with_policy
    from mllint_docker.inert import lines, terminal

    report = fix_project(project, selection, config, findings, policy, lint_after=not (show_diff or fix_only))
    for path, reason in report.refused:
        click.echo(f"mllint: {terminal(display_path(path))}: not fixed: {terminal(reason)}", err=True)
    n = report.total
    if show_diff:
        sys.stdout.write(lines(unified_diff(report)))  # control characters of the files shown escaped
        if not quiet:
            click.echo(f"mllint: would fix {n} finding{'s' if n != 1 else ''} in {len(report.fixed)} "
                       f"file{'s' if len(report.fixed) != 1 else ''}", err=True)
        sys.exit(EXIT_FINDINGS if report.fixed else EXIT_OK)
    for path, reason in report.write():
        _fail(f"{terminal(display_path(path))}: cannot write the fix: {terminal(reason)}")
    if not quiet:
        click.echo(f"mllint: fixed {n} finding{'s' if n != 1 else ''} in {len(report.fixed)} "
                   f"file{'s' if len(report.fixed) != 1 else ''}", err=True)
    if report.other_files and not fix_only:
        return with_policy(relint(), policy)  # a .dockerignore changed: every context is read again
    return with_policy(report.remaining, policy)


def _print_statistics(findings) -> None:
    from collections import Counter

    counts = Counter((f.code, f.name, f.severity) for f in findings)
    for (code, name, severity), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        click.echo(f"{n:5d}  {code}  {name}  ({severity})")
    click.echo(f"{sum(counts.values()):5d}  total")


def _parse_build_args(values) -> dict[str, str]:
    out = {}
    for v in values:
        key, eq, value = v.partition("=")
        if not eq or not key:
            _fail(f"--build-arg {v!r}: expected KEY=VALUE")
        out[key] = value
    return out


def _progress(quiet: bool):
    """Build output on stderr through rich: dimmed on a terminal, plain text otherwise."""
    if quiet:
        return None
    from rich.console import Console
    from rich.text import Text

    console = Console(stderr=True, highlight=False)
    return lambda line: console.print(Text("  " + line.rstrip(), style="dim"))


def _build_images(project, engine, build_files, target, build_args, builder, network, quiet) -> list:
    """Builds the selected Dockerfiles (opt-in: a build runs the repository's code) and adds the
    image findings to the engine's."""
    from mllint_docker.image import ImageError, docker_available
    from mllint_docker.image.check import build_target

    problem = docker_available()
    if problem:
        _fail(f"--build needs a Docker engine: {problem}")
    wanted = {p.resolve() for p in build_files}
    for p in build_files:
        if not p.is_file():
            _fail(f"{p}: no such Dockerfile")
    args = {**project.config.build_args, **_parse_build_args(build_args)}
    targets = []
    for df in project.dockerfiles:
        if (wanted and df.path.resolve() not in wanted) or df.error is not None:
            continue
        if target and df.stage_by_ref(target) is None:
            _fail(f"{df.path}: no stage named {target!r}")
        if not quiet:
            click.echo(f"mllint: building {df.path} ...", err=True)
        try:
            # As the compose service builds it: its args and target, under the config's and the command line's.
            t = build_target(df, project.context_choice(df).root, target or df.target, {**df.service_args, **args},
                             builder, quiet,
                             project.config.data_file_size, _progress(quiet), network)
        except ImageError as err:
            message = str(err)
            if not quiet:  # the build output was shown as it came: repeat only its end
                message = "\n".join(message.strip().splitlines()[-3:])
            _fail(f"{df.path}: {message}")
        engine.run_image(t)
        targets.append(t)
    return targets


@main.command()
@click.argument("image")
@click.option("-f", "--file", "dockerfile", type=click.Path(path_type=Path), default=None,
              help="The Dockerfile the image was built from: layers are tied to its lines.")
@click.option("--target", default=None, help="The stage of that Dockerfile the image is.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text")
@click.option("--output", "outputs", multiple=True, metavar="FORMAT:FILE",
              help="Also write a report to a file, e.g. html:image.html; repeatable.")
@click.option("--select", multiple=True, help="Rules to run, replacing the defaults.")
@click.option("--ignore", multiple=True, help="Rules not to run.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None)
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None)
@click.option("-q", "--quiet", is_flag=True)
def image(image, dockerfile, target, fmt, outputs, select, ignore, fail_on, config_path, quiet) -> None:
    """Analyse an image that is already built (a name or id) or a `docker save` / OCI tarball:
    layer sizes, wasted space as dive counts it, caches and data left in layers."""
    from mllint_docker.engine.config import ConfigError, find_config, load_config
    from mllint_docker.model.dockerfile import parse_dockerfile
    from mllint_docker.engine.lint import Engine, select_rules
    from mllint_docker.image import ImageError
    from mllint_docker.image.check import analyze_target
    from mllint_docker.model.project import Project
    from mllint_docker.reporters import get

    try:
        config = load_config(config_path or find_config(Path.cwd()))
        selection = select_rules(config, _split(select), _split(ignore), None)
    except ConfigError as err:
        _fail(str(err))
    df = None
    if dockerfile is not None:
        if not dockerfile.is_file():
            _fail(f"{dockerfile}: no such file")
        df = parse_dockerfile(dockerfile, build_args=config.build_args)
        if df.error is not None:
            _fail(f"{dockerfile}:{df.error.line or ''}: {df.error.message}")
    try:
        t = analyze_target(image, df, target, config.data_file_size)
    except ImageError as err:
        _fail(str(err))
    engine = Engine(Project(root=Path.cwd(), config=config), selection, config)
    findings = engine.run_image(t)
    _write_outputs(outputs, findings, 1, quiet, [t])
    get(fmt)(findings, 1, sys.stdout, quiet=quiet, images=[t])
    threshold = severity_rank(fail_on or config.fail_on)
    sys.exit(EXIT_FINDINGS if any(severity_rank(f.severity) >= threshold for f in findings) else EXIT_OK)


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def list_rules(fmt) -> None:
    """List every rule: code, name, default severity, whether it is on by default."""
    from mllint_docker.rules import all_rules

    rules = [r for r in all_rules()]
    if fmt == "json":
        import json

        click.echo(json.dumps([{"code": r.code, "name": r.name, "severity": r.severity, "default": r.default,
                                "group": r.group, "summary": r.summary, "hadolint": list(r.hadolint), "buildkit": list(r.buildkit)} for r in rules],
                              indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for col in ("code", "name", "severity", "default", "summary"):
        table.add_column(col)
    for r in rules:
        table.add_row(r.code, r.name, r.severity, "on" if r.default else "off", r.summary)
    Console(soft_wrap=False).print(table)


@main.command()
@click.argument("rule")
def explain(rule) -> None:
    """Show a rule's documentation (by name or code)."""
    from mllint_docker.docs import rule_doc
    from mllint_docker.rules import by_name

    r = by_name(rule)
    if r is None:
        _fail(f"unknown rule {rule!r} (see `mllint rules`)")
    text = rule_doc(r.name)
    if text is None:
        _fail(f"no documentation found for {r.name}")
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text))
    else:
        click.echo(text)


@main.command()
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("-f", "--file", "dockerfile", type=click.Path(path_type=Path), default=None,
              help="The Dockerfile (default: the Dockerfiles in PATH).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def context(path, dockerfile, fmt) -> None:
    """Show what Docker would send as the build context: every file, largest first, and which COPY/ADD
    brings it into the image."""
    from mllint_docker.model.context_listing import iter_contexts

    try:
        if not path.is_dir():
            _fail(f"{path}: not a directory")
        if dockerfile is not None and not dockerfile.is_file():
            _fail(f"{dockerfile}: no such file")
    except OSError as err:  # a name too long for the file system, a loop
        _fail(f"{err.filename or path}: {err.strerror or err}")
    from mllint_docker.inert import terminal

    def contexts():  # written as they are scanned, file by file; what could not be read on stderr
        for c in iter_contexts(path, dockerfile):
            for note in c.notes:
                click.echo(f"mllint: {terminal(note)}", err=True)
            yield c

    if fmt == "json":
        from mllint_docker.reporters.context_json import write_context_json

        write_context_json(contexts(), sys.stdout)
    else:
        from mllint_docker.reporters.context_text import write_context_text

        write_context_text(contexts(), sys.stdout)


if __name__ == "__main__":
    main()
