"""The build context: what Docker sends for a build, and which files each COPY/ADD brings in.

`.dockerignore` semantics are Docker's (moby's patternmatcher, as BuildKit applies it while it walks
the context), not .gitignore's: a bare `foo` matches only at the root, `!` re-includes, the last
matching line wins, `*` stops at `/`, `**` crosses it. A `<Dockerfile>.dockerignore` beside the
Dockerfile replaces `.dockerignore` (even when empty).
"""

from __future__ import annotations

import bisect
import os
import posixpath
import re
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from e2b_dockerfile_utils import PatternMatcher

from mllint_docker.model.goregex import moby_regex, needs_go, translate


@dataclass(frozen=True, slots=True)
class ContextEntry:
    path: str  # posix, relative to the context root
    size: int  # lstat size: a symlink is sent as itself
    is_symlink: bool


@dataclass
class IgnoreFile:
    path: Path | None
    # (line in the ignore file, cleaned pattern with its `!`), in file order
    patterns: list[tuple[int, str]] = field(default_factory=list)
    # (line, message) for patterns Docker rejects
    errors: list[tuple[int, str]] = field(default_factory=list)
    outside: bool = False  # a symlink out of the project: not read


@dataclass
class BuildContext:
    root: Path
    ignore: IgnoreFile
    entries: list[ContextEntry]
    dirs: frozenset[str]
    errors: list[tuple[str, str]]
    total_size: int
    _paths: list[str] = field(default_factory=list, repr=False)
    # Models derived from the context, computed once on first use (e.g. `artefacts.context_artefacts`).
    memo: dict = field(default_factory=dict, repr=False, compare=False)
    _walker: "_Walker | None" = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._paths = [e.path for e in self.entries]

    def entry(self, path: str) -> ContextEntry | None:
        i = bisect.bisect_left(self._paths, path)
        return self.entries[i] if i < len(self._paths) and self._paths[i] == path else None

    def under(self, directory: str) -> list[ContextEntry]:
        """Every entry beneath a directory (`""` for the root)."""
        if not directory:
            return list(self.entries)
        prefix = directory + "/"
        lo = bisect.bisect_left(self._paths, prefix)
        hi = bisect.bisect_left(self._paths, prefix + "\U0010ffff")
        return self.entries[lo:hi]

    def resolve_source(self, source: str) -> list[ContextEntry]:
        """The files a COPY/ADD source brings in, resolved against the filtered context as BuildKit
        does: `.` everything, a directory its contents, wildcards per path segment."""
        src = _clean(source)
        if src in (".", ""):
            return list(self.entries)
        if not _has_wildcard(src):
            e = self.entry(src)
            if e is not None:
                return [e]
            return self.under(src) if src in self.dirs else []
        rx = _glob_regex(src)
        if rx is None:  # a pattern BuildKit rejects: the build fails, nothing is copied
            return []
        out: dict[str, ContextEntry] = {}
        depth = src.count("/") + 1
        for d in sorted(self.dirs):
            if d.count("/") + 1 == depth and rx.match(d):
                for e in self.under(d):
                    out[e.path] = e
        for e in self.entries:
            if e.path.count("/") + 1 == depth and rx.match(e.path):
                out[e.path] = e
        return [out[k] for k in sorted(out)]

    def head(self, path: str, size: int = 512) -> bytes:
        """The first bytes of a regular file of the context (b"" for symlinks, directories and
        anything that cannot be read): content checks never follow a link out of the context."""
        entry = self.entry(path)
        if entry is None or entry.is_symlink:
            return b""
        try:
            with open(self.root / path, "rb") as fh:
                return fh.read(size)
        except OSError:
            return b""

    def ignored_by(self, path: str) -> tuple[int, str] | None:
        """The ignore-file line whose pattern decides that `path` is excluded, if any."""
        if not self.ignore.patterns:
            return None
        walker = self._walker
        if walker is None:
            walker = self._walker = _Walker([p for _, p in self.ignore.patterns])
        flags: tuple[int, ...] = ()
        excluded = False
        parts = path.split("/")
        for d in range(1, len(parts) + 1):
            excluded, flags = walker.step("/".join(parts[:d]), flags, d)
        if not excluded:
            return None
        i = walker.decided_by(path)
        return self.ignore.patterns[i] if i is not None else None


def _clean(path: str) -> str:
    """Go's filepath.Clean on a slash path, relative to the context root."""
    path = re.sub(r"/+", "/", path.strip())
    cleaned = posixpath.normpath("/" + path).lstrip("/")
    return cleaned or "."


def _has_wildcard(path: str) -> bool:
    return any(c in path for c in "*?[")


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern | None:
    """Go's filepath.Match, which BuildKit applies to COPY/ADD wildcards: `*` and `?` never cross
    `/`; `[...]` / `[^...]` classes with ranges (`!` is not a negation in Go); `\\` escapes. None for
    a pattern Go rejects (`[]`, `[^]`, `[a-`, a trailing `\\`): it matches nothing."""
    out, i, n = [], 0, len(pattern)

    def char(j: int) -> tuple[str, int] | None:  # one class character, escaped or not
        if j >= n or pattern[j] in "-]":
            return None
        if pattern[j] == "\\":
            j += 1
            if j >= n:
                return None
        return pattern[j], j + 1

    while i < n:
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = i + 1
            negate = j < n and pattern[j] == "^"
            j += negate
            ranges: list[str] = []
            while True:
                if j < n and pattern[j] == "]" and ranges:
                    break
                got = char(j)
                if got is None:
                    return None
                lo, j = got
                if j < n and pattern[j] == "-":
                    got = char(j + 1)
                    if got is None:
                        return None
                    hi, j = got
                    if hi < lo:
                        return None
                    ranges.append(re.escape(lo) + "-" + re.escape(hi))
                else:
                    ranges.append(re.escape(lo))
            # A negated class never matches `/` in Go (it is the separator).
            out.append("[" + ("^/" if negate else "") + "".join(ranges) + "]")
            i = j
        elif c == "\\":
            i += 1
            if i >= n:
                return None
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    try:
        return re.compile("".join(out) + r"\Z", re.S)
    except re.error:
        return None


def _escaped(pattern: str) -> str:
    # ReadAll only treats a line as a comment when `#` is its first character; a pattern that starts
    # with `#` after trimming (`  #x`) is a real pattern, which the matcher would take for a comment.
    return "\\" + pattern if pattern.startswith("#") else pattern


def _pattern_matcher(patterns: list[str]) -> PatternMatcher:
    """moby's matcher, with Go's regexp reading of escapes where a pattern uses them (`\\d`,
    `[[:alpha:]]`: see goregex); ValueError for a pattern Docker rejects."""
    import warnings

    with warnings.catch_warnings():  # `[[:alpha:]]` read as Python would, before it is replaced below
        warnings.simplefilter("ignore", FutureWarning)
        pm = PatternMatcher([_escaped(p) for p in patterns])
    for pat, cleaned in zip(pm._patterns, pm._cleaned):
        body = cleaned[1:] if pat.exclusion else cleaned
        if needs_go(body):
            try:
                rx = re.compile(translate(moby_regex(body)))
            except ValueError as err:
                raise ValueError(f"Invalid ignore pattern '{cleaned}': {err}") from None
            pat.match = lambda path, _rx=rx: _rx.match(path) is not None
    return pm


@lru_cache(maxsize=64)
def _matcher(patterns: tuple[str, ...]) -> PatternMatcher:
    return _pattern_matcher(list(patterns))


def ignore_file_for(root: Path, dockerfile: Path | None) -> Path | None:
    if dockerfile is not None:
        specific = Path(str(dockerfile) + ".dockerignore")
        if _is_file(specific):
            return specific
    general = root / ".dockerignore"
    return general if _is_file(general) else None


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, an unreadable directory
        return False


def read_ignore_file(path: Path | None) -> IgnoreFile:
    """Reads patterns as moby's ignorefile.ReadAll does: a BOM is dropped, lines starting with `#`
    are comments, whitespace is trimmed, `!` inverts, patterns are cleaned, a leading `/` dropped."""
    ig = IgnoreFile(path)
    if path is None:
        return ig
    from mllint_docker.model.buffers import buffer_text

    try:
        text = buffer_text(path)
        if text is None:
            text = path.read_bytes().decode("utf-8", "replace")
    except OSError as err:
        ig.errors.append((0, f"cannot read {path.name}: {err.strerror or err}"))
        return ig
    if text.startswith("\ufeff"):
        text = text[1:]
    for n, raw in enumerate(text.splitlines(), 1):
        if raw.startswith("#"):
            continue
        pattern = raw.strip()
        if not pattern:
            continue
        invert = pattern.startswith("!")
        if invert:
            pattern = pattern[1:].strip()
        if pattern:
            pattern = posixpath.normpath(re.sub(r"/+", "/", pattern))
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        elif invert:
            ig.errors.append((n, "illegal exclusion pattern: `!` alone"))
            continue
        cleaned = ("!" if invert else "") + pattern
        try:
            if "[" in cleaned or "\\" in cleaned:  # only classes and escapes can be invalid
                _matcher((cleaned,))
        except ValueError as err:
            ig.errors.append((n, str(err)))
            continue
        ig.patterns.append((n, cleaned))
    return ig


class _Pattern:
    """One cleaned pattern (with its `!`), compiled by the matcher on first use: a context is usually
    matched against a handful of the patterns, so compiling thousands up front would dominate."""

    __slots__ = ("text", "exclusion", "dirs", "_match")

    def __init__(self, text: str):
        self.text = text
        self.exclusion = text.startswith("!")
        self.dirs = (text[1:] if self.exclusion else text).split("/")
        self._match = None

    def match(self, path: str) -> bool:
        if self._match is None:
            self._match = _pattern_matcher([self.text])._patterns[0].match
        return self._match(path)


_WILD = re.compile(r"[*?\[\]]")


def _bracket_may_match_slash(segment: str) -> bool:
    """Whether a `[...]` class in the segment can match `/` (then the pattern's segments need not line
    up with the path's)."""
    for m in re.finditer(r"\[(\^?)([^\]]*)\]", segment):
        negated, body = m.groups()
        if negated or "/" in body or "[:" in body:  # `[[:punct:]]` holds `/`
            return True
        for a, b in re.findall(r"(.)-(.)", body):
            if a <= "/" <= b:
                return True
    return False


class _Walker:
    """One walk of the context. Each path is matched once, reusing its parent's per-pattern results
    (BuildKit's MatchesUsingParentResults), and only against the patterns that can match it: an index
    on each pattern's last literal segment (its name, or the literal end of a wildcard name) and on
    its depth leaves out patterns that cannot match, which changes nothing (a pattern that does not
    match a path plays no part in its result). Per-pattern results are kept as the sorted indices of
    the patterns that matched."""

    def __init__(self, patterns: list[str]):
        self.pats = [_Pattern(p) for p in patterns]
        self.n = len(self.pats)
        self.excl = [p.exclusion for p in self.pats]
        self.reincludes = [p for p in self.pats if p.exclusion]
        self.none: tuple[int, ...] = ()
        # depth (None: any) -> indices, for each kind of key
        self.always: dict[int | None, list[int]] = {}
        self.by_name: dict[str, list[tuple[int, int | None]]] = {}
        self.by_suffix: dict[str, list[tuple[int, int | None]]] = {}
        self.by_segment: dict[str, list[tuple[int, int | None]]] = {}
        for i, p in enumerate(self.pats):
            self._index(i, p)
        self.suffix_lengths = sorted({len(k) for k in self.by_suffix})
        self._always_at: dict[int, list[int]] = {}

    def _index(self, i: int, p: _Pattern) -> None:
        dirs = p.dirs
        deep = any("**" in s for s in dirs)
        depth = None if deep else len(dirs)
        anchors = [k for k, s in enumerate(dirs) if s != "**"]
        if not anchors or any(_bracket_may_match_slash(s) for s in dirs):
            self.always.setdefault(depth, []).append(i)
            return
        k = anchors[-1]
        seg = dirs[k]
        if "**" in seg or "\\" in seg:
            self.always.setdefault(depth, []).append(i)
        elif k < len(dirs) - 1:  # `out/**`, `**/out/**`: some parent directory is named `out`
            if _WILD.search(seg):
                self.always.setdefault(depth, []).append(i)
            else:
                self.by_segment.setdefault(seg, []).append((i, depth))
        elif not _WILD.search(seg):
            self.by_name.setdefault(seg, []).append((i, depth))
        else:
            suffix = seg[max(seg.rfind(c) for c in "*?]") + 1 :]
            self.by_suffix.setdefault(suffix, []).append((i, depth))

    def candidates(self, path: str, depth: int) -> list[int]:
        """Indices of the patterns that may match `path` (at `depth`, 1 for a root entry), possibly
        repeated."""
        out = self._always_at.get(depth)
        if out is None:
            out = self._always_at[depth] = self.always.get(None, []) + self.always.get(depth, [])
        cands = list(out)
        name = path.rpartition("/")[2]
        hits = self.by_name.get(name)
        if hits:
            cands += [i for i, d in hits if d is None or d == depth]
        for k in self.suffix_lengths:
            if k > len(name):
                break
            hits = self.by_suffix.get(name[len(name) - k :])
            if hits:
                cands += [i for i, d in hits if d is None or d == depth]
        if self.by_segment and depth > 1:
            for seg in set(path.split("/")[:-1]):
                hits = self.by_segment.get(seg)
                if hits:
                    cands += [i for i, d in hits if d is None or d == depth]
        return cands

    def step(self, path: str, parent: tuple[int, ...], depth: int) -> tuple[bool, tuple[int, ...]]:
        cands = self.candidates(path, depth)
        if not cands and not parent:
            return False, parent
        flags = []
        matched = False
        for i in sorted(set(cands).union(parent)):
            if i in parent:
                match = True
            elif self.excl[i] != matched:
                continue
            else:
                match = self.pats[i].match(path)
            if match:
                flags.append(i)
                matched = not self.excl[i]
        return matched, tuple(flags)

    def may_match_under(self, directory: str) -> bool:
        """Whether a `!` pattern could re-include a path under an excluded directory."""
        segments = directory.split("/")
        return any(PatternMatcher._may_match_under(p, segments) for p in self.reincludes)

    def decided_by(self, path: str) -> int | None:
        """The index of the last excluding pattern that matches `path` or one of its parents."""
        parts = path.split("/")
        prefixes = ["/".join(parts[:d]) for d in range(1, len(parts) + 1)]
        cands: set[int] = set()
        for d, prefix in enumerate(prefixes, 1):
            cands.update(self.candidates(prefix, d))
        for i in sorted(cands, reverse=True):
            if not self.excl[i] and any(self.pats[i].match(prefix) for prefix in prefixes):
                return i
        return None


def scan_context(root: Path, dockerfile: Path | None = None, boundary=None) -> BuildContext:
    """`boundary(path) -> bool` says whether a file may be opened (the project's trust boundary):
    an ignore file that is a symlink out of it is reported, not read."""
    root = Path(root)
    ignore_path = ignore_file_for(root, dockerfile)
    if ignore_path is not None and boundary is not None and not boundary(ignore_path):
        ignore = IgnoreFile(ignore_path, outside=True)
    else:
        ignore = read_ignore_file(ignore_path)
    walker = _Walker([p for _, p in ignore.patterns])
    entries: list[ContextEntry] = []
    dirs: set[str] = set()
    errors: list[tuple[str, str]] = []
    total = 0
    # (absolute dir, relative dir, indices of the patterns that matched it, excluded)
    stack: list[tuple[str, str, tuple[int, ...], bool]] = [(str(root), "", walker.none, False)]
    simple = walker.n == 0
    while stack:
        abs_dir, rel_dir, flags, dir_excluded = stack.pop()
        try:
            it = os.scandir(abs_dir)
        except OSError as err:
            errors.append((rel_dir or ".", f"cannot read directory: {err.strerror or err}"))
            continue
        depth = rel_dir.count("/") + 2 if rel_dir else 1
        with it:
            for e in it:
                rel = f"{rel_dir}/{e.name}" if rel_dir else e.name
                if simple:
                    excluded, child_flags = False, flags
                else:
                    excluded, child_flags = walker.step(rel, flags, depth)
                try:
                    st = e.stat(follow_symlinks=False)
                except OSError as err:
                    errors.append((rel, f"cannot stat: {err.strerror or err}"))
                    continue
                if stat.S_ISDIR(st.st_mode):
                    if excluded and not walker.may_match_under(rel):
                        continue
                    if not excluded:
                        dirs.add(rel)
                    stack.append((e.path, rel, child_flags, excluded))
                elif not excluded:
                    entries.append(ContextEntry(rel, st.st_size, stat.S_ISLNK(st.st_mode)))
                    total += st.st_size
                    if dir_excluded:  # a file re-included under an excluded directory brings its parents
                        parent = rel_dir
                        while parent and parent not in dirs:
                            dirs.add(parent)
                            parent = parent.rpartition("/")[0]
    entries.sort(key=lambda e: e.path)
    for line, message in ignore.errors:
        errors.append((f"{ignore.path.name if ignore.path else '.dockerignore'}:{line}", message))
    return BuildContext(root, ignore, entries, frozenset(dirs), errors, total, _walker=walker)
