"""Model names `provider/model` -> a Model (the wrapper) around the right provider."""

from __future__ import annotations

import os
import sys
from typing import Any

from .errors import ConfigError
from .model import Model
from .retry import RetryPolicy
from .usage import UsageTracker

# OpenAI-compatible services reached through the openai SDK: prefix -> (base URL, key variable, default key).
OPENAI_COMPATIBLE: dict[str, tuple[str | None, str, str | None]] = {
    "openai": (None, "OPENAI_API_KEY", None),
    "ollama": ("http://localhost:11434/v1", "OLLAMA_API_KEY", "ollama"),
    "vllm": ("http://localhost:8000/v1", "VLLM_API_KEY", "EMPTY"),
    "lmstudio": ("http://localhost:1234/v1", "LMSTUDIO_API_KEY", "lm-studio"),
    "openrouter": ("https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", None),
    "deepseek": ("https://api.deepseek.com", "DEEPSEEK_API_KEY", None),
}
PROVIDERS = sorted([*OPENAI_COMPATIBLE, "anthropic", "local", "mock"])


def split_name(name: str) -> tuple[str, str]:
    if "/" not in name:
        if name.startswith(("gpt-", "o1", "o3", "o4")):
            return "openai", name
        if name.startswith("claude"):
            return "anthropic", name
        raise ConfigError(f"model '{name}': name it as provider/model, provider one of {', '.join(PROVIDERS)}")
    provider, model = name.split("/", 1)
    if provider not in PROVIDERS:
        raise ConfigError(f"model '{name}': unknown provider '{provider}' (known: {', '.join(PROVIDERS)})")
    return provider, model


def make_provider(name: str, base_url: str | None = None, **options: Any):
    provider, model = split_name(name)
    full = f"{provider}/{model}"
    if provider == "mock":
        from .providers.mock import MockProvider

        return MockProvider(model, script=options.get("script"), latency_s=options.get("latency_s", 0.0))
    if provider == "local":
        from .providers.local import LocalProvider

        return LocalProvider(model, **options)
    if provider == "anthropic":
        from .providers.anthropic import AnthropicProvider

        key = os.environ.get("ANTHROPIC_API_KEY")
        base_url = base_url or os.environ.get("ANTHROPIC_BASE_URL")
        if not key and not base_url:
            raise ConfigError(f"{full}: no API key: set ANTHROPIC_API_KEY")
        return AnthropicProvider(full, model, base_url=base_url, api_key=key)
    from .providers.openai import OpenAIProvider

    default_url, key_var, default_key = OPENAI_COMPATIBLE[provider]
    if provider == "openai":
        base_url = base_url or os.environ.get("OPENAI_BASE_URL")
    base_url = base_url or default_url
    key = os.environ.get(key_var) or default_key
    if not key and not (provider == "openai" and base_url):
        raise ConfigError(f"{full}: no API key: set {key_var} (or --base-url for a local server)")
    return OpenAIProvider(full, model, base_url=base_url, api_key=key)


def get_model(
    name: str,
    *,
    base_url: str | None = None,
    cache: bool = True,
    max_concurrency: int = 8,
    max_retries: int = 4,
    tracker: UsageTracker | None = None,
    **options: Any,
) -> Model:
    provider = make_provider(name, base_url, **options)
    return Model(provider, cache=cache, max_concurrency=max_concurrency,
                 retry=RetryPolicy(max_retries=max_retries), tracker=tracker)


_announced = False


def default_model_name(announce: bool = True) -> str:
    """OpenAI when its key is set, else Anthropic, else the embedded local model (offline)."""
    global _announced
    if os.environ.get("OPENAI_API_KEY"):
        name, why = "openai/gpt-4o-mini", "OPENAI_API_KEY is set"
    elif os.environ.get("ANTHROPIC_API_KEY"):
        name, why = "anthropic/claude-3-5-haiku-20241022", "ANTHROPIC_API_KEY is set"
    else:
        from .providers.local import DEFAULT_LOCAL_MODEL

        name, why = f"local/{DEFAULT_LOCAL_MODEL}", "no OPENAI_API_KEY or ANTHROPIC_API_KEY is set (offline default)"
    if announce and not _announced:
        print(f"aisci: using model {name} because {why}; choose another with --model", file=sys.stderr)
        _announced = True
    return name
