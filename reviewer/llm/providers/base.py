"""The provider protocol: one small class per API. Retries, cache, limits and cost live in Model."""

from __future__ import annotations

from typing import Protocol

from ..types import GenerateConfig, Message, Output


class Provider(Protocol):
    name: str  # "provider/model", as the user wrote it
    supports_n: bool  # can return several samples in one request
    # Optional attributes Model honours when present: `max_concurrency` (caps its semaphore, e.g. the
    # local server's slots) and `min_timeout_s` (raises the request time-out floor for slow CPU inference).

    def cache_identity(self) -> dict:
        """What, besides messages and settings, decides the answer (provider, model, base URL)."""
        ...

    async def generate(self, messages: list[Message], config: GenerateConfig) -> list[Output]:
        """Make ONE request; return config.n outputs when supports_n else one.

        Raise errors.RetryableError for transient failures, errors.LLMError for final ones.
        Usage is reported on the first output of a request (the others carry zero usage).
        """
        ...

    async def aclose(self) -> None: ...
