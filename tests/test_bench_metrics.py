"""Each metric against hand-computed values and against sklearn / scipy; bootstrap and human baseline."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn import metrics as skm

from benchmarks import metrics as M

# Hand example: 3 accepted, 5 rejected papers. tp=2 fn=1 fp=1 tn=4.
Y = np.array([1, 1, 1, 0, 0, 0, 0, 0], float)
P = np.array([1, 1, 0, 1, 0, 0, 0, 0], float)
S = np.array([3, 2, 1, 2, 1, 1, 1, 0], float)  # continuous score


def test_binary_metrics_by_hand():
    assert M.accuracy(Y, P) == pytest.approx(6 / 8)
    assert M.balanced_accuracy(Y, P) == pytest.approx((2 / 3 + 4 / 5) / 2)
    assert M.f1(Y, P) == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))
    assert M.fpr(Y, P) == pytest.approx(1 / 5)
    assert M.fnr(Y, P) == pytest.approx(1 / 3)
    assert M.accept_rate(P) == pytest.approx(3 / 8)
    assert M.auc_binary(Y, P) == pytest.approx(M.balanced_accuracy(Y, P))  # AI Scientist's "AUC"


def test_auc_by_hand():
    # 15 (positive, negative) pairs: score 3 wins 5; score 2 wins 4 + ties 1; score 1 ties 3 and wins 1.
    assert M.auc(Y, S) == pytest.approx((5 + 4.5 + 2.5) / 15)


def test_correlations_mae_brier_ece_by_hand():
    x = np.array([1, 2, 3, 4], float)
    assert M.pearson(x, 2 * x + 1) == pytest.approx(1.0)
    assert M.spearman(x, np.array([1, 3, 2, 4.0])) == pytest.approx(1 - 6 * 2 / (4 * 15))  # 1 - 6Σd²/(n(n²-1))
    assert M.kendall(x, np.array([1, 3, 2, 4.0])) == pytest.approx((5 - 1) / 6)  # (C - D) / pairs
    assert M.mae([1, 2, 3], [2, 2, 5]) == pytest.approx(1.0)
    assert M.brier([1, 0], [0.8, 0.4]) == pytest.approx((0.04 + 0.16) / 2)
    p = np.arange(10) / 10 + 0.05  # 10 papers -> 10 bins of one: ECE = mean |y - p|
    y = np.array([0, 0, 0, 1, 0, 1, 1, 0, 1, 1], float)
    assert M.ece(y, p) == pytest.approx(np.abs(y - p).mean())
    # one tied value: one bin, calibrated in the large -> 0, whatever the order of the papers
    assert M.ece(np.r_[np.ones(6), np.zeros(14)], np.full(20, 0.3)) == pytest.approx(0.0)


def test_ece_matches_sorted_equal_chunks():
    rng = np.random.default_rng(0)
    p = rng.random(200)
    y = (rng.random(200) < p).astype(float)
    chunks = np.array_split(np.argsort(p), 10)
    ref = sum(abs(y[c].mean() - p[c].mean()) * len(c) for c in chunks) / 200
    assert M.ece(y, p) == pytest.approx(ref)
    bins = M.reliability_bins(y, p)
    assert [b[2] for b in bins] == [20] * 10


def test_undefined_metrics_are_none():
    assert M.auc([1, 1, 1], [0.2, 0.5, 0.9]) is None  # one class
    assert M.balanced_accuracy([0, 0], [0, 1]) is None
    assert M.fnr([0, 0], [0, 1]) is None and M.fpr([1, 1], [0, 1]) is None
    assert M.f1([0, 0], [0, 0]) is None
    assert M.spearman([1, 1, 1], [1, 2, 3]) is None and M.pearson([1, 2, 3], [5, 5, 5]) is None
    assert M.kendall([1, 1, 1], [1, 2, 3]) is None
    assert M.accuracy([], []) is None


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n", [37, 500])
def test_against_sklearn_and_scipy(seed, n):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n).astype(float)
    overall = np.clip(np.round(rng.normal(5 + y, 1.5)), 1, 10)  # few distinct values: table path
    cont = rng.normal(size=n) + y  # all distinct: rank path
    pred = (overall >= 6).astype(float)
    human = np.round(rng.normal(5, 1.5, n) + overall / 3, 2)
    prob = 1 / (1 + np.exp(-cont))
    assert M.accuracy(y, pred) == pytest.approx(skm.accuracy_score(y, pred))
    assert M.balanced_accuracy(y, pred) == pytest.approx(skm.balanced_accuracy_score(y, pred))
    assert M.f1(y, pred) == pytest.approx(skm.f1_score(y, pred))
    assert M.auc_binary(y, pred) == pytest.approx(skm.roc_auc_score(y, pred))
    tn, fp, fn, tp = skm.confusion_matrix(y, pred).ravel()
    assert M.fpr(y, pred) == pytest.approx(fp / (fp + tn)) and M.fnr(y, pred) == pytest.approx(fn / (fn + tp))
    for score in (overall, cont):
        assert M.auc(y, score) == pytest.approx(skm.roc_auc_score(y, score))
        assert M.spearman(score, human) == pytest.approx(stats.spearmanr(score, human).statistic)
        assert M.pearson(score, human) == pytest.approx(stats.pearsonr(score, human).statistic)
        assert M.kendall(score, human) == pytest.approx(stats.kendalltau(score, human).statistic)
    assert M.mae(overall, human) == pytest.approx(skm.mean_absolute_error(human, overall))
    assert M.brier(y, prob) == pytest.approx(skm.brier_score_loss(y, prob))


def _naive_ci(fn, arrays, n, seed):
    """The textbook loop with the same resamples (same seed, same draw order)."""
    size = len(arrays[0])
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, size, size=(n, size), dtype=np.int32)
    vals = np.array([fn(*[np.asarray(a)[r] for a in arrays]) for r in idx], dtype=float)
    return [np.percentile(vals, 2.5), np.percentile(vals, 97.5)]


@pytest.mark.parametrize("name", ["accuracy", "balanced_accuracy", "f1", "auc", "spearman", "pearson", "kendall",
                                  "ece", "brier", "mae"])
def test_bootstrap_vectorized_equals_loop(name):
    rng = np.random.default_rng(3)
    n = 120
    y = rng.integers(0, 2, n).astype(float)
    s = np.round(rng.normal(5 + y, 1.5))
    p = np.round(1 / (1 + np.exp(-(s - 5))), 3)
    h = np.round(rng.normal(5, 1, n) + s / 3, 1)
    arrays = {"accuracy": [y, s >= 6], "balanced_accuracy": [y, s >= 6], "f1": [y, s >= 6], "auc": [y, s],
              "spearman": [s, h], "pearson": [s, h], "kendall": [s, h], "ece": [y, p], "brier": [y, p],
              "mae": [s, h]}[name]
    arrays = [np.asarray(a, float) for a in arrays]
    fn = getattr(M, name)
    ci = M.bootstrap_ci(fn, arrays, n=200, seed=5)
    assert ci == pytest.approx(_naive_ci(fn, arrays, 200, 5))
    assert ci[0] < fn(*arrays) < ci[1]
    assert M.bootstrap_ci(fn, arrays, n=200, seed=5) == ci  # deterministic


@pytest.mark.parametrize("dx,dy", [(1, 2), (6, 6)])  # ~12k value pairs (chunked tables); all distinct (scipy)
def test_kendall_large_tables_and_fallback(dx, dy):
    rng = np.random.default_rng(4)
    x, z = np.round(rng.normal(size=300), dx), rng.normal(size=300)
    y = np.round(x + z, dy)
    cells = np.unique(x).size * np.unique(y).size
    assert (M.TABLE_MAX < cells <= M.KENDALL_TABLE_MAX) == (dx == 1)
    ci = M.bootstrap_ci(M.kendall, [x, y], n=50, seed=0)
    assert ci == pytest.approx(_naive_ci(M.kendall, [x, y], 50, 0))


def test_bootstrap_on_10k_papers_is_fast():
    import time

    rng = np.random.default_rng(0)
    n = 10_000
    y = rng.integers(0, 2, n).astype(float)
    s = np.clip(np.round(rng.normal(5 + y, 1.5)), 1, 10)
    h = np.round(rng.normal(5, 1, n) + s / 3, 2)
    start = time.process_time()  # CPU time: robust to other jobs sharing the machine
    m = M.compute_metrics(y, (s >= 6).astype(float), score=s, mean_human=h)
    assert time.process_time() - start < 15  # ~1.5 s; the textbook loop of sklearn calls takes ~90 s
    assert all(m["ci95"][k] is not None for k in ("auc", "spearman", "kendall", "f1"))


def test_paired_bootstrap_pvalue():
    rng = np.random.default_rng(1)
    n = 400
    y = rng.integers(0, 2, n).astype(float)
    good = y + rng.normal(0, 0.5, n)
    bad = y + rng.normal(0, 3, n)
    assert M.paired_bootstrap_pvalue(M.auc, [y, good], [y, bad], n=500) < 0.01
    assert M.paired_bootstrap_pvalue(M.auc, [y, good], [y, good], n=500) == 1.0


def test_human_baseline_by_hand():
    ratings = [[2, 4], [6, 8], [10, 10, 4], [1, 3]]
    hb = M.human_baseline(ratings, seed=0, accepted=[False, True, True, False])
    own = [2, 4, 6, 8, 10, 10, 4, 1, 3]
    rest = [4, 2, 8, 6, 7, 7, 10, 3, 1]  # mean of the other reviewers of the same paper
    assert hb["spearman_one_vs_rest"] == pytest.approx(stats.spearmanr(own, rest).statistic)
    assert hb["pearson_one_vs_rest"] == pytest.approx(stats.pearsonr(own, rest).statistic)
    assert hb["n_papers"] == 4 and hb["n_pairs"] == 9
    assert -1 <= hb["spearman_two_random"] <= 1
    nd = hb["single_reviewer_vs_decision_not_independent"]
    assert "not an independent" in nd["note"] and 0 <= nd["auc"] <= 1
    # papers with one rating cannot pair reviewers
    assert M.human_baseline([[5], [6], [7]])["spearman_one_vs_rest"] is None


def test_compute_metrics_keys_and_nulls():
    m = M.compute_metrics(Y, P, score=S)
    assert m["mae"] is None and m["ece"] is None and m["brier"] is None and m["spearman"] is None
    assert m["ci95"]["mae"] is None and m["ci95"]["auc"] is not None
    assert m["n"] == 8 and m["accept_rate_true"] == pytest.approx(3 / 8)
    assert M.compute_metrics(Y, P, ci=False)["ci95"] is None


def test_batched_calls_with_a_reused_index_never_see_stale_counts():
    # the per-batch memo must not confuse a new temporary array with a freed one at the same address
    rng = np.random.default_rng(0)
    ident = np.arange(50)[None, :]
    y = (rng.random(50) < 0.5).astype(float)
    preds = [(rng.random(50) < 0.5).astype(float) for _ in range(6)]
    got = [M.accuracy.batched([y, p.copy()], ident)[0] for p in preds]
    assert got == pytest.approx([skm.accuracy_score(y, p) for p in preds])
    got = [M.spearman.batched([np.round(p * 3 + y), y + p], ident)[0] for p in preds]
    assert got == pytest.approx([stats.spearmanr(np.round(p * 3 + y), y + p).statistic for p in preds])
