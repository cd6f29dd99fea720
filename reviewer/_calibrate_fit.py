"""Fitting for reviewer/calibrate.py (sklearn is imported here only; predicting needs numpy alone).

All choices (text representation and ridge alpha of the text score, feature set, feature design, ridge
alpha, logistic C, probability head, threshold) use inner K-fold cross-validation on the papers passed in,
which in nested CV are the outer training folds only. The text score of a training paper is cross-fitted
(predicted by a text model that never saw that paper's label); in inner fold k the downstream models see
the text score computed from fold k's training papers alone (reviewer/text_fit.py, `fold_scores`), so the
inner CV that compares designs and feature sets is itself honest. Two feature sets are fitted completely
(`base`: no text score, no panel spreads; `extended`: everything) and `choose_feature_set` picks one.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .calibrate import P_CLIP, RATING_RANGE, SCHEMA_VERSION, CalibratorError, CalibratorModel, Params
from .features import SCORE_FIELDS, TEXT_SCORE, group_of, usable_features
from .text_fit import fit_text_score

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
    - scores: the numeric fields (and ensemble/logprob extras); scores+text: plus the text statistics;
      scores+tfidf: plus the stacked `text_score`; all: every feature (with panel spreads);
    - panels only: panel_mean_scores (each score field averaged over the reviewers), the same plus
      text_score (panel_mean_scores+tfidf) or plus the reviewers' spreads (panel_mean_scores+spread), and
      panel_mean_all (averaged scores and text statistics, text_score, spreads);
    - zsum: one column, the mean standardized score over all fields but Confidence (no fitted weights);
      zsum+tfidf: zsum and text_score.
    Every column is rescaled to unit variance on the training papers (penalties act alike)."""
    k = len(names)
    grp = np.array([group_of(n) for n in names])
    base = [re.sub(r"^r\d+\.", "", n) for n in names]
    se, tx, tf, sp = np.isin(grp, ("score", "extra")), grp == "text", grp == "tfidf", grp == "panel"
    eye = np.eye(k)
    out: dict[str, np.ndarray] = {}

    def add(label: str, t: np.ndarray) -> None:
        if t.shape[1] and not any(t.shape == u.shape and np.array_equal(t, u) for u in out.values()):
            out[label] = t

    def panel_mean(mask: np.ndarray) -> np.ndarray:
        keys = sorted({base[j] for j in range(k) if mask[j]})
        t = np.zeros((k, len(keys)))
        for j in range(k):
            if mask[j]:
                t[j, keys.index(base[j])] = 1.0
        return t / np.maximum(t.sum(0), 1.0)

    add("scores", eye[:, se])
    add("scores+text", eye[:, se | tx])
    if tf.any():
        add("scores+tfidf", eye[:, se | tf])
    add("all", eye)
    if n_reviewers > 1:
        mean_s = panel_mean(se)
        add("panel_mean_scores", mean_s)
        if tf.any():
            add("panel_mean_scores+tfidf", np.hstack([mean_s, eye[:, tf]]))
        if sp.any():
            add("panel_mean_scores+spread", np.hstack([mean_s, eye[:, sp]]))
        add("panel_mean_all", np.hstack([panel_mean(se | tx), eye[:, tf | sp]]))
    zs = [j for j in range(k) if base[j] in SCORE_FIELDS and base[j] != "Confidence"]
    if zs:
        t = np.zeros((k, 1))
        t[zs, 0] = 1.0 / len(zs)
        add("zsum", t)
        if tf.any():
            add("zsum+tfidf", np.hstack([t, eye[:, tf]]))
    for label, t in out.items():
        sd = (z @ t).std(0)
        out[label] = t / np.where(sd > 1e-12, sd, 1.0)
    return out


def _fit_heads(names: list[str], z: np.ndarray, z_folds: list[np.ndarray] | None, y: np.ndarray,
               rating: np.ndarray, folds: list, n_reviewers: int, method: str) -> dict:
    """Rating head and probability head on one feature set, every choice by inner CV. `z_folds[k]` is the
    standardized matrix inner fold k's models see (it differs from `z` only in the text score, which
    fold k's own text fit computes); None: `z` for every fold. Returns the parameters (on `names`), the
    choices for `hyper` and the cross-fitted training probabilities `p_oof`."""
    zk = (lambda k: z) if z_folds is None else (lambda k: z_folds[k])  # noqa: E731
    has_r = np.isfinite(rating)
    designs = _designs(names, n_reviewers, z)

    # Rating head: ridge, (design, alpha) by inner-CV MSE; keep its cross-fitted output.
    best_r: tuple = (np.inf, "", 0.0, None)
    for g, t in designs.items():
        oof = np.full((len(ALPHA_GRID), len(y)), np.nan)
        for k, (tr, te) in enumerate(folds):
            d = zk(k) @ t
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
    params: dict = {"rating_coef": (t @ coefs[0]).tolist(),  # a design is linear in z: fold it back
                    "rating_intercept": float(icpt[0])}
    hyper: dict = {"rating_design": r_design, "rating_alpha": r_alpha, "rating_inner_mse": r_mse}

    # Probability heads, each with cross-fitted training probabilities (for selection and threshold).
    def cross_fit(fit_pred) -> np.ndarray:
        out = np.empty(len(y))
        for k, (tr, te) in enumerate(folds):
            out[te] = fit_pred(k, tr, te)
        return out

    s = r_oof.reshape(-1, 1)
    if method == "isotonic":
        p_oof = cross_fit(lambda k, tr, te: _isotonic(s[tr, 0], y[tr]).predict(s[te, 0]))
        iso = _isotonic(s[:, 0], y)
        params.update(prob_head="isotonic", isotonic_x=iso.X_thresholds_.tolist(), isotonic_y=iso.y_thresholds_.tolist())
        hyper["prob_inner_logloss"] = _logloss(p_oof, y)
    else:
        p_platt = cross_fit(lambda k, tr, te: _logistic(s[tr], y[tr], 1e4).predict_proba(s[te])[:, 1])
        best_l: tuple = (_logloss(p_platt, y), "platt_on_rating", "", None, p_platt)
        for g, t in designs.items():
            ds = [zk(k) @ t for k in range(len(folds))]
            for c in C_GRID:
                p = cross_fit(lambda k, tr, te, ds=ds, c=c:
                              _logistic(ds[k][tr], y[tr], c).predict_proba(ds[k][te])[:, 1])
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
    return {"params": params, "hyper": hyper, "p_oof": np.clip(p_oof, P_CLIP, 1 - P_CLIP)}


def _paper_logloss(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    p = np.clip(p, P_CLIP, 1 - P_CLIP)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def choose_feature_set(p_base: np.ndarray, p_ext: np.ndarray, y: np.ndarray) -> tuple[str, dict]:
    """The feature-set rule, fixed before any outer-CV run of v5: `extended` (text score, panel spreads)
    only if its inner-CV log loss beats `base` by more than one standard error of the paired per-paper
    difference (the one-standard-error rule); otherwise the simpler `base` set."""
    y = np.asarray(y, float)
    d = _paper_logloss(p_base, y) - _paper_logloss(p_ext, y)
    gain, se = float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))
    return ("extended" if gain > se else "base"), {"feature_set_gain": gain, "feature_set_se": se}


def fit_model(feats: pd.DataFrame, labels: pd.DataFrame, *, n_reviewers: int, method: str,
              threshold_rule: str, target_accept_rate: float | None, seed: int,
              inner_folds: int = 5, texts: dict[str, list] | None = None,
              feature_set: str = "auto") -> CalibratorModel:
    from sklearn.model_selection import StratifiedKFold

    if method not in ("logistic", "isotonic"):
        raise CalibratorError(f"unknown method {method!r} (logistic or isotonic)")
    if threshold_rule not in ("balanced_accuracy", "accept_rate"):
        raise CalibratorError(f"unknown threshold rule {threshold_rule!r} (balanced_accuracy or accept_rate)")
    if feature_set not in ("auto", "base", "extended"):
        raise CalibratorError(f"unknown feature_set {feature_set!r} (auto, base or extended)")
    missing = {"paper_id", "accepted", "mean_rating"} - set(labels.columns)
    if missing:
        raise CalibratorError(f"labels lack column(s) {sorted(missing)}")
    lab = labels[["paper_id", "accepted", "mean_rating"]].astype({"paper_id": str})
    data = lab.merge(feats, on="paper_id", how="inner")
    y = data["accepted"].to_numpy(dtype=bool)
    if len(data) < 2 * inner_folds or min(y.sum(), (~y).sum()) < inner_folds:
        raise CalibratorError(f"too few labelled papers to fit ({len(data)} papers, {int(y.sum())} accepted; "
                              f"need >= {inner_folds} of each class)")
    folds = list(StratifiedKFold(inner_folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))
    rating = data["mean_rating"].to_numpy(dtype=float)
    hyper: dict = {"inner_folds": inner_folds, "seed": seed}
    text = None
    cols = [c for c in feats.columns if c not in ("paper_id", TEXT_SCORE)]
    if texts is not None and feature_set != "base":  # stacked text score, cross-fitted on these papers only
        sub = [list(StratifiedKFold(inner_folds, shuffle=True, random_state=seed).split(np.zeros(len(tr)), y[tr]))
               for tr, _ in folds]
        text = fit_text_score([texts.get(pid, []) for pid in data["paper_id"]], rating, folds, sub)
        if text is not None:
            data = data.assign(**{TEXT_SCORE: text.oof})
            cols.append(TEXT_SCORE)
            hyper.update(text.info)
    names = usable_features(data[["paper_id", *cols]])
    if not names:
        raise CalibratorError("no usable features (every candidate is missing or constant)")
    x = data[names].to_numpy(dtype=float)
    impute = np.nanmedian(x, axis=0)
    x = np.where(np.isfinite(x), x, impute)
    center, scale = x.mean(0), x.std(0)
    scale = np.where(scale > 1e-12, scale, 1.0)
    z = (x - center) / scale
    if np.isfinite(rating).sum() < 2 * inner_folds:
        raise CalibratorError("too few papers with a mean human rating to fit the rating head")
    z_folds = None
    if TEXT_SCORE in names and text is not None and text.fold_scores is not None:
        j = names.index(TEXT_SCORE)
        z_folds = []
        for s in text.fold_scores:
            zk = z.copy()
            zk[:, j] = (np.where(np.isfinite(s), s, impute[j]) - center[j]) / scale[j]
            z_folds.append(zk)

    # Two feature sets, each fitted completely; the one-standard-error rule picks (choose_feature_set).
    keep = {"base": np.array([group_of(n) not in ("tfidf", "panel") for n in names])}
    if not keep["base"].all():
        keep["extended"] = np.ones(len(names), bool)
    if not keep["base"].any() or (feature_set == "extended" and "extended" in keep):
        del keep["base"]
    if feature_set == "base" and "base" in keep:
        keep.pop("extended", None)
    fits = {}
    for label, m in keep.items():
        zf = None if z_folds is None or not m[names.index(TEXT_SCORE)] else [zk[:, m] for zk in z_folds]
        fits[label] = _fit_heads([n for n, k in zip(names, m, strict=True) if k], z[:, m], zf, y, rating, folds,
                                 n_reviewers, method)
    if len(fits) == 2:
        chosen, info = choose_feature_set(fits["base"]["p_oof"], fits["extended"]["p_oof"], y)
        hyper.update(info, inner_logloss_base=_logloss(fits["base"]["p_oof"], y),
                     inner_logloss_extended=_logloss(fits["extended"]["p_oof"], y))
    else:
        chosen = next(iter(fits))
    hyper["feature_set"] = chosen
    m, fit = keep[chosen], fits[chosen]
    names = [n for n, k in zip(names, m, strict=True) if k]
    hyper.update(fit["hyper"])
    p_oof = fit["p_oof"]
    threshold = choose_threshold(p_oof, y, threshold_rule, target_accept_rate)
    hyper["empirical_ba_threshold"] = empirical_ba_threshold(p_oof, y)
    return CalibratorModel(
        schema_version=SCHEMA_VERSION, method=method, n_reviewers=n_reviewers, features=names,
        params=Params(impute=impute[m].tolist(), center=center[m].tolist(), scale=scale[m].tolist(),
                      rating_range=list(RATING_RANGE), **fit["params"]),
        threshold=threshold, threshold_rule=threshold_rule, target_accept_rate=target_accept_rate, hyper=hyper,
        fitted_on={"n_papers": int(len(y)), "n_accepted": int(y.sum()), "seed": seed},
        text_model=text.model if text is not None and TEXT_SCORE in names else None,
    )
