"""`mllint server` with a real LSP client (pytest-lsp) over stdio: diagnostics from the unsaved
buffer with the project on disk around it, a buffer that does not parse, a file outside any
project, hover with the rule page, config changes, and quick fixes from a finding's edits."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from helpers import write_tree
from mllint_docker.finding import Edit, Finding, Fix


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "mllint_docker", "server"]))
async def client(lsp_client: LanguageClient, tmp_path: Path):
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=tmp_path.as_uri()))
    yield
    await lsp_client.shutdown_session()


async def open_doc(client: LanguageClient, path: Path, text: str, language: str = "dockerfile") -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return uri


async def change_doc(client: LanguageClient, uri: str, text: str, version: int = 2) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)


def summary(client: LanguageClient, uri: str) -> list[tuple[str, int, int]]:
    return sorted((d.code, d.range.start.line, d.range.start.character) for d in client.diagnostics[uri])


@pytest.mark.asyncio
async def test_diagnostics_come_from_the_unsaved_buffer_and_the_context_on_disk(client: LanguageClient, tmp_path: Path):
    write_tree(tmp_path, {"svc/Dockerfile": "FROM python:3.11.9-slim\nUSER app\n", "svc/model.pt": 2_000_000,
                          ".mllint-docker.toml": 'ignore = ["single-stage-build-tools"]\n'})
    uri = await open_doc(client, tmp_path / "svc" / "Dockerfile", "FROM python:3.11.9-slim\nUSER app\n")
    assert summary(client, uri) == []
    await change_doc(client, uri, "FROM python:latest\nCOPY model.pt /m/\nUSER app\n")
    assert summary(client, uri) == [("MLD101", 0, 0), ("MLD301", 0, 0), ("MLD303", 1, 0)]
    d = next(d for d in client.diagnostics[uri] if d.code == "MLD101")
    assert d.severity == types.DiagnosticSeverity.Warning and d.source == "mllint-docker"
    assert d.code_description.href.endswith("/rules/base-image-unpinned.md")


async def until(condition, seconds: float = 20) -> None:
    for _ in range(int(seconds * 20)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the server did not publish the expected diagnostics")


@pytest.mark.asyncio
async def test_an_unsaved_dockerignore_changes_the_dockerfiles_around_it(client: LanguageClient, tmp_path: Path):
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.11.9-slim\nCOPY . /app\nUSER app\n", "model.pt": 2_000_000,
                          ".dockerignore": ".git\n"})
    uri = await open_doc(client, tmp_path / "Dockerfile", (tmp_path / "Dockerfile").read_text())
    assert ("MLD303", 1, 0) in summary(client, uri)
    ignore_uri = await open_doc(client, tmp_path / ".dockerignore", ".git\n", "ignore")
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=ignore_uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=".git\n*.pt\n")]))
    await until(lambda: ("MLD303", 1, 0) not in summary(client, uri))


@pytest.mark.asyncio
async def test_a_buffer_with_a_syntax_error_gets_a_parse_error(client: LanguageClient, tmp_path: Path):
    uri = await open_doc(client, tmp_path / "Dockerfile", "FROM python:3.11.9-slim\nRUN <<EOF\necho never closed\n")
    codes = [d.code for d in client.diagnostics[uri]]
    assert "MLD001" in codes


@pytest.mark.asyncio
async def test_a_file_outside_any_project(client: LanguageClient, tmp_path: Path):
    uri = await open_doc(client, tmp_path / "loose" / "requirements.txt", "numpy==2.1.0\ntorch>=2\n", "pip-requirements")
    assert summary(client, uri) == [("MLD201", 1, 0)]


@pytest.mark.asyncio
async def test_hover_shows_the_rule_page(client: LanguageClient, tmp_path: Path):
    uri = await open_doc(client, tmp_path / "Dockerfile", "FROM python:latest\nUSER app\n")
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=6)))
    assert hover is not None and "# base-image-unpinned (MLD101)" in hover.contents.value
    assert "## Why is this bad?" in hover.contents.value
    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=1, character=0)))
    assert nothing is None


@pytest.mark.asyncio
async def test_config_changes_reload(client: LanguageClient, tmp_path: Path):
    write_tree(tmp_path, {".mllint-docker.toml": ""})
    uri = await open_doc(client, tmp_path / "Dockerfile", "FROM python:3.11.9-slim\n")
    assert ("MLD401", 0, 0) in summary(client, uri)
    write_tree(tmp_path, {".mllint-docker.toml": 'ignore = ["runs-as-root"]\n'})
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[types.FileEvent(
        uri=(tmp_path / ".mllint-docker.toml").as_uri(), type=types.FileChangeType.Changed)]))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert ("MLD401", 0, 0) not in summary(client, uri)


@pytest.mark.asyncio
async def test_a_bad_config_is_one_diagnostic_not_a_crash(client: LanguageClient, tmp_path: Path):
    write_tree(tmp_path, {".mllint-docker.toml": "select = [\n"})
    uri = await open_doc(client, tmp_path / "Dockerfile", "FROM python:latest\n")
    [d] = client.diagnostics[uri]
    assert d.severity == types.DiagnosticSeverity.Error and "invalid TOML" in d.message


def test_code_actions_turn_a_findings_edits_into_a_workspace_edit(tmp_path: Path):
    from mllint_docker.server import code_actions, to_diagnostic

    df = tmp_path / "Dockerfile"
    text = "FROM python:latest\nRUN pip install 🤗 torch\n"  # an astral character: 2 UTF-16 units
    df.write_text(text)
    lines = text.splitlines()
    fix = Fix("safe", "pin torch", (Edit(df, (2, 19), (2, 24), "torch==2.4.1"),))
    f = Finding("MLD202", "pip-install-unpinned", "warning", df, 2, 19, "`torch` has no version", edit=fix)
    display = Finding("MLD101", "base-image-unpinned", "warning", df, 1, None, "m", edit=Fix("display", "pin it", ()))
    diags = [to_diagnostic(f, lines), to_diagnostic(display, lines)]
    [action] = code_actions([f, display], lambda p: lines, diags)
    assert action.title == "pin torch (MLD202)" and action.kind == types.CodeActionKind.QuickFix and action.is_preferred
    assert action.diagnostics == [diags[0]]
    [(uri, [edit])] = action.edit.changes.items()
    assert uri == df.as_uri() and edit.new_text == "torch==2.4.1"
    assert (edit.range.start.line, edit.range.start.character, edit.range.end.line, edit.range.end.character) == (1, 19, 1, 24)


@pytest.mark.asyncio
async def test_code_actions_offer_a_pragma(client: LanguageClient, tmp_path: Path):
    text = "# syntax=docker/dockerfile:1\nFROM python:latest\nRUN pip install \\\n    torch\nCOPY . /app\n"
    (tmp_path / "app.py").write_text("")  # a context of Dockerfiles alone needs no .dockerignore (MLD301)
    uri = await open_doc(client, tmp_path / "Dockerfile", text)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=3, character=4), end=types.Position(line=3, character=4)),
        context=types.CodeActionContext(diagnostics=[])))
    by_title = {a.title: a.edit.changes for a in actions}
    [edit] = by_title["Disable MLD202 for this instruction"][uri]
    assert edit.new_text == "# mllint: disable=MLD202\n" and edit.range.start == types.Position(line=2, character=0)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
        context=types.CodeActionContext(diagnostics=[])))
    [edit] = {a.title: a.edit.changes for a in actions}["Disable MLD301 for this file"][uri]
    assert edit.new_text == "# mllint: disable-file=MLD301\n" and edit.range.start == types.Position(line=1, character=0)


@pytest.mark.asyncio
async def test_a_rules_fix_is_a_quick_fix(client: LanguageClient, tmp_path: Path):
    text = "FROM python:3.11.9-slim\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nUSER app\n"
    uri = await open_doc(client, tmp_path / "Dockerfile", text)
    assert ("MLD107", 1, 22) in summary(client, uri)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=1, character=0), end=types.Position(line=1, character=0)),
        context=types.CodeActionContext(diagnostics=list(client.diagnostics[uri]))))
    fix = next(a for a in actions if a.title.startswith("Add `--no-install-recommends`"))
    assert fix.title.endswith("(MLD107) [unsafe]") and not fix.is_preferred
    [edit] = fix.edit.changes[uri]
    assert edit.new_text == " --no-install-recommends"
    assert edit.range.start == edit.range.end == types.Position(line=1, character=37)
    assert [d.code for d in fix.diagnostics] == ["MLD107"]
