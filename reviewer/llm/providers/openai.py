"""OpenAI Chat Completions through the official SDK; also any OpenAI-compatible server
(vLLM, Ollama, llama.cpp, LM Studio, OpenRouter, DeepSeek) through `base_url`."""

from __future__ import annotations

import importlib.util
import json
import os
from typing import Any

import openai

from ..errors import RetryableError, from_status
from ..types import GenerateConfig, Message, Output, TokenLogprob, Usage


def http_client_option() -> dict[str, Any]:
    """The SDK's aiohttp transport when aiohttp is installed (the `fast` extra) and AISCI_HTTP is not
    "httpx": ~35% less CPU per request than the default httpx pool at high concurrency, which is what
    limits a `bench run` at 64 requests in flight (benchmarks/perf/harness_overhead.py)."""
    if os.environ.get("AISCI_HTTP", "").lower() == "httpx" or importlib.util.find_spec("aiohttp") is None:
        return {}
    return {"http_client": openai.DefaultAioHttpClient()}


class OpenAIProvider:
    supports_n = True

    def __init__(self, name: str, model: str, *, base_url: str | None = None, api_key: str | None = None,
                 extra_body: dict | None = None):
        self.name = name
        self.model = model
        self.base_url = base_url
        self.extra_body = extra_body or {}
        # The SDK's own retries are off: Model owns retries so they are bounded and counted once.
        self.client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key or "not-needed", max_retries=0,
                                         **http_client_option())

    def cache_identity(self) -> dict:
        return {"provider": "openai", "model": self.model, "base_url": str(self.client.base_url)}

    def request_args(self, messages: list[Message], config: GenerateConfig) -> dict[str, Any]:
        args: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "temperature": config.temperature,
            "max_tokens": config.max_tokens,
            "timeout": config.timeout_s,
        }
        if config.n > 1:
            args["n"] = config.n
        if config.seed is not None:
            args["seed"] = config.seed
        if config.stop:
            args["stop"] = config.stop
        if config.top_logprobs:
            args["logprobs"] = True
            args["top_logprobs"] = config.top_logprobs
        if config.json_schema is not None:
            args["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": config.schema_name, "schema": config.json_schema, "strict": False},
            }
        if self.extra_body:
            args["extra_body"] = self.extra_body
        return args

    async def generate(self, messages: list[Message], config: GenerateConfig) -> list[Output]:
        try:
            resp = await self.client.chat.completions.create(**self.request_args(messages, config))
        except openai.APIStatusError as e:
            raise from_status(e.status_code, _short(e), e.response.headers.get("retry-after")) from e
        except openai.APIConnectionError as e:  # includes time-outs and dropped connections
            raise RetryableError(f"connection error: {type(e).__name__}: {e}") from e
        except (openai.APIResponseValidationError, json.JSONDecodeError, ValueError) as e:
            raise RetryableError(f"malformed response body: {str(e)[:200]}") from e
        if not getattr(resp, "choices", None):
            raise RetryableError("malformed response: no choices")
        return [self._output(resp, i, choice) for i, choice in enumerate(resp.choices)]

    def _output(self, resp: Any, i: int, choice: Any) -> Output:
        message = getattr(choice, "message", None)
        if message is None:
            raise RetryableError("malformed response: choice without message")
        text = message.content or ""
        if not text and getattr(message, "refusal", None):
            text = message.refusal
        usage = Usage()
        if i == 0 and resp.usage is not None:
            details = getattr(resp.usage, "prompt_tokens_details", None)
            usage = Usage(
                input_tokens=resp.usage.prompt_tokens or 0,
                output_tokens=resp.usage.completion_tokens or 0,
                cached_tokens=(getattr(details, "cached_tokens", None) or 0) if details else 0,
            )
        return Output(
            model=self.name, text=text, finish_reason=choice.finish_reason, usage=usage,
            logprobs=_logprobs(choice),
        )

    async def aclose(self) -> None:
        await self.client.close()


def _logprobs(choice: Any) -> list[TokenLogprob] | None:
    content = getattr(getattr(choice, "logprobs", None), "content", None)
    if not content:
        return None
    return [
        TokenLogprob(token=t.token, logprob=t.logprob, top={a.token: a.logprob for a in (t.top_logprobs or [])})
        for t in content
    ]


def _short(e: openai.APIStatusError) -> str:
    try:
        body = e.response.json()
        msg = body.get("error", {}).get("message") if isinstance(body, dict) else None
    except Exception:  # non-JSON error body
        msg = None
    return msg or e.response.text[:200] or type(e).__name__


