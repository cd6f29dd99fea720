"""Leakage audit: how well does the paper text alone predict acceptance, before and after sanitizing?

Two probes, both as stratified K-fold cross-validated ROC AUC for "accepted" from the text alone:
1. marker probe: logistic regression on the identity/status markers of reviewer.sanitize.find_markers
   (author block, e-mails, affiliations, "Anonymous", venue headers, acknowledgements, ...);
2. bag-of-words probe: TF-IDF (sublinear tf, words of >= 2 letters, document frequency >= 3 and <= 95%
   on the training fold, IDF from the training fold) + L2 logistic regression (C fixed at 4 a priori, no
   tuning). The vocabulary is counted once on all texts (no labels involved); everything that uses
   labels or training-fold statistics is fitted inside each fold.
The top tokens are the largest coefficients of the BoW probe refitted on all papers (descriptive only).
`overall_vs_marker` estimates how much a recorded reviewer's Overall tracks the leak marker beyond the
mean human rating (the recorded reviews were written on unsanitized text).
Sanitized texts are cached in memory only (per process), never written to disk.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from reviewer.sanitize import find_markers, sanitize_text

from .datasets import Dataset
from .metrics import auc, bootstrap_ci, pearson

BOW_C = 4.0
TOKEN_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z]+\b"
_CACHE: dict[tuple[str, float, int, bool], str] = {}


def _read(path: Path) -> str:
    if path.suffix == ".pdf":
        from pypdf import PdfReader  # lazy: only for PDF papers

        return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    return path.read_text(encoding="utf-8", errors="replace")


def paper_text(ds: Dataset, pid: str, sanitize: bool) -> str | None:
    """The paper's text (sanitized when asked), cached in memory by path, mtime and size."""
    path = ds.paper_path(pid)
    if path is None:
        return None
    st = path.stat()
    key = (str(path), st.st_mtime, st.st_size, sanitize)
    if key not in _CACHE:
        text = _read(path)
        _CACHE[key] = sanitize_text(text).text if sanitize else text
    return _CACHE[key]


def _texts(ds: Dataset, sanitize: bool) -> tuple[list[str], np.ndarray, list[str]]:
    ids, texts, ys = [], [], []
    acc = dict(zip(ds.ratings["paper_id"], ds.ratings["accepted"], strict=True))
    for pid in ds.paper_ids:
        t = paper_text(ds, pid, sanitize)
        if t is not None:
            ids.append(pid)
            texts.append(t)
            ys.append(bool(acc[pid]))
    return texts, np.array(ys, dtype=bool), ids


def _folds(y: np.ndarray, folds: int, seed: int):
    from sklearn.model_selection import StratifiedKFold

    return list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))


def _marker_probe(markers: pd.DataFrame, y: np.ndarray, folds: int, seed: int) -> float | None:
    from reviewer._calibrate_fit import _logistic

    x = markers.to_numpy(dtype=float)
    p = np.empty(len(y))
    for tr, te in _folds(y, folds, seed):
        mu, sd = x[tr].mean(0), x[tr].std(0)
        sd = np.where(sd > 0, sd, 1.0)
        p[te] = _logistic((x[tr] - mu) / sd, y[tr], 1.0).predict_proba((x[te] - mu) / sd)[:, 1]
    return auc(y.astype(float), p)


def _bow(counts, y: np.ndarray, rows: np.ndarray):
    """Fit the TF-IDF + LR probe on `rows`: (columns kept, transformer, model), or (empty, None, prior)."""
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    sub = counts[rows]
    df = np.asarray((sub > 0).sum(0)).ravel()
    keep = np.flatnonzero((df >= 3) & (df <= 0.95 * len(rows)))
    if keep.size == 0:  # no usable word: the probe knows only the training accept rate (AUC 0.5)
        return keep, None, float(np.mean(y[rows]))
    tf = TfidfTransformer(sublinear_tf=True).fit(sub[:, keep])
    lr = LogisticRegression(C=BOW_C, solver="liblinear").fit(tf.transform(sub[:, keep]), y[rows])
    return keep, tf, lr


def _bow_probe(texts: list[str], y: np.ndarray, folds: int, seed: int, n_top: int = 20):
    from sklearn.feature_extraction.text import CountVectorizer

    cv = CountVectorizer(token_pattern=TOKEN_PATTERN, lowercase=True, min_df=2, dtype=np.float32)
    counts = cv.fit_transform(texts).tocsr()
    vocab = np.array(cv.get_feature_names_out())
    p = np.empty(len(y))
    for tr, te in _folds(y, folds, seed):
        keep, tf, lr = _bow(counts, y, tr)
        p[te] = lr if tf is None else lr.predict_proba(tf.transform(counts[te][:, keep]))[:, 1]
    keep, tf, lr = _bow(counts, y, np.arange(len(y)))
    coef = np.zeros(0) if tf is None else lr.coef_[0]
    order = np.argsort(-np.abs(coef))[:n_top]
    top = [{"token": str(vocab[keep[i]]), "coef": round(float(coef[i]), 4),
            "direction": "accept" if coef[i] > 0 else "reject"} for i in order]
    return auc(y.astype(float), p), top


def audit(ds: Dataset, sanitize: bool, folds: int = 5, seed: int = 0) -> dict:
    """n, sanitized, marker_probe_auc, bow_probe_auc, top_tokens, marker_rates (per class), ..."""
    texts, y, ids = _texts(ds, sanitize)
    if len(y) < 2 * folds or min(y.sum(), (~y).sum()) < folds:
        raise ValueError(f"{ds.root}: only {len(y)} papers with text ({int(y.sum())} accepted): too few to probe")
    markers = pd.DataFrame([find_markers(t) for t in texts]).astype(float)
    rates = {m: {"accepted": float(markers.loc[y, m].mean()), "rejected": float(markers.loc[~y, m].mean()),
                 "auc_alone": auc(y.astype(float), markers[m].to_numpy())} for m in markers.columns}
    bow_auc, top = _bow_probe(texts, y, folds, seed)
    return {
        "n": int(len(y)), "n_accepted": int(y.sum()), "sanitized": bool(sanitize), "folds": folds, "seed": seed,
        "marker_probe_auc": _marker_probe(markers, y, folds, seed),
        "bow_probe_auc": bow_auc,
        "top_tokens": top,
        "marker_rates": rates,
        "missing_papers": len(ds) - len(ids),
        "method": f"{folds}-fold stratified CV AUC; marker probe: L2 logistic regression on find_markers; "
                  f"BoW probe: TF-IDF (df>=3, <=95% in the training fold) + logistic regression C={BOW_C}",
    }


def _residual(v: np.ndarray, x: np.ndarray) -> np.ndarray:
    a = np.column_stack([np.ones(len(x)), x])
    return v - a @ np.linalg.lstsq(a, v, rcond=None)[0]


def _ranks(v: np.ndarray) -> np.ndarray:
    return pd.Series(v).rank().to_numpy(dtype=float)


def overall_vs_marker(ds: Dataset, reviews_df: pd.DataFrame, marker: str = "anonymous") -> dict:
    """Partial correlation of the reviewer's Overall with the leak marker (1 = camera-ready, i.e. NOT
    anonymous) controlling for the mean human rating, on the unsanitized texts the reviews were
    written on. Caveat: the marker almost equals the decision, so this also contains any genuine signal
    about acceptance beyond the mean rating; compare with `partial_overall_vs_accepted`."""
    rev = reviews_df.drop_duplicates("paper_id", keep="last")[["paper_id", "Overall"]]
    tab = ds.ratings.merge(rev, on="paper_id", how="inner")
    leak, keep = [], []
    for i, pid in enumerate(tab["paper_id"]):
        t = paper_text(ds, pid, sanitize=False)
        if t is not None:
            leak.append(0.0 if find_markers(t)[marker] else 1.0)
            keep.append(i)
    tab = tab.iloc[keep].reset_index(drop=True)
    ov = pd.to_numeric(tab["Overall"], errors="coerce").to_numpy(dtype=float)
    mh = tab["mean_rating"].to_numpy(dtype=float)
    lk = np.array(leak)
    acc = tab["accepted"].to_numpy(dtype=float)
    ok = np.isfinite(ov) & np.isfinite(mh)
    ov, mh, lk, acc = ov[ok], mh[ok], lk[ok], acc[ok]
    r_ov, r_lk, r_acc = _residual(ov, mh), _residual(lk, mh), _residual(acc, mh)
    rr_ov, rr_lk = _residual(_ranks(ov), _ranks(mh)), _residual(_ranks(lk), _ranks(mh))
    a = np.column_stack([np.ones(len(ov)), mh, lk])
    coef = np.linalg.lstsq(a, ov, rcond=None)[0]
    return {
        "n": int(ok.sum()), "marker": f"not {marker} (camera-ready)", "leak_rate": float(lk.mean()),
        "leak_equals_decision": float((lk == acc).mean()),
        "pearson_overall_mean_human": pearson(ov, mh),
        "partial_pearson": pearson(r_ov, r_lk), "partial_pearson_ci95": bootstrap_ci(pearson, [r_ov, r_lk]),
        "partial_spearman": pearson(rr_ov, rr_lk),
        "overall_points_for_leak": float(coef[2]),
        "partial_overall_vs_accepted": pearson(r_ov, r_acc),
        "note": "Overall ~ mean human rating + leak; the leak marker almost equals the decision, so part of "
                "this can be genuine signal about acceptance beyond the mean rating",
    }
