"""Fitting for reviewer/calibrate.py (sklearn is imported here only; predicting needs numpy alone).

All choices (feature group, ridge alpha, logistic C, probability head, threshold) use inner K-fold
cross-validation on the papers passed in, which in nested CV are the outer training folds only.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .calibrate import P_CLIP, RATING_RANGE, SCHEMA_VERSION, CalibratorError, CalibratorModel, Params
from .features import group_of, usable_features

C_GRID = np.logspace(-4, 2, 9)  # logistic L2 strength; small C matters (many correlated scores)
ALPHA_GRID = np.logspace(-1, 4, 11)  # ridge strength for the rating head
GROUPS = {"scores": ("score", "extra"), "scores+text": ("score", "extra", "text")}


def choose_threshold(p: np.ndarray, y: np.ndarray, rule: str = "balanced_accuracy",
                     target_accept_rate: float | None = None) -> float:
    """Decision threshold from (cross-fitted) training probabilities only."""
    p, y = np.asarray(p, float), np.asarray(y, bool)
    if rule == "accept_rate":
        rate = float(y.mean()) if target_accept_rate is None else float(target_accept_rate)
        return float(np.clip(np.quantile(p, 1 - rate), 0.0, 1.0))
    if rule != "balanced_accuracy":
        raise CalibratorError(f"unknown threshold rule {rule!r} (balanced_accuracy or accept_rate)")
    u = np.unique(p)
    cands = np.concatenate([[u[0] - 1e-9], (u[:-1] + u[1:]) / 2, [u[-1] + 1e-9]])
    acc = p[None, :] >= cands[:, None]
    pos, neg = max(int(y.sum()), 1), max(int((~y).sum()), 1)
    ba = ((acc & y).sum(1) / pos + (~acc & ~y).sum(1) / neg) / 2
    best = np.flatnonzero(ba >= ba.max() - 1e-12)
    return float(np.clip(cands[best[len(best) // 2]], 0.0, 1.0))  # middle of the tied range


def _ridge(z: np.ndarray, y: np.ndarray, alphas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ridge coefficients (len(alphas), k) and intercepts for every alpha at once (SVD)."""
    mu, ym = z.mean(0), y.mean()
    u, s, vt = np.linalg.svd(z - mu, full_matrices=False)
    uty = u.T @ (y - ym)
    coefs = np.stack([vt.T @ (s / (s**2 + a) * uty) for a in alphas])
    return coefs, ym - coefs @ mu


def _logistic(z: np.ndarray, y: np.ndarray, c: float):
    from sklearn.linear_model import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LogisticRegression(C=float(c), max_iter=5000).fit(z, y)


def _logloss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, P_CLIP, 1 - P_CLIP)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _isotonic(s: np.ndarray, y: np.ndarray):
    from sklearn.isotonic import IsotonicRegression

    return IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(s, y)


def fit_model(feats: pd.DataFrame, labels: pd.DataFrame, *, n_reviewers: int, method: str,
              threshold_rule: str, target_accept_rate: float | None, seed: int,
              inner_folds: int = 5) -> CalibratorModel:
    from sklearn.model_selection import StratifiedKFold

    if method not in ("logistic", "isotonic"):
        raise CalibratorError(f"unknown method {method!r} (logistic or isotonic)")
    if threshold_rule not in ("balanced_accuracy", "accept_rate"):
        raise CalibratorError(f"unknown threshold rule {threshold_rule!r} (balanced_accuracy or accept_rate)")
    missing = {"paper_id", "accepted", "mean_rating"} - set(labels.columns)
    if missing:
        raise CalibratorError(f"labels lack column(s) {sorted(missing)}")
    lab = labels[["paper_id", "accepted", "mean_rating"]].astype({"paper_id": str})
    data = lab.merge(feats, on="paper_id", how="inner")
    y = data["accepted"].to_numpy(dtype=bool)
    if len(data) < 2 * inner_folds or min(y.sum(), (~y).sum()) < inner_folds:
        raise CalibratorError(f"too few labelled papers to fit ({len(data)} papers, {int(y.sum())} accepted; "
                              f"need >= {inner_folds} of each class)")
    names = usable_features(data[["paper_id", *[c for c in feats.columns if c != "paper_id"]]])
    if not names:
        raise CalibratorError("no usable features (every candidate is missing or constant)")
    x = data[names].to_numpy(dtype=float)
    impute = np.nanmedian(x, axis=0)
    x = np.where(np.isfinite(x), x, impute)
    center, scale = x.mean(0), x.std(0)
    scale = np.where(scale > 1e-12, scale, 1.0)
    z = (x - center) / scale
    rating = data["mean_rating"].to_numpy(dtype=float)
    has_r = np.isfinite(rating)
    if has_r.sum() < 2 * inner_folds:
        raise CalibratorError("too few papers with a mean human rating to fit the rating head")
    groups = {g: np.array([group_of(n) in gs for n in names]) for g, gs in GROUPS.items()}
    groups = {g: m for g, m in groups.items() if m.any()}
    folds = list(StratifiedKFold(inner_folds, shuffle=True, random_state=seed).split(z, y))

    # Rating head: ridge, (group, alpha) by inner-CV MSE; keep its cross-fitted output.
    best_r = (np.inf, "", 0.0, None)
    for g, m in groups.items():
        oof = np.full((len(ALPHA_GRID), len(y)), np.nan)
        for tr, te in folds:
            tr = tr[has_r[tr]]
            coefs, icpt = _ridge(z[tr][:, m], rating[tr], ALPHA_GRID)
            oof[:, te] = coefs @ z[te][:, m].T + icpt[:, None]
        mse = np.nanmean((oof[:, has_r] - rating[has_r]) ** 2, axis=1)
        i = int(np.argmin(mse))
        if mse[i] < best_r[0]:
            best_r = (float(mse[i]), g, float(ALPHA_GRID[i]), oof[i])
    r_mse, r_group, r_alpha, r_oof = best_r
    m = groups[r_group]
    coefs, icpt = _ridge(z[has_r][:, m], rating[has_r], np.array([r_alpha]))
    rating_coef = np.zeros(len(names))
    rating_coef[m] = coefs[0]
    hyper: dict = {"inner_folds": inner_folds, "seed": seed, "rating_group": r_group, "rating_alpha": r_alpha,
                   "rating_inner_mse": r_mse}

    # Probability heads, each with cross-fitted training probabilities (for selection and threshold).
    def cross_fit(fit_pred) -> np.ndarray:
        out = np.empty(len(y))
        for tr, te in folds:
            out[te] = fit_pred(tr, te)
        return out

    s = r_oof.reshape(-1, 1)
    params: dict = {}
    if method == "isotonic":
        p_oof = cross_fit(lambda tr, te: _isotonic(s[tr, 0], y[tr]).predict(s[te, 0]))
        iso = _isotonic(s[:, 0], y)
        params.update(prob_head="isotonic", isotonic_x=iso.X_thresholds_.tolist(), isotonic_y=iso.y_thresholds_.tolist())
        hyper["prob_inner_logloss"] = _logloss(p_oof, y)
    else:
        p_platt = cross_fit(lambda tr, te: _logistic(s[tr], y[tr], 1e4).predict_proba(s[te])[:, 1])
        best_l = (_logloss(p_platt, y), "platt_on_rating", "", None, p_platt)
        for g, gm in groups.items():
            for c in C_GRID:
                p = cross_fit(lambda tr, te, gm=gm, c=c: _logistic(z[tr][:, gm], y[tr], c).predict_proba(z[te][:, gm])[:, 1])
                ll = _logloss(p, y)
                if ll < best_l[0] - 1e-9:
                    best_l = (ll, "logistic", g, float(c), p)
        ll, head, g, c, p_oof = best_l
        hyper.update(prob_inner_logloss=ll, platt_inner_logloss=_logloss(p_platt, y), prob_group=g or None, prob_C=c)
        if head == "logistic":
            gm = groups[g]
            lr = _logistic(z[:, gm], y, c)
            coef = np.zeros(len(names))
            coef[gm] = lr.coef_[0]
            params.update(prob_head="logistic", prob_coef=coef.tolist(), prob_intercept=float(lr.intercept_[0]))
        else:
            lr = _logistic(s, y, 1e4)
            params.update(prob_head="platt_on_rating", platt=[float(lr.coef_[0, 0]), float(lr.intercept_[0])])
    hyper["prob_head"] = params["prob_head"]
    p_oof = np.clip(p_oof, P_CLIP, 1 - P_CLIP)
    threshold = choose_threshold(p_oof, y, threshold_rule, target_accept_rate)
    return CalibratorModel(
        schema_version=SCHEMA_VERSION, method=method, n_reviewers=n_reviewers, features=names,
        params=Params(impute=impute.tolist(), center=center.tolist(), scale=scale.tolist(),
                      rating_coef=rating_coef.tolist(), rating_intercept=float(icpt[0]),
                      rating_range=list(RATING_RANGE), **params),
        threshold=threshold, threshold_rule=threshold_rule, target_accept_rate=target_accept_rate, hyper=hyper,
        fitted_on={"n_papers": int(len(y)), "n_accepted": int(y.sum()), "seed": seed},
    )
