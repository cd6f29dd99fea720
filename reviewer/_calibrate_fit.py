"""Fitting for reviewer/calibrate.py (sklearn is imported here only; predicting needs numpy alone).

All choices (feature group, ridge alpha, logistic C, probability head, threshold) use inner K-fold
cross-validation on the papers passed in, which in nested CV are the outer training folds only.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .calibrate import P_CLIP, RATING_RANGE, SCHEMA_VERSION, CalibratorError, CalibratorModel, Params
from .features import SCORE_FIELDS, group_of, usable_features

C_GRID = np.logspace(-4, 2, 9)  # logistic L2 strength; small C matters (many correlated scores)
ALPHA_GRID = np.logspace(-1, 4, 11)  # ridge strength for the rating head


def choose_threshold(p: np.ndarray, y: np.ndarray, rule: str = "balanced_accuracy",
                     target_accept_rate: float | None = None) -> float:
    """Decision threshold from (cross-fitted) training probabilities only."""
    p, y = np.asarray(p, float), np.asarray(y, bool)
    if rule == "accept_rate":
        rate = float(y.mean()) if target_accept_rate is None else float(target_accept_rate)
        return float(np.clip(np.quantile(p, 1 - rate), 0.0, 1.0))
    if rule != "balanced_accuracy":
        raise CalibratorError(f"unknown threshold rule {rule!r} (balanced_accuracy or accept_rate)")
    # For calibrated probabilities the threshold that maximizes expected balanced accuracy is the class
    # prior (accept iff p/(1-p) >= prior odds). Searching the empirical maximum on a few hundred papers
    # picks noise on a flat curve, so the plug-in prior of the training papers is used.
    return float(np.clip(y.mean(), 0.0, 1.0))


def empirical_ba_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The threshold with the highest balanced accuracy on (p, y), middle of the tied range (diagnostic)."""
    p, y = np.asarray(p, float), np.asarray(y, bool)
    u = np.unique(p)
    cands = np.concatenate([[u[0] - 1e-9], (u[:-1] + u[1:]) / 2, [u[-1] + 1e-9]])
    acc = p[None, :] >= cands[:, None]
    pos, neg = max(int(y.sum()), 1), max(int((~y).sum()), 1)
    ba = ((acc & y).sum(1) / pos + (~acc & ~y).sum(1) / neg) / 2
    best = np.flatnonzero(ba >= ba.max() - 1e-12)
    return float(np.clip(cands[best[len(best) // 2]], 0.0, 1.0))


def _ridge(z: np.ndarray, y: np.ndarray, alphas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ridge coefficients (len(alphas), k) and intercepts for every alpha at once (SVD)."""
    mu, ym = z.mean(0), y.mean()
    u, s, vt = np.linalg.svd(z - mu, full_matrices=False)
    uty = u.T @ (y - ym)
    coefs = np.stack([vt.T @ (s / (s**2 + a) * uty) for a in alphas])
    return coefs, ym - coefs @ mu


class _LR:
    """L2 logistic regression (intercept not penalized), the objective of sklearn's LogisticRegression:
    0.5 * |w|^2 / C + sum of log losses. Newton's method: exact and fast for a few hundred papers."""

    def __init__(self, coef: np.ndarray, intercept: float):
        self.coef_, self.intercept_ = coef[None, :], np.array([intercept])

    def predict_proba(self, z: np.ndarray) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ self.coef_[0] + self.intercept_[0], -40, 40)))
        return np.column_stack([1 - p, p])


def _logistic(z: np.ndarray, y: np.ndarray, c: float, max_iter: int = 100) -> _LR:
    x = np.column_stack([z, np.ones(len(z))])
    y = np.asarray(y, float)
    pen = np.full(x.shape[1], 1.0 / float(c))
    pen[-1] = 0.0
    w = np.zeros(x.shape[1])
    w[-1] = np.log(max(y.mean(), 1e-6) / max(1 - y.mean(), 1e-6))

    def objective(w):
        t = x @ w
        return float(np.sum(np.logaddexp(0, t) - y * t) + 0.5 * np.sum(pen * w * w))

    f = objective(w)
    for _ in range(max_iter):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -40, 40)))
        grad = x.T @ (p - y) + pen * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(pen + 1e-10)
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while t > 1e-8:  # backtracking keeps Newton monotone near separation
            f_new = objective(w - t * step)
            if f_new <= f + 1e-12:
                break
            t /= 2
        w, f_old, f = w - t * step, f, f_new
        if abs(f_old - f) < 1e-10 * max(1.0, abs(f)):
            break
    return _LR(w[:-1], float(w[-1]))


def _logloss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, P_CLIP, 1 - P_CLIP)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _isotonic(s: np.ndarray, y: np.ndarray):
    from sklearn.isotonic import IsotonicRegression

    return IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(s, y)


def _designs(names: list[str], n_reviewers: int, z: np.ndarray) -> dict[str, np.ndarray]:
    """Candidate designs, each a linear map T (features x columns) of the standardized features, so a
    model fitted on z @ T folds back to plain per-feature coefficients (T @ coef). Chosen a priori:
    - scores: the numeric fields (and ensemble/logprob extras); scores+text: all features;
    - panel_mean_scores / panel_mean_all (panels only): each field averaged over the reviewers;
    - zsum: one column, the mean standardized score over all fields but Confidence (no fitted weights).
    Every column is rescaled to unit variance on the training papers (penalties act alike)."""
    k = len(names)
    base = [re.sub(r"^r\d+\.", "", n) for n in names]
    se = np.array([group_of(n) in ("score", "extra") for n in names])
    eye = np.eye(k)
    out: dict[str, np.ndarray] = {}
    if se.any():
        out["scores"] = eye[:, se]
    if not se.all():
        out["scores+text"] = eye
    if n_reviewers > 1:
        for label, mask in (("panel_mean_scores", se), ("panel_mean_all", np.ones(k, bool))):
            keys = sorted({base[j] for j in range(k) if mask[j]})
            t = np.zeros((k, len(keys)))
            for j in range(k):
                if mask[j]:
                    t[j, keys.index(base[j])] = 1.0
            if keys:
                out[label] = t / t.sum(0)
    zs = [j for j in range(k) if base[j] in SCORE_FIELDS and base[j] != "Confidence"]
    if zs:
        t = np.zeros((k, 1))
        t[zs, 0] = 1.0 / len(zs)
        out["zsum"] = t
    for label, t in out.items():
        sd = (z @ t).std(0)
        out[label] = t / np.where(sd > 1e-12, sd, 1.0)
    return out


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
    designs = _designs(names, n_reviewers, z)
    folds = list(StratifiedKFold(inner_folds, shuffle=True, random_state=seed).split(z, y))

    # Rating head: ridge, (design, alpha) by inner-CV MSE; keep its cross-fitted output.
    best_r: tuple = (np.inf, "", 0.0, None)
    for g, t in designs.items():
        d = z @ t
        oof = np.full((len(ALPHA_GRID), len(y)), np.nan)
        for tr, te in folds:
            tr = tr[has_r[tr]]
            coefs, icpt = _ridge(d[tr], rating[tr], ALPHA_GRID)
            oof[:, te] = coefs @ d[te].T + icpt[:, None]
        mse = np.nanmean((oof[:, has_r] - rating[has_r]) ** 2, axis=1)
        i = int(np.argmin(mse))
        if mse[i] < best_r[0]:
            best_r = (float(mse[i]), g, float(ALPHA_GRID[i]), oof[i])
    r_mse, r_design, r_alpha, r_oof = best_r
    t = designs[r_design]
    coefs, icpt = _ridge((z @ t)[has_r], rating[has_r], np.array([r_alpha]))
    rating_coef = t @ coefs[0]  # a design is linear in z: fold its coefficients back onto the features
    hyper: dict = {"inner_folds": inner_folds, "seed": seed, "rating_design": r_design, "rating_alpha": r_alpha,
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
        best_l: tuple = (_logloss(p_platt, y), "platt_on_rating", "", None, p_platt)
        for g, t in designs.items():
            d = z @ t
            for c in C_GRID:
                p = cross_fit(lambda tr, te, d=d, c=c: _logistic(d[tr], y[tr], c).predict_proba(d[te])[:, 1])
                ll = _logloss(p, y)
                if ll < best_l[0] - 1e-9:
                    best_l = (ll, "logistic", g, float(c), p)
        ll, head, g, c, p_oof = best_l
        hyper.update(prob_inner_logloss=ll, platt_inner_logloss=_logloss(p_platt, y), prob_design=g or None, prob_C=c)
        if head == "logistic":
            t = designs[g]
            lr = _logistic(z @ t, y, c)
            params.update(prob_head="logistic", prob_coef=(t @ lr.coef_[0]).tolist(),
                          prob_intercept=float(lr.intercept_[0]))
        else:
            lr = _logistic(s, y, 1e4)
            params.update(prob_head="platt_on_rating", platt=[float(lr.coef_[0, 0]), float(lr.intercept_[0])])
    hyper["prob_head"] = params["prob_head"]
    p_oof = np.clip(p_oof, P_CLIP, 1 - P_CLIP)
    threshold = choose_threshold(p_oof, y, threshold_rule, target_accept_rate)
    hyper["empirical_ba_threshold"] = empirical_ba_threshold(p_oof, y)
    return CalibratorModel(
        schema_version=SCHEMA_VERSION, method=method, n_reviewers=n_reviewers, features=names,
        params=Params(impute=impute.tolist(), center=center.tolist(), scale=scale.tolist(),
                      rating_coef=rating_coef.tolist(), rating_intercept=float(icpt[0]),
                      rating_range=list(RATING_RANGE), **params),
        threshold=threshold, threshold_rule=threshold_rule, target_accept_rate=target_accept_rate, hyper=hyper,
        fitted_on={"n_papers": int(len(y)), "n_accepted": int(y.sum()), "seed": seed},
    )
