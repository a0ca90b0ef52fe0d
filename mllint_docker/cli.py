"""The command line: `mllint check`, `rules`, `explain`, `context`. Exit codes: 0 clean, 1 findings at
or above --fail-on, 2 usage error, bad config or unreadable path."""

from __future__ import annotations

import gc
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


def _console(**kwargs):
    """A rich console that honours NO_COLOR fully: no colour, and no bold or dim either."""
    from rich.console import Console

    if os.environ.get("NO_COLOR"):
        kwargs["color_system"] = None
    return Console(**kwargs)


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
    _warn_if_shadowed()


def _warn_if_shadowed() -> None:
    """PyPI's unrelated `mllint` package (an older ML project linter) also installs a `mllint`
    command, and whichever was installed last owns it. Run as `mllint` with that package present:
    say so (one module lookup, no import)."""
    if os.path.basename(sys.argv[0]).lower() not in ("mllint", "mllint.exe"):
        return
    import importlib.util

    if importlib.util.find_spec("mllint") is not None:
        click.echo("mllint: warning: the unrelated `mllint` package is installed too and also provides a `mllint` "
                   "command; run `mllint-docker` to be sure to get this tool", err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github", "gitlab", "junit", "checkstyle", "html"]),
              default=None,
              help="Output format (default: text; github under GitHub Actions).")
@click.option("--output", "outputs", multiple=True, metavar="FORMAT:FILE",
              help="Also write a report to a file, e.g. sarif:mllint.sarif; repeatable.")
@click.option("--statistics", is_flag=True, help="Print how many findings each rule has, instead of the findings.")
@click.option("--write-baseline", type=click.Path(path_type=Path), default=None,
              help="Record today's findings in FILE (pruning stale entries) and exit 0.")
@click.option("--baseline", "baseline_path", type=click.Path(path_type=Path), default=None,
              help="Report only findings that are not in this baseline FILE.")
@click.option("--select", multiple=True, help="Rules to run (codes, names, prefixes or hadolint codes), replacing the defaults.")
@click.option("--extend-select", multiple=True, help="Rules to run in addition to the selected ones.")
@click.option("--ignore", multiple=True, help="Rules not to run (codes, names, prefixes or hadolint codes).")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
              help="Exit 1 when a finding has this severity or higher (default: warning).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (2 still means a usage error).")
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
              help="Config file for every file (default: the closest .mllint-docker.toml or pyproject.toml above each file).")
@click.option("--isolated", is_flag=True, help="Ignore every config file (and .hadolint.yaml).")
@click.option("--stdin-filename", type=click.Path(path_type=Path), default=None,
              help="With `-` as the path: the file the text on stdin stands for (its name decides kind, config and context).")
@click.option("--no-color", is_flag=True, help="No colours or styles (also when NO_COLOR is set).")
@click.option("-q", "--quiet", is_flag=True, help="Only findings, one line each: path:line:col: severity CODE message.")
@click.option("-v", "--verbose", is_flag=True, help="Say which files, configs and build contexts were used.")
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
def check(paths, fmt, outputs, statistics, write_baseline, baseline_path, select, extend_select, ignore, fail_on, exit_zero,
          config_path, isolated, stdin_filename, no_color, quiet, verbose, build, build_files, target, build_args, builder,
          network, apply_fixes, unsafe_fixes, show_diff, fix_only) -> None:
    """Lint Dockerfiles, requirements files, compose files and build contexts under PATHS (default: .).
    `-` reads one file from stdin (name it with --stdin-filename)."""
    from mllint_docker.model.buffers import buffers

    paths = list(paths) or [Path(".")]
    stdin = None
    if any(str(p) == "-" for p in paths):
        if len(paths) > 1:
            _fail("`-` (stdin) cannot be combined with other paths")
        stdin_filename = stdin_filename or Path("Dockerfile")
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8", "surrogateescape")
        try:  # as a file is read: UTF-8, and undecodable bytes replaced rather than refused
            stdin = data.decode("utf-8")
        except UnicodeDecodeError:
            stdin = data.decode("utf-8", "replace")
        paths = [stdin_filename]
        _prime_linecache(stdin_filename, stdin)
        if apply_fixes or fix_only or show_diff:
            _fail("--fix, --fix-only and --diff change files: name them instead of `-`")
    elif stdin_filename is not None:
        _fail("--stdin-filename needs `-` as the path (the text comes from stdin)")
    else:
        for p in paths:
            try:
                exists = p.exists()
            except OSError as err:  # a name too long for the file system, a loop
                _fail(f"{p}: {err.strerror or err}")
            if not exists:
                _fail(f"{p}: no such file or directory")
            if not os.access(p, os.R_OK):
                _fail(f"{p}: permission denied")
    if config_path is not None and not config_path.is_file():
        _fail(f"{config_path}: config file not found")
    color = not (no_color or os.environ.get("NO_COLOR"))
    with buffers({paths[0]: stdin} if stdin is not None else {}):
        _check(paths, stdin is not None, fmt, outputs, statistics, write_baseline, baseline_path, select, extend_select,
               ignore, fail_on, exit_zero, config_path, isolated, color, quiet, verbose, build, build_files, target,
               build_args, builder, network, apply_fixes, unsafe_fixes, show_diff, fix_only)


def _prime_linecache(path: Path, text: str) -> None:
    """Reports show source lines through linecache: the stdin text stands for the file."""
    import linecache

    for name in {str(path), os.path.abspath(path), str(path.resolve())}:
        linecache.cache[name] = (len(text), None, text.splitlines(True), name)


def _project_root(first: Path, config) -> Path:
    """The root baselines and fingerprints are keyed to: the repository's, else the config's directory,
    else the named directory."""
    from mllint_docker.model.discovery import git_root

    first = Path(os.path.abspath(first))
    here = first if first.is_dir() else first.parent
    root = git_root(here)
    if root is not None:
        return root
    if config.path is not None:
        return Path(os.path.abspath(config.path.parent))
    return here


_as_command = False  # set by `command()`, the installed `mllint` and `python -m mllint_docker`


def command() -> None:
    """The `mllint` program (in-process callers, such as tests, use `main`)."""
    global _as_command
    _as_command = True
    main()


def _finish(code: int) -> None:
    """Ends `check` with `code`. As the program, right after its output is flushed and without
    freeing the model first (as mypy's hard exit): a long Dockerfile's hundreds of thousands of
    objects take a fifth of a second to free, for a process that is ending anyway."""
    if _as_command:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            sys.exit(code)  # the usual path reports a closed pipe
        os._exit(code)
    sys.exit(code)


def _load_project(paths, config):
    """The project's model. As the program, with Python's cyclic collector kept out of the way: a run
    builds one large model of small objects without cycles and then exits, and the collector would
    rescan it over and over (a third of the CPU on a 100,000-instruction Dockerfile,
    `benchmarks/bench_bounds.py --only run-lines`). In-process callers keep their own settings."""
    from mllint_docker.model.project import load_project

    if not _as_command:
        return load_project(paths, config)
    gc.set_threshold(50_000, 20, 100)  # collect less often, as mypy does
    gc.disable()  # building the model makes no cyclic garbage (tests/test_bounds.py): nothing to collect
    try:
        project = load_project(paths, config)
    finally:
        gc.enable()
    gc.freeze()  # the model lives until exit: later collections skip it
    return project


def _check(paths, from_stdin, fmt, outputs, statistics, write_baseline, baseline_path, select, extend_select, ignore, fail_on,
           exit_zero, config_path, isolated, color, quiet, verbose, build, build_files, target, build_args, builder, network,
           apply_fixes, unsafe_fixes, show_diff, fix_only):
    from mllint_docker.engine.config import Config, ConfigError, ConfigResolver, load_config
    from mllint_docker.engine.lint import Engine, Selector
    from mllint_docker.inert import terminal

    try:
        fixed = Config() if isolated else (load_config(config_path) if config_path is not None else None)
        resolver = ConfigResolver(fixed)
        config = resolver.for_path(paths[0])  # the run's own settings (fail-on) come from the first path's config
        selector = Selector(config, _split(select), _split(ignore), _split(extend_select))
        selector.default()  # a bad flag is reported before any file is read
        from mllint_docker.fixes import fix_policy

        policy = fix_policy(config, unsafe_fixes)
        project = _load_project(paths, config)
        engine = Engine(project, selector, config)
        findings = engine.run()
    except ConfigError as err:
        _fail(str(err))
    if verbose:
        for c in resolver.configs():
            if c.path is not None:
                click.echo(f"mllint: config {c.path}", err=True)
        for note in project.notes:
            click.echo(f"mllint: {terminal(note)}", err=True)
        from mllint_docker.model.installs.files import manifest_notes

        for note in manifest_notes(project):
            click.echo(f"mllint: {terminal(note)}", err=True)
    _warn_image_rules(build, select, extend_select, config)
    fail_on = fail_on or config.fail_on
    images = []
    if build:
        images = _build_images(project, engine, build_files, target, build_args, builder, network, quiet)
    findings = engine.report_unused_pragmas()
    linted = [df.path for df in project.dockerfiles] + [rf.path for rf in project.requirements.values()] + \
        [cf.path for cf in project.compose_files] + [m.path for m in project.manifests.values() if m.relevant]
    suppressed = engine.suppressed
    if from_stdin:  # only the buffer's findings: files around it gave context, not findings
        wanted = paths[0].resolve()
        findings = [f for f in findings if f.file.resolve() == wanted]
        suppressed = [s for s in suppressed if s.finding.file.resolve() == wanted]
        linted = [paths[0]]
    files_checked = len(linted)
    if files_checked == 0 and not quiet:
        click.echo(f"mllint: warning: no files to lint under {', '.join(str(p) for p in paths)} "
                   "(Dockerfiles, requirements, compose, .dockerignore or dependency manifest files)", err=True)
    root = _project_root(paths[0], config)
    from mllint_docker.fingerprint import stamp

    stamp(findings + [s.finding for s in suppressed], root)
    if write_baseline is not None:
        from mllint_docker.engine.baseline import write_baseline as write

        pruned = write(write_baseline, findings, root)
        note = f" ({pruned} stale entries pruned)" if pruned else ""
        click.echo(f"mllint: wrote {len(findings)} findings to the baseline {write_baseline}{note}", err=True)
        sys.exit(EXIT_OK)
    baselined = None
    if baseline_path is not None:
        from mllint_docker.engine.baseline import BaselineError, filter_baselined

        try:
            result = filter_baselined(baseline_path, findings, root)
        except BaselineError as err:
            _fail(str(err))
        findings, baselined = result.kept, result.baselined
        if verbose:
            click.echo(f"mllint: {len(baselined)} findings are in the baseline", err=True)
        if result.stale and not quiet:
            click.echo(f"mllint: warning: {len(result.stale)} baseline entries match no finding any more "
                       f"(fixed or gone); `--write-baseline {baseline_path}` prunes them", err=True)
    from mllint_docker.fixes import with_policy

    findings = with_policy(findings, policy)
    if apply_fixes or fix_only or show_diff:
        def kept(found):
            return filter_baselined(baseline_path, found, root).kept if baseline_path is not None else found

        findings = _fix(project, selector, config, findings, policy, show_diff, fix_only, quiet, kept)
        if fix_only:
            sys.exit(EXIT_OK)
    extra = dict(images=images, suppressed=suppressed, baselined=baselined, root=root, files=linted, color=color,
                 unsafe_fixes=unsafe_fixes)
    _write_outputs(outputs, findings, files_checked, quiet, **extra)
    from mllint_docker.reporters import get

    if statistics:
        _print_statistics(findings, fmt)
    else:
        if fmt is None and os.environ.get("GITHUB_ACTIONS") == "true":
            fmt = "github"
        get(fmt or "text")(findings, files_checked, sys.stdout, quiet=quiet, **extra)
    threshold = severity_rank(fail_on)
    failed = any(severity_rank(f.severity) >= threshold for f in findings)
    _finish(EXIT_FINDINGS if failed and not exit_zero else EXIT_OK)


def _write_outputs(outputs, findings, files_checked: int, quiet: bool, **extra) -> None:
    """`--output FORMAT:FILE`: each report written to its file (never with colour)."""
    from mllint_docker.reporters import FORMATS, get

    for spec in outputs:
        kind, sep, dest = spec.partition(":")
        if not sep or kind not in FORMATS or not dest:
            _fail(f"--output {spec!r}: expected FORMAT:FILE with FORMAT one of {', '.join(FORMATS)}")
        try:
            with open(dest, "w", encoding="utf-8") as fh:
                get(kind)(findings, files_checked, fh, quiet=quiet, **{**extra, "color": False})
        except OSError as err:
            _fail(f"--output {dest}: {err.strerror or err}")


def _warn_image_rules(build: bool, select, extend_select, config) -> None:
    """Image rules named on purpose (not through ALL) do nothing without --build: say so."""
    if build:
        return
    from mllint_docker.rules import by_selector

    named = [s for s in (_split(select) or []) + (_split(extend_select) or []) + (config.select or [])
             + config.extend_select if s.strip().upper() != "ALL"]
    image = sorted({r.code for s in named for r in by_selector(s) if r.scope == "image"})
    if image:
        click.echo(f"mllint: warning: {', '.join(image)} are image rules: they run only with --build "
                   "(or on a built image with `mllint image`)", err=True)


def _fix(project, selection, config, findings, policy, show_diff: bool, fix_only: bool, quiet: bool, baselined):
    """--fix / --fix-only / --diff: applies the fixes (or prints them); returns the findings to report."""
    from mllint_docker.finding import display_path
    from mllint_docker.fixes import fix_project, lint_written, unified_diff, with_policy
    from mllint_docker.inert import lines, terminal

    report = fix_project(project, selection, config, findings, policy, lint_after=not (show_diff or fix_only))
    for path, reason in report.refused:
        click.echo(f"mllint: {terminal(display_path(path))}: {terminal(reason)}", err=True)
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
    if fix_only:
        return []
    return with_policy(baselined(lint_written(project, selection, config, report)), policy)


def _print_statistics(findings, fmt=None) -> None:
    from collections import Counter

    counts = Counter((f.code, f.name, f.severity) for f in findings)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if fmt == "json":
        import json

        click.echo(json.dumps([{"code": c, "name": n, "severity": s, "count": k} for (c, n, s), k in rows], indent=2))
        return
    for (code, name, severity), n in rows:
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
    from rich.text import Text

    console = _console(stderr=True, highlight=False)
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
    _write_outputs(outputs, findings, 1, quiet, images=[t])
    get(fmt)(findings, 1, sys.stdout, quiet=quiet, images=[t])
    threshold = severity_rank(fail_on or config.fail_on)
    sys.exit(EXIT_FINDINGS if any(severity_rank(f.severity) >= threshold for f in findings) else EXIT_OK)


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "tsv", "json"]), default="text",
              help="text: a table on a terminal, tab-separated lines in a pipe; tsv: always tab-separated.")
def list_rules(fmt) -> None:
    """List every rule: code, name, default severity, on by default, summary, hadolint equivalents."""
    from mllint_docker.rules import all_rules

    rules = [r for r in all_rules()]
    if fmt == "json":
        import json

        click.echo(json.dumps([{"code": r.code, "name": r.name, "severity": r.severity, "default": r.default,
                                "group": r.group, "summary": r.summary, "hadolint": list(r.hadolint), "buildkit": list(r.buildkit)} for r in rules],
                              indent=2))
        return
    rows = [(r.code, r.name, r.severity, "on" if r.default else "off", r.summary,
             ",".join(r.hadolint)) for r in rules]
    if fmt == "tsv" or not sys.stdout.isatty():
        # In a pipe: one rule a line, tab-separated, never cut (`mllint rules | grep`, `cut -f2`).
        for row in rows:
            click.echo("\t".join(" ".join(cell.split()) for cell in row))
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for col in ("code", "name", "severity", "default", "summary", "hadolint"):
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*row)
    _console().print(table)


@main.command()
@click.argument("rule")
def explain(rule) -> None:
    """Show a rule's documentation (by name, code, or the hadolint code it stands for)."""
    from mllint_docker.docs import rule_doc
    from mllint_docker.rules import by_hadolint, by_name, is_hadolint_code, suggest

    r = by_name(rule)
    found = [r] if r is not None else (by_hadolint(rule) if is_hadolint_code(rule) else [])
    if not found:
        if is_hadolint_code(rule):
            _fail(f"hadolint rule {rule.upper()} has no mllint-docker equivalent (see `mllint rules`)")
        close = suggest(rule)
        _fail(f"unknown rule {rule!r}" + (f"; did you mean {close!r}?" if close else " (see `mllint rules`)"))
    texts = []
    for r in found:
        text = rule_doc(r.name)
        if text is None:
            _fail(f"no documentation found for {r.name}")
        texts.append(text)
    text = "\n".join(texts)
    if sys.stdout.isatty():
        from rich.markdown import Markdown

        _console().print(Markdown(text))
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


@main.command()
def server() -> None:
    """Run the Language Server over stdio: diagnostics, hover with the rule pages and quick fixes for
    Dockerfiles, requirements, compose and .dockerignore files in any LSP editor."""
    try:
        from mllint_docker.server import main as serve
    except ImportError as err:  # pygls is a dependency; a broken install should say what is missing
        _fail(f"the language server needs pygls ({err}); pip install 'pygls>=2.1,<3'")
    serve()


if __name__ == "__main__":
    main()
