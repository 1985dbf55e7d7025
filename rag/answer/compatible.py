"""ChatOpenAI for OpenAI-compatible servers (Ollama, vLLM, LM Studio, llama.cpp): the token cap they read.

langchain-openai sends a reply's token cap only as ``max_completion_tokens``,
OpenAI's newer name for it. llama.cpp's server (and other servers that follow
the older API) ignore that name and write until the context is full:
measured with ``grounded bench drafts``, a campaign draft capped at 500 tokens
ran to 7,417 tokens and 12 minutes. The cap goes as ``max_tokens`` too, which
every compatible server reads.
"""

from __future__ import annotations

from typing import Any

from langchain_openai import ChatOpenAI


class CompatibleChatOpenAI(ChatOpenAI):
    def _get_request_payload(self, input_: Any, *, stop: list[str] | None = None, **kwargs: Any) -> dict:
        payload = super()._get_request_payload(input_, stop=stop, **kwargs)
        if "max_completion_tokens" in payload:
            payload.setdefault("max_tokens", payload["max_completion_tokens"])
        return payload
