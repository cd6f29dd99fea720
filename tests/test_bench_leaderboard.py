"""`aisci leaderboard`: the committed example equals `bench score`; the report holds no data; options."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmarks.datasets import load_dataset
from benchmarks.leaderboard import display_name
from benchmarks.score import score_path
from reviewer.aisci import main as aisci

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "reports" / "iclr2022-recorded"
FIGURES = ["roc.png", "reliability.png", "score_distributions.png", "reviewer_vs_human.png", "confusion.png"]


def test_committed_example_equals_bench_score(shared_data):
    ds = load_dataset(shared_data / "iclr2022")
    report = json.loads((EXAMPLE / "leaderboard.json").read_text())
    assert report["dataset_hash"] == ds.hash() and report["n_boot"] == 1000 and report["seed"] == 0
    raw = [r for r in report["rows"] if r["kind"] == "raw"]
    assert len(raw) == 6
    md = (EXAMPLE / "leaderboard.md").read_text()
    for row in raw:
        m = score_path(ds, shared_data / "iclr2022" / "llm_reviews" / row["source"])
        got = row["metrics"]
        for k in ("n", "accuracy", "balanced_accuracy", "f1", "auc_binary", "auc", "fpr", "fnr", "spearman",
                  "pearson", "kendall", "mae", "ece", "brier", "accept_rate_pred", "accept_rate_true", "ci95",
                  "human_baseline", "rule"):
            assert got[k] == pytest.approx(m[k], rel=1e-12) if isinstance(m[k], float) else got[k] == m[k], k
        assert f"| {row['name']} | 388 | {m['auc']:.3f} [" in md  # the markdown shows the same numbers
    aucs = [r["metrics"]["auc"] for r in report["rows"]]
    assert aucs == sorted(aucs, reverse=True)


def test_example_report_is_small_and_holds_no_data(shared_data):
    names = sorted(p.name for p in EXAMPLE.iterdir())
    # built with --calibrated --leakage (see its README.md), so the leakage figure is there too
    assert names == sorted(["README.md", "leaderboard.md", "leaderboard.json", "index.html", "leakage.png", *FIGURES])
    assert sum(p.stat().st_size for p in EXAMPLE.iterdir()) < 600_000
    ids = load_dataset(shared_data / "iclr2022").paper_ids
    reviews = pd.read_csv(next((shared_data / "iclr2022" / "llm_reviews").glob("gpt-4o-2024*fewshot*.csv")))
    snippets = [s[:60] for s in reviews["Summary"].head(20)]
    for name in ("leaderboard.md", "leaderboard.json", "index.html"):
        text = (EXAMPLE / name).read_text()
        assert not any(pid in text for pid in ids if len(pid) > 6), name  # no per-paper rows
        assert not any(s in text for s in snippets), name  # no review text
    html = (EXAMPLE / "index.html").read_text()
    assert all(f'src="{f}"' in html for f in FIGURES)


def test_display_name():
    assert display_name("gpt-4o-2024-05-13_temp_0_1_fewshot_1_reflect_5_ensemble_5_pages_all") == \
        "gpt-4o-2024-05-13 fewshot1 reflect5 ensemble5"
    assert display_name("my_run") == "my_run"


def _run_dir(root: Path, ds, name: str, noise: float, seed: int, cost: float) -> Path:
    rng = np.random.default_rng(seed)
    acc = ds.ratings["accepted"].to_numpy()
    overall = np.clip(np.round(4.5 + 2 * acc + rng.normal(0, noise, len(ds))), 1, 10)
    d = root / name
    d.mkdir(parents=True)
    df = pd.DataFrame({"paper_id": ds.paper_ids, "Overall": overall, "Decision": "Reject",
                       "error": [None] * len(ds), "cost_usd": cost, "seconds": 2.5})
    df.loc[0, "error"] = "model said nothing"
    df.loc[0, "Overall"] = np.nan
    df.to_csv(d / "reviews.csv", index=False)
    return d


def test_leaderboard_on_run_dirs(tmp_path, capsys):
    from benchdata import make_dataset

    ds = load_dataset(make_dataset(tmp_path / "ds", n=60, seed=3))
    good = _run_dir(tmp_path / "runs", ds, "good", 0.5, 1, 0.02)
    weak = _run_dir(tmp_path / "runs", ds, "weak", 3.0, 2, 0.001)
    out = tmp_path / "report"
    rc = aisci(["leaderboard", "--dataset", str(ds.root), "--out", str(out), str(weak), str(good),
                "--bootstrap", "200"])
    assert rc == 0
    md = (out / "leaderboard.md").read_text()
    rows = [ln for ln in md.splitlines() if re.match(r"\| \d \|", ln)]
    assert rows[0].startswith("| 1 | good | 59 (+1 failed, 0 missing)") and rows[1].startswith("| 2 | weak |")
    assert "0.0200" in rows[0] and "2.5" in rows[0]  # $/paper and s/paper from the run columns
    rep = json.loads((out / "leaderboard.json").read_text())
    assert rep["rows"][0]["p_vs_top_auc"] is None and 0 < rep["rows"][1]["p_vs_top_auc"] <= 1
    m = score_path(ds, good, n_boot=200)
    assert rep["rows"][0]["metrics"]["auc"] == m["auc"] and rep["rows"][0]["metrics"]["ci95"] == m["ci95"]
    for f in FIGURES:
        assert (out / f).stat().st_size > 5_000
    assert "index.html" in capsys.readouterr().out


def test_calibrated_rows_are_out_of_fold(shared_data, tmp_path):
    from benchmarks.datasets import Dataset
    from benchmarks.leaderboard import build

    full = load_dataset(shared_data / "iclr2022")
    ds = Dataset(root=full.root, ratings=full.ratings.iloc[:120].reset_index(drop=True),
                 ratings_file=full.ratings_file)  # 120 papers keep the fits quick
    files = sorted((shared_data / "iclr2022" / "llm_reviews").glob("gpt-4o-2024*_reflect_5_*.csv"))[:2]
    lb = build(ds, files, calibrated=True, folds=2, repeats=1, n_boot=100)
    names = [e.name for e in lb["entries"]]
    assert sum("(calibrated, out-of-fold)" in n for n in names) == 3  # two reviewers + the panel
    cal = [e for e in lb["entries"] if e.kind == "calibrated"]
    assert all(e.metrics["ece"] is not None and e.metrics["rule"] == "calibrated" for e in cal)
    assert all(e.metrics["n"] == 120 for e in cal)


def test_leakage_section(shared_data, tmp_path):
    from benchmarks.datasets import Dataset
    from benchmarks.leaderboard import build
    from benchmarks.report import write_report

    full = load_dataset(shared_data / "iclr2022")
    ds = Dataset(root=full.root, ratings=full.ratings.iloc[:40].reset_index(drop=True),
                 ratings_file=full.ratings_file)
    files = sorted((shared_data / "iclr2022" / "llm_reviews").glob("gpt-4o-2024*fewshot*.csv"))
    lb = build(ds, files, leakage=True, n_boot=100)
    write_report(lb, tmp_path / "r")
    md = (tmp_path / "r" / "leaderboard.md").read_text()
    assert "## Leakage audit" in md and "written on the unsanitized paper text" in md
    assert "| as given | 40 |" in md and "| sanitized | 40 |" in md
    assert (tmp_path / "r" / "leakage.png").stat().st_size > 5_000
    assert 'src="leakage.png"' in (tmp_path / "r" / "index.html").read_text()
