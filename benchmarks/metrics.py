"""Agreement metrics: pure functions, numpy arrays in, float (or None when undefined) out.

Every metric has one implementation that works on a batch of paper-level resamples at once
(`fn.batched(arrays, idx) -> (B,)`, idx a (B, N) index matrix); the plain call is the batch of one
identity resample. That makes a 1,000-resample bootstrap on 10k papers a few vectorized array passes:
ranks, ECE bins and contingency tables come from counting integer codes of the values (no
per-resample sort); only Kendall's tau with many distinct value pairs falls back to scipy per resample.

Conventions: binary arrays are 0/1 with 1 = accept. `auc_binary` is ROC AUC of the 0/1 decision (what
the AI Scientist reported as AUC; it equals balanced accuracy). `ece` uses 10 equal-mass bins over
p sorted ascending (tied values stay in one bin; see _ece_bins).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np
from scipy import stats

Batched = Callable[[list[np.ndarray], np.ndarray], np.ndarray]
IDX_BUDGET = 4_000_000  # index-matrix elements per chunk: bounds bootstrap memory (~32 MB per array)
TABLE_MAX = 4_096  # distinct (x, y) value pairs up to which pair metrics use contingency tables
KENDALL_TABLE_MAX = 60_000  # ... and up to which Kendall does (its alternative is scipy per resample)


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


# Within one resample batch, several metrics need the same gathered counts (a confusion matrix, a
# contingency table): compute them once per index matrix. The memo keeps references to idx and to the
# keyed arrays, so neither id nor data address can be reused by another array while an entry lives.
# Thread-local, so metrics may run in threads.
_LOCAL = threading.local()


def _memo(key: tuple, idx: np.ndarray, compute: Callable[[], object], keep: tuple = ()):
    if getattr(_LOCAL, "idx", None) is not idx:
        _LOCAL.idx, _LOCAL.store = idx, {}
    if key not in _LOCAL.store:
        _LOCAL.store[key] = (keep, compute())
    return _LOCAL.store[key][1]


def _akey(*arrs: np.ndarray) -> tuple:
    return tuple((a.__array_interface__["data"][0], a.size, a.strides, a.dtype.str) for a in arrs)


def _confusion(arrs: list[np.ndarray], idx: np.ndarray) -> tuple[np.ndarray, ...]:
    """(tp, fp, fn, tn) per resample from three gathered sums of small ints."""

    def compute():
        y, p = arrs[0] > 0.5, arrs[1] > 0.5
        sy, sp, tp = ((v.astype(np.uint8)[idx]).sum(1, dtype=np.int64).astype(float) for v in (y, p, y & p))
        return tp, sp - tp, sy - tp, idx.shape[1] - sy - sp + tp

    return _memo(("confusion", *_akey(arrs[0], arrs[1])), idx, compute, keep=(arrs[0], arrs[1]))


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


def _build_table(x: np.ndarray, y: np.ndarray, idx: np.ndarray):
    """Per-resample contingency tables of value codes, (B, nx, ny), with the distinct values."""
    ux, cx = np.unique(x, return_inverse=True)
    uy, cy = np.unique(y, return_inverse=True)
    cells, b = ux.size * uy.size, idx.shape[0]
    flat = (cx * uy.size + cy)[idx] + cells * np.arange(b)[:, None]
    t = np.bincount(flat.ravel(), minlength=b * cells).reshape(b, ux.size, uy.size).astype(float)
    return t, ux, uy


def _table(x: np.ndarray, y: np.ndarray, idx: np.ndarray):
    """Memoized tables for the pair metrics; None when there are more than TABLE_MAX distinct value
    pairs (then per-paper ranks are cheaper than tables)."""

    def compute():
        if np.unique(x).size * np.unique(y).size > TABLE_MAX:
            return None
        return _build_table(x, y, idx)

    return _memo(("table", *_akey(x, y)), idx, compute, keep=(x, y))


def _avg_ranks(counts: np.ndarray) -> np.ndarray:
    """Average 1-based rank of each value code from per-resample code counts (B, U)."""
    return np.cumsum(counts, axis=1) - (counts - 1) / 2.0


def _table_corr(t: np.ndarray, vx: np.ndarray, vy: np.ndarray) -> np.ndarray:
    """Pearson correlation from tables t (B, nx, ny) and per-row values vx (B, nx), vy (B, ny)."""
    rx, ry = t.sum(2), t.sum(1)
    n = rx.sum(1, keepdims=True)
    xc = vx - (rx * vx).sum(1, keepdims=True) / n
    yc = vy - (ry * vy).sum(1, keepdims=True) / n
    cov = np.einsum("bij,bi,bj->b", t, xc, yc)
    den = np.sqrt((rx * xc**2).sum(1) * (ry * yc**2).sum(1))
    const = ((rx > 0).sum(1) < 2) | ((ry > 0).sum(1) < 2)  # one distinct value: undefined
    return np.where(const, np.nan, np.clip(_div(cov, den), -1, 1))


def _ranks(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Average ranks (1-based, ties averaged) of x[idx] within each row, by counting value codes."""
    uniq, codes = np.unique(x, return_inverse=True)
    b = idx.shape[0]
    c = codes[idx]
    counts = np.bincount((c + uniq.size * np.arange(b)[:, None]).ravel(), minlength=b * uniq.size)
    return np.take_along_axis(_avg_ranks(counts.reshape(b, uniq.size)), c, axis=1)


def _auc(a, idx):
    tab = _table(a[0], a[1], idx)
    if tab is not None:  # (B, 2, U): negatives and positives per score value
        t, uy, _ = tab
        if uy.size == 1:  # a single class in y_true overall: undefined
            return np.full(idx.shape[0], np.nan)
        neg, pos = t[:, 0, :], t[:, 1, :]
        below = np.cumsum(neg, axis=1) - neg
        return _div((pos * (below + 0.5 * neg)).sum(1), pos.sum(1) * neg.sum(1))
    y = a[0][idx]
    r = _ranks(a[1], idx)
    n1 = y.sum(1)
    return _div((r * y).sum(1) - n1 * (n1 + 1) / 2, n1 * (idx.shape[1] - n1))


def _pearson_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    xc = x - x.mean(1, keepdims=True)
    yc = y - y.mean(1, keepdims=True)
    den = np.sqrt((xc * xc).sum(1) * (yc * yc).sum(1))
    const = (x.max(1) == x.min(1)) | (y.max(1) == y.min(1))
    return np.where(const, np.nan, np.clip(_div((xc * yc).sum(1), den), -1, 1))


def _pearson(a, idx):
    tab = _table(a[0], a[1], idx)
    if tab is not None:
        t, ux, uy = tab
        return _table_corr(t, np.broadcast_to(ux, t.shape[:2]), np.broadcast_to(uy, (t.shape[0], t.shape[2])))
    return _pearson_rows(a[0][idx], a[1][idx])


def _spearman(a, idx):
    tab = _table(a[0], a[1], idx)
    if tab is not None:
        t = tab[0]
        return _table_corr(t, _avg_ranks(t.sum(2)), _avg_ranks(t.sum(1)))
    return _pearson_rows(_ranks(a[0], idx), _ranks(a[1], idx))


def _kendall(a, idx):
    cells = np.unique(a[0]).size * np.unique(a[1]).size
    if cells <= TABLE_MAX:
        return _kendall_tab(_table(a[0], a[1], idx)[0], idx.shape[1])
    if cells <= KENDALL_TABLE_MAX:  # bigger tables still beat scipy per resample; chunked for memory
        parts = np.array_split(idx, max(1, idx.shape[0] * cells // IDX_BUDGET))
        return np.concatenate([_kendall_tab(_build_table(a[0], a[1], p)[0], idx.shape[1]) for p in parts])
    out = np.empty(idx.shape[0])
    for i, row in enumerate(idx):  # many distinct values: scipy's O(n log n) tau-b per resample
        x, y = a[0][row], a[1][row]
        out[i] = np.nan if np.ptp(x) == 0 or np.ptp(y) == 0 else stats.kendalltau(x, y).statistic
    return out


def _kendall_tab(t: np.ndarray, n: int) -> np.ndarray:
    """tau-b from contingency tables (B, nx, ny) of n papers each."""
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
    return np.abs(a[0] - a[1])[idx].mean(1)  # per-paper errors first: one gather


def _brier(a, idx):
    return ((a[1] - a[0]) ** 2)[idx].mean(1)


def _ece_bins(a, idx, n_bins: int = 10):
    """Per-resample equal-mass bins of p: (count, sum_y, sum_p) arrays of shape (B, k).

    Papers are ordered by p; a run of tied p values stays together, in the bin where the middle of
    the run falls (so the result does not depend on input order). With distinct values and N a
    multiple of k, the bins are exactly N/k papers each.
    """
    uniq, codes = np.unique(a[1], return_inverse=True)
    b, n = idx.shape
    k = min(n_bins, n)
    flat = (codes[idx] + uniq.size * np.arange(b)[:, None]).ravel()
    counts = np.bincount(flat, minlength=b * uniq.size).reshape(b, uniq.size).astype(float)
    ysum = np.bincount(flat, weights=a[0][idx].ravel(), minlength=b * uniq.size).reshape(b, uniq.size)
    mid = np.cumsum(counts, axis=1) - counts / 2
    bins = np.minimum((mid * k / n).astype(np.int64), k - 1) + k * np.arange(b)[:, None]

    def agg(w):
        return np.bincount(bins.ravel(), weights=w.ravel(), minlength=b * k).reshape(b, k)

    return agg(counts), agg(ysum), agg(counts * uniq[None, :])


def _ece(a, idx, n_bins: int = 10):
    _, ysum, psum = _ece_bins(a, idx, n_bins)
    return np.abs(ysum - psum).sum(1) / idx.shape[1]  # sum_b (n_b/N)|mean_y - mean_p|


def reliability_bins(y_true, p, n_bins: int = 10) -> list[tuple[float, float, int]]:
    """(mean p, observed rate, count) of the non-empty ECE bins (for reliability diagrams)."""
    y, pp = np.asarray(y_true, float), np.asarray(p, float)
    cnt, ys, ps = (v[0] for v in _ece_bins([y, pp], np.arange(y.size)[None, :], n_bins))
    return [(float(ps[i] / cnt[i]), float(ys[i] / cnt[i]), int(cnt[i])) for i in range(cnt.size) if cnt[i] > 0]


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
    _LOCAL.idx, _LOCAL.store = None, {}  # release the last index matrix
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


def _rows_table(cx: np.ndarray, cy: np.ndarray, ny: int, nx: int | None = None) -> np.ndarray:
    """Contingency tables (D, nx, ny) of row-wise code pairs cx, cy of shape (D, P)."""
    nx = ny if nx is None else nx
    d = cx.shape[0]
    flat = (cx * ny + cy + nx * ny * np.arange(d)[:, None]).ravel()
    return np.bincount(flat, minlength=d * nx * ny).reshape(d, nx, ny).astype(float)


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
    vals, codes = np.unique(np.concatenate([first, second]), return_inverse=True)
    c1, c2 = codes.reshape(2, draws, len(keep))
    t = _rows_table(c1, c2, vals.size)  # one table per draw: all draws at once
    out["spearman_two_random"] = float(np.nanmean(_table_corr(t, _avg_ranks(t.sum(2)), _avg_ranks(t.sum(1)))))
    if accepted is not None:
        y = np.asarray(accepted, dtype=int)[keep]
        if 0 < y.sum() < y.size:
            ty = _rows_table(np.broadcast_to(y, c1.shape), c1, vals.size, nx=2)  # (draws, 2, values)
            neg, pos = ty[:, 0, :], ty[:, 1, :]
            below = np.cumsum(neg, axis=1) - neg
            auc_d = (pos * (below + 0.5 * neg)).sum(1) / (pos.sum(1) * neg.sum(1))
            hit = first >= 6
            bal = ((hit & (y == 1)).sum(1) / y.sum() + (~hit & (y == 0)).sum(1) / (y.size - y.sum())) / 2
            out["single_reviewer_vs_decision_not_independent"] = {
                "auc": float(auc_d.mean()),
                "balanced_accuracy_at_6": float(bal.mean()),
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
            pair = [s[m], mh[m]]  # one pair of arrays shared by the three correlations (shared tables)
            for name, fn in (("spearman", spearman), ("pearson", pearson), ("kendall", kendall)):
                jobs[name] = (fn, pair)
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
    out["ci95"] = {name: (_interval(vals[name], n_boot) if name in vals else None)
                   for name in out if name != "n"}  # every metric present, null when it does not apply
    return out
