"""`bench score`: equals sklearn on the real GPT-4o file; failure accounting; rules; CLI JSON contract."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from benchmarks.datasets import load_dataset
from benchmarks.reviews_io import read_reviews
from benchmarks.score import METRIC_KEYS, ScoreError, score, score_path
from reviewer.aisci import main as aisci

GPT4O = "gpt-4o-2024-05-13_temp_0_1_fewshot_1_reflect_5_ensemble_5_pages_all.csv"
EXPECTED_KEYS = ["n", "accuracy", "balanced_accuracy", "f1", "auc_binary", "auc", "fpr", "fnr", "spearman",
                 "pearson", "kendall", "mae", "ece", "brier", "accept_rate_pred", "accept_rate_true", "ci95",
                 "human_baseline", "rule", "dataset", "reviews"]


def _sk_binary(y, pred) -> dict:
    tn, fp, fn, tp = skm.confusion_matrix(y, pred).ravel()
    return {"accuracy": skm.accuracy_score(y, pred), "balanced_accuracy": skm.balanced_accuracy_score(y, pred),
            "f1": skm.f1_score(y, pred), "auc_binary": skm.roc_auc_score(y, pred), "fpr": fp / (fp + tn),
            "fnr": fn / (fn + tp), "accept_rate_pred": float(np.mean(pred))}


@pytest.fixture(scope="module")
def real(request):
    shared = request.getfixturevalue("shared_data")
    ds = load_dataset(shared / "iclr2022")
    path = shared / "iclr2022" / "llm_reviews" / GPT4O
    return ds, path, read_reviews(path)


def test_gpt4o_overall_rule_matches_sklearn(real):
    ds, path, rev = real
    m = score_path(ds, path, rule="overall", threshold=6)
    # independent computation: raw pandas merge + sklearn
    raw = pd.read_csv(path, dtype={"paper_id": str})
    lab = pd.read_csv(ds.ratings_file, sep="\t", dtype={"paper_id": str})
    j = lab.merge(raw, on="paper_id")
    y = j["decision"].str.startswith("Accept").astype(int)
    pred = (j["Overall"] >= 6).astype(int)
    for k, v in _sk_binary(y, pred).items():
        assert m[k] == pytest.approx(v, abs=1e-12), k
    assert m["auc"] == pytest.approx(skm.roc_auc_score(y, j["Overall"]))
    mean_h = lab[[str(i) for i in range(7)]].mean(axis=1)
    assert m["spearman"] == pytest.approx(pd.Series(j["Overall"]).corr(mean_h[j.index], method="spearman"))
    assert m["n"] == 388 and m["accept_rate_true"] == pytest.approx(147 / 388)
    assert m["mae"] is None and m["ece"] is None and m["brier"] is None  # no p_accept, no human-scale rating
    assert list(m) == EXPECTED_KEYS == METRIC_KEYS
    assert m["reviews"]["continuous_score"] == "Overall" and m["reviews"]["failed"] == 0
    # close to the published 500-paper values (0.65 / 0.66 / 0.57 / 0.31 / 0.39), not equal: 388 papers
    assert abs(m["balanced_accuracy"] - 0.65) < 0.05 and abs(m["fpr"] - 0.31) < 0.05


def test_gpt4o_decision_rule_matches_sklearn(real):
    ds, path, rev = real
    m = score(ds, rev, rule="decision", reviews_name="gpt4o")
    j = ds.ratings.merge(rev, on="paper_id")
    pred = (j["Decision"] == "Accept").astype(int)
    for k, v in _sk_binary(j["accepted"].astype(int), pred).items():
        assert m[k] == pytest.approx(v, abs=1e-12), k
    assert m["rule"] == "decision" and m["reviews"]["threshold"] is None


def test_threshold_moves_decisions(real):
    ds, _, rev = real
    lo, hi = score(ds, rev, threshold=5, ci=False), score(ds, rev, threshold=7, ci=False)
    assert lo["accept_rate_pred"] > hi["accept_rate_pred"]
    assert lo["auc"] == hi["auc"]  # the continuous score does not depend on the threshold


def _small(tmp_path):
    from benchdata import make_dataset  # tests/ is on sys.path (rootdir conftest)

    return load_dataset(make_dataset(tmp_path / "ds", n=40, seed=1))


def _reviews(ds, seed=0, **extra):
    rng = np.random.default_rng(seed)
    acc = ds.ratings["accepted"].to_numpy()
    overall = np.clip(np.round(5 + 1.5 * acc + rng.normal(0, 1.2, len(ds))), 1, 10)
    df = pd.DataFrame({"paper_id": ds.paper_ids, "Overall": overall,
                       "Decision": np.where(overall >= 6, "Accept", "Reject")})
    for k, v in extra.items():
        df[k] = v
    return df


def test_failures_missing_unknown_and_duplicates_are_counted(tmp_path):
    ds = _small(tmp_path)
    rev = _reviews(ds)
    rev["error"] = None
    rev.loc[0, "error"] = "paper file is empty"
    rev.loc[1, "Overall"] = np.nan  # unparsed review
    rev = rev.drop(index=2)  # never reviewed
    rev = pd.concat([rev, pd.DataFrame({"paper_id": ["not-in-dataset"], "Overall": [7.0]}),
                     rev.iloc[[5]].assign(Overall=1.0)])  # a later duplicate row wins
    m = score(ds, rev, ci=False)
    r = m["reviews"]
    assert (r["scored"], r["failed"], r["missing"], r["unknown_papers"], r["duplicate_rows"]) == (37, 2, 1, 1, 1)
    assert m["n"] == 37
    kept = ds.ratings.merge(rev.drop_duplicates("paper_id", keep="last"), on="paper_id")
    kept = kept[kept["error"].isna() & kept["Overall"].notna()]
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(kept["accepted"], kept["Overall"] >= 6))


def test_p_accept_and_calibrated_rating_are_used(tmp_path):
    ds = _small(tmp_path)
    rng = np.random.default_rng(2)
    p = np.clip(ds.ratings["accepted"] * 0.5 + rng.random(len(ds)) * 0.5, 0, 1)
    rating = ds.ratings["mean_rating"].to_numpy() + rng.normal(0, 1, len(ds))
    m = score(ds, _reviews(ds, p_accept=p, rating_calibrated=rating), ci=False)
    y = ds.ratings["accepted"]
    assert m["reviews"]["continuous_score"] == "p_accept"
    assert m["auc"] == pytest.approx(skm.roc_auc_score(y, p))
    assert m["brier"] == pytest.approx(skm.brier_score_loss(y, p)) and m["ece"] is not None
    assert m["mae"] == pytest.approx(np.mean(np.abs(rating - ds.ratings["mean_rating"])))


class FakeCalibrator:
    """The reviewer/calibrate.py API: predict(reviews) -> paper_id, p_accept, rating_calibrated, decision."""

    dataset_hash = None

    def predict(self, reviews):
        p = 1 / (1 + np.exp(-(reviews["Overall"].to_numpy(float) - 5.5)))
        return pd.DataFrame({"paper_id": reviews["paper_id"], "p_accept": p, "rating_calibrated": 3 + 4 * p,
                             "decision": np.where(p >= 0.4, "Accept", "Reject")})


def test_calibrated_rule_with_a_calibrator_object(tmp_path):
    ds = _small(tmp_path)
    rev = _reviews(ds)
    cal = FakeCalibrator()
    m = score(ds, rev, rule="calibrated", calibrator=cal, ci=False)
    pred = cal.predict(rev)
    y = ds.ratings["accepted"]
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(y, pred["decision"] == "Accept"))
    assert m["auc"] == pytest.approx(skm.roc_auc_score(y, pred["p_accept"]))
    assert m["mae"] is not None and m["ece"] is not None and m["reviews"]["warning"] is None
    cal.dataset_hash = ds.hash()
    assert "in-sample" in score(ds, rev, rule="calibrated", calibrator=cal, ci=False)["reviews"]["warning"]
    with pytest.raises(ScoreError, match="needs --calibrator"):
        score(ds, rev, rule="calibrated")


def test_bad_calibrator_file_is_a_one_line_error(tmp_path):
    ds = _small(tmp_path)
    bad = tmp_path / "cal.json"
    bad.write_text('{"schema_version": 99}')
    with pytest.raises(ScoreError, match=r"cal\.json.*schema_version") as e:
        score(ds, _reviews(ds), rule="calibrated", calibrator=bad)
    assert "\n" not in str(e.value)


def test_cli_json_and_table(real, capsys):
    ds, path, _ = real
    assert aisci(["bench", "score", "--dataset", str(ds.root), "--reviews", str(path), "--json",
                  "--bootstrap", "200"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == EXPECTED_KEYS
    assert set(out["ci95"]) == set(EXPECTED_KEYS[1:16]) and out["ci95"]["mae"] is None
    lo, hi = out["ci95"]["balanced_accuracy"]
    assert lo < out["balanced_accuracy"] < hi
    assert aisci(["bench", "score", "--dataset", str(ds.root), "--reviews", str(path), "--rule", "decision"]) == 0
    text = capsys.readouterr().out
    assert "balanced_accuracy" in text and "NOT independent" in text


def test_cli_errors_are_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AISCI_DATA_DIR", raising=False)
    assert aisci(["bench", "score", "--reviews", str(tmp_path)]) == 2
    assert "--dataset" in capsys.readouterr().err
    ds = _small(tmp_path)
    assert aisci(["bench", "score", "--dataset", str(ds.root), "--reviews", str(tmp_path / "none.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert "none.csv" in err and len(err.splitlines()) == 1


def test_cli_calibrated_rule_with_a_real_calibrator_file(real, tmp_path, capsys):
    from reviewer.calibrate import Calibrator

    ds, path, rev = real
    train = ds.ratings.iloc[:200]  # fitted on 200 papers; scored below on all 388 (not a benchmark number)
    cal = Calibrator.fit(rev[rev["paper_id"].isin(train["paper_id"])], train, seed=0, inner_folds=2)
    cal.save(tmp_path / "cal.json")
    assert aisci(["bench", "score", "--dataset", str(ds.root), "--reviews", str(path), "--rule", "calibrated",
                  "--calibrator", str(tmp_path / "cal.json"), "--json", "--bootstrap", "100"]) == 0
    m = json.loads(capsys.readouterr().out)
    pred = Calibrator.load(tmp_path / "cal.json").predict(rev).rename(columns={"decision": "cal"})
    pred = ds.ratings.merge(pred, on="paper_id")
    assert m["reviews"]["continuous_score"] == "p_accept" and m["n"] == 388
    assert m["auc"] == pytest.approx(skm.roc_auc_score(pred["accepted"], pred["p_accept"]))
    assert m["balanced_accuracy"] == pytest.approx(
        skm.balanced_accuracy_score(pred["accepted"], pred["cal"] == "Accept"))
    assert m["brier"] == pytest.approx(skm.brier_score_loss(pred["accepted"], pred["p_accept"]))
    assert m["mae"] == pytest.approx(np.mean(np.abs(pred["rating_calibrated"] - pred["mean_rating"])))


def test_panel_calibrator_with_one_reviews_file_is_a_one_line_error(tmp_path, capsys):
    """A calibrator fitted on a panel of two reviewers cannot score one --reviews file: exit 2 and one line
    saying how many review files it needs (was a CalibratorError traceback)."""
    from reviewer.calibrate import Calibrator

    ds = _small(tmp_path)
    labels = ds.ratings[["paper_id", "accepted", "mean_rating"]]
    a, b = _reviews(ds, seed=1), _reviews(ds, seed=2)
    cal = Calibrator.fit([a, b], labels, seed=0, inner_folds=2, text=False)
    assert cal.model.n_reviewers == 2
    path = tmp_path / "panel.json"
    cal.save(path)
    a.to_csv(tmp_path / "a.csv", index=False)
    with pytest.raises(ScoreError, match="needs 2 review files") as e:
        score(ds, a, rule="calibrated", calibrator=path, ci=False)
    assert "\n" not in str(e.value)
    assert aisci(["bench", "score", "--dataset", str(ds.root), "--reviews", str(tmp_path / "a.csv"),
                  "--rule", "calibrated", "--calibrator", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "needs 2 review files" in err and "Traceback" not in err
    # the same calibrator object (not a path) fails the same way; a one-reviewer calibrator still works
    with pytest.raises(ScoreError, match="needs 2 review files"):
        score(ds, a, rule="calibrated", calibrator=Calibrator.load(path), ci=False)
    one = Calibrator.fit(a, labels, seed=0, inner_folds=2, text=False)
    assert score(ds, a, rule="calibrated", calibrator=one, ci=False)["n"] == len(ds)
