"""Anthropic Messages API through the official SDK.

Structured output via a forced tool call; the long paper prefix is marked with cache_control so an
ensemble or a reflection round reads it from the prompt cache instead of paying for it again.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

import anthropic
from anthropic.resources.messages import AsyncMessages

from ..errors import RetryableError, from_status
from ..types import GenerateConfig, Message, Output, Usage

_SDK_TAKES_TEMPERATURE = "temperature" in inspect.signature(AsyncMessages.create).parameters


class AnthropicProvider:
    supports_n = False

    def __init__(self, name: str, model: str, *, base_url: str | None = None, api_key: str | None = None):
        self.name = name
        self.model = model
        self.client = anthropic.AsyncAnthropic(base_url=base_url, api_key=api_key or "not-needed", max_retries=0)

    def cache_identity(self) -> dict:
        return {"provider": "anthropic", "model": self.model, "base_url": str(self.client.base_url)}

    def request_args(self, messages: list[Message], config: GenerateConfig) -> dict[str, Any]:
        system = [_block(m) for m in messages if m.role == "system"]
        turns = [{"role": m.role, "content": [_block(m)]} for m in messages if m.role != "system"]
        args: dict[str, Any] = {
            "model": self.model,
            "messages": turns,
            "max_tokens": config.max_tokens,
            "timeout": config.timeout_s,
        }
        # Newer SDKs dropped `temperature` from the typed arguments; the API still takes it.
        if _SDK_TAKES_TEMPERATURE:
            args["temperature"] = config.temperature
        else:
            args["extra_body"] = {"temperature": config.temperature}
        if system:
            args["system"] = system
        if config.stop:
            args["stop_sequences"] = config.stop
        if config.json_schema is not None:
            args["tools"] = [{
                "name": config.schema_name,
                "description": "Return the answer through this tool, following its input schema exactly.",
                "input_schema": config.json_schema,
            }]
            args["tool_choice"] = {"type": "tool", "name": config.schema_name}
        return args

    async def generate(self, messages: list[Message], config: GenerateConfig) -> list[Output]:
        try:
            resp = await self.client.messages.create(**self.request_args(messages, config))
        except anthropic.APIStatusError as e:
            raise from_status(e.status_code, str(e)[:200], e.response.headers.get("retry-after")) from e
        except anthropic.APIConnectionError as e:
            raise RetryableError(f"connection error: {type(e).__name__}: {e}") from e
        except (anthropic.APIResponseValidationError, json.JSONDecodeError, ValueError) as e:
            raise RetryableError(f"malformed response body: {str(e)[:200]}") from e
        parsed, texts = None, []
        for block in resp.content or []:
            if block.type == "tool_use":
                parsed = block.input
            elif block.type == "text":
                texts.append(block.text)
        text = json.dumps(parsed) if parsed is not None else "".join(texts)
        u = resp.usage
        read = getattr(u, "cache_read_input_tokens", None) or 0
        write = getattr(u, "cache_creation_input_tokens", None) or 0
        usage = Usage(
            input_tokens=(u.input_tokens or 0) + read + write,
            output_tokens=u.output_tokens or 0,
            cached_tokens=read,
            cache_write_tokens=write,
        )
        return [Output(model=self.name, text=text, parsed=parsed, finish_reason=resp.stop_reason, usage=usage)]

    async def aclose(self) -> None:
        await self.client.close()


def _block(m: Message) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "text", "text": m.content}
    if m.cache_prefix:
        block["cache_control"] = {"type": "ephemeral"}
    return block
