"""Review text -> one stacked feature, `text_score`, for the calibrator (reviewer/calibrate.py).

A paper's document is the text of its review(s): Summary, Strengths, Weaknesses, Questions and
Limitations (a panel's reviewers are concatenated). Two fixed representations (chosen a priori):
- `pooled`: unigrams and bigrams of all fields together;
- `tagged`: the same terms prefixed by their field group (`s:` summary, `+:` strengths, `-:` weaknesses,
  `q:` questions and limitations), so "novel" in a strength and in a weakness are different terms.
Tokens: lower-case words (letters first, digits and inner hyphens allowed, >= 2 characters), a short
fixed stop list removed before bigrams are formed. Weights: sublinear tf (1 + ln count) x smoothed idf
(ln((1 + n) / (1 + df)) + 1), rows L2-normalized. The vocabulary (terms in >= MIN_DF and <= MAX_DF_FRAC
of the fitting papers, the VOCAB_MAX most frequent, ties alphabetical), the idf and the weights of a ridge
regression of the mean human rating are all learned on the fitting (training) papers only; the fitting
lives in reviewer/text_fit.py (cross-fit bagging: a new paper is scored by the average of the inner-fold
ridges). `text_score` = that prediction: a rating-scale number.

Predicting needs numpy and the stored vocabulary / idf / coefficients only (TextModel, plain JSON).
A document with no in-vocabulary term scores NaN (the calibrator then imputes its training median).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, model_validator

from .features import parse_list, usable_rows

TOKENIZER = "words2-stop1-bigrams"  # names the tokenization below; bump if it changes
REPRESENTATIONS = ("pooled", "tagged")
FIELD_TAGS = {"Summary": "s", "Strengths": "+", "Weaknesses": "-", "Questions": "q", "Limitations": "q"}
VOCAB_MAX = 4000  # a priori cap: keeps the calibrator JSON small (~0.2 MB)
MIN_DF = 3
MAX_DF_FRAC = 0.95
MAX_DOC_CHARS = 200_000  # a pathological review cannot stall tokenization
_WORD = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
STOP = frozenset("""
a an and are as at be been being but by can could did do does for from had has have how i if in into is it
its itself may might more most much of on one or our should so such than that the their them then there
these they this those to too very was we were what when where whether which while who why will with would
""".split())  # fmt: skip  (function words only; written down before any fitting)


def tokens(text: str) -> list[str]:
    """Unigrams and bigrams (joined by a space) of one text."""
    words = [w for w in _WORD.findall(text[:MAX_DOC_CHARS].lower()) if len(w) >= 2 and w not in STOP]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def review_fields(row: Mapping[str, object]) -> list[tuple[str, str]]:
    """(field tag, text) pairs of one review (a dict or a reviews-CSV row; list fields in any form)."""
    out = []
    for field, tag in FIELD_TAGS.items():
        if field == "Summary":
            out.append((tag, _text(row.get(field))))
        else:
            out.extend((tag, _text(x)) for x in parse_list(row.get(field)))
    return [(t, s) for t, s in out if s.strip()]


def term_counts(fields: Iterable[tuple[str, str]], representation: str) -> Counter:
    """Term counts of one document in a representation ('pooled' or 'tagged')."""
    c: Counter = Counter()
    for tag, text in fields:
        toks = tokens(text)
        c.update(toks if representation == "pooled" else [f"{tag}:{t}" for t in toks])
    return c


def paper_fields(frames: pd.DataFrame | list[pd.DataFrame]) -> dict[str, list[tuple[str, str]]]:
    """paper_id -> (tag, text) pairs of every reviewer of that paper (the rows the features use)."""
    frames = [frames] if isinstance(frames, pd.DataFrame) else list(frames)
    out: dict[str, list[tuple[str, str]]] = {}
    for f in frames:
        for row in usable_rows(f).to_dict(orient="records"):
            out.setdefault(str(row["paper_id"]), []).extend(review_fields(row))
    return out


def tfidf(counts: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """Sublinear tf x idf, rows L2-normalized (an all-zero row stays zero). Shared by fit and predict."""
    x = np.where(counts > 0, 1.0 + np.log(np.maximum(counts, 1.0)), 0.0) * idf
    norm = np.sqrt((x * x).sum(axis=1, keepdims=True))
    return x / np.where(norm > 0, norm, 1.0)


class TextModel(BaseModel):
    """The fitted text scorer as stored in the calibrator JSON (schema_version >= 2)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    tokenizer: str
    representation: str
    vocabulary: list[str]
    idf: list[float]
    coef: list[float]
    intercept: float
    alpha: float
    target: str = "mean_rating"

    @model_validator(mode="after")
    def _check(self) -> TextModel:
        if self.tokenizer != TOKENIZER:
            raise ValueError(f"text_model.tokenizer {self.tokenizer!r} is not {TOKENIZER!r}")
        if self.representation not in REPRESENTATIONS:
            raise ValueError(f"text_model.representation must be one of {REPRESENTATIONS}")
        k = len(self.vocabulary)
        if not 0 < k <= 50_000 or len(self.idf) != k or len(self.coef) != k:
            raise ValueError("text_model: vocabulary, idf and coef must have the same (non-zero) length")
        if len(set(self.vocabulary)) != k or any(v <= 0 for v in self.idf):
            raise ValueError("text_model: vocabulary terms must be unique and idf positive")
        return self

    def matrix(self, counters: list[Counter]) -> np.ndarray:
        index = {t: j for j, t in enumerate(self.vocabulary)}
        counts = np.zeros((len(counters), len(index)))
        for i, c in enumerate(counters):
            for term, n in c.items():
                j = index.get(term)
                if j is not None:
                    counts[i, j] = n
        return counts

    def score_counts(self, counters: list[Counter]) -> np.ndarray:
        counts = self.matrix(counters)
        s = tfidf(counts, np.asarray(self.idf, float)) @ np.asarray(self.coef, float) + self.intercept
        return np.where(counts.sum(axis=1) > 0, s, np.nan)

    def score(self, docs: list[list[tuple[str, str]]]) -> np.ndarray:
        """text_score of each document ((tag, text) pairs); NaN for a document with no known term."""
        return self.score_counts([term_counts(d, self.representation) for d in docs])

    def top_terms(self, n: int = 15) -> dict[str, list[str]]:
        """The terms with the largest positive / negative weight x idf (for inspection)."""
        w = np.asarray(self.coef) * np.asarray(self.idf)
        order = np.argsort(w)
        return {"positive": [self.vocabulary[j] for j in order[::-1][:n]],
                "negative": [self.vocabulary[j] for j in order[:n]]}
