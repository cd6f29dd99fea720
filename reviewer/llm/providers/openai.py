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
    """The SDK's aiohttp transport when aiohttp is installed (a core dependency) and AISCI_HTTP is not
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

    def request_body(self, messages: list[Message], config: GenerateConfig) -> tuple[dict[str, Any], float]:
        """(JSON body of POST /chat/completions, time-out in seconds) from the `create()` arguments."""
        args = self.request_args(messages, config)
        timeout = args.pop("timeout")
        extra = args.pop("extra_body", None)
        return ({**args, **extra} if extra else args), timeout

    async def generate(self, messages: list[Message], config: GenerateConfig) -> list[Output]:
        body, timeout = self.request_body(messages, config)
        try:
            # The SDK's generic `post` (its documented way to call any endpoint), not
            # `chat.completions.create`: `create` walks every request through the SDK's type-driven
            # param transform (1.1 ms of CPU per request, for a body that is plain JSON already and
            # comes out unchanged) and builds a pydantic ChatCompletion of which we read five fields:
            # 2.0 vs 0.76 ms of CPU per request in the SDK (docs/performance.md). Auth, headers, base
            # URL, time-out, the transport and the HTTP error classes are the SDK's either way.
            resp = await self.client.post("/chat/completions", body=body, cast_to=object,
                                          options={"timeout": timeout})
        except openai.APIStatusError as e:
            raise from_status(e.status_code, _short(e), e.response.headers.get("retry-after")) from e
        except openai.APIConnectionError as e:  # includes time-outs and dropped connections
            raise RetryableError(f"connection error: {type(e).__name__}: {e}") from e
        except (openai.APIResponseValidationError, json.JSONDecodeError, ValueError) as e:
            raise RetryableError(f"malformed response body: {str(e)[:200]}") from e
        choices = resp.get("choices") if isinstance(resp, dict) else None
        if not choices or not isinstance(choices, list):
            raise RetryableError("malformed response: no choices")
        try:
            usage = _usage(resp.get("usage"))
            return [self._output(choice, usage if i == 0 else Usage()) for i, choice in enumerate(choices)]
        except (KeyError, TypeError, AttributeError, ValueError) as e:  # ValueError: pydantic's too
            raise RetryableError(f"malformed response: {type(e).__name__}: {str(e)[:200]}") from e

    def _output(self, choice: Any, usage: Usage) -> Output:
        message = choice.get("message") if isinstance(choice, dict) else None
        if not isinstance(message, dict):
            raise RetryableError("malformed response: choice without message")
        text = message.get("content") or ""
        if not text and message.get("refusal"):
            text = message["refusal"]
        if not isinstance(text, str):
            raise RetryableError(f"malformed response: message content is {type(text).__name__}, not text")
        return Output(model=self.name, text=text, finish_reason=choice.get("finish_reason"), usage=usage,
                      logprobs=_logprobs(choice))

    async def aclose(self) -> None:
        await self.client.close()


def _usage(raw: Any) -> Usage:
    """Usage of a request (reported on its first output; the others carry zero)."""
    if not isinstance(raw, dict):
        return Usage()
    details = raw.get("prompt_tokens_details")
    return Usage(input_tokens=raw.get("prompt_tokens") or 0, output_tokens=raw.get("completion_tokens") or 0,
                 cached_tokens=(details.get("cached_tokens") or 0) if isinstance(details, dict) else 0)


def _logprobs(choice: dict) -> list[TokenLogprob] | None:
    content = (choice.get("logprobs") or {}).get("content")
    if not content:
        return None
    return [
        TokenLogprob(token=t["token"], logprob=t["logprob"],
                     top={a["token"]: a["logprob"] for a in (t.get("top_logprobs") or [])})
        for t in content
    ]


def _short(e: openai.APIStatusError) -> str:
    try:
        body = e.response.json()
        msg = body.get("error", {}).get("message") if isinstance(body, dict) else None
    except Exception:  # non-JSON error body
        msg = None
    return msg or e.response.text[:200] or type(e).__name__


