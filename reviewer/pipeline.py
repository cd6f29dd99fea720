"""`review(paper, config)`: few-shot prompt, N ensemble samples, area-chair meta-review, R reflections.

Order (as in the AI Scientist): N first-pass reviews (one request with provider `n` where supported,
each sample cached on its own) -> numeric fields averaged (unrounded means and stds kept in
`aggregate`; the final review's scores are the means rounded half up) and, when `meta_review`, an
area chair writes the text fields and the Decision -> up to R reflection rounds on that review,
stopping when the model says it is done. Every answer that does not parse gets ONE repair round that
shows the model the validation error; after that it is a recorded failure with its raw text.

The paper travels as delimited untrusted data in one message marked `cache_prefix`; that message and
everything before it are identical for every sample, reflection and repair, so provider prompt
caching (Anthropic) pays for the paper once.

Failures: per-paper problems (unreadable paper, model errors, unparsable answers) never raise; the
result carries `error` and the trace. Run-level problems do raise: CostCapReached (stop the run) and
configuration errors (ConfigError, FewShotError, a calibrator that does not load) before any call.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from . import (
    mock_reviews,  # noqa: F401  (registers mock/default answers for the reviewer's tasks)
    prompts,
)
from .fewshot import load_fewshot
from .form import SCORE_FIELDS, Review, reflection_json_schema, review_json_schema
from .llm import GenerateConfig, Message, Model, Output, Usage, get_model
from .llm.errors import ConfigError, CostCapReached, LLMError
from .parse import parse_reflection, parse_review
from .result import CallRecord, ReviewResult, aggregate, p_accept_from_logprobs, round_score

LOCAL_PAPER_TOKEN_BUDGET = 4000  # local/ models have ~8k context: prompt + paper + 2k answer must fit


class ReviewerConfig(BaseModel):
    model: str | None = None  # provider/model; None = reviewer.llm.default_model_name()
    base_url: str | None = None
    temperature: float = 0.1
    max_tokens: int = 2048  # per answer
    fewshot: int = Field(0, ge=0)
    fewshot_dir: str | None = None  # default $AISCI_FEWSHOT_DIR
    fewshot_token_budget: int = 2000  # each example paper is cut to this
    ensemble: int = Field(1, ge=1)
    reflections: int = Field(0, ge=0)
    meta_review: bool = True  # only used when ensemble > 1
    stance: Literal["neutral", "critical", "lenient"] = "neutral"
    page_limit: int | None = None
    paper_token_budget: int | None = None  # None: whole paper, LOCAL_PAPER_TOKEN_BUDGET for local/
    sanitize: bool = True  # remove identity/status markers before the model sees the paper
    top_logprobs: int | None = None  # ask for logprobs: gives p_accept_raw where the provider has them
    calibrator: str | None = None  # path of a calibrator JSON (reviewer.calibrate)
    max_items: int = 6  # schema: maxItems of list fields
    max_len: int = 600  # schema: maxLength of strings


@dataclass
class _Asked:
    value: Any  # parsed value (Review, or ReflectionOutcome) or None
    output: Output | None
    error: str | None


# parser: text -> (value or None when unusable, error, repaired field names)
Parser = Callable[[str], tuple[Any, str | None, list[str]]]


def _review_parser(text: str) -> tuple[Any, str | None, list[str]]:
    out = parse_review(text)
    return out.review, out.error, out.repaired_fields


def _reflection_parser(text: str) -> tuple[Any, str | None, list[str]]:
    out = parse_reflection(text)
    if out.outcome.review is None and not out.done:
        return None, out.outcome.error, out.outcome.repaired_fields
    return out, None, out.outcome.repaired_fields  # done without a review: keep the current one


class _Run:
    def __init__(self, model: Model, config: ReviewerConfig, result: ReviewResult):
        self.model, self.config, self.result = model, config, result

    def gen_config(self, task: str, schema: dict, n: int = 1) -> GenerateConfig:
        c = self.config
        return GenerateConfig(temperature=c.temperature, max_tokens=c.max_tokens, json_schema=schema,
                              schema_name="review" if "review" in task else task, n=n,
                              top_logprobs=c.top_logprobs if task == "review" else None, task=task)

    def record(self, task: str, out: Output | None, error: str | None = None, repaired: list[str] | None = None,
               index: int = 0) -> None:
        if out is None:
            self.result.trace.append(CallRecord(task=task, sample_index=index, error=error))
            return
        self.result.trace.append(CallRecord(
            task=task, sample_index=out.sample_index, usage=out.usage, cost_usd=out.cost_usd,
            latency_s=out.latency_s, cached=out.cached, finish_reason=out.finish_reason, error=error,
            repaired_fields=repaired or [], raw=out.text))

    async def generate(self, messages: list[Message], task: str, schema: dict, n: int = 1) -> list[Output] | str:
        try:
            return await self.model.generate_n(messages, self.gen_config(task, schema, n))
        except (CostCapReached, ConfigError):
            raise
        except LLMError as e:
            return f"{task}: model call failed: {e}"[:300]
        except Exception as e:  # an SDK surprise must not end a run
            return f"{task}: model call failed: {type(e).__name__}: {e}"[:300]

    async def ask(self, messages: list[Message], task: str, schema: dict, parser: Parser, n: int = 1) -> list[_Asked]:
        outs = await self.generate(messages, task, schema, n)
        if isinstance(outs, str):
            self.record(task, None, outs)
            return [_Asked(None, None, outs)]
        return list(await asyncio.gather(*(self._parse_or_repair(messages, task, schema, parser, o) for o in outs)))

    async def _parse_or_repair(self, messages, task, schema, parser: Parser, out: Output) -> _Asked:
        text = out.text or (json.dumps(out.parsed) if out.parsed is not None else "")
        value, error, repaired = parser(text)
        self.record(task, out, error, repaired)
        if value is not None:
            return _Asked(value, out, None)
        # One repair round: the model sees its answer and the validation error.
        fix = [*messages, Message(role="assistant", content=text[:8000] or "(empty answer)"),
               Message(role="user", content=prompts.repair_prompt(error or "unusable answer"))]
        outs = await self.generate(fix, "repair", schema)
        if isinstance(outs, str):
            self.record("repair", None, outs)
            return _Asked(None, out, f"{error}; {outs}")
        rtext = outs[0].text or (json.dumps(outs[0].parsed) if outs[0].parsed is not None else "")
        value, rerror, repaired = parser(rtext)
        self.record("repair", outs[0], rerror, repaired)
        if value is None:
            return _Asked(None, outs[0], f"{task}: unusable answer after one repair round: {rerror}")
        return _Asked(value, outs[0], None)


def _combine(members: list[Review], meta: Review | None) -> Review:
    """Final review of an ensemble: rounded means for the scores; text fields, Decision and Ethical
    Concerns from the meta-review, else from the member whose Overall is closest to the mean, with the
    majority Decision (tie: Reject) and majority Ethical Concerns (tie: flagged)."""
    agg = aggregate(members)
    assert agg is not None
    if meta is not None:
        base = meta.to_form()
    else:
        closest = min(members, key=lambda r: abs(r.Overall - agg.mean["Overall"]))
        base = closest.to_form()
        base["Decision"] = "Accept" if agg.mean["Decision"] > 0.5 else "Reject"
        base["Ethical Concerns"] = agg.mean["Ethical Concerns"] >= 0.5
    for name in SCORE_FIELDS:
        base[name] = round_score(name, agg.mean[name])
    return Review.model_validate(base)


def _effective_budget(config: ReviewerConfig, model_name: str) -> int | None:
    if config.paper_token_budget is not None:
        return config.paper_token_budget
    return LOCAL_PAPER_TOKEN_BUDGET if model_name.startswith("local/") else None


def _load_paper(paper: Any, config: ReviewerConfig, budget: int | None):
    from .paper import Paper, load_paper, paper_from_text

    if isinstance(paper, Paper):
        return paper
    if isinstance(paper, Path) or (
        isinstance(paper, str) and "\n" not in paper and len(paper) < 1024
        and (paper.lower().endswith((".pdf", ".txt", ".md")) or Path(paper).expanduser().is_file())
    ):
        return load_paper(paper, page_limit=config.page_limit, sanitize=config.sanitize, max_tokens=budget)
    return paper_from_text(str(paper), sanitize=config.sanitize, max_tokens=budget)


@functools.lru_cache(maxsize=8)
def _calibrator(path: str, mtime: float):
    from .calibrate import Calibrator

    return Calibrator.load(path)


def load_calibrator(path: str):
    """Load (cached per file version); raises ConfigError with a one-line message when it cannot."""
    try:
        return _calibrator(path, Path(path).stat().st_mtime)
    except Exception as e:
        raise ConfigError(f"calibrator {path}: cannot load ({type(e).__name__}: {e})"[:300]) from e


async def review(paper: Any, config: ReviewerConfig | None = None, model: Model | None = None) -> ReviewResult:
    """Review one paper (a reviewer.paper.Paper, a path, or the paper's text)."""
    config = config or ReviewerConfig()
    start = time.perf_counter()
    own_model = model is None
    if model is None:
        from .llm import default_model_name

        model = get_model(config.model or default_model_name(), base_url=config.base_url)
    calibrator = load_calibrator(config.calibrator) if config.calibrator else None
    examples = load_fewshot(config.fewshot_dir, config.fewshot, config.fewshot_token_budget)
    result = ReviewResult(model=model.name, calibrator=config.calibrator)
    try:
        await _review_into(result, paper, config, model, examples)
    finally:
        result.seconds = time.perf_counter() - start
        _totals(result)
        if own_model:
            await model.aclose()
    if calibrator is not None and result.review is not None:
        try:
            pred = calibrator.predict_one(result.to_row())
            result.p_accept = pred.get("p_accept")
            result.rating_calibrated = pred.get("rating_calibrated")
            result.decision_calibrated = pred.get("decision")
        except Exception as e:  # a feature the calibrator lacks must not lose the review
            result.warnings.append(f"calibrator {config.calibrator}: {type(e).__name__}: {e}"[:300])
    return result


async def _review_into(result: ReviewResult, paper: Any, config: ReviewerConfig, model: Model, examples) -> None:
    from .paper import PaperError

    try:
        loaded = _load_paper(paper, config, _effective_budget(config, model.name))
    except PaperError as e:
        result.error = str(e)
        return
    except OSError as e:
        result.error = f"{paper}: cannot read ({e.strerror or e})"
        return
    except Exception as e:  # a loader bug on one paper must not end a run
        result.error = f"{str(paper)[:200]}: cannot load ({type(e).__name__}: {e})"[:400]
        return
    result.paper_title, result.paper_path = loaded.title, loaded.path
    result.sanitized, result.truncated = loaded.sanitized, loaded.truncated
    result.injection_suspected = bool(loaded.injection_suspected)
    result.injection_spans = [s if isinstance(s, dict) else s.model_dump() for s in loaded.injection_spans]

    run = _Run(model, config, result)
    fewshot = [(ex.paper_text, ex.review.to_form()) for ex in examples]
    base = [Message(role="system", content=prompts.system_prompt(config.stance)),
            Message(role="user", content=prompts.review_user_message(loaded.text, fewshot), cache_prefix=True)]
    schema = review_json_schema(config.max_items, config.max_len)

    asked = await run.ask(base, "review", schema, _review_parser, n=config.ensemble)
    members = [a.value for a in asked if a.value is not None]
    failures = [a.error for a in asked if a.value is None]
    result.members = members
    result.aggregate = aggregate(members)
    probs = [p for a in asked if a.value is not None and (p := p_accept_from_logprobs(a.output.logprobs)) is not None]
    result.p_accept_raw = sum(probs) / len(probs) if probs else None
    if not members:
        result.error = failures[0] if config.ensemble == 1 else f"no valid review from {config.ensemble} samples: {failures[0]}"
        result.error = result.error[:400]
        return
    if failures:
        result.warnings.append(f"{len(failures)} of {config.ensemble} samples failed: {failures[0]}"[:300])

    final = members[0]
    if len(members) > 1:
        meta = None
        if config.meta_review:
            msgs = [Message(role="system", content=prompts.META_SYSTEM),
                    Message(role="user", content=prompts.meta_review_message([m.to_form() for m in members]))]
            got = (await run.ask(msgs, "meta_review", schema, _review_parser))[0]
            meta = got.value
            if meta is None:
                result.warnings.append(f"meta-review failed, text fields from one member: {got.error}"[:300])
            else:
                result.meta_review = json.dumps(meta.to_form())
        final = _combine(members, meta)

    rschema = reflection_json_schema(config.max_items, config.max_len)
    for round_ in range(1, config.reflections + 1):
        msgs = [*base, Message(role="assistant", content=json.dumps(final.to_form())),
                Message(role="user", content=prompts.reflection_prompt(round_, config.reflections))]
        got = (await run.ask(msgs, "reflection", rschema, _reflection_parser))[0]
        if got.value is None:
            result.warnings.append(f"reflection round {round_} failed, review kept: {got.error}"[:300])
            break
        result.reflections_done = round_
        if got.value.outcome.review is not None:
            final = got.value.outcome.review
        if got.value.done:
            break
    result.review = final


def _totals(result: ReviewResult) -> None:
    usage = Usage()
    cost, unknown = 0.0, set()
    for call in result.trace:
        usage = usage + call.usage
        if call.cost_usd is None:
            if call.error is None or call.raw is not None:
                unknown.add(result.model or "?")
        else:
            cost += call.cost_usd
    result.usage = usage
    if unknown:
        result.cost_usd = None
        result.cost_note = f"price unknown for {', '.join(sorted(unknown))} (see reviewer/llm/prices.json)"
    else:
        result.cost_usd = cost
