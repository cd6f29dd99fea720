"""One model interface for every provider: `await get_model("provider/model").generate(messages, config)`."""

from .errors import ConfigError, CostCapReached, LLMError, RetriesExhausted, RetryableError
from .model import Model
from .registry import default_model_name, get_model
from .types import GenerateConfig, Message, Output, TokenLogprob, Usage
from .usage import UsageTracker, cost_of, price_for

__all__ = [
    "ConfigError", "CostCapReached", "GenerateConfig", "LLMError", "Message", "Model", "Output",
    "RetriesExhausted", "RetryableError", "TokenLogprob", "Usage", "UsageTracker", "cost_of",
    "default_model_name", "get_model", "price_for",
]
