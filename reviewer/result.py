"""What `review()` returns: the final review, the ensemble members, aggregate statistics, the trace of
every model call, usage and cost; and `to_row()` in the AI Scientist's reviews-CSV layout."""

from __future__ import annotations

import json
import math
from typing import Any

from pydantic import BaseModel, Field

from .form import CSV_COLUMNS, LIST_FIELDS, SCORE_FIELDS, SCORE_RANGES, Review
from .llm.types import TokenLogprob, Usage

# Numeric features aggregated over ensemble members: the scores, plus the share of members that
# said Accept ("Decision") and that flagged ethical concerns.
AGG_FIELDS = [*SCORE_FIELDS, "Ethical Concerns", "Decision"]


class CallRecord(BaseModel):
    """One model answer (one sample), as it happened."""

    task: str
    sample_index: int = 0
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float | None = None
    latency_s: float = 0.0
    cached: bool = False
    finish_reason: str | None = None
    error: str | None = None  # model failure, or why the answer could not be parsed
    repaired_fields: list[str] = Field(default_factory=list)
    raw: str | None = None  # the model's text, kept so a failure can be inspected and re-parsed


class Aggregate(BaseModel):
    """Unrounded means and population std (ddof=0) over the valid members: calibration features."""

    n: int
    mean: dict[str, float]
    std: dict[str, float]


def numeric_value(review: Review, name: str) -> float:
    if name == "Decision":
        return 1.0 if review.Decision == "Accept" else 0.0
    return float(review.get(name))


def aggregate(members: list[Review]) -> Aggregate | None:
    if not members:
        return None
    mean, std = {}, {}
    for name in AGG_FIELDS:
        values = [numeric_value(r, name) for r in members]
        # Plain floats: statistics.pstdev computes with exact fractions (20x slower on a hot path).
        m = sum(values) / len(values)
        mean[name] = m
        std[name] = math.sqrt(max(0.0, sum((v - m) ** 2 for v in values) / len(values)))
    return Aggregate(n=len(members), mean=mean, std=std)


def round_score(name: str, value: float) -> int:
    """Round half up (not banker's rounding), kept inside the field's range."""
    lo, hi = SCORE_RANGES[name]
    return min(hi, max(lo, math.floor(value + 0.5)))


def p_accept_from_logprobs(logprobs: list[TokenLogprob] | None) -> float | None:
    """P(Accept) from the Decision value's first token: its top alternatives, renormalised over the
    tokens that begin "Accept" vs "Reject". None when there is no such token or no mass on either."""
    if not logprobs:
        return None
    text, starts = "", []
    for t in logprobs:
        starts.append(len(text))
        text += t.token
    key = text.rfind('"Decision"')
    if key < 0:
        key = text.lower().rfind("decision")
    if key < 0:
        return None
    after = key + len("Decision") + 2
    for t, start in zip(logprobs, starts, strict=True):
        if start + len(t.token) <= after:
            continue
        if not _word(t.token):
            continue  # whitespace, quote or colon tokens before the value
        alternatives = {t.token: t.logprob, **t.top}
        pa = sum(math.exp(lp) for tok, lp in alternatives.items() if _starts(tok, "accept"))
        pr = sum(math.exp(lp) for tok, lp in alternatives.items() if _starts(tok, "reject"))
        return pa / (pa + pr) if pa + pr > 0 else None
    return None


def _word(token: str) -> str:
    return token.strip(' \t\n":{,').lower()


def _starts(token: str, word: str) -> bool:
    w = _word(token)
    return bool(w) and (word.startswith(w) or w.startswith(word[:3]))


class ReviewResult(BaseModel):
    review: Review | None = None  # the final review (after ensemble, meta-review and reflection)
    members: list[Review] = Field(default_factory=list)  # the valid ensemble members (first-pass reviews)
    aggregate: Aggregate | None = None
    meta_review: str | None = None  # the area chair's meta-review (JSON of its form) when one was written
    reflections_done: int = 0
    trace: list[CallRecord] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    # Every call of this review, cache hits included (what the review costs); None when any price is
    # unknown (cost_note says which model). model.tracker counts what a run actually paid.
    cost_usd: float | None = None
    cost_note: str | None = None
    seconds: float = 0.0
    model: str | None = None
    paper_title: str | None = None
    paper_path: str | None = None
    sanitized: bool | None = None
    truncated: bool | None = None
    error: str | None = None  # one line; set when there is no final review
    warnings: list[str] = Field(default_factory=list)  # partial failures that left a usable review
    injection_suspected: bool = False
    injection_spans: list[dict[str, Any]] = Field(default_factory=list)
    p_accept_raw: float | None = None  # mean over members of P(Accept) from Decision-token logprobs
    calibrator: str | None = None
    p_accept: float | None = None
    rating_calibrated: float | None = None
    decision_calibrated: str | None = None

    def form(self) -> dict[str, Any]:
        """The 16 form fields (None each when there is no review)."""
        if self.review is None:
            return {c: None for c in CSV_COLUMNS[1:]}
        return self.review.to_form()

    def to_row(self, paper_id: str = "") -> dict[str, Any]:
        """The AI Scientist's 17 CSV columns (list fields as JSON strings), then our extra columns."""
        form = self.form()
        row: dict[str, Any] = {"paper_id": paper_id}
        for col in CSV_COLUMNS[1:]:
            value = form[col]
            row[col] = json.dumps(value) if col in LIST_FIELDS and value is not None else value
        for name in AGG_FIELDS:
            row[f"{name}_mean"] = self.aggregate.mean[name] if self.aggregate else None
            row[f"{name}_std"] = self.aggregate.std[name] if self.aggregate else None
        row.update(
            p_accept_raw=self.p_accept_raw,
            n_members=len(self.members),
            input_tokens=self.usage.input_tokens,
            output_tokens=self.usage.output_tokens,
            cached_tokens=self.usage.cached_tokens,
            cost_usd=self.cost_usd,
            seconds=round(self.seconds, 3),
            injection_suspected=self.injection_suspected,
            error=self.error,
        )
        if self.calibrator is not None:
            row.update(p_accept=self.p_accept, rating_calibrated=self.rating_calibrated)
        return row
