"""`mock/<name>`: deterministic scripted outputs, no network.

`mock/default` answers every kind of request from mock_answers (canned, schema-valid).
`mock/scripted` returns the items of `script` in order: str (text), dict (JSON), an Exception
(raised, so the wrapper's retry path is exercised) or callable(messages, config) -> str | dict.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Sequence
from typing import Any

from ..errors import LLMError
from ..types import GenerateConfig, Message, Output, Usage
from . import mock_answers


class MockProvider:
    supports_n = False

    def __init__(self, model: str = "default", script: Sequence[Any] | None = None, latency_s: float = 0.0):
        self.name = f"mock/{model}"
        self.script = list(script) if script is not None else None
        self.latency_s = latency_s
        self.calls = 0
        self._lock = threading.Lock()
        self.requests: list[tuple[list[Message], GenerateConfig]] = []

    def cache_identity(self) -> dict:
        # A script is test-local state: scripted answers are not shared through the cache.
        return {"provider": "mock", "model": self.name, "script": id(self.script) if self.script else None}

    def _next(self, messages: list[Message], config: GenerateConfig) -> Any:
        with self._lock:
            self.calls += 1
            self.requests.append((messages, config))
            if self.script is None:
                return mock_answers.default_answer(messages, config)
            if not self.script:
                raise LLMError(f"{self.name}: script exhausted after {self.calls - 1} answers")
            return self.script.pop(0)

    async def generate(self, messages: list[Message], config: GenerateConfig) -> list[Output]:
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        item = self._next(messages, config)
        if isinstance(item, BaseException):
            raise item
        if callable(item):
            item = item(messages, config)
        text = item if isinstance(item, str) else json.dumps(item)
        prompt_chars = sum(len(m.content) for m in messages)
        usage = Usage(input_tokens=max(1, prompt_chars // 4), output_tokens=max(1, len(text) // 4))
        return [Output(model=self.name, text=text, finish_reason="stop", usage=usage)]

    async def aclose(self) -> None:
        return None
