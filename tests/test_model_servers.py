"""An install's model key goes only to the address it was configured with; users can't make the server call anywhere.

A loopback listener stands in for a server a user controls: it records every
request's headers. The install's compatible server is another listener.
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag.answer.chain import AskOptions, ask
from rag.errors import AccessDenied, GroundedError
from rag.ingest.pipeline import ingest_bytes
from rag.netguard import UnsafeAddress, address_is_public, check_url, http_client
from rag.workspace.access import User
from rag.workspace.assistants import (
    create_assistant,
    effective_settings,
    get_assistant,
    save_assistant,
    set_model_server,
)

INSTALL_KEY = "sk-install-SECRET-0123456789"
ALICE = User("alice")  # signs in, manages her own assistant, is not an admin
ADMIN = User("root", admin=True)


class Listener:
    """A loopback HTTP server that answers like an OpenAI-compatible server and records each request's headers."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        seen = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server interface
                length = int(self.headers.get("Content-Length") or 0)
                headers = {k.lower(): v for k, v in self.headers.items()}
                seen.append({"path": self.path, "headers": headers, "body": self.rfile.read(length).decode()})
                chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m",
                         "choices": [{"index": 0, "delta": {"content": "Enterprise costs 900 dollars [1]."},
                                      "finish_reason": None}]}
                body = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def keys(self) -> list[str]:
        return [r["headers"].get("authorization", "") for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def listeners():
    install, attacker = Listener(), Listener()
    yield install, attacker
    install.close()
    attacker.close()


@pytest.fixture
def install(store, listeners):
    """An install whose admin configured a compatible server with a key (as secrets.toml would)."""
    install_server, _ = listeners
    ingest_bytes(store, "pricing.md", b"# Pricing\n\nEnterprise plans cost 900 dollars per month.\n")
    return replace(store.settings, compatible_url=install_server.url, compatible_api_key=INSTALL_KEY,
                   users={"alice": "x", "root": "x"}, admins=("root",))


def _ask(store, settings, assistant):
    effective = effective_settings(settings, assistant)
    return ask(store, "What does Enterprise cost?", assistant.id, AskOptions(model="compatible"), settings=effective, user=None)


def test_the_install_key_goes_to_the_install_server(store, install, listeners):
    install_server, _ = listeners
    assistant = create_assistant(store.catalog, "Sales", user=ALICE)
    ingest_bytes(store, "pricing.md", b"# Pricing\n\nEnterprise plans cost 900 dollars per month.\n", assistant.id)
    answer = _ask(store, install, assistant)
    assert answer.model == "compatible" and "900" in answer.answer
    assert install_server.keys() == [f"Bearer {INSTALL_KEY}"]


def test_a_user_cannot_point_an_assistant_at_their_own_server(store, install, listeners):
    _, attacker = listeners
    assistant = create_assistant(store.catalog, "Sales", user=ALICE)
    with pytest.raises(AccessDenied):
        set_model_server(store.catalog, install, assistant.id, attacker.url, "m", ALICE)
    assistant.compatible_url = attacker.url  # a crafted edit through the general save path
    save_assistant(store.catalog, assistant, ALICE)
    assert get_assistant(store.catalog, assistant.id, ALICE).compatible_url is None
    with pytest.raises(AccessDenied):
        create_assistant(store.catalog, "Sneaky", user=ALICE, compatible_url=attacker.url)
    assert attacker.requests == []


def test_an_assistant_server_never_gets_the_install_key(store, install, listeners):
    """Even where an admin allowed private addresses and named the server, the install's key stays home."""
    install_server, attacker = listeners
    settings = replace(install, allow_private_urls=True)
    assistant = create_assistant(store.catalog, "Sales")  # made by the command line: nobody's, admins manage it
    ingest_bytes(store, "pricing.md", b"# Pricing\n\nEnterprise plans cost 900 dollars per month.\n", assistant.id)
    set_model_server(store.catalog, settings, assistant.id, attacker.url, "m", ADMIN)
    answer = _ask(store, settings, get_assistant(store.catalog, assistant.id, ALICE))
    assert answer.model == "compatible"
    assert len(attacker.requests) == 1 and INSTALL_KEY not in json.dumps(attacker.requests)
    assert attacker.keys() != [f"Bearer {INSTALL_KEY}"]
    assert install_server.requests == []


def test_an_assistant_server_on_a_private_address_is_refused_at_every_connection(store, install, listeners):
    """An address stored earlier (or by an older version) is still checked when the model is called."""
    _, attacker = listeners
    assistant = create_assistant(store.catalog, "Sales", user=ALICE)
    ingest_bytes(store, "pricing.md", b"# Pricing\n\nEnterprise plans cost 900 dollars per month.\n", assistant.id)
    stored = get_assistant(store.catalog, assistant.id, ALICE)
    stored.compatible_url = attacker.url  # as if written before this check existed
    answer = _ask(store, install, stored)
    assert answer.model == "extractive" and "900" in answer.answer  # quotes instead, with a plain notice
    assert attacker.requests == []
    unowned = create_assistant(store.catalog, "Support")
    with pytest.raises(UnsafeAddress):
        set_model_server(store.catalog, install, unowned.id, attacker.url, "m", ADMIN)


def test_admins_allowed_list_lets_owners_choose_a_server(store, install, listeners):
    install_server, attacker = listeners
    settings = replace(install, allowed_server_urls=(attacker.url,))
    assistant = create_assistant(store.catalog, "Sales", user=ALICE)
    set_model_server(store.catalog, settings, assistant.id, attacker.url + "/", "m", ALICE)
    assert get_assistant(store.catalog, assistant.id, ALICE).compatible_url == attacker.url + "/"
    with pytest.raises(AccessDenied):
        set_model_server(store.catalog, settings, assistant.id, "http://example.invalid/v1", "m", ALICE)


@pytest.mark.parametrize("address, public", [
    ("8.8.8.8", True), ("2001:4860:4860::8888", True),
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("::1", False),
    ("fe80::1", False), ("::ffff:127.0.0.1", False), ("fc00::1", False), ("224.0.0.1", False),
])
def test_internal_addresses_are_recognised(address, public):
    assert address_is_public(address) is public


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "http://user:pw@example.com/", "localhost:8080"])
def test_only_plain_web_addresses_are_accepted(url):
    with pytest.raises(GroundedError):
        check_url(url)


def test_the_guarded_client_refuses_loopback_when_connecting(listeners):
    """The check is made at connection time (a redirect or a re-resolved name lands here too)."""
    _, attacker = listeners
    with http_client(allow_private=False) as client, pytest.raises(UnsafeAddress):
        client.post(attacker.url + "/chat/completions", json={})
    assert attacker.requests == []
    with http_client(allow_private=True) as client:
        assert client.post(attacker.url + "/chat/completions", json={}).status_code == 200
