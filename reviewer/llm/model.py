"""`Model`: the one wrapper around every provider.

It owns what must not be re-implemented per provider: bounded retries, a per-model concurrency
limit, the request time-out, the SQLite response cache, usage/cost accounting and the cost cap.
"""

from __future__ import annotations

import asyncio
import json
import time

from .cache import ResponseCache, cache_keys
from .errors import RetryableError
from .providers.base import Provider
from .retry import RetryPolicy, with_retries
from .types import GenerateConfig, Message, Output
from .usage import UsageTracker, cost_of


def parse_json_text(text: str) -> object | None:
    """Strict parse of a structured-output answer; lenient repair is reviewer/parse.py's job."""
    try:
        return json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return None


class Model:
    def __init__(
        self,
        provider: Provider,
        *,
        cache: bool | ResponseCache = True,
        max_concurrency: int = 8,
        retry: RetryPolicy | None = None,
        tracker: UsageTracker | None = None,
    ):
        self.provider = provider
        self.name = provider.name
        if cache is True:
            cache = ResponseCache()
        self.cache: ResponseCache | None = cache or None
        self.retry = retry or RetryPolicy()
        self.tracker = tracker or UsageTracker()
        # A provider may cap it (the local llama.cpp server serves `parallel` requests at once; more
        # would only queue inside the server, where the request time-out keeps running).
        self.max_concurrency = min(max_concurrency, getattr(provider, "max_concurrency", None) or max_concurrency)
        self._semaphore: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _sem(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:
            self._semaphore, self._loop = asyncio.Semaphore(self.max_concurrency), loop
        return self._semaphore

    async def generate(self, messages: list[Message], config: GenerateConfig | None = None) -> Output:
        config = config or GenerateConfig()
        if config.n != 1:
            config = config.model_copy(update={"n": 1})
        return (await self.generate_n(messages, config))[0]

    async def generate_n(self, messages: list[Message], config: GenerateConfig | None = None) -> list[Output]:
        """config.n samples; sample i is cached under its own index, so a resumed ensemble pays only
        for the samples it lacks."""
        config = config or GenerateConfig()
        results: dict[int, Output] = {}
        keys: list[str] = []
        if self.cache is not None:
            keys = cache_keys(self.provider.cache_identity(), messages, config, config.n)
            for i, key in enumerate(keys):
                hit = self.cache.get(key)
                if hit is not None:
                    results[i] = hit.model_copy(update={"cached": True, "sample_index": i, "latency_s": 0.0})
            self.tracker.record(list(results.values()))
        missing = [i for i in range(config.n) if i not in results]
        while missing:
            batch = len(missing) if self.provider.supports_n else 1
            request_config = config if batch == config.n else config.model_copy(update={"n": batch})
            outs = await self._request(messages, request_config)
            done = missing[:min(batch, len(outs))]
            for i, out in zip(done, outs, strict=False):
                out.sample_index = i  # outs are this request's own copies (outs_with_accounting)
                results[i] = out
            if self.cache is not None:  # one transaction for the request's samples
                self.cache.put_many([(keys[i], results[i]) for i in done if results[i].finish_reason != "error"])
            missing = missing[len(outs):] if outs else missing
        return [results[i] for i in range(config.n)]

    async def _request(self, messages: list[Message], config: GenerateConfig) -> list[Output]:
        async def attempt() -> list[Output]:
            self.tracker.check()  # the cap stops new requests, retries included
            async with self._sem():
                self.tracker.count_request()
                start = time.perf_counter()
                # A provider may raise the floor (local CPU inference of a long paper takes minutes).
                timeout = max(config.timeout_s, getattr(self.provider, "min_timeout_s", 0.0))
                try:
                    async with asyncio.timeout(timeout):  # no extra task per request, unlike wait_for
                        outs = await self.provider.generate(messages, config)
                except TimeoutError as e:
                    raise RetryableError(f"time-out after {timeout:g}s") from e
                latency = time.perf_counter() - start
            if not outs:
                raise RetryableError("empty response (no choices)")
            return outs_with_accounting(self.name, outs, latency, config)

        outs = await with_retries(attempt, self.retry, self.name)
        self.tracker.record(outs)
        return outs

    async def aclose(self) -> None:
        await self.provider.aclose()


def outs_with_accounting(name: str, outs: list[Output], latency: float, config: GenerateConfig) -> list[Output]:
    fixed = []
    for out in outs:
        update: dict = {"latency_s": latency, "cost_usd": cost_of(name, out.usage)}
        if config.json_schema is not None and out.parsed is None:
            update["parsed"] = parse_json_text(out.text)
        fixed.append(out.model_copy(update=update))
    return fixed
