"""Errors of the model layer. Each has a one-line message fit for a user."""

from __future__ import annotations


class LLMError(Exception):
    """A model call failed for good (after any retries)."""


class RetryableError(LLMError):
    """A transient failure: 429, 408, 409, 5xx, time-out, dropped connection, malformed body."""

    def __init__(self, message: str, retry_after: float | None = None, status: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


class RetriesExhausted(LLMError):
    pass


class CostCapReached(LLMError):
    """The run's cost cap is reached: no new calls are made; finished work is kept."""


class ConfigError(LLMError):
    """Bad model name, missing API key, unknown provider."""


RETRYABLE_STATUS = {408, 409, 429, 529} | set(range(500, 600))


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return None  # HTTP-date form: fall back to our own backoff


def from_status(status: int, message: str, retry_after: str | None = None) -> LLMError:
    """Map an HTTP status to a retryable or a final error."""
    text = f"HTTP {status}: {message}"[:300]
    if status in RETRYABLE_STATUS:
        return RetryableError(text, retry_after=parse_retry_after(retry_after), status=status)
    return LLMError(text)
