"""Reviews -> numeric feature vectors for the calibrator (reviewer/calibrate.py).

Three groups, each a plain number per paper (NaN when the review lacks it):
- `score`: the form's numeric fields (Soundness ... Significance, Overall, Confidence);
- `extra`: signals our own runs add when present: ensemble means and spreads (`<Field>_mean`,
  `<Field>_std` for the scores, Decision and Ethical Concerns), `n_members`, and `p_accept_raw` (P(Accept)
  from the Decision token's logprobs). Never `p_accept` / `rating_calibrated`: those are a calibrator's
  own outputs, and feeding them back would make a calibrator depend on another one;
- `text`: simple, honest text statistics of the review: how many strengths / weaknesses / questions /
  limitations and how long they are, the length of the summary, the review's own Decision (0/1), an
  ethics flag, and counts of a few hedging / praising words (fixed word lists, written down before
  looking at any label).

Panel mode (several reviewers of the same papers): each reviewer's features get the prefix `r<i>.`,
and a `panel` group adds the reviewers' disagreement: the standard deviation over reviewers of each score
field (`panel.<Field>_std`, NaN with fewer than two reviewers present).
A fourth group, `tfidf` (the single feature `text_score`), is made by the calibrator from the review
text with a model fitted on training papers only (reviewer/text_features.py); it is not computed here.
Works on frames from benchmarks.reviews_io.read_reviews (lists already parsed) and on raw dicts/rows
(list fields as JSON / Python-literal strings), so a single fresh review can be featurized alike.
"""

from __future__ import annotations

import ast
import json
import math
import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

SCORE_FIELDS = [
    "Soundness", "Presentation", "Contribution", "Overall", "Confidence",
    "Originality", "Quality", "Clarity", "Significance",
]  # fmt: skip
LIST_FIELDS = ["Strengths", "Weaknesses", "Questions", "Limitations"]
AGG_FIELDS = [*SCORE_FIELDS, "Ethical Concerns", "Decision"]
EXTRA_FIELDS = [f"{f}_{s}" for f in AGG_FIELDS for s in ("mean", "std")] + ["n_members", "p_accept_raw"]
# Fixed word lists (chosen a priori, not from the labels): hedging/critical vs praising vocabulary.
HEDGE = re.compile(
    r"\b(lack|lacks|lacking|limited|unclear|insufficient|missing|weak|incremental|marginal|"
    r"not clear|questionable|unconvincing|overclaim\w*)\b", re.I)  # fmt: skip
PRAISE = re.compile(
    r"\b(novel|significant|strong|comprehensive|thorough|state-of-the-art|impressive|well-written|"
    r"extensive|solid|convincing|elegant)\b", re.I)  # fmt: skip
TEXT_FEATURES = (
    [f"{f}_n" for f in LIST_FIELDS] + [f"{f}_chars" for f in LIST_FIELDS]
    + ["Summary_chars", "decision_accept", "ethics_flag", "hedge_words", "praise_words"]
)  # fmt: skip
GROUPS = ("score", "extra", "text", "panel", "tfidf")
TEXT_SCORE = "text_score"  # the stacked text feature (reviewer/text_features.py)
PANEL_FEATURES = [f"panel.{f}_std" for f in SCORE_FIELDS]


def parse_list(value: object) -> list:
    """A list from a JSON or Python-literal string; a lone non-list string becomes a 1-item list."""
    if isinstance(value, list):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    text = str(value).strip()
    if not text:
        return []
    # Python-literal lists (the recorded files) start with "['"; try the likely parser first.
    parsers = (ast.literal_eval, json.loads) if text.startswith("['") else (json.loads, ast.literal_eval)
    for parse in parsers:  # literal_eval evaluates literals only, never code
        try:
            out = parse(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(out, list | tuple):
            return [str(x) for x in out]
        break
    return [text]


def _num(value: object) -> float:
    if isinstance(value, bool | np.bool_):
        return float(value)
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return out if math.isfinite(out) else math.nan


def _flag(value: object) -> float:
    """Accept/True -> 1, Reject/False -> 0, unknown -> NaN; free-text ethics concerns count as 1."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    if isinstance(value, bool | np.bool_ | int | float | np.integer | np.floating):
        return 1.0 if value else 0.0
    low = str(value).strip().lower()
    if low.startswith("accept") or low in ("true", "yes", "1"):
        return 1.0
    if low.startswith("reject") or low in ("false", "no", "0"):
        return 0.0
    return 1.0 if low else math.nan


def row_features(row: Mapping[str, object]) -> dict[str, float]:
    """All candidate features of one review (a dict or a DataFrame row), grouped names in GROUP_OF."""
    out: dict[str, float] = {f: _num(row.get(f)) for f in SCORE_FIELDS}
    for f in EXTRA_FIELDS:
        out[f] = _num(row.get(f))
    texts = []
    for f in LIST_FIELDS:
        items = parse_list(row.get(f))
        out[f"{f}_n"] = float(len(items))
        out[f"{f}_chars"] = float(sum(len(str(x)) for x in items))
        if f in ("Strengths", "Weaknesses"):
            texts.extend(str(x) for x in items)
    summary = row.get("Summary")
    summary = "" if summary is None or (isinstance(summary, float) and math.isnan(summary)) else str(summary)
    texts.append(summary)
    out["Summary_chars"] = float(len(summary))
    out["decision_accept"] = _flag(row.get("Decision"))
    out["ethics_flag"] = _flag(row.get("Ethical Concerns"))
    joined = " ".join(texts)
    out["hedge_words"] = float(len(HEDGE.findall(joined)))
    out["praise_words"] = float(len(PRAISE.findall(joined)))
    return out


def group_of(name: str) -> str:
    """The group (one of GROUPS) of a feature name (reviewer prefix `r<i>.` ignored)."""
    if name == TEXT_SCORE:
        return "tfidf"
    if name.startswith("panel."):
        return "panel"
    base = name.split(".", 1)[1] if re.match(r"^r\d+\.", name) else name
    if base in SCORE_FIELDS:
        return "score"
    if base in EXTRA_FIELDS:
        return "extra"
    return "text"


def usable_rows(reviews: pd.DataFrame) -> pd.DataFrame:
    """One review per paper_id (last row wins), failed reviews (an `error`) left out."""
    if "paper_id" not in reviews.columns:
        raise ValueError("reviews have no paper_id column")
    rev = reviews.drop_duplicates("paper_id", keep="last")
    if "error" in rev.columns:  # a failed review carries no scores: treat its fields as missing
        rev = rev[rev["error"].isna() | (rev["error"].astype(str).str.strip() == "")]
    return rev


def review_features(reviews: pd.DataFrame, prefix: str = "") -> pd.DataFrame:
    """One row per paper_id (last row wins), all candidate features as float columns."""
    rev = usable_rows(reviews)
    rows = [row_features(r) for r in rev.to_dict(orient="records")]
    cols = SCORE_FIELDS + EXTRA_FIELDS + TEXT_FEATURES
    feats = pd.DataFrame(rows, columns=cols, dtype=float)
    feats.columns = [prefix + c for c in cols]
    feats.insert(0, "paper_id", rev["paper_id"].astype(str).to_numpy(dtype=object))
    return feats.reset_index(drop=True)


def panel_features(frames: pd.DataFrame | Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Features of one reviewer (no prefix) or of a panel (prefix `r<i>.`), outer-joined on paper_id."""
    if isinstance(frames, pd.DataFrame):
        return review_features(frames)
    frames = list(frames)
    if len(frames) == 1:
        return review_features(frames[0])
    out: pd.DataFrame | None = None
    for i, f in enumerate(frames):
        feats = review_features(f, prefix=f"r{i}.")
        out = feats if out is None else out.merge(feats, on="paper_id", how="outer")
    assert out is not None
    for f in SCORE_FIELDS:  # disagreement between the reviewers
        v = out[[f"r{i}.{f}" for i in range(len(frames))]].to_numpy(dtype=float)
        n = np.isfinite(v).sum(axis=1)
        out[f"panel.{f}_std"] = [float(np.nanstd(r)) if k >= 2 else np.nan for r, k in zip(v, n, strict=True)]
    return out


def usable_features(feats: pd.DataFrame, min_present: float = 0.5) -> list[str]:
    """Columns present in at least `min_present` of the rows and not constant: the fitted feature list."""
    keep = []
    for c in feats.columns:
        if c == "paper_id":
            continue
        v = feats[c].to_numpy(dtype=float)
        ok = np.isfinite(v)
        if ok.mean() >= min_present and np.ptp(v[ok]) > 0:
            keep.append(c)
    return keep
