"""Re-scoring at scale: `bench score` and `leaderboard` on N synthetic papers (default 10,000).

    /work/venv/bin/python benchmarks/perf/rescore.py [--papers 10000] [--reviewers 3] [--keep DIR]

Writes a synthetic dataset dir (ratings.tsv, ICLR-like ratings and decisions) and reviews CSVs (the 17
AI Scientist columns with list fields as Python literals, plus p_accept/cost_usd/seconds in the first)
into a temp dir, then prints wall time and peak extra resident memory of each step, with ratios against
baselines measured in the same run on the same files and arrays:
- reading: `read_reviews` vs plain `pandas.read_csv`;
- metrics: our point metrics vs sklearn/scipy on the same arrays;
- bootstrap: our vectorized 1,000-resample CIs vs the textbook loop of sklearn/scipy calls
  (the loop is timed on 20 resamples and extrapolated to 1,000).
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

SCALE = np.array([1, 3, 5, 6, 8, 10], float)


def make_data(root: Path, n: int, reviewers: int, seed: int = 0) -> tuple[Path, list[Path]]:
    rng = np.random.default_rng(seed)
    quality = rng.normal(0, 1, n)
    k = rng.choice([3, 4, 5], size=n, p=[0.2, 0.7, 0.1])
    raw = quality[:, None] * 1.3 + 5.2 + rng.normal(0, 1.4, (n, 7))
    ratings = SCALE[np.abs(raw[:, :, None] - SCALE).argmin(2)]
    ratings[np.arange(7)[None, :] >= k[:, None]] = np.nan
    mean = np.nanmean(ratings, 1)
    accept = (mean + rng.normal(0, 0.5, n)) >= 6
    ids = [f"syn{i:06d}" for i in range(n)]
    ds = root / "dataset"
    ds.mkdir(parents=True)
    cells = pd.DataFrame(ratings, columns=[str(i) for i in range(7)])
    cells.insert(0, "paper_id", ids)
    cells["decision"] = np.where(accept, "Accept (Poster)", "Reject")
    cells.to_csv(ds / "ratings.tsv", sep="\t", index=False, float_format="%.1f")
    files = []
    for r in range(reviewers):
        noise = 0.8 + 0.5 * r
        overall = np.clip(np.round(5 + quality + rng.normal(0, noise, n)), 1, 10)
        lst = "['The method is clearly described.', 'Experiments are limited to small datasets.']"
        df = pd.DataFrame({
            "paper_id": ids, "Summary": "A synthetic summary of the paper.", "Questions": lst, "Limitations": lst,
            "Ethical Concerns": False, "Soundness": 3, "Presentation": 3, "Contribution": 2, "Overall": overall,
            "Confidence": 4, "Strengths": lst, "Weaknesses": lst, "Originality": 3, "Quality": 3, "Clarity": 3,
            "Significance": 2, "Decision": np.where(overall >= 6, "Accept", "Reject")})
        if r == 0:  # a run with a calibrator: p_accept, cost and time columns
            df["p_accept"] = np.round(1 / (1 + np.exp(-(overall - 5.5))), 4)
            df["cost_usd"] = 0.012
            df["seconds"] = 3.1
        f = root / f"reviewer_{r}.csv"
        df.to_csv(f, index=False)
        files.append(f)
    return ds, files


def measure(label: str, fn: Callable[[], object]) -> tuple[float, float, object]:
    """Wall time, and peak resident memory above the level at the start (sampled every 5 ms by a thread;
    tracemalloc would slow the pure-Python parts several-fold)."""
    import psutil

    proc = psutil.Process()
    base = proc.memory_info().rss
    peak = [base]
    done = threading.Event()

    def sample():
        while not done.wait(0.005):
            peak[0] = max(peak[0], proc.memory_info().rss)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    done.set()
    th.join()
    extra = (max(peak[0], proc.memory_info().rss) - base) / 2**20
    print(f"{label:<58} {dt:8.2f} s  peak +{extra:7.1f} MiB")
    return dt, extra, out


def sklearn_point_metrics(y, pred, score, human) -> None:
    from scipy import stats
    from sklearn import metrics as skm

    skm.accuracy_score(y, pred), skm.balanced_accuracy_score(y, pred), skm.f1_score(y, pred)
    skm.roc_auc_score(y, pred), skm.roc_auc_score(y, score), skm.confusion_matrix(y, pred)
    stats.spearmanr(score, human), stats.pearsonr(score, human), stats.kendalltau(score, human)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--papers", type=int, default=10_000)
    ap.add_argument("--reviewers", type=int, default=3)
    ap.add_argument("--keep", help="write the synthetic data here and keep it")
    args = ap.parse_args()

    from benchmarks.datasets import load_dataset
    from benchmarks.leaderboard import build
    from benchmarks.metrics import compute_metrics
    from benchmarks.report import write_report
    from benchmarks.reviews_io import read_reviews
    from benchmarks.score import prepare, score

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.keep or tmp)
        t0 = time.perf_counter()
        ds_dir, files = make_data(root, args.papers, args.reviewers)
        print(f"synthetic data: {args.papers} papers x {args.reviewers} reviewers in {time.perf_counter() - t0:.1f} s"
              f" ({files[0].stat().st_size / 2**20:.1f} MiB per reviews CSV)\n")
        ds = load_dataset(ds_dir)
        t_csv, _, _ = measure("baseline: pandas.read_csv(reviews)", lambda: pd.read_csv(files[0]))
        t_read, _, rev = measure("read_reviews(reviews) (lists parsed, numbers coerced)", lambda: read_reviews(files[0]))
        sc = prepare(ds, rev)
        arrays = (sc.y, sc.decision, sc.score, sc.mean_human)
        t_sk, _, _ = measure("baseline: sklearn/scipy point metrics", lambda: sklearn_point_metrics(*arrays))
        t_pt, _, _ = measure("ours: point metrics (no CIs)", lambda: compute_metrics(
            sc.y, sc.decision, score=sc.score, p_accept=sc.p_accept, mean_human=sc.mean_human, ci=False))
        n_loop = 20
        rng = np.random.default_rng(0)

        def loop():
            for _ in range(n_loop):
                i = rng.integers(0, len(sc.y), len(sc.y))
                sklearn_point_metrics(*(a[i] for a in arrays))

        t_loop, _, _ = measure(f"baseline: sklearn loop, {n_loop} resamples", loop)
        t_loop_1000 = t_loop / n_loop * 1000
        t_boot, _, _ = measure("ours: all metrics + 1,000-resample CIs (vectorized)", lambda: compute_metrics(
            sc.y, sc.decision, score=sc.score, p_accept=sc.p_accept, mean_human=sc.mean_human))
        t_score, m_score, m = measure("bench score end to end (load + read + score + CIs)", lambda: score(
            load_dataset(ds_dir), read_reviews(files[0]), reviews_name="reviewer_0"))
        out = root / "report"
        t_lb, m_lb, _ = measure(f"leaderboard end to end ({args.reviewers} reviewers, figures, html)",
                                lambda: write_report(build(ds, files), out))
        print()
        print(f"read_reviews / pandas.read_csv            : {t_read / t_csv:6.1f}x")
        print(f"point metrics ours / sklearn+scipy        : {t_pt / t_sk:6.2f}x")
        print(f"1,000-resample CIs ours / sklearn loop    : {t_boot / t_loop_1000:6.3f}x "
              f"({t_boot:.1f} s vs ~{t_loop_1000:.0f} s extrapolated)")
        print(f"bench score: {t_score:.1f} s, peak {m_score:.0f} MiB; leaderboard: {t_lb:.1f} s, peak {m_lb:.0f} MiB")
        print(f"(auc {m['auc']:.3f}, spearman {m['spearman']:.3f}, ece {m['ece']:.3f} on {m['n']} papers)")


if __name__ == "__main__":
    main()
