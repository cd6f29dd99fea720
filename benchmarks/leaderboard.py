"""Compare reviewers on one dataset: one row per reviewer (the exact `bench score` numbers), sorted by
AUC, with 95% CIs and a paired-bootstrap p-value for each row's AUC against the top row's.

Optional rows (issue 5, lazily imported): `calibrated=True` adds "<name> (calibrated, out-of-fold)" per
reviewer and a panel row, from benchmarks.calibration_cv.oof_predictions; `leakage=True` adds the
benchmarks.leakage audits (before/after sanitizing) and each reviewer's Overall-vs-leak-marker estimate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .datasets import Dataset
from .metrics import auc, paired_bootstrap_pvalue
from .reviews_io import normalize_reviews, read_reviews, reviews_csv_path
from .score import Scored, metrics_of, prepare

COST_COLUMNS = ("cost_usd", "cost")
TIME_COLUMNS = ("seconds", "latency_s")


class LeaderboardError(ValueError):
    """A leaderboard option that cannot be honoured; the message says why."""


@dataclass
class Entry:
    name: str
    source: str
    kind: str  # "raw" or "calibrated"
    scored: Scored
    metrics: dict
    cost_per_paper: float | None = None
    seconds_per_paper: float | None = None
    p_vs_top: float | None = None
    extra: dict = field(default_factory=dict)


class _FixedPredictions:
    """Calibrator-shaped wrapper around out-of-fold predictions (score's rule 'calibrated' reads these)."""

    def __init__(self, pred: pd.DataFrame):
        self.pred = pred

    def predict(self, reviews: pd.DataFrame) -> pd.DataFrame:
        return self.pred


def display_name(stem: str) -> str:
    """'gpt-4o-2024-05-13_temp_0_1_fewshot_1_reflect_5_ensemble_5_pages_all' -> 'gpt-4o-2024-05-13 fewshot1 reflect5 ensemble5'."""
    name = stem.replace("_pages_all", "")
    name = re.sub(r"_temp_\d+(_\d+)?", "", name)
    name = re.sub(r"_(fewshot|reflect|ensemble)_(\d+)", r" \1\2", name)
    return name.strip("_ ") or stem


def _per_paper_mean(df: pd.DataFrame, columns: tuple[str, ...]) -> float | None:
    for col in columns:
        if col in df.columns:
            v = pd.to_numeric(df[col], errors="coerce")
            if v.notna().any():
                return float(v.sum() / max(1, len(df)))  # over all rows: failures cost money too
    return None


def _entry(ds: Dataset, reviews: pd.DataFrame, name: str, source: str, kind: str, rule: str,
           threshold: float, calibrator: Any, n_boot: int, seed: int) -> Entry:
    sc = prepare(ds, reviews, rule=rule, threshold=threshold, calibrator=calibrator)
    mets = metrics_of(ds, sc, rule, reviews_name=name, n_boot=n_boot, seed=seed)
    return Entry(name=name, source=source, kind=kind, scored=sc, metrics=mets,
                 cost_per_paper=_per_paper_mean(reviews, COST_COLUMNS),
                 seconds_per_paper=_per_paper_mean(reviews, TIME_COLUMNS))


def _unique(name: str, taken: set[str]) -> str:
    out, i = name, 2
    while out in taken:
        out, i = f"{name} ({i})", i + 1
    taken.add(out)
    return out


def _paired_p(top: Entry, other: Entry, n_boot: int, seed: int) -> float | None:
    a = pd.DataFrame({"paper_id": top.scored.table["paper_id"], "y": top.scored.y, "s": top.scored.score})
    b = pd.DataFrame({"paper_id": other.scored.table["paper_id"], "s2": other.scored.score})
    both = a.merge(b, on="paper_id")  # the papers both reviewers scored
    if len(both) < 10:
        return None
    y = both["y"].to_numpy(float)
    return paired_bootstrap_pvalue(auc, [y, both["s"].to_numpy(float)], [y, both["s2"].to_numpy(float)],
                                   n=n_boot, seed=seed)


def build(ds: Dataset, inputs: list[str | Path], rule: str = "overall", threshold: float = 6.0,
          calibrator: Any = None, calibrated: bool = False, leakage: bool = False, folds: int = 5,
          repeats: int = 5, n_boot: int = 1000, seed: int = 0) -> dict:
    """Entries sorted by AUC (None last), p-values vs the top row, and the optional sections."""
    if calibrated:
        from .calibration_cv import oof_predictions
    if leakage:
        from .leakage import audit, overall_vs_marker
    taken: set[str] = set()
    raw: list[tuple[str, str, pd.DataFrame]] = []
    for item in inputs:
        path = reviews_csv_path(item)
        stem = path.parent.name if path.name == "reviews.csv" else path.stem
        raw.append((_unique(display_name(stem), taken), str(item), read_reviews(path)))
    entries = [_entry(ds, df, name, src, "raw", rule, threshold, calibrator, n_boot, seed) for name, src, df in raw]
    if calibrated:
        for name, src, df in raw:
            pred = oof_predictions(ds, df, folds=folds, repeats=repeats, seed=seed)
            entries.append(_entry(ds, df, _unique(f"{name} (calibrated, out-of-fold)", taken), src, "calibrated",
                                  "calibrated", threshold, _FixedPredictions(pred), n_boot, seed))
        if len(raw) > 1:
            pred = oof_predictions(ds, [df for _, _, df in raw], folds=folds, repeats=repeats, seed=seed)
            ids = normalize_reviews(pd.DataFrame({"paper_id": pred["paper_id"]}))
            entries.append(_entry(ds, ids, _unique(f"panel of {len(raw)} (calibrated, out-of-fold)", taken),
                                  "; ".join(src for _, src, _ in raw), "calibrated", "calibrated", threshold,
                                  _FixedPredictions(pred), n_boot, seed))
    entries.sort(key=lambda e: -np.inf if e.metrics["auc"] is None else -e.metrics["auc"])
    for e in entries[1:]:
        e.p_vs_top = _paired_p(entries[0], e, n_boot, seed)
    out: dict = {"dataset": ds, "rule": rule, "threshold": threshold, "entries": entries,
                 "n_boot": n_boot, "seed": seed, "leakage": None, "folds": folds, "repeats": repeats}
    if leakage:
        out["leakage"] = {
            "before": audit(ds, sanitize=False),
            "after": audit(ds, sanitize=True),
            "overall_vs_marker": {name: overall_vs_marker(ds, df) for name, _, df in raw},
        }
    return out
