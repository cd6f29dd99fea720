"""Score reviews against the human decisions and ratings of a dataset (no model calls).

Rules for the accept/reject decision:
- `overall`: accept when Overall >= threshold (the AI Scientist's rule; threshold 6 by default);
- `decision`: the review's own Decision column (accept when it starts with "accept", any case);
- `calibrated`: a calibrator's decision (reviewer/calibrate.py: `Calibrator.load(path).predict(df)`).
The continuous score behind `auc` and the correlations is `p_accept` when every scored row has one,
else Overall. `mae` needs a human-scale rating (`rating_calibrated`); ece/brier need `p_accept`.

Failures: a dataset paper whose row has an `error`, lacks what the rule needs (Overall, a Decision, a
calibrated value), or has no row at all is not scored. Metrics are over the scored papers only; the
`reviews` entry says how many were scored, failed and missing, so a reviewer that fails on hard papers
can be seen (the leaderboard shows the coverage too). Rows for papers not in the dataset are ignored
and counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .datasets import Dataset
from .metrics import compute_metrics, human_baseline

METRIC_KEYS = [
    "n", "accuracy", "balanced_accuracy", "f1", "auc_binary", "auc", "fpr", "fnr", "spearman", "pearson",
    "kendall", "mae", "ece", "brier", "accept_rate_pred", "accept_rate_true", "ci95", "human_baseline",
    "rule", "dataset", "reviews",
]  # fmt: skip
RULES = ("overall", "decision", "calibrated")
FAILURE_POLICY = "scored on reviewed papers only; failed and missing papers are counted, not imputed"


class ScoreError(ValueError):
    """Scoring cannot proceed; the message names the cause."""


def _accept_flag(v: Any) -> float:
    """1.0 accept, 0.0 reject, nan when unknown; accepts bools, 0/1 and 'Accept...'/'Reject' strings."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return np.nan
    if isinstance(v, bool | np.bool_ | int | np.integer | float | np.floating):
        return 1.0 if v else 0.0
    text = str(v).strip().lower()
    if text.startswith("accept") or text in ("true", "1"):
        return 1.0
    if text.startswith("reject") or text in ("false", "0"):
        return 0.0
    return np.nan


def load_calibrator(calibrator: Any) -> Any:
    """A calibrator object from a path (lazy import of reviewer.calibrate) or the object itself."""
    if calibrator is None or hasattr(calibrator, "predict"):
        return calibrator
    from reviewer.calibrate import Calibrator

    try:
        return Calibrator.load(calibrator)
    except (ValueError, OSError) as e:  # CalibratorError is a ValueError with a one-line message
        raise ScoreError(f"calibrator {e}"[:300]) from e


def _check_one_reviewer(calibrator: Any) -> None:
    """`bench score` scores one reviews file: a panel calibrator (fitted on several reviewers' files of the
    same papers) cannot be applied to it. Say so in one line, with the number of files it needs."""
    n = getattr(getattr(calibrator, "model", None), "n_reviewers", 1)
    if isinstance(n, int) and n > 1:
        raise ScoreError(f"calibrator: this is a panel calibrator of {n} reviewers: it needs {n} review files of "
                         f"the same papers (one per reviewer, in its fitting order), but `bench score` scores one "
                         f"--reviews file (apply it with Calibrator.load(path).predict([df_1, ..., df_{n}]))")


def _calibrated(reviews: pd.DataFrame, calibrator: Any) -> pd.DataFrame:
    from reviewer.calibrate import CalibratorError

    _check_one_reviewer(calibrator)
    try:
        pred = calibrator.predict(reviews)
    except CalibratorError as e:  # e.g. a calibrator that needs other inputs than one reviews table
        raise ScoreError(f"calibrator: {e}"[:400]) from e
    missing = {"paper_id", "p_accept", "decision"} - set(pred.columns)
    if missing:
        raise ScoreError(f"calibrator predictions lack column(s) {sorted(missing)}")
    pred = pred.drop_duplicates("paper_id", keep="last").set_index("paper_id")
    out = reviews.drop(columns=[c for c in ("p_accept", "rating_calibrated") if c in reviews.columns])
    out = out.join(pred[[c for c in ("p_accept", "rating_calibrated", "decision") if c in pred.columns]],
                   on="paper_id")
    return out.rename(columns={"decision": "_cal_decision"})


@dataclass
class Scored:
    """Per-paper arrays of the scored papers (the exact inputs of the metrics) plus coverage counts."""

    table: pd.DataFrame  # the dataset's scored rows, merged with their reviews
    y: np.ndarray  # 1.0 = accepted by humans
    decision: np.ndarray  # 1.0 = accepted by the reviewer under the rule
    score: np.ndarray  # continuous score (p_accept or Overall)
    p_accept: np.ndarray | None
    rating: np.ndarray | None  # human-scale rating (rating_calibrated) when available
    mean_human: np.ndarray
    info: dict  # the `reviews` entry of the metrics JSON (without name)


def prepare(ds: Dataset, reviews: pd.DataFrame, rule: str = "overall", threshold: float = 6.0,
            calibrator: Any = None) -> Scored:
    """Align reviews with the dataset and apply the rule; see the module docstring for the policy."""
    if rule not in RULES:
        raise ScoreError(f"unknown rule {rule!r} (choose from {', '.join(RULES)})")
    if "paper_id" not in reviews.columns:
        raise ScoreError("reviews have no paper_id column")
    n_rows = len(reviews)
    dup = int(reviews["paper_id"].duplicated().sum())
    rev = reviews.drop_duplicates("paper_id", keep="last")  # a resumed run's latest row wins
    known = set(ds.paper_ids)
    n_unknown = int((~rev["paper_id"].isin(known)).sum())
    rev = rev[rev["paper_id"].isin(known)]
    warning = None
    if rule == "calibrated":
        if calibrator is None:
            raise ScoreError("rule 'calibrated' needs --calibrator FILE")
        cal = load_calibrator(calibrator)
        fitted_on = getattr(cal, "dataset_hash", None)
        if fitted_on and fitted_on == ds.hash():
            warning = "the calibrator was fitted on this very dataset: these numbers are in-sample (optimistic)"
        rev = _calibrated(rev, cal)
    table = ds.ratings.merge(rev, on="paper_id", how="left", indicator=True)
    has_row = (table["_merge"] == "both").to_numpy()
    err = table["error"].notna().to_numpy() if "error" in table.columns else np.zeros(len(table), bool)
    overall = pd.to_numeric(table["Overall"], errors="coerce").to_numpy(dtype=float)
    if rule == "overall":
        decision = np.where(np.isfinite(overall), (overall >= threshold).astype(float), np.nan)
    elif rule == "decision":
        decision = np.array([_accept_flag(v) for v in table["Decision"]], dtype=float)
    else:
        decision = np.array([_accept_flag(v) for v in table["_cal_decision"]], dtype=float)
    p_acc = (pd.to_numeric(table["p_accept"], errors="coerce").to_numpy(dtype=float)
             if "p_accept" in table.columns else np.full(len(table), np.nan))
    ok = has_row & ~err & np.isfinite(decision)
    if rule == "calibrated":
        ok &= np.isfinite(p_acc)
    use_p = bool(ok.any() and np.isfinite(p_acc[ok]).all())
    cont = p_acc if use_p else overall
    ok &= np.isfinite(cont)
    t = table[ok].drop(columns="_merge").reset_index(drop=True)
    rating = (pd.to_numeric(t["rating_calibrated"], errors="coerce").to_numpy(dtype=float)
              if "rating_calibrated" in t.columns else None)
    if rating is not None and not np.isfinite(rating).any():
        rating = None
    info = {
        "rows": n_rows,
        "scored": int(ok.sum()),
        "failed": int((has_row & ~ok).sum()),
        "missing": int((~has_row).sum()),
        "unknown_papers": n_unknown,
        "duplicate_rows": dup,
        "threshold": float(threshold) if rule == "overall" else None,
        "continuous_score": "p_accept" if use_p else "Overall",
        "failure_policy": FAILURE_POLICY,
        "warning": warning,
    }
    return Scored(table=t, y=t["accepted"].to_numpy(dtype=float), decision=decision[ok], score=cont[ok],
                  p_accept=p_acc[ok] if use_p else None, rating=rating,
                  mean_human=t["mean_rating"].to_numpy(dtype=float), info=info)


def metrics_of(ds: Dataset, sc: Scored, rule: str, reviews_name: str | None = None, ci: bool = True,
               n_boot: int = 1000, seed: int = 0) -> dict:
    """The metrics JSON of prepared arrays (what `score` returns)."""
    mets = compute_metrics(sc.y, sc.decision, score=sc.score, p_accept=sc.p_accept, rating=sc.rating,
                           mean_human=sc.mean_human, ci=ci, n_boot=n_boot, seed=seed)
    mets["human_baseline"] = human_baseline(sc.table["ratings"].tolist(), seed=seed,
                                            accepted=sc.table["accepted"].tolist())
    mets["rule"] = rule
    mets["dataset"] = {"path": str(ds.root), "name": ds.name, "hash": ds.hash(), "n_papers": len(ds)}
    mets["reviews"] = {"name": reviews_name, **sc.info}
    return {k: mets.get(k) for k in METRIC_KEYS}


def score(ds: Dataset, reviews: pd.DataFrame, rule: str = "overall", threshold: float = 6.0,
          calibrator: Any = None, reviews_name: str | None = None, ci: bool = True,
          n_boot: int = 1000, seed: int = 0) -> dict:
    """Metrics JSON (keys: METRIC_KEYS, null where a metric does not apply) for one reviews table."""
    sc = prepare(ds, reviews, rule=rule, threshold=threshold, calibrator=calibrator)
    return metrics_of(ds, sc, rule, reviews_name=reviews_name, ci=ci, n_boot=n_boot, seed=seed)


def score_path(dataset: Dataset, reviews_path: str | Path, **kwargs: Any) -> dict:
    """Convenience: read a CSV / run dir and score it, naming it after the file or run dir."""
    from .reviews_io import read_reviews, reviews_csv_path

    p = reviews_csv_path(reviews_path)
    name = p.parent.name if p.name == "reviews.csv" else p.stem
    return score(dataset, read_reviews(p), reviews_name=kwargs.pop("reviews_name", None) or name, **kwargs)
