"""Requirements files as pip reads them (pip-requirements-parser uses pip's own code): each
requirement with its line, options, includes resolved relative to the including file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from mllint_docker.model.dockerfile import read_data

MAX_REQUIREMENTS_BYTES = 4 * 1024 * 1024
_SHA = re.compile(r"@([0-9a-fA-F]{40}|[0-9a-fA-F]{64})(?:#|$)")
_PIN_OPS = ("==", "===")


@dataclass(slots=True)
class Requirement:
    name: str  # canonical: lower case, `-` for `_` and `.`
    specifier: str  # `==1.2`, `>=2,<3`, "" for a bare name
    line: int
    text: str  # the requirement as written, options excluded
    url: str | None = None  # VCS or URL requirement
    editable: bool = False
    hashes: bool = False
    marker: str | None = None

    @property
    def pinned(self) -> bool:
        """Exactly one version: `==1.2` (no wildcard) or `===1.2`; a URL only at an immutable ref."""
        if self.url is not None:
            return (self.hashes or bool(_SHA.search(self.url)) or _is_archive_with_hash(self.url)
                    or is_versioned_file_url(self.url))
        parts = [p.strip() for p in self.specifier.split(",") if p.strip()]
        return any(p.startswith(_PIN_OPS) and "*" not in p for p in parts)

    @property
    def pinned_version(self) -> str | None:
        for p in self.specifier.split(","):
            p = p.strip()
            if p.startswith("===") or (p.startswith("==") and "*" not in p):
                return p.lstrip("=")
        return None


@dataclass(slots=True)
class Option:
    line: int
    name: str  # pip's option name, e.g. `extra_index_urls`, `trusted_hosts`, `index_url`
    values: list[str]
    text: str


@dataclass(slots=True)
class Include:
    line: int
    kind: str  # "requirement" (-r) or "constraint" (-c)
    target: str  # as written
    path: Path | None  # resolved local path; None for a URL


@dataclass(slots=True)
class RequirementsFile:
    path: Path
    requirements: list[Requirement] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    includes: list[Include] = field(default_factory=list)
    errors: list[tuple[int | None, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def specifier_columns(self, req: Requirement) -> tuple[int, int] | None:
        """Where the version specifier of `req` is written on its line: 1-based columns, the end
        exclusive (an empty range right after the name when there is none). None unless the line is
        `name[extras] specifier`, then at most a marker, a comment, an option or a continuation."""
        line = self.line_text(req.line)
        if req.text not in line:
            return None
        m = _WRITTEN_SPEC.match(line)
        if m is None:
            return None
        rest = line[m.end():]
        if rest.strip() and not rest.lstrip().startswith((";", "#", "--", "\\")):
            return None
        return len(m.group(1)) + 1, len(m.group(1)) + len(m.group(2).rstrip()) + 1


# How a requirement is written: name[extras], then a version specifier (or none). Only to place an
# edit in the user's text; what the requirement means comes from the parser above.
_WRITTEN_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_WRITTEN_SPEC = re.compile(r"^(\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?)(\s*(?:[<>=!~]=?=?\s*[\w.*+!-]+\s*,?\s*)*)")


def written_name(req: Requirement) -> str:
    """The project name as the line writes it (`Pillow`, not `pillow`); the whole text for a URL."""
    m = _WRITTEN_NAME.match(req.text)
    return m.group(1) if m and req.url is None else req.text


def canonical_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _is_archive_with_hash(url: str) -> bool:
    return bool(re.search(r"#(sha256|sha384|sha512|md5)=", url))


_WHEEL_FILE = re.compile(r"^[^-/]+-\d[^-/]*(-\d[^-/]*)?-[^-/]+-[^-/]+-[^-/]+\.whl$", re.I)
_SDIST_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.]*-\d[\w.+!]*\.(tar\.gz|tgz|tar\.bz2|zip)$", re.I)
_SHA_SEGMENT = re.compile(r"/[0-9a-f]{40}(\.zip|\.tar\.gz|\.tgz)?(?:[/?#]|$)", re.I)


def is_versioned_file_url(url: str) -> bool:
    """A URL to one release file (`torch-2.1.0+cpu-cp311-...whl`, `pkg-1.2.3.tar.gz`) or to a commit's
    archive (`.../archive/<sha>.zip`): the version is as fixed as with `==`. A tag or branch archive is not."""
    from urllib.parse import unquote, urlsplit

    path = unquote(urlsplit(url.split("#", 1)[0]).path)
    last = path.rsplit("/", 1)[-1]
    return bool(_WHEEL_FILE.match(last) or _SDIST_FILE.match(last) or _SHA_SEGMENT.search(path))


def parse_requirements(path: Path) -> RequirementsFile:
    """Parses one file; includes are listed, not followed (the project follows them, once each)."""
    rf = RequirementsFile(path)
    data, reason = read_data(path, MAX_REQUIREMENTS_BYTES)
    if data is None:
        rf.errors.append((None, reason or "unreadable"))
        return rf
    text, bad = _decode(data)
    for line in bad:  # pip refuses the whole file; the other lines are still linted
        rf.errors.append((line, "line is not valid UTF-8: pip refuses a file it cannot decode"))
    rf.lines = text.splitlines()
    try:
        with _content_of(str(path), text):
            items = list(_pip_items(path))
    except RecursionError:
        rf.errors.append((None, "cannot parse requirements: nested too deeply"))
        return rf
    except Exception as err:  # pip's code raises many types on odd input; report, never crash
        rf.errors.append((_line_of(err), f"cannot parse requirements: {err}"))
        return rf
    for item in items:
        kind = type(item).__name__
        if kind in ("InstallRequirement", "EditableRequirement"):
            rf.requirements.append(_requirement(item, kind == "EditableRequirement"))
        elif kind == "OptionLine":
            line = item.requirement_line.line_number
            for name, values in item.options.items():
                values = values if isinstance(values, list) else [values]
                if name in ("requirements", "constraints"):
                    for target in values:
                        rf.includes.append(Include(line, name[:-1], target, _resolve(path, target)))
                else:
                    rf.options.append(Option(line, name, [str(v) for v in values], item.requirement_line.line))
        elif kind == "InvalidRequirementLine":
            msg = item.error_message.strip().splitlines()[0] if item.error_message else "invalid requirement"
            msg = re.sub(r":\s*:\s*", ": ", msg)
            rf.errors.append((item.requirement_line.line_number, msg.lstrip("# ")))
    return rf


def _pip_items(path: Path):
    """What pip-requirements-parser's `RequirementsFile.parse(path, include_nested=False)` yields,
    built from the same library functions, but with one option parser for the whole file instead of
    one per line: a line with no option token (`-e`, `--hash`, ...) gets pip's default options
    without running optparse, which is where nearly all of the time went."""
    import optparse

    import pip_requirements_parser as pip  # 80 ms to import: only when a requirements file is read

    slow = pip.get_line_parser()
    defaults = vars(pip.build_parser().get_default_values())

    def parse_line(line: str):
        args, options = pip.break_args_options(line)
        if options:
            return slow(line)
        return args, optparse.Values(defaults), []

    for parsed_line in pip.RequirementsFileParser(parse_line).parse(str(path), is_constraint=False,
                                                                    include_nested=False):
        if not isinstance(parsed_line, pip.ParsedLine):
            yield parsed_line
            continue
        for parsed in pip.handle_line(parsed_line=parsed_line):
            if parsed is None:
                continue
            if not isinstance(parsed, pip.ParsedRequirement):
                yield parsed
                if isinstance(parsed, pip.OptionLine):
                    for opt in parsed.options:
                        if opt in pip.LEGACY_OPTIONS_DEST:
                            yield pip.IncorrectRequirementLine(
                                requirement_line=parsed.requirement_line,
                                error_message=f"Unsupported, legacy option: {pip.OPT_BY_OPTIONS_DEST[opt]}")
                continue
            try:
                req = pip.build_req_from_parsedreq(parsed)
            except Exception as e:
                yield pip.InvalidRequirementLine(requirement_line=parsed.requirement_line, error_message=str(e).strip())
                continue
            if req.invalid_options:
                yield pip.InvalidRequirementLine(
                    requirement_line=parsed.requirement_line,
                    error_message="Invalid global options, not supported with a requirement spec: "
                                  f"{pip.dumps_global_options(req.invalid_options)}")
            else:
                yield req


_CODING = re.compile(rb"^#.*coding[:=]\s*([-\w.]+)")


def _decode(data: bytes) -> tuple[str, list[int]]:
    """The text as pip decodes it (UTF-8, or the `# -*- coding: -*-` of the first two lines), and the
    numbers of the lines that do not decode; those lines are left empty so the others keep their numbers."""
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    for first in data.split(b"\n", 2)[:2]:
        m = _CODING.match(first)
        if m:
            try:
                return data.decode(m.group(1).decode("ascii")), []
            except (UnicodeDecodeError, LookupError):
                break
    lines, bad = [], []
    for n, raw in enumerate(data.split(b"\n"), 1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append("")
            bad.append(n)
    return "\n".join(lines), bad


class _content_of:
    """Feeds pip's parser the text already read (it would read the file again, and refuse a file
    with one undecodable line)."""

    _texts: dict[str, str] = {}
    _patched = False

    def __init__(self, filename: str, text: str):
        self.filename, self.text = filename, text

    def __enter__(self):
        import pip_requirements_parser as prp

        if not _content_of._patched:
            original = prp.get_file_content

            def get_file_content(filename: str) -> str:
                text = _content_of._texts.get(filename)
                return text if text is not None else original(filename)

            prp.get_file_content = get_file_content
            _content_of._patched = True
        _content_of._texts[self.filename] = self.text
        return self

    def __exit__(self, *exc) -> None:
        _content_of._texts.pop(self.filename, None)


def _requirement(item, editable: bool) -> Requirement:
    rl = item.requirement_line
    req = item.req
    link = item.link
    url = link.url if link is not None else (req.url if req is not None and req.url else None)
    name = canonical_name(req.name) if req is not None and req.name else (item.name if hasattr(item, "name") and item.name else "")
    spec = str(req.specifier) if req is not None else ""
    text = rl.line.split(" #", 1)[0].strip() if rl.line else ""
    return Requirement(
        name=canonical_name(name or ""),
        specifier=spec,
        line=rl.line_number,
        text=text,
        url=url,
        editable=editable,
        hashes=bool(item.hash_options),
        marker=str(item.marker) if item.marker else None,
    )


def _resolve(including: Path, target: str) -> Path | None:
    if re.match(r"^[a-z][a-z0-9+.-]*://", target, re.I):
        return None
    return (including.parent / target).resolve() if not Path(target).is_absolute() else Path(target)


def _line_of(err: Exception) -> int | None:
    m = re.search(r"line (\d+)", str(err))
    return int(m.group(1)) if m else None
