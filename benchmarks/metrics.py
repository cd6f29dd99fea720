"""Agreement metrics: pure functions, numpy arrays in, float (or None when undefined) out.

Every metric has one implementation that works on a batch of paper-level resamples at once
(`fn.batched(arrays, idx) -> (B,)`, idx a (B, N) index matrix); the plain call is the batch of one
identity resample. That makes a 1,000-resample bootstrap on 10k papers a few vectorized array passes:
ranks come from counting integer codes of the values (no per-resample sort), except for ECE (a sort)
and Kendall's tau (scipy per resample).

Conventions: binary arrays are 0/1 with 1 = accept. `auc_binary` is ROC AUC of the 0/1 decision (what
the AI Scientist reported as AUC; it equals balanced accuracy). `ece` uses 10 equal-mass bins over
p sorted ascending (ties kept in input order).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import stats

Batched = Callable[[list[np.ndarray], np.ndarray], np.ndarray]
IDX_BUDGET = 4_000_000
KENDALL_TABLE_MAX = 20_000  # distinct-value pairs up to which tau-b is computed from tables  # index-matrix elements per chunk: bounds bootstrap memory (~32 MB per array)


def _metric(batched: Batched, name: str, doc: str) -> Callable[..., float | None]:
    def fn(*arrays: Sequence[float]) -> float | None:
        arrs = [np.asarray(a, dtype=float).ravel() for a in arrays]
        if not arrs[0].size or any(a.size != arrs[0].size for a in arrs):
            return None
        v = float(batched(arrs, np.arange(arrs[0].size)[None, :])[0])
        return v if np.isfinite(v) else None

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    fn.batched = batched  # type: ignore[attr-defined]
    return fn


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1), np.nan)


def _confusion(arrs: list[np.ndarray], idx: np.ndarray) -> tuple[np.ndarray, ...]:
    """(tp, fp, fn, tn) per resample from three gathered sums of small ints."""
    y = arrs[0] > 0.5
    p = arrs[1] > 0.5
    sy, sp, tp = ((v.astype(np.uint8)[idx]).sum(1, dtype=np.int64).astype(float) for v in (y, p, y & p))
    return tp, sp - tp, sy - tp, idx.shape[1] - sy - sp + tp


def _accuracy(a, idx):
    tp, fp, fn, tn = _confusion(a, idx)
    return (tp + tn) / idx.shape[1]


def _balanced_accuracy(a, idx):
    tp, fp, fn, tn = _confusion(a, idx)
    return (_div(tp, tp + fn) + _div(tn, tn + fp)) / 2


def _f1(a, idx):
    tp, fp, fn, tn = _confusion(a, idx)
    return _div(2 * tp, 2 * tp + fp + fn)


def _fpr(a, idx):
    tp, fp, fn, tn = _confusion(a, idx)
    return _div(fp, fp + tn)


def _fnr(a, idx):
    tp, fp, fn, tn = _confusion(a, idx)
    return _div(fn, fn + tp)


def _ranks(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Average ranks (1-based, ties averaged) of x[idx] within each row, by counting value codes."""
    uniq, codes = np.unique(x, return_inverse=True)
    u = uniq.size
    b = idx.shape[0]
    c = codes[idx]
    counts = np.bincount((c + u * np.arange(b)[:, None]).ravel(), minlength=b * u).reshape(b, u)
    cum = np.cumsum(counts, axis=1)
    avg = cum - (counts - 1) / 2.0
    return np.take_along_axis(avg, c, axis=1)


def _auc(a, idx):
    y = a[0][idx]
    r = _ranks(a[1], idx)
    n1 = y.sum(1)
    n0 = idx.shape[1] - n1
    return _div((r * y).sum(1) - n1 * (n1 + 1) / 2, n1 * n0)


def _pearson_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    xc = x - x.mean(1, keepdims=True)
    yc = y - y.mean(1, keepdims=True)
    den = np.sqrt((xc * xc).sum(1) * (yc * yc).sum(1))
    # exact zero variance -> undefined; tiny float noise in a constant column must not count as variance
    den = np.where(den > 1e-12 * np.maximum(1.0, np.abs(x).max(1) * np.abs(y).max(1)) * x.shape[1], den, 0)
    return np.clip(_div((xc * yc).sum(1), den), -1, 1)


def _pearson(a, idx):
    return _pearson_rows(a[0][idx], a[1][idx])


def _spearman(a, idx):
    return _pearson_rows(_ranks(a[0], idx), _ranks(a[1], idx))


def _kendall(a, idx):
    ux, cx = np.unique(a[0], return_inverse=True)
    uy, cy = np.unique(a[1], return_inverse=True)
    if ux.size * uy.size > KENDALL_TABLE_MAX:
        out = np.empty(idx.shape[0])
        for i, row in enumerate(idx):  # many distinct values: scipy's O(n log n) tau-b per resample
            x, y = a[0][row], a[1][row]
            out[i] = np.nan if np.ptp(x) == 0 or np.ptp(y) == 0 else stats.kendalltau(x, y).statistic
        return out
    return np.concatenate([_kendall_table(cx * uy.size + cy, ux.size, uy.size, part)
                           for part in np.array_split(idx, max(1, idx.shape[0] * ux.size * uy.size // IDX_BUDGET))])


def _kendall_table(cell: np.ndarray, nx: int, ny: int, idx: np.ndarray) -> np.ndarray:
    """tau-b from each resample's contingency table of value codes (few distinct values)."""
    b, n = idx.shape
    t = np.bincount((cell[idx] + nx * ny * np.arange(b)[:, None]).ravel(), minlength=b * nx * ny)
    t = t.reshape(b, nx, ny).astype(float)
    ge = np.flip(np.cumsum(np.cumsum(np.flip(t, (1, 2)), 1), 2), (1, 2))  # sum over x'>=x, y'>=y
    conc = np.zeros_like(t)
    conc[:, :-1, :-1] = ge[:, 1:, 1:]  # strictly greater in both
    le = np.flip(np.cumsum(np.cumsum(np.flip(t, 1), 1), 2), 1)  # sum over x'>=x, y'<=y
    disc = np.zeros_like(t)
    disc[:, :-1, 1:] = le[:, 1:, :-1]  # x' > x, y' < y
    s = (t * (conc - disc)).sum((1, 2))
    n0 = n * (n - 1) / 2
    rx, ry = t.sum(2), t.sum(1)
    n1 = (rx * (rx - 1) / 2).sum(1)
    n2 = (ry * (ry - 1) / 2).sum(1)
    return _div(s, np.sqrt((n0 - n1) * (n0 - n2)))


def _mae(a, idx):
    return np.abs(a[0][idx] - a[1][idx]).mean(1)


def _brier(a, idx):
    return ((a[1][idx] - a[0][idx]) ** 2).mean(1)


def _ece(a, idx, n_bins: int = 10):
    n = idx.shape[1]
    k = min(n_bins, n)
    uniq, codes = np.unique(a[1], return_inverse=True)
    # sorting small int codes (radix sort) orders like the values, ~3x faster than sorting floats
    keys = codes.astype(np.uint16)[idx] if uniq.size < 65536 else a[1][idx]
    order = np.argsort(keys, axis=1, kind="stable")
    rows = np.take_along_axis(idx, order, axis=1)
    p, y = a[1][rows], a[0][rows]
    sizes = np.full(k, n // k) + (np.arange(k) < n % k)  # np.array_split sizes: equal mass
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    gap = np.add.reduceat(y, starts, axis=1) - np.add.reduceat(p, starts, axis=1)
    return np.abs(gap).sum(1) / n  # sum_b (n_b/N)|mean_y - mean_p| == sum_b |sum_y - sum_p| / N


def _accept_rate(a, idx):
    return a[0][idx].mean(1)


accuracy = _metric(_accuracy, "accuracy", "accuracy(y_true, y_pred): share of correct accept/reject.")
balanced_accuracy = _metric(_balanced_accuracy, "balanced_accuracy", "balanced_accuracy(y_true, y_pred): mean of TPR and TNR.")
f1 = _metric(_f1, "f1", "f1(y_true, y_pred): F1 of the accept class; None when no positives at all.")
fpr = _metric(_fpr, "fpr", "fpr(y_true, y_pred): rejected papers predicted accept / rejected papers.")
fnr = _metric(_fnr, "fnr", "fnr(y_true, y_pred): accepted papers predicted reject / accepted papers.")
auc = _metric(_auc, "auc", "auc(y_true, score): ROC AUC of a continuous score (ties count 1/2).")
auc_binary = _metric(_auc, "auc_binary", "auc_binary(y_true, y_pred): ROC AUC of the 0/1 decision (= balanced accuracy).")
spearman = _metric(_spearman, "spearman", "spearman(x, y): rank correlation (average ranks for ties).")
pearson = _metric(_pearson, "pearson", "pearson(x, y): linear correlation.")
kendall = _metric(_kendall, "kendall", "kendall(x, y): Kendall's tau-b.")
mae = _metric(_mae, "mae", "mae(x, y): mean absolute difference.")
ece = _metric(_ece, "ece", "ece(y_true, p): expected calibration error, 10 equal-mass bins.")
brier = _metric(_brier, "brier", "brier(y_true, p): mean squared error of the probability.")
accept_rate = _metric(_accept_rate, "accept_rate", "accept_rate(y_pred): share predicted accept.")


def _bootstrap_many(jobs: dict[str, tuple], n: int, seed: int) -> dict[str, np.ndarray]:
    """Bootstrap values of several (fn, arrays) jobs; jobs over the same number of papers share resamples."""
    by_size: dict[int, list[str]] = {}
    prepared = {}
    for name, (fn, arrays) in jobs.items():
        arrs = [np.asarray(a, dtype=float).ravel() for a in arrays]
        prepared[name] = (fn, arrs)
        by_size.setdefault(arrs[0].size, []).append(name)
    out: dict[str, list[np.ndarray]] = {name: [] for name in jobs}
    for size, names in by_size.items():
        rng = np.random.default_rng(seed)  # same seed and size -> the same resamples as bootstrap_ci
        chunk = max(1, min(n, IDX_BUDGET // max(size, 1)))
        for start in range(0, n, chunk):
            idx = rng.integers(0, size, size=(min(chunk, n - start), size), dtype=np.int32)
            for name in names:
                fn, arrs = prepared[name]
                batched = getattr(fn, "batched", None)
                if batched is not None:
                    out[name].append(np.asarray(batched(arrs, idx), dtype=float))
                else:  # any other callable: one call per resample
                    vals = [fn(*[a[r] for a in arrs]) for r in idx]
                    out[name].append(np.array([np.nan if v is None else v for v in vals], dtype=float))
    return {name: np.concatenate(v) for name, v in out.items()}


def _bootstrap_values(fn, arrays, n: int, seed: int) -> np.ndarray:
    return _bootstrap_many({"x": (fn, arrays)}, n, seed)["x"]


def _interval(vals: np.ndarray, n: int) -> list[float] | None:
    ok = vals[np.isfinite(vals)]
    if ok.size < 0.95 * n:
        return None
    return [float(np.percentile(ok, 2.5)), float(np.percentile(ok, 97.5))]


def bootstrap_ci(fn, arrays: Sequence[Sequence[float]], n: int = 1000, seed: int = 0) -> list[float] | None:
    """95% percentile interval of fn over n paper-level resamples (same seed -> same resamples).

    None when there are no papers, or when more than 5% of resamples leave the metric undefined.
    """
    if not len(arrays) or not len(arrays[0]):
        return None
    return _interval(_bootstrap_values(fn, arrays, n, seed), n)


def paired_bootstrap_pvalue(fn, arrays_a, arrays_b, n: int = 1000, seed: int = 0) -> float | None:
    """Two-sided p-value for fn(a) == fn(b) on the same papers, resampling papers jointly."""
    k = len(arrays_a)
    both = [*arrays_a, *arrays_b]
    batched = getattr(fn, "batched", None)
    if batched is None or not len(both[0]):
        return None

    def diff(arrs, idx):
        return batched(arrs[:k], idx) - batched(arrs[k:], idx)

    d = _bootstrap_values(type("F", (), {"batched": staticmethod(diff)})(), both, n, seed)
    d = d[np.isfinite(d)]
    if d.size < 0.95 * n:
        return None
    p = 2 * min((d <= 0).mean(), (d >= 0).mean())
    return float(min(1.0, max(p, 1.0 / d.size)))  # never report exactly 0 from a finite bootstrap


def human_baseline(ratings: Sequence[Sequence[float]], seed: int = 0, accepted: Sequence[bool] | None = None,
                   draws: int = 200) -> dict:
    """How well humans agree with each other on the same papers (papers with >= 2 ratings).

    - `spearman_one_vs_rest` / `pearson_one_vs_rest`: every reviewer's rating vs the mean of the other
      reviewers of that paper, pooled over all (paper, reviewer) pairs.
    - `spearman_two_random`: two distinct random reviewers per paper, Spearman across papers, averaged
      over `draws` seeded draws.
    - `single_reviewer_vs_decision_not_independent` (only with `accepted`): one random reviewer's rating
      vs the decision. NOT an independent baseline: decisions were made from these very ratings.
    """
    rows = [np.asarray([v for v in r if v is not None and np.isfinite(v)], dtype=float) for r in ratings]
    keep = [i for i, r in enumerate(rows) if r.size >= 2]
    out: dict = {"n_papers": len(keep), "n_pairs": int(sum(rows[i].size for i in keep)),
                 "spearman_one_vs_rest": None, "pearson_one_vs_rest": None, "spearman_two_random": None}
    if len(keep) < 3:
        return out
    own = np.concatenate([rows[i] for i in keep])
    rest = np.concatenate([(rows[i].sum() - rows[i]) / (rows[i].size - 1) for i in keep])
    out["spearman_one_vs_rest"] = spearman(own, rest)
    out["pearson_one_vs_rest"] = pearson(own, rest)
    width = max(rows[i].size for i in keep)
    mat = np.full((len(keep), width), np.nan)
    for j, i in enumerate(keep):
        mat[j, : rows[i].size] = rows[i]
    k = np.array([rows[i].size for i in keep])
    rng = np.random.default_rng(seed)
    a_idx = rng.integers(0, k, size=(draws, len(keep)))
    b_idx = (a_idx + rng.integers(1, k, size=(draws, len(keep)))) % k  # a distinct second reviewer
    first = mat[np.arange(len(keep)), a_idx]
    second = mat[np.arange(len(keep)), b_idx]
    ident = np.arange(len(keep))[None, :]
    vals = [_spearman([first[d], second[d]], ident)[0] for d in range(draws)]
    out["spearman_two_random"] = float(np.nanmean(vals))
    if accepted is not None:
        y = np.asarray(accepted, dtype=float)[keep]
        out["single_reviewer_vs_decision_not_independent"] = {
            "auc": float(np.nanmean([_auc([y, first[d]], ident)[0] for d in range(draws)])),
            "balanced_accuracy_at_6": float(np.nanmean(
                [_balanced_accuracy([y, (first[d] >= 6).astype(float)], ident)[0] for d in range(draws)])),
            "note": "decisions were made from these ratings: an upper bound, not an independent human baseline",
        }
    return out


BINARY_METRICS = {"accuracy": accuracy, "balanced_accuracy": balanced_accuracy, "f1": f1,
                  "auc_binary": auc_binary, "fpr": fpr, "fnr": fnr}


def compute_metrics(y_true, decision_pred, score=None, p_accept=None, rating=None, mean_human=None,
                    ci: bool = True, n_boot: int = 1000, seed: int = 0) -> dict:
    """All metrics of ARCHITECTURE.md (except the bookkeeping keys), None where they do not apply.

    score: continuous reviewer score for `auc` and the correlations (p_accept when present, else Overall);
    rating: reviewer rating on the human scale (for `mae`); mean_human: mean human rating per paper.
    Correlations and mae use the papers where both sides are finite.
    """
    y = np.asarray(y_true, dtype=float)
    d = np.asarray(decision_pred, dtype=float)
    jobs: dict[str, tuple] = {name: (fn, [y, d]) for name, fn in BINARY_METRICS.items()}
    mh = None if mean_human is None else np.asarray(mean_human, dtype=float)
    if score is not None:
        s = np.asarray(score, dtype=float)
        jobs["auc"] = (auc, [y, s])
        if mh is not None:
            m = np.isfinite(s) & np.isfinite(mh)
            for name, fn in (("spearman", spearman), ("pearson", pearson), ("kendall", kendall)):
                jobs[name] = (fn, [s[m], mh[m]])
    if rating is not None and mh is not None:
        r = np.asarray(rating, dtype=float)
        m = np.isfinite(r) & np.isfinite(mh)
        jobs["mae"] = (mae, [r[m], mh[m]])
    if p_accept is not None:
        p = np.asarray(p_accept, dtype=float)
        jobs["ece"] = (ece, [y, p])
        jobs["brier"] = (brier, [y, p])
    jobs["accept_rate_pred"] = (accept_rate, [d])
    jobs["accept_rate_true"] = (accept_rate, [y])
    out: dict = {"n": int(y.size)}
    for name in ("accuracy", "balanced_accuracy", "f1", "auc_binary", "auc", "fpr", "fnr", "spearman",
                 "pearson", "kendall", "mae", "ece", "brier", "accept_rate_pred", "accept_rate_true"):
        out[name] = jobs[name][0](*jobs[name][1]) if name in jobs else None
    if not ci:
        out["ci95"] = None
        return out
    live = {name: job for name, job in jobs.items() if out[name] is not None and len(job[1][0])}
    vals = _bootstrap_many(live, n_boot, seed)
    out["ci95"] = {name: (_interval(vals[name], n_boot) if name in vals else None) for name in jobs}
    return out
