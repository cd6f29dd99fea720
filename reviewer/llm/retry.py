"""Bounded retries with exponential backoff and full jitter, honouring Retry-After."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from .errors import RetriesExhausted, RetryableError
from .types import env_float

T = TypeVar("T")
log = logging.getLogger("aisci.llm")


@dataclass
class RetryPolicy:
    max_retries: int = 4  # retries after the first attempt
    # $AISCI_RETRY_BASE_DELAY sets it run-wide (fault tests and benchmarks use small delays).
    base_delay_s: float = field(default_factory=lambda: env_float("AISCI_RETRY_BASE_DELAY", 0.5))
    max_delay_s: float = 30.0
    max_retry_after_s: float = 120.0  # a server asking for a longer wait is honoured up to this

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after_s)
        return random.uniform(0, min(self.max_delay_s, self.base_delay_s * 2**attempt))


async def with_retries(fn: Callable[[], Awaitable[T]], policy: RetryPolicy, what: str) -> T:
    for attempt in range(policy.max_retries + 1):
        try:
            return await fn()
        except RetryableError as e:
            if attempt == policy.max_retries:
                raise RetriesExhausted(
                    f"{what}: gave up after {attempt + 1} attempts; last error: {e}"
                ) from e
            wait = policy.delay(attempt, e.retry_after)
            log.info("%s: %s; retry %d/%d in %.2fs", what, e, attempt + 1, policy.max_retries, wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")
