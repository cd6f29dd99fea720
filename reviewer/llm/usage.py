"""Prices (from prices.json) and run-level usage/cost accounting with a cost cap."""

from __future__ import annotations

import json
import threading
from functools import cache
from importlib import resources

from .errors import CostCapReached
from .types import Output, Usage


@cache
def price_table() -> dict[str, dict]:
    data = json.loads(resources.files("reviewer.llm").joinpath("prices.json").read_text())
    return {k: v for k, v in data.items() if not k.startswith("_")}


def price_for(model: str) -> dict | None:
    table = price_table()
    if model in table:
        return table[model]
    wildcard = model.split("/", 1)[0] + "/*"
    return table.get(wildcard)


def cost_of(model: str, usage: Usage) -> float | None:
    """USD for one request; None when the model's price is unknown (never a fake 0)."""
    price = price_for(model)
    if price is None:
        return None
    cached_price = price.get("cached_input")
    if cached_price is None:
        cached_price = price["input"]
    cache_write_tokens = usage.cache_write_tokens
    fresh = max(0, usage.input_tokens - usage.cached_tokens - cache_write_tokens)
    write_price = price.get("cache_write", price["input"])
    return (
        fresh * price["input"]
        + usage.cached_tokens * cached_price
        + cache_write_tokens * write_price
        + usage.output_tokens * price["output"]
    ) / 1e6


class UsageTracker:
    """Totals for a run; shared by every Model of the run. Thread-safe."""

    def __init__(self, max_cost_usd: float | None = None):
        self.max_cost_usd = max_cost_usd
        self.usage = Usage()
        self.cost_usd = 0.0
        self.unknown_cost_calls = 0  # requests whose price is unknown: cost_usd is then a lower bound
        self.calls = 0  # requests actually sent
        self.cache_hits = 0
        self._lock = threading.Lock()

    def check(self) -> None:
        """Raise CostCapReached before a new request when the cap is reached."""
        if self.max_cost_usd is not None and self.cost_usd >= self.max_cost_usd:
            raise CostCapReached(
                f"cost cap reached: spent ${self.cost_usd:.4f} of --max-cost ${self.max_cost_usd:.4f}; "
                "no new model calls are made (finished work is kept)"
            )

    def record(self, outputs: list[Output]) -> None:
        with self._lock:
            for out in outputs:
                if out.cached:
                    self.cache_hits += 1
                    continue
                self.usage = self.usage + out.usage
                if out.cost_usd is None:
                    self.unknown_cost_calls += 1
                else:
                    self.cost_usd += out.cost_usd

    def count_request(self) -> None:
        with self._lock:
            self.calls += 1

    def summary(self) -> dict:
        return {
            "calls": self.calls,
            "cache_hits": self.cache_hits,
            "usage": self.usage.model_dump(),
            "cost_usd": round(self.cost_usd, 6),
            "cost_complete": self.unknown_cost_calls == 0,
            "max_cost_usd": self.max_cost_usd,
        }
