"""`mllint server`: a Language Server over stdio (pygls).

Diagnostics for Dockerfiles, requirements, compose and `.dockerignore` files as they are opened and
edited: the unsaved text of every open document stands in for its file, and everything else (the
build context, included requirements, the config) is read from disk around it, as `mllint check`
would. Hover on a finding shows its rule page; code actions come from the findings' fixes
(`Finding.edit`). Configs are read afresh on every lint, and a change to one (saved in the editor or
reported by the client's file watcher) re-lints every open document.

pygls is imported here only, when the server starts: `mllint check` never pays for it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from mllint_docker import PROJECT_URL, __version__
from mllint_docker.finding import Finding

SOURCE = "mllint-docker"
SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
            "info": types.DiagnosticSeverity.Information}
CONFIG_NAMES = (".mllint-docker.toml", "pyproject.toml", ".hadolint.yaml", ".hadolint.yml")
HELP_URI = PROJECT_URL + "/blob/v" + __version__ + "/rules/{name}.md"


# Linting ------------------------------------------------------------------------------------------

def lintable(path: Path) -> bool:
    from mllint_docker.model.discovery import file_kind

    return file_kind(path) is not None


def lint_documents(target: Path, open_docs: dict[Path, str]) -> tuple[list[Finding], str | None]:
    """Findings in `target` with every open document's unsaved text standing in for its file; or a
    config error message."""
    from mllint_docker.engine.config import ConfigError, ConfigResolver
    from mllint_docker.engine.lint import Engine, Selector
    from mllint_docker.model.buffers import buffers
    from mllint_docker.model.project import load_project

    wanted = Path(os.path.abspath(target))
    with buffers(open_docs):
        try:
            config = ConfigResolver().for_path(target)  # read afresh: config edits take effect at once
            engine = Engine(load_project([target], config), Selector(config), config)
            engine.run()
            findings = engine.report_unused_pragmas()
        except ConfigError as err:
            return [], str(err)
    return [f for f in findings if Path(os.path.abspath(f.file)) == wanted], None


def utf16_column(line_text: str, column: int) -> int:
    """A 1-based character column as LSP's 0-based UTF-16 offset."""
    prefix = line_text[: max(column - 1, 0)]
    return len(prefix.encode("utf-16-le")) // 2


def _line(lines: list[str], n: int) -> str:
    return lines[n - 1] if 0 < n <= len(lines) else ""


def to_range(lines: list[str], start: tuple[int, int], end: tuple[int, int]) -> types.Range:
    return types.Range(start=types.Position(line=start[0] - 1, character=utf16_column(_line(lines, start[0]), start[1])),
                       end=types.Position(line=end[0] - 1, character=utf16_column(_line(lines, end[0]), end[1])))


def to_diagnostic(f: Finding, lines: list[str]) -> types.Diagnostic:
    """A file-level finding (no line) covers the first line; one with a line covers the rest of it
    from its column."""
    line = f.line or 1
    text = _line(lines, line)
    start = f.column or (len(text) - len(text.lstrip()) + 1)
    rng = to_range(lines, (line, start), (line, len(text) + 1))
    message = f.message + (f"\nFix: {f.fix}" if f.fix else "")
    return types.Diagnostic(range=rng, message=message, severity=SEVERITY[f.severity], code=f.code, source=SOURCE,
                            code_description=types.CodeDescription(href=HELP_URI.format(name=f.name)),
                            data={"name": f.name})


def code_actions(findings: list[Finding], lines_of, diagnostics: list[types.Diagnostic]) -> list[types.CodeAction]:
    """One quick fix per finding that carries an applicable `Fix`: its edits as a WorkspaceEdit.
    `lines_of(path)` gives the lines of each edited file (the buffer when it is open)."""
    actions = []
    for f in findings:
        fix = f.edit
        if fix is None or fix.applicability == "display" or not fix.edits:
            continue
        changes: dict[str, list[types.TextEdit]] = {}
        for e in fix.edits:
            lines = lines_of(Path(e.file))
            changes.setdefault(from_fs_path(os.path.abspath(e.file)), []).append(
                types.TextEdit(range=to_range(lines, e.start, e.end), new_text=e.content))
        related = [d for d in diagnostics if d.code == f.code and d.range.start.line == (f.line or 1) - 1]
        actions.append(types.CodeAction(
            title=f"{fix.message} ({f.code})" + (" [unsafe]" if fix.applicability == "unsafe" else ""),
            kind=types.CodeActionKind.QuickFix, diagnostics=related or None,
            edit=types.WorkspaceEdit(changes=changes), is_preferred=fix.applicability == "safe"))
    return actions


_DIRECTIVE = re.compile(r"^#\s*(syntax|escape|check)\s*=", re.I)


def pragma_action(f: Finding, path: Path, text: str) -> types.CodeAction | None:
    """"Disable CODE here": a `# mllint: disable=` comment above the Dockerfile instruction (or a
    `disable-file=` for a file-level finding, below any parser directives), or trailing on a
    requirements line."""
    from mllint_docker.model.discovery import file_kind

    lines = text.splitlines()
    kind = file_kind(path)
    uri = from_fs_path(os.path.abspath(path))
    if kind == "requirements" and f.line:
        at = (f.line, len(_line(lines, f.line)) + 1)
        edit, title = "  # mllint: disable=" + f.code, f"Disable {f.code} on this line"
    elif kind == "dockerfile" and f.line:
        from mllint_docker.model.dockerfile import parse_dockerfile

        df = parse_dockerfile(path, text=text)
        inst = next((i for i in df.instructions if i.line <= f.line <= i.end_line), None)
        if inst is None:
            return None
        first = _line(lines, inst.line)
        indent = first[: len(first) - len(first.lstrip())]
        at = (inst.line, 1)
        edit, title = f"{indent}# mllint: disable={f.code}\n", f"Disable {f.code} for this instruction"
    elif kind == "dockerfile":
        n = 1
        while n <= len(lines) and _DIRECTIVE.match(lines[n - 1]):
            n += 1
        at = (n, 1)
        edit, title = f"# mllint: disable-file={f.code}\n", f"Disable {f.code} for this file"
    else:
        return None
    return types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix, edit=types.WorkspaceEdit(
        changes={uri: [types.TextEdit(range=to_range(lines, at, at), new_text=edit)]}))


# The server ---------------------------------------------------------------------------------------

class MllintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("mllint-docker", __version__)
        self.findings: dict[str, list[Finding]] = {}  # uri -> findings published for it

    def open_documents(self) -> dict[Path, str]:
        out = {}
        for uri, doc in self.workspace.text_documents.items():
            path = to_fs_path(uri) if uri.startswith("file:") else None
            if path:
                out[Path(path)] = doc.source
        return out

    def lint(self, uri: str) -> None:
        path = to_fs_path(uri) if uri.startswith("file:") else None
        if not path or not lintable(Path(path)):
            return
        docs = self.open_documents()
        try:
            findings, error = lint_documents(Path(path), docs)
        except Exception as err:  # never leave the editor without an answer
            findings, error = [], f"internal error: {type(err).__name__}: {err}"
        lines = self.workspace.get_text_document(uri).source.splitlines()
        if error is not None:
            diagnostics = [types.Diagnostic(range=to_range(lines, (1, 1), (1, len(_line(lines, 1)) + 1)),
                                            message=f"mllint-docker cannot lint this file: {error}",
                                            severity=types.DiagnosticSeverity.Error, source=SOURCE)]
        else:
            diagnostics = [to_diagnostic(f, lines) for f in findings]
        self.findings[uri] = findings
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))

    def lint_all(self) -> None:
        for uri in list(self.workspace.text_documents):
            self.lint(uri)

    def lines_of(self, path: Path) -> list[str]:
        docs = self.open_documents()
        text = docs.get(path)
        if text is None:
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
        return text.splitlines()


def make_server() -> MllintServer:
    server = MllintServer()

    @server.feature(types.INITIALIZED)
    def initialized(ls: MllintServer, params: types.InitializedParams) -> None:
        caps = ls.client_capabilities.workspace
        watch = caps.did_change_watched_files if caps else None
        if watch is not None and watch.dynamic_registration:
            watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_NAMES]
            ls.client_register_capability(types.RegistrationParams(registrations=[types.Registration(
                id="mllint-docker-configs", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: MllintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: MllintServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = Path(to_fs_path(uri) or "")
        from mllint_docker.model.discovery import file_kind

        if file_kind(path) in ("dockerignore", "requirements", "compose"):
            ls.lint_all()  # they change what the Dockerfiles around them mean
        else:
            ls.lint(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: MllintServer, params: types.DidSaveTextDocumentParams) -> None:
        if Path(to_fs_path(params.text_document.uri) or "").name in CONFIG_NAMES:
            ls.lint_all()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: MllintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.findings.pop(params.text_document.uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls: MllintServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.lint_all()

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: MllintServer, params: types.HoverParams) -> types.Hover | None:
        from mllint_docker.docs import rule_doc

        line = params.position.line + 1
        hits = [f for f in ls.findings.get(params.text_document.uri, []) if (f.line or 1) == line]
        pages = []
        for name in dict.fromkeys(f.name for f in hits):
            pages.append(rule_doc(name) or name)
        if not pages:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(pages)))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(ls: MllintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        first, last = params.range.start.line + 1, params.range.end.line + 1
        uri = params.text_document.uri
        hits = [f for f in ls.findings.get(uri, []) if first <= (f.line or 1) <= last]
        actions = code_actions(hits, ls.lines_of, list(params.context.diagnostics))
        path, text = Path(to_fs_path(uri) or ""), ls.workspace.get_text_document(uri).source
        for f in hits:
            action = pragma_action(f, path, text)
            if action is not None:
                actions.append(action)
        return actions

    return server


def main() -> None:
    make_server().start_io()
