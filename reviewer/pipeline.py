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

import functools
import json
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from . import (
    mock_reviews,  # noqa: F401  (registers mock/default answers for the reviewer's tasks)
    prompts,
)
from .calls import Caller, reflection_parser, review_parser
from .fewshot import load_fewshot
from .form import LIST_FIELDS, SCORE_FIELDS, Review, reflection_json_schema, review_json_schema
from .llm import Message, Model, Usage, get_model
from .llm.errors import ConfigError, CostCapReached
from .result import ReviewResult, aggregate, p_accept_from_logprobs, round_score

LOCAL_PAPER_TOKEN_BUDGET = 4000  # local/ models have ~8k context: prompt + paper + 2k answer must fit
# Answer tokens outside the strings of a local/ model's review: keys, punctuation, scores (~150 for
# SmolLM2 with 2-space indent) plus margin for the newlines and indents the grammar lets it add.
LOCAL_JSON_RESERVE_TOKENS = 400


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
    # Schema limits (maxItems of lists, maxLength of strings); None: 6/600, or for local/ models 2 items
    # and the longest length whose worst-case answer fits max_tokens (see _schema_limits).
    max_items: int | None = None
    max_len: int | None = None
    # Ask the model itself about the paper's most instruction-like passages that no offline detector
    # stage flagged (reviewer/injection_judge.py): one short extra call per paper; off by default.
    injection_judge: bool = False
    injection_judge_passages: int = Field(3, ge=1, le=10)


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


def paper_budget(config: ReviewerConfig, model_name: str) -> int | None:
    """Paper token budget: the configured one, else what fits the embedded model's context."""
    if config.paper_token_budget is not None:
        return config.paper_token_budget
    return LOCAL_PAPER_TOKEN_BUDGET if model_name.startswith("local/") else None


def _schema_limits(config: ReviewerConfig, model_name: str, reflection: bool = False) -> tuple[int, int]:
    """(maxItems, maxLength) of the review (or reflection) schema. For local/ models the strings are
    bounded so that the longest answer the grammar allows fits max_tokens: the tiny model often fills a
    string to its maxLength with digits (one token per character), and an answer cut at max_tokens
    lacks fields."""
    if not model_name.startswith("local/"):
        return config.max_items or 6, config.max_len or 600
    items = config.max_items or 2
    if config.max_len:
        return items, config.max_len
    # Units of maxLength: Summary (2), each list item, and the reflection's `thought`.
    units = 2 + len(LIST_FIELDS) * items + (1 if reflection else 0)
    return items, max(16, (config.max_tokens - LOCAL_JSON_RESERVE_TOKENS) // units)


def load_for_review(path: str | Path, config: ReviewerConfig, model_name: str):
    """Load a paper file the way review() would (page limit, sanitizer, token budget); raises PaperError.
    Callers that load before reviewing (aisci review, bench run) use this so the rules stay in one place."""
    from .paper import load_paper

    return load_paper(path, page_limit=config.page_limit, sanitize=config.sanitize,
                      max_tokens=paper_budget(config, model_name))


def _load_paper(paper: Any, config: ReviewerConfig, model_name: str):
    from .paper import Paper, paper_from_text

    if isinstance(paper, Paper):
        return paper
    if isinstance(paper, Path) or (
        isinstance(paper, str) and "\n" not in paper and len(paper) < 1024
        and (paper.lower().endswith((".pdf", ".txt", ".md")) or Path(paper).expanduser().is_file())
    ):
        return load_for_review(paper, config, model_name)
    return paper_from_text(str(paper), sanitize=config.sanitize, max_tokens=paper_budget(config, model_name))


@functools.lru_cache(maxsize=8)
def _fewshot(directory: str | None, n: int, budget: int | None) -> tuple:
    """Few-shot examples, loaded once per process for a whole benchmark run."""
    return tuple(load_fewshot(directory, n, budget))


@functools.lru_cache(maxsize=8)
def _calibrator(path: str, mtime: float):
    from .calibrate import Calibrator

    return Calibrator.load(path)


def load_calibrator(path: str):
    """Load (cached per file version); raises ConfigError with a one-line message when it cannot."""
    try:
        mtime = Path(path).stat().st_mtime
    except OSError:
        mtime = 0.0  # Calibrator.load names the problem
    try:
        return _calibrator(path, mtime)
    except ValueError as e:  # CalibratorError: already one line naming the file
        raise ConfigError(f"calibrator {e}"[:300]) from e
    except Exception as e:
        raise ConfigError(f"calibrator {path}: cannot load ({type(e).__name__}: {e})"[:300]) from e


async def review(paper: Any, config: ReviewerConfig | None = None, model: Model | None = None) -> ReviewResult:
    """Review one paper (a reviewer.paper.Paper, a path, or the paper's text)."""
    config = config or ReviewerConfig()
    start = time.perf_counter()
    # Configuration problems raise here, before any model call.
    calibrator = load_calibrator(config.calibrator) if config.calibrator else None
    examples = _fewshot(config.fewshot_dir, config.fewshot, config.fewshot_token_budget)
    own_model = model is None
    if model is None:
        from .llm import default_model_name

        model = get_model(config.model or default_model_name(), base_url=config.base_url)
    result = ReviewResult(model=model.name, calibrator=config.calibrator)
    try:
        await _review_into(result, paper, config, model, examples)
    except CostCapReached as e:
        e.partial_result = result  # what was finished (answers are also in the response cache)
        raise
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
        loaded = _load_paper(paper, config, model.name)
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

    run = Caller(model, config, result)
    if config.injection_judge:
        from .injection_judge import judge

        added, error = await judge(run, loaded.text, result.injection_spans, config.injection_judge_passages)
        if error:
            result.warnings.append(error)
        if added:
            result.injection_spans = sorted([*result.injection_spans, *added], key=lambda s: (s["start"], s["end"]))
            result.injection_suspected = True
    fewshot = [(ex.paper_text, ex.review.to_form()) for ex in examples]
    base = [Message(role="system", content=prompts.system_prompt(config.stance)),
            Message(role="user", content=prompts.review_user_message(loaded.text, fewshot), cache_prefix=True)]
    items, length = _schema_limits(config, model.name)
    schema = review_json_schema(items, length)

    asked = await run.ask(base, "review", schema, review_parser, n=config.ensemble)
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
            got = (await run.ask(msgs, "meta_review", schema, review_parser))[0]
            meta = got.value
            if meta is None:
                result.warnings.append(f"meta-review failed, text fields from one member: {got.error}"[:300])
            else:
                result.meta_review = json.dumps(meta.to_form())
        final = _combine(members, meta)

    rlimits = _schema_limits(config, model.name, reflection=True)  # room for the `thought` too
    rschema = reflection_json_schema(*rlimits) if config.reflections else {}
    for round_ in range(1, config.reflections + 1):
        msgs = [*base, Message(role="assistant", content=json.dumps(final.to_form())),
                Message(role="user", content=prompts.reflection_prompt(round_, config.reflections))]
        got = (await run.ask(msgs, "reflection", rschema, reflection_parser))[0]
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
