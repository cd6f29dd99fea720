"""Fitting of the stacked text score (reviewer/text_features.py), called by reviewer/_calibrate_fit.py.

Given the fitting papers' documents and mean human ratings and the inner folds (cross-fit bagging):
1. for each representation (pooled, tagged) the vocabulary and idf are learned on all fitting papers
   (term counts only, no labels); for each inner fold a ridge regression of the mean human rating (every
   alpha of ALPHA_GRID at once, dual form) is fitted on the fold's training papers and predicts its
   held-out papers;
2. (representation, alpha) with the lowest pooled held-out squared error is chosen;
3. its held-out predictions are the cross-fitted `text_score` of the fitting papers (each paper's score
   comes from a ridge that never saw its label), and the stored TextModel is the AVERAGE of the inner-fold
   ridges (same vocabulary and idf, so the average is one linear model: mean coefficients, mean
   intercept). No refit on all papers: a new paper's score comes from models of the same kind (fitted on
   (K-1)/K of the papers) as the out-of-fold scores the downstream heads were fitted on, so both have the
   same spread (a refit on all papers scored new papers ~10% wider, v4).
4. `fold_scores` (when sub-folds are given): for every inner fold k, the text score as a calibrator
   fitted on fold k's training papers alone would compute it — steps 1-3 run on those papers with their
   own sub-folds (vocabulary, representation and alpha included), out-of-fold scores for them and the
   averaged sub-fold model for fold k's held-out papers. The downstream inner CV uses these, so no label of
   a held-out inner fold reaches the features its model is trained on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import text_features as tx

ALPHA_GRID = np.logspace(-2, 2, 9)  # rows are unit-norm, so the useful range does not depend on n
MIN_DOCS = 20  # fewer documents with text than this: no text score


def _count_matrix(counters: list) -> tuple[object, list[str]]:
    """Sparse (docs x terms) counts over every term of these documents, and the term list."""
    from scipy.sparse import csr_matrix

    index: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, c in enumerate(counters):
        for term, n in c.items():
            rows.append(i)
            cols.append(index.setdefault(term, len(index)))
            vals.append(float(n))
    m = csr_matrix((vals, (rows, cols)), shape=(len(counters), len(index)))
    return m, list(index)


def vocabulary(counts, terms: list[str], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column indices of the vocabulary learned on `rows` only, and their idf (from the same rows)."""
    n = len(rows)
    df = np.asarray((counts[rows] > 0).sum(axis=0)).ravel()
    ok = np.flatnonzero((df >= tx.MIN_DF) & (df <= tx.MAX_DF_FRAC * n))
    order = sorted(ok, key=lambda j: (-df[j], terms[j]))[:tx.VOCAB_MAX]
    cols = np.array(sorted(order, key=lambda j: terms[j]), dtype=int)
    return cols, np.log((1.0 + n) / (1.0 + df[cols])) + 1.0


def _features(counts, cols: np.ndarray, idf: np.ndarray, rows: np.ndarray):
    """Sparse tf-idf rows (the same numbers as text_features.tfidf) and which rows have a known term."""
    from scipy.sparse import diags

    c = counts[rows][:, cols].tocsr().astype(float)
    has = np.diff(c.indptr) > 0
    c.data = 1.0 + np.log(np.maximum(c.data, 1.0))
    c = c @ diags(idf)
    norm = np.sqrt(np.asarray(c.multiply(c).sum(axis=1)).ravel())
    return (diags(1.0 / np.where(norm > 0, norm, 1.0)) @ c).tocsr(), has


@dataclass
class _Ridge:
    """Ridge with intercept for every alpha at once (dual form, sparse rows): w_a = Xc' dual_a."""

    x: object  # sparse training rows
    mu: np.ndarray
    ym: float
    dual: np.ndarray  # (alphas, n)

    @classmethod
    def fit(cls, x, y: np.ndarray, alphas: np.ndarray) -> _Ridge:
        mu, ym = np.asarray(x.mean(axis=0)).ravel(), float(y.mean())
        g, xm = (x @ x.T).toarray(), x @ mu
        gram = g - xm[:, None] - xm[None, :] + mu @ mu  # centred Gram matrix
        s, u = np.linalg.eigh(gram)
        s = np.clip(s, 0.0, None)
        uty = u.T @ (y - ym)
        return cls(x, mu, ym, np.stack([u @ (uty / (s + a)) for a in alphas]))

    def coef(self, i: int) -> tuple[np.ndarray, float]:
        w = np.asarray(self.x.T @ self.dual[i]).ravel() - self.mu * self.dual[i].sum()
        return w, float(self.ym - self.mu @ w)

    def predict(self, x_new) -> np.ndarray:
        """(alphas, m) predictions for new sparse rows."""
        xm = np.asarray(self.x @ self.mu).ravel()
        nm = np.asarray(x_new @ self.mu).ravel()
        # Xc (x_new - mu)' = X x_new' - (X mu) 1' - 1 (x_new mu)' + mu.mu  (Xc = X - 1 mu')
        kern = (self.x @ x_new.T).toarray() - xm[:, None] - nm[None, :] + self.mu @ self.mu
        return self.dual @ kern + self.ym


@dataclass
class _Fit:
    representation: str
    alpha_index: int
    cols: np.ndarray
    idf: np.ndarray
    coef: np.ndarray  # averaged over the inner-fold ridges
    intercept: float
    oof: np.ndarray  # cross-fitted scores of the fitting rows
    mse: float

    def score(self, mats: dict, rows: np.ndarray) -> np.ndarray:
        counts, _ = mats[self.representation]
        x, has = _features(counts, self.cols, self.idf, rows)
        return np.where(has, np.asarray(x @ self.coef).ravel() + self.intercept, np.nan)


def _fit_rows(mats: dict, rating: np.ndarray, rows: np.ndarray, folds: list) -> _Fit | None:
    """Steps 1-3 on the documents `rows` (folds: (train, test) positions within `rows`)."""
    r = rating[rows]
    best: tuple | None = None
    for rep in tx.REPRESENTATIONS:
        counts, terms = mats[rep]
        if counts.shape[1] == 0:
            continue
        cols, idf = vocabulary(counts, terms, rows)
        if len(cols) == 0:
            continue
        x, has = _features(counts, cols, idf, rows)
        oof = np.full((len(ALPHA_GRID), len(rows)), np.nan)
        ridges = []
        for tr, te in folds:
            tr = tr[has[tr] & np.isfinite(r[tr])]
            if len(tr) < 2:
                break
            ridge = _Ridge.fit(x[tr], r[tr], ALPHA_GRID)
            oof[:, te] = np.where(has[te], ridge.predict(x[te]), np.nan)
            ridges.append(ridge)
        else:
            ok = np.isfinite(oof[0]) & np.isfinite(r)
            if ok.sum() < MIN_DOCS:
                continue
            mse = np.mean((oof[:, ok] - r[ok]) ** 2, axis=1)
            i = int(np.argmin(mse))
            if best is None or mse[i] < best[0]:
                best = (float(mse[i]), rep, i, oof[i], cols, idf, ridges)
    if best is None:
        return None
    mse, rep, i, oof, cols, idf, ridges = best
    coefs = [rd.coef(i) for rd in ridges]
    return _Fit(rep, i, cols, idf, np.mean([w for w, _ in coefs], axis=0), float(np.mean([b for _, b in coefs])),
                oof, mse)


@dataclass
class TextFit:
    model: tx.TextModel  # the averaged inner-fold model, stored in the calibrator
    oof: np.ndarray  # cross-fitted text_score of every fitting paper
    info: dict  # for the calibrator's `hyper`
    fold_scores: list[np.ndarray] | None  # per inner fold: the text score fold k's own fit would see


def fit_text_score(docs: list[list[tuple[str, str]]], rating: np.ndarray, folds: list,
                   subfolds: list[list] | None = None) -> TextFit | None:
    """Cross-fit bagged text score; None if text is too thin. `subfolds[k]` are (train, test) positions
    within fold k's training papers, for `fold_scores` (module docstring, step 4)."""
    rating = np.asarray(rating, float)
    has_text = np.array([bool(d) for d in docs])
    if (has_text & np.isfinite(rating)).sum() < MIN_DOCS:
        return None
    mats = {}
    for rep in tx.REPRESENTATIONS:
        mats[rep] = _count_matrix([tx.term_counts(d, rep) for d in docs])
    everyone = np.arange(len(docs))
    top = _fit_rows(mats, rating, everyone, folds)
    if top is None:
        return None
    terms = mats[top.representation][1]
    model = tx.TextModel(tokenizer=tx.TOKENIZER, representation=top.representation,
                         vocabulary=[terms[j] for j in top.cols], idf=top.idf.tolist(), coef=top.coef.tolist(),
                         intercept=top.intercept, alpha=float(ALPHA_GRID[top.alpha_index]))
    good = np.isfinite(top.oof) & np.isfinite(rating)
    info = {"text_repr": top.representation, "text_alpha": float(ALPHA_GRID[top.alpha_index]),
            "text_inner_mse": top.mse, "text_inner_r": float(np.corrcoef(top.oof[good], rating[good])[0, 1]),
            "text_vocab": len(top.cols)}
    fold_scores = None
    if subfolds is not None:
        fold_scores = []
        for (tr, te), sub in zip(folds, subfolds, strict=True):
            s = np.full(len(docs), np.nan)
            inner = _fit_rows(mats, rating, tr, sub)
            if inner is not None:
                s[tr] = inner.oof
                s[te] = inner.score(mats, te)
            fold_scores.append(s)
    return TextFit(model, top.oof, info, fold_scores)
