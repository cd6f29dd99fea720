"""Serialized types of the model layer: messages, generation settings, outputs, usage."""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import BaseModel, Field

Role = Literal["system", "user", "assistant"]


class Message(BaseModel):
    role: Role
    content: str
    # Marks the end of a long, reused prefix (the paper): providers with prompt caching
    # (Anthropic cache_control) cache everything up to and including this message.
    cache_prefix: bool = False


def env_float(name: str, default: float) -> float:
    """A positive number from the environment (run-wide knobs such as time-outs), else the default."""
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError as e:
        raise ValueError(f"${name}={raw!r}: not a number") from e
    return value if value > 0 else default


class GenerateConfig(BaseModel):
    """Settings of one request. Fields that change the output are part of the cache key."""

    temperature: float = 0.0
    max_tokens: int = 2048
    # JSON schema of the wanted answer; providers use their native structured-output mode.
    json_schema: dict[str, Any] | None = None
    schema_name: str = "answer"
    n: int = 1  # number of samples; provider `n` where supported
    seed: int | None = None
    top_logprobs: int | None = None  # ask for token log-probabilities (OpenAI-compatible servers)
    stop: list[str] | None = None
    # What kind of request this is (review, reflection, meta_review, idea, novelty, code_edit,
    # writeup, ...): used by the mock provider to answer and by traces; not sent to real providers.
    task: str | None = None
    # Not part of the cache key (they do not change the answer). Default: $AISCI_REQUEST_TIMEOUT or 300 s.
    timeout_s: float = Field(default_factory=lambda: env_float("AISCI_REQUEST_TIMEOUT", 300.0))

    def cache_fields(self) -> dict[str, Any]:
        # The field values as they are (what model_dump(exclude=...) gives for these JSON-like fields),
        # without pydantic re-serialising the answer schema on every request.
        return {name: getattr(self, name) for name in _CACHE_FIELDS}


_CACHE_FIELDS = [name for name in GenerateConfig.model_fields if name not in ("timeout_s", "n")]


class Usage(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0  # input tokens read from the provider's prompt cache (cheaper)
    cache_write_tokens: int = 0  # input tokens written to it (Anthropic charges a premium)

    def __add__(self, other: Usage) -> Usage:
        return Usage(**{k: getattr(self, k) + getattr(other, k) for k in Usage.model_fields})


class TokenLogprob(BaseModel):
    token: str
    logprob: float
    top: dict[str, float] = Field(default_factory=dict)  # alternative token -> logprob


class Output(BaseModel):
    """One sample of a model's answer."""

    model: str  # provider/model
    text: str
    parsed: Any = None  # parsed JSON when a schema was requested and the text parsed
    finish_reason: str | None = None
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float | None = None  # None when the price is unknown (never a fake 0)
    latency_s: float = 0.0
    cached: bool = False  # served from the on-disk response cache (no request made)
    sample_index: int = 0
    logprobs: list[TokenLogprob] | None = None
