"""Nested CV recovers a known signal, finds none in noise, and the CLI prints the promised keys."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_calibrate import synth

from benchmarks.calibration_cv import nested_cv, oof_predictions
from benchmarks.datasets import load_dataset
from benchmarks.score import METRIC_KEYS
from reviewer.aisci import main as aisci


def write_dataset(root: Path, reviews: pd.DataFrame, labels: pd.DataFrame) -> Path:
    """ratings.tsv whose mean rating and decision match `labels`, plus the reviews CSV."""
    root.mkdir(parents=True, exist_ok=True)
    lines = ["paper_id\t0\t1\t2\t3\t4\t5\t6\tdecision"]
    for pid, acc, mr in labels[["paper_id", "accepted", "mean_rating"]].itertuples(index=False):
        cells = [f"{mr:.4f}"] * 3 + [""] * 4
        lines.append("\t".join([pid, *cells, "Accept (Poster)" if acc else "Reject"]))
    (root / "ratings.tsv").write_text("\n".join(lines) + "\n")
    reviews.to_csv(root / "reviews.csv", index=False)
    return root


@pytest.fixture(scope="module")
def synth_ds(tmp_path_factory):
    reviews, labels = synth(n=150, seed=3, signal=1.5)
    return write_dataset(tmp_path_factory.mktemp("cal") / "ds", reviews, labels), reviews


def test_nested_cv_recovers_signal(synth_ds):
    root, reviews = synth_ds
    ds = load_dataset(root)
    m = nested_cv(ds, reviews, folds=3, repeats=2, seed=0)
    assert set(METRIC_KEYS) <= set(m) and {"fold_spread", "raw", "cv", "ece_noise_floor"} <= set(m)
    assert m["rule"] == "calibrated" and m["n"] == 150
    assert m["auc"] > 0.75  # the latent quality drives both Overall and acceptance
    assert m["ci95"]["auc"][0] < m["auc"] < m["ci95"]["auc"][1]
    assert m["fold_spread"]["auc"]["n_folds"] == 6
    assert m["raw"]["rule"] == "overall" and m["raw"]["ece"] is None


def test_nested_cv_finds_nothing_in_noise(synth_ds, tmp_path):
    """Reviews independent of the labels: an honest CV must report chance AUC (no test-fold leakage)."""
    root, reviews = synth_ds
    noise, _ = synth(n=150, seed=11, signal=1.5)
    noise["paper_id"] = reviews["paper_id"]  # same papers, scores unrelated to their labels
    ds = load_dataset(root)
    pred = oof_predictions(ds, noise, folds=3, repeats=2, seed=0)
    from benchmarks.metrics import auc

    y = ds.ratings.set_index("paper_id").loc[pred["paper_id"], "accepted"].to_numpy(float)
    assert 0.35 < auc(y, pred["p_accept"].to_numpy()) < 0.65


def test_oof_is_deterministic(synth_ds):
    root, reviews = synth_ds
    ds = load_dataset(root)
    a = oof_predictions(ds, reviews, folds=3, repeats=1, seed=4)
    b = oof_predictions(ds, reviews, folds=3, repeats=1, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert set(a.columns) == {"paper_id", "p_accept", "rating_calibrated", "decision"}


def test_cli_cv_json_and_fit_then_score(synth_ds, tmp_path, capsys):
    root, _ = synth_ds
    rc = aisci(["calibrate", "cv", "--dataset", str(root), "--reviews", str(root / "reviews.csv"),
                "--folds", "3", "--repeats", "1", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and set(METRIC_KEYS) <= set(out) and "fold_spread" in out and "raw" in out
    cal = tmp_path / "cal.json"
    rc = aisci(["calibrate", "fit", "--dataset", str(root), "--reviews", str(root / "reviews.csv"),
                "--out", str(cal), "--cv-repeats", "0"])
    assert rc == 0 and cal.exists()
    saved = json.loads(cal.read_text())
    assert saved["fitted_on"]["dataset_hash"] == load_dataset(root).hash()
    assert len(saved["fitted_on"]["reviews_hashes"]) == 1 and saved["cv_metrics"] is None
    capsys.readouterr()
    rc = aisci(["bench", "score", "--dataset", str(root), "--reviews", str(root / "reviews.csv"),
                "--rule", "calibrated", "--calibrator", str(cal), "--json"])
    m = json.loads(capsys.readouterr().out)
    assert rc == 0 and m["rule"] == "calibrated" and m["ece"] is not None and m["mae"] is not None
    assert "in-sample" in (m["reviews"]["warning"] or "")


def test_cli_errors_are_one_line(tmp_path, capsys):
    rc = aisci(["calibrate", "cv", "--dataset", str(tmp_path / "nope"), "--reviews", "x.csv"])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("aisci calibrate cv:") and err.count("\n") == 1


def test_real_data_smoke(shared_data):
    """Real ICLR 2022 dev data, one reviewer, one repeat (the full 5x5 table is in docs/calibration.md)."""
    ds = load_dataset(shared_data / "iclr2022")
    from benchmarks.reviews_io import read_reviews

    m = nested_cv(ds, read_reviews(ds.review_files()[1]), folds=5, repeats=1, seed=0)
    assert m["n"] == 388 and 0.6 < m["auc"] < 0.8 and m["cv"]["n_reviewers"] == 1
    assert m["ci95"]["auc"][0] < m["auc"] < m["ci95"]["auc"][1]
    assert np.isfinite(m["ece"]) and 0.01 < m["ece"] < 0.12 and 0.15 < m["brier"] < 0.25
    # the text score was fitted inside every outer fold (a representation chosen each time)
    assert "None" not in m["cv"]["choices"]["text_repr"] and sum(m["cv"]["choices"]["text_repr"].values()) == 5
    assert 0.1 < m["cv"]["text_inner_r"] < 0.6
