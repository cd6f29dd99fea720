"""Model calls of the reviewer: one request (N samples), parse each answer, ONE repair round for an
answer that does not parse (the model sees its answer and the validation error), and a trace record
for every answer. Model failures become records with an error; CostCapReached and ConfigError
propagate (they stop a run, not a paper)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import prompts
from .llm import GenerateConfig, Message, Model, Output
from .llm.errors import ConfigError, CostCapReached, LLMError
from .parse import parse_reflection, parse_review
from .result import CallRecord, ReviewResult


@dataclass
class Asked:
    value: Any  # parsed value (Review, or ReflectionOutcome) or None
    output: Output | None
    error: str | None


# parser: text -> (value or None when unusable, error, repaired field names)
Parser = Callable[[str], tuple[Any, str | None, list[str]]]


def review_parser(text: str) -> tuple[Any, str | None, list[str]]:
    out = parse_review(text)
    return out.review, out.error, out.repaired_fields


def reflection_parser(text: str) -> tuple[Any, str | None, list[str]]:
    out = parse_reflection(text)
    if out.outcome.review is None and not out.done:
        return None, out.outcome.error, out.outcome.repaired_fields
    return out, None, out.outcome.repaired_fields  # done without a review: keep the current one


class Caller:
    def __init__(self, model: Model, config: Any, result: ReviewResult):  # config: ReviewerConfig
        self.model, self.config, self.result = model, config, result

    def gen_config(self, task: str, schema: dict, n: int = 1, settings: dict | None = None) -> GenerateConfig:
        c = self.config
        fields = {"temperature": c.temperature, "max_tokens": c.max_tokens, **(settings or {})}
        return GenerateConfig(**fields, json_schema=schema, schema_name="review" if "review" in task else task,
                              n=n, top_logprobs=c.top_logprobs if task == "review" else None, task=task)

    def record(self, task: str, out: Output | None, error: str | None = None, repaired: list[str] | None = None,
               index: int = 0) -> None:
        if out is None:
            self.result.trace.append(CallRecord(task=task, sample_index=index, error=error))
            return
        self.result.trace.append(CallRecord(
            task=task, sample_index=out.sample_index, usage=out.usage, cost_usd=out.cost_usd,
            latency_s=out.latency_s, cached=out.cached, finish_reason=out.finish_reason, error=error,
            repaired_fields=repaired or [], raw=out.text))

    async def generate(self, messages: list[Message], task: str, schema: dict, n: int = 1,
                       settings: dict | None = None) -> list[Output] | str:
        try:
            return await self.model.generate_n(messages, self.gen_config(task, schema, n, settings))
        except (CostCapReached, ConfigError):
            raise
        except LLMError as e:
            return f"{task}: model call failed: {e}"[:300]
        except Exception as e:  # an SDK surprise must not end a run
            return f"{task}: model call failed: {type(e).__name__}: {e}"[:300]

    async def ask(self, messages: list[Message], task: str, schema: dict, parser: Parser, n: int = 1,
                  settings: dict | None = None) -> list[Asked]:
        """`settings`: GenerateConfig fields that override the reviewer's (a short classification call)."""
        outs = await self.generate(messages, task, schema, n, settings)
        if isinstance(outs, str):
            self.record(task, None, outs)
            return [Asked(None, None, outs)]
        return list(await asyncio.gather(*(self._parse_or_repair(messages, task, schema, parser, o, settings)
                                           for o in outs)))

    async def _parse_or_repair(self, messages, task, schema, parser: Parser, out: Output,
                               settings: dict | None = None) -> Asked:
        text = out.text or (json.dumps(out.parsed) if out.parsed is not None else "")
        value, error, repaired = parser(text)
        self.record(task, out, error, repaired)
        if value is not None:
            return Asked(value, out, None)
        # One repair round: the model sees its answer and the validation error.
        fix = [*messages, Message(role="assistant", content=text[:8000] or "(empty answer)"),
               Message(role="user", content=prompts.repair_prompt(
                   error or "unusable answer", form="review" in task or task == "reflection"))]
        outs = await self.generate(fix, "repair", schema, settings=settings)
        if isinstance(outs, str):
            self.record("repair", None, outs)
            return Asked(None, out, f"{error}; {outs}")
        rtext = outs[0].text or (json.dumps(outs[0].parsed) if outs[0].parsed is not None else "")
        value, rerror, repaired = parser(rtext)
        self.record("repair", outs[0], rerror, repaired)
        if value is None:
            return Asked(None, outs[0], f"{task}: unusable answer after one repair round: {rerror}")
        return Asked(value, outs[0], None)
