"""Honest nested cross-validation of the calibrator (reviewer/calibrate.py).

Outer loop: `repeats` x stratified `folds`-fold splits of the papers (seeds seed, seed+1, ...). For each
outer split a Calibrator is fitted on the training papers only — imputation, scaling, the text score's
vocabulary / idf / weights, the feature set (base or extended, inner CV), feature design, C / alpha
(inner CV), probability head and threshold all inside — and predicts the held-out papers.
Each paper thus gets one out-of-fold prediction per repeat; the reported prediction is the mean
p_accept and rating over repeats, the decision a majority vote of the repeats' decisions (ties: the
mean p_accept against the mean threshold of the folds that held the paper out).

`nested_cv` scores these pooled predictions with `bench score`'s metrics (rule "calibrated", bootstrap
95% CIs over papers), adds the spread of each metric over the outer folds, and the raw, uncalibrated
scores for comparison (Overall, or the panel's mean Overall, with the AI Scientist's rule Overall >= 6).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from reviewer.calibrate import Calibrator

from .datasets import Dataset
from .metrics import compute_metrics, ece
from .score import score

SPREAD_METRICS = ("auc", "balanced_accuracy", "ece", "brier", "spearman", "mae", "accuracy", "f1")


def _frames(reviews: pd.DataFrame | list[pd.DataFrame]) -> list[pd.DataFrame]:
    frames = [reviews] if isinstance(reviews, pd.DataFrame) else list(reviews)
    out = []
    for f in frames:
        f = f.drop_duplicates("paper_id", keep="last")
        if "error" in f.columns:
            f = f[f["error"].isna()]
        out.append(f)
    return out


def _fit_predict(frames, labels, train_ids, test_ids, method, seed, text=True, feature_set="auto"):
    tr, te = set(train_ids), set(test_ids)
    cal = Calibrator.fit([f[f["paper_id"].isin(tr)] for f in frames], labels[labels["paper_id"].isin(tr)],
                         method=method, seed=seed, text=text, feature_set=feature_set)
    pred = cal.predict([f[f["paper_id"].isin(te)] for f in frames] if len(frames) > 1
                       else frames[0][frames[0]["paper_id"].isin(te)])
    return cal, pred


def cv_runs(ds: Dataset, reviews, folds: int = 5, repeats: int = 5, seed: int = 0,
            method: str = "logistic", text: bool = True, feature_set: str = "auto") -> tuple[pd.DataFrame, list[dict]]:
    """Every outer fold's held-out predictions (with repeat, fold, threshold) and per-fold fit info."""
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # small matrices: BLAS threads only contend (measured 5x slower under load)
        return _cv_runs(StratifiedKFold, ds, reviews, folds, repeats, seed, method, text, feature_set)


def _cv_runs(StratifiedKFold, ds, reviews, folds, repeats, seed, method, text, feature_set):  # noqa: N803
    frames = _frames(reviews)
    labels = ds.ratings[["paper_id", "accepted", "mean_rating"]]
    reviewed = set.intersection(*[set(f["paper_id"]) for f in frames]) if len(frames) > 1 else set(frames[0]["paper_id"])
    papers = labels[labels["paper_id"].isin(reviewed)].reset_index(drop=True)
    if len(papers) < 2 * folds:
        raise ValueError(f"only {len(papers)} dataset papers have reviews: too few for {folds}-fold CV")
    y = papers["accepted"].to_numpy(dtype=bool)
    rows, info = [], []
    for rep in range(repeats):
        skf = StratifiedKFold(folds, shuffle=True, random_state=seed + rep)
        for k, (tr, te) in enumerate(skf.split(np.zeros(len(y)), y)):
            ids_tr, ids_te = papers["paper_id"].iloc[tr], papers["paper_id"].iloc[te]
            cal, pred = _fit_predict(frames, labels, ids_tr, ids_te, method, seed + rep, text, feature_set)
            pred = pred.assign(repeat=rep, fold=k, threshold=cal.threshold)
            rows.append(pred)
            info.append({"repeat": rep, "fold": k, "threshold": cal.threshold, **cal.model.hyper,
                         "n_features": len(cal.features)})
    return pd.concat(rows, ignore_index=True), info


def _pool(runs: pd.DataFrame) -> pd.DataFrame:
    g = runs.assign(acc=(runs["decision"] == "Accept").astype(float)).groupby("paper_id", sort=False)
    out = g.agg(p_accept=("p_accept", "mean"), rating_calibrated=("rating_calibrated", "mean"),
                vote=("acc", "mean"), thr=("threshold", "mean")).reset_index()
    accept = np.where(out["vote"] == 0.5, out["p_accept"] >= out["thr"], out["vote"] > 0.5)
    out["decision"] = np.where(accept, "Accept", "Reject").astype(object)
    return out[["paper_id", "p_accept", "rating_calibrated", "decision"]]


def oof_predictions(ds: Dataset, reviews, folds: int = 5, repeats: int = 5, seed: int = 0,
                    method: str = "logistic", text: bool = True, feature_set: str = "auto") -> pd.DataFrame:
    """Out-of-fold predictions averaged over repeats: paper_id, p_accept, rating_calibrated, decision."""
    runs, _ = cv_runs(ds, reviews, folds, repeats, seed, method, text, feature_set)
    return _pool(runs)


class _Fixed:
    """A 'calibrator' that returns precomputed predictions, so `bench score` scores OOF predictions."""

    def __init__(self, pred: pd.DataFrame):
        self.pred = pred

    def predict(self, reviews: Any) -> pd.DataFrame:
        return self.pred


def _raw_frame(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """paper_id + Overall (the panel's mean Overall): the uncalibrated score."""
    ov = [f[["paper_id", "Overall"]].set_index("paper_id")["Overall"].astype(float) for f in frames]
    mean = pd.concat(ov, axis=1).mean(axis=1, skipna=False) if len(ov) > 1 else ov[0]
    return mean.rename("Overall").reset_index()


def _spread(runs: pd.DataFrame, ds: Dataset) -> dict:
    lab = ds.ratings.set_index("paper_id")
    per: dict[str, list[float]] = {m: [] for m in SPREAD_METRICS}
    for _, g in runs.groupby(["repeat", "fold"]):
        y = lab.loc[g["paper_id"], "accepted"].to_numpy(dtype=float)
        mh = lab.loc[g["paper_id"], "mean_rating"].to_numpy(dtype=float)
        d = (g["decision"] == "Accept").to_numpy(dtype=float)
        p = g["p_accept"].to_numpy(dtype=float)
        m = compute_metrics(y, d, score=p, p_accept=p, rating=g["rating_calibrated"].to_numpy(float),
                            mean_human=mh, ci=False)
        for k in SPREAD_METRICS:
            if m.get(k) is not None:
                per[k].append(m[k])
    return {k: ({"mean": float(np.mean(v)), "std": float(np.std(v, ddof=1)) if len(v) > 1 else None, "n_folds": len(v)}
                if v else None) for k, v in per.items()}


def ece_noise_floor(p: np.ndarray, n_sim: int = 200, seed: int = 0) -> dict:
    """ECE that perfectly calibrated probabilities p would still show on this many papers: outcomes drawn
    as Bernoulli(p). With ~390 papers and 10 bins the floor is ~0.04-0.05, so ECE near it is noise."""
    p = np.asarray(p, float)
    rng = np.random.default_rng(seed)
    vals = np.array([ece((rng.random(p.size) < p).astype(float), p) for _ in range(n_sim)])
    return {"mean": float(vals.mean()), "p95": float(np.percentile(vals, 95)), "n_sim": n_sim}


def _mean_or_none(values: list) -> float | None:
    v = [x for x in values if x is not None]
    return float(np.mean(v)) if v else None


def nested_cv(ds: Dataset, reviews, folds: int = 5, repeats: int = 5, seed: int = 0,
              method: str = "logistic", reviews_name: str | None = None, text: bool = True,
              feature_set: str = "auto") -> dict:
    """bench score's metrics JSON (rule "calibrated") of the pooled OOF predictions, plus `fold_spread`,
    `raw` (uncalibrated metrics on the same papers) and `cv` (settings and the choices made per fold)."""
    frames = _frames(reviews)
    runs, info = cv_runs(ds, frames, folds, repeats, seed, method, text, feature_set)
    pooled = _pool(runs)
    base = _raw_frame(frames)
    base = base[base["paper_id"].isin(set(pooled["paper_id"]))]
    out = score(ds, base, rule="calibrated", calibrator=_Fixed(pooled), reviews_name=reviews_name)
    out["reviews"]["note"] = f"out-of-fold predictions of nested {repeats}x{folds} CV (mean over repeats)"
    out["fold_spread"] = _spread(runs, ds)
    scored = pooled[pooled["paper_id"].isin(set(ds.paper_ids))]
    out["ece_noise_floor"] = ece_noise_floor(scored["p_accept"].to_numpy(float), seed=seed)
    raw = score(ds, base, rule="overall", threshold=6.0, reviews_name=reviews_name)
    raw["reviews"]["note"] = "uncalibrated: " + ("mean Overall of the panel" if len(frames) > 1 else "Overall") + " >= 6"
    out["raw"] = raw
    thr = [i["threshold"] for i in info]
    out["cv"] = {
        "folds": folds, "repeats": repeats, "seed": seed, "method": method, "n_reviewers": len(frames), "text": text,
        "feature_set": feature_set,
        "threshold": {"mean": float(np.mean(thr)), "std": float(np.std(thr))},
        "choices": {k: dict(Counter(str(i.get(k)) for i in info))
                    for k in ("feature_set", "prob_head", "prob_design", "prob_C", "rating_design", "rating_alpha",
                              "text_repr", "text_alpha")},
        "feature_set_gain": _mean_or_none([i.get("feature_set_gain") for i in info]),
        "feature_set_se": _mean_or_none([i.get("feature_set_se") for i in info]),
        "n_features": {"mean": float(np.mean([i["n_features"] for i in info]))},
        "text_inner_r": _mean_or_none([i.get("text_inner_r") for i in info]),
        "honesty": "imputation, scaling, text vocabulary/idf/weights (cross-fitted, bagged), feature set, "
                   "feature design, C/alpha (inner CV), head and threshold are chosen on each outer training fold "
                   "only; the held-out fold's labels are never seen",
    }
    return out
