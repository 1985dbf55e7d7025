"""Model connections saved from the browser: encrypted at rest, masked, never logged, only by whoever runs the install,
and a key goes only to the address it was saved with. The environment and secrets.toml still win."""

from __future__ import annotations

import json
import logging
import stat
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag import vault
from rag.answer.models import resolve_model
from rag.errors import AccessDenied, GroundedError
from rag.index import close_all_indexes
from rag.ingest.recovery import open_store
from rag.settings import Settings
from rag.workspace.access import LOCAL_USER, User
from rag.workspace.connections import connection_status, forget_connection, save_connection, try_connection

KEY = "sk-saved-SECRET-0123456789abcdef"
ADMIN, ALICE = User("root", admin=True), User("alice")


class FakeServer:
    """An OpenAI-compatible server on loopback: lists one model, answers "OK", records each request's key."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        keys = self.keys

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, body: dict) -> None:
                keys.append(self.headers.get("Authorization", ""))
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802 - the http.server interface
                self._reply({"object": "list", "data": [{"id": "tiny-model", "object": "model", "created": 0, "owned_by": "me"}]})

            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._reply({"id": "x", "object": "chat.completion", "created": 0, "model": "tiny-model",
                             "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "OK"}}]})

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def servers():
    a, b = FakeServer(), FakeServer()
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def home(tmp_path, monkeypatch):
    for var in ("OPENAI_API_KEY", "GROUNDED_COMPATIBLE_URL", "OPENAI_BASE_URL", "GROUNDED_COMPATIBLE_API_KEY",
                "GROUNDED_SECRET_KEY", "GROUNDED_KEY_FILE", "GROUNDED_MODEL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


def _open(home, **env):
    secrets = home / "secrets.toml"
    secrets.write_text("".join(f'{k} = "{v}"\n' for k, v in env.items()))
    return open_store(Settings.load(home / "data", secrets_path=secrets))


def test_a_saved_key_is_encrypted_outside_the_data_folder_and_used_everywhere(home, caplog):
    store = _open(home)
    assert resolve_model(store.settings) == "extractive"
    save_connection(store, LOCAL_USER, "openai", model="gpt-4o-mini", key=KEY)
    assert store.settings.openai_api_key == KEY and resolve_model(store.settings) == "openai"
    (status,) = [s for s in connection_status(store) if s.provider == "openai"]
    assert status.source == "saved" and status.masked_key == "sk-…cdef" and KEY not in repr(status)

    secret_file = home / "config" / "grounded" / "secret.key"
    assert secret_file.exists() and stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    data = b"".join(p.read_bytes() for p in (home / "data").rglob("*") if p.is_file())
    assert KEY.encode() not in data  # nowhere in the data folder, catalog and its journal included
    assert secret_file.read_text().strip().encode() not in data
    logging.getLogger("grounded.test").warning("request failed with key %s", KEY)
    assert KEY not in caplog.text and "[secret hidden]" in caplog.text
    store.close()
    close_all_indexes()

    reopened = _open(home)  # a restart reads it back
    assert reopened.settings.openai_api_key == KEY and reopened.settings.openai_model == "gpt-4o-mini"
    reopened.close()
    close_all_indexes()

    secret_file.write_text("another-secret-entirely\n")  # the secret was lost or replaced
    lost = _open(home)
    assert lost.settings.openai_api_key is None and resolve_model(lost.settings) == "extractive"
    (status,) = [s for s in connection_status(lost) if s.provider == "openai"]
    assert "Enter the key again" in status.note
    lost.close()
    close_all_indexes()


def test_the_environment_and_secrets_win_over_saved_connections(home):
    store = _open(home)
    save_connection(store, LOCAL_USER, "openai", key=KEY)
    store.close()
    close_all_indexes()
    store = _open(home, OPENAI_API_KEY="sk-from-secrets-0123456789")
    assert store.settings.openai_api_key == "sk-from-secrets-0123456789"
    assert [s.source for s in connection_status(store) if s.provider == "openai"] == ["outside"]
    with pytest.raises(GroundedError, match="wins over"):
        save_connection(store, LOCAL_USER, "openai", key="sk-other-0123456789abcdef")
    store.close()
    close_all_indexes()


def test_only_whoever_runs_the_install_connects_models(home, servers):
    store = _open(home)
    with pytest.raises(AccessDenied):
        save_connection(store, ALICE, "compatible", servers[0].url, key=KEY)
    with pytest.raises(AccessDenied):
        try_connection(store, ALICE, "compatible", servers[0].url)
    save_connection(store, ADMIN, "compatible", servers[0].url, "tiny-model", KEY)
    with pytest.raises(AccessDenied):
        forget_connection(store, ALICE, "compatible")
    forget_connection(store, ADMIN, "compatible")
    assert store.settings.compatible_url is None
    store.close()
    close_all_indexes()


def test_testing_lists_models_times_an_answer_and_sends_a_key_only_to_its_own_address(home, servers):
    own, other = servers
    store = _open(home, GROUNDED_SECRET_KEY="install-secret-from-secrets-toml")
    save_connection(store, ADMIN, "compatible", own.url, "", KEY)
    assert not (home / "config").exists()  # the configured secret is used; no key file is made
    result = try_connection(store, ADMIN, "compatible", own.url)  # no key typed: the saved one, to its own address
    assert result.ok and result.models == ["tiny-model"] and result.model == "tiny-model" and result.reply == "OK"
    assert result.seconds >= 0 and own.keys == [f"Bearer {KEY}"] * 2
    other_result = try_connection(store, ADMIN, "compatible", other.url)  # another address: the saved key stays home
    assert other_result.ok and all(KEY not in k for k in other.keys)
    save_connection(store, ADMIN, "compatible", other.url, "tiny-model")  # moved without a key: none goes along
    assert store.settings.compatible_url == other.url and store.settings.compatible_api_key is None
    bad = try_connection(store, ADMIN, "compatible", "http://127.0.0.1:9/v1", timeout=5)
    assert not bad.ok and "could not be reached" in bad.problem
    assert not try_connection(store, ADMIN, "compatible", "ftp://example.com").ok
    store.close()
    close_all_indexes()


def test_vault_repr_and_unknown_providers(home):
    assert repr(vault.SavedConnection("openai", key=KEY)) == "SavedConnection('openai', url=None, model=None, key=set)"
    store = _open(home)
    with pytest.raises(GroundedError, match="Unknown model provider"):
        save_connection(store, LOCAL_USER, "anthropic", key=KEY)
    store.close()
    close_all_indexes()


def test_a_compatible_server_is_told_the_token_cap_in_the_name_it_reads(store):
    """langchain-openai sends only max_completion_tokens, which llama.cpp's server ignores (it then writes on until
    its context is full); compatible servers get max_tokens as well."""
    from rag.answer.chain import AskOptions, ask
    from rag.ingest.pipeline import ingest_bytes
    from tests.test_model_servers import Listener

    server = Listener()
    try:
        ingest_bytes(store, "pricing.md", b"# Pricing\n\nEnterprise plans cost 900 dollars per month.\n")
        settings = store.settings.with_(compatible_url=server.url, compatible_model="tiny")
        ask(store, "What does Enterprise cost?", options=AskOptions(model="compatible", max_tokens=77), settings=settings, user=None)
        body = json.loads(server.requests[-1]["body"])
        assert body["max_tokens"] == 77 and body["max_completion_tokens"] == 77
    finally:
        server.close()
