"""Calibrator: fit/predict, JSON round trip, safe loading, threshold chosen on training data only."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest

from reviewer.calibrate import SCHEMA_VERSION, Calibrator, CalibratorError
from reviewer.features import panel_features, row_features


def synth(n: int = 160, seed: int = 0, signal: float = 1.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reviews (17-column style) and labels with a known signal: Overall tracks a latent quality."""
    rng = np.random.default_rng(seed)
    q = rng.normal(size=n)
    mean_rating = np.clip(5.3 + 1.3 * q + 0.5 * rng.normal(size=n), 1, 10)
    accepted = mean_rating + 0.6 * rng.normal(size=n) > 5.9
    lat = signal * q + rng.normal(size=n)
    rows = []
    for i in range(n):
        k_s, k_w = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        rows.append({
            "paper_id": f"p{i:04d}", "Summary": "A paper. " * int(rng.integers(2, 8)),
            "Questions": json.dumps(["Why?"] * int(rng.integers(0, 4))), "Limitations": "['none']",
            "Ethical Concerns": False,
            "Soundness": int(np.clip(round(2.7 + 0.4 * lat[i]), 1, 4)),
            "Presentation": int(np.clip(round(2.7 + 0.3 * lat[i] + 0.5 * rng.normal()), 1, 4)),
            "Contribution": int(np.clip(round(2.6 + 0.4 * lat[i]), 1, 4)),
            "Overall": int(np.clip(round(5 + 1.2 * lat[i]), 1, 10)),
            "Confidence": int(rng.integers(3, 6)),
            "Strengths": str(["good"] * k_s), "Weaknesses": str(["weak, lacks baselines"] * k_w),
            "Originality": int(np.clip(round(2.6 + 0.3 * lat[i]), 1, 4)),
            "Quality": int(np.clip(round(2.6 + 0.4 * lat[i]), 1, 4)),
            "Clarity": int(np.clip(round(2.8 + 0.2 * lat[i] + 0.5 * rng.normal()), 1, 4)),
            "Significance": int(np.clip(round(2.6 + 0.4 * lat[i]), 1, 4)),
            "Decision": "Accept" if lat[i] > 0.5 else "Reject",
        })
    labels = pd.DataFrame({"paper_id": [r["paper_id"] for r in rows], "accepted": accepted,
                           "mean_rating": mean_rating})
    return pd.DataFrame(rows), labels


@pytest.fixture(scope="module")
def data():
    return synth()


@pytest.fixture(scope="module")
def fitted(data):
    reviews, labels = data
    return Calibrator.fit(reviews, labels, seed=0, dataset_hash="abc", reviews_hashes=["def"])


def test_fit_predict_shapes_and_ranges(data, fitted):
    reviews, labels = data
    pred = fitted.predict(reviews)
    assert list(pred.columns) == ["paper_id", "p_accept", "rating_calibrated", "decision"]
    assert len(pred) == len(reviews)
    assert pred["p_accept"].between(0, 1).all() and pred["rating_calibrated"].between(1, 10).all()
    assert ((pred["p_accept"] >= fitted.threshold) == (pred["decision"] == "Accept")).all()
    # balanced-accuracy rule: the plug-in threshold is the training accept rate
    assert fitted.threshold == pytest.approx(labels["accepted"].mean())
    # the fitted model uses the signal: in-sample AUC well above chance
    from benchmarks.metrics import auc

    assert auc(labels["accepted"].astype(float), pred["p_accept"]) > 0.7
    assert fitted.dataset_hash == "abc"


def test_json_round_trip_identical(tmp_path, data, fitted):
    reviews, _ = data
    path = tmp_path / "cal.json"
    fitted.save(path)
    loaded = Calibrator.load(path)
    a, b = fitted.predict(reviews), loaded.predict(reviews)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert loaded.to_dict() == json.loads(path.read_text())
    one = loaded.predict_one(reviews.iloc[3].to_dict())
    assert one["p_accept"] == a["p_accept"].iloc[3] and one["decision"] == a["decision"].iloc[3]


def test_predict_one_form_dict_and_missing_fields(fitted):
    form = {"Overall": 8, "Soundness": 4, "Strengths": ["a", "b"], "Weaknesses": [], "Decision": "Accept"}
    hi = fitted.predict_one(form)
    lo = fitted.predict_one({**form, "Overall": 2, "Soundness": 1, "Decision": "Reject"})
    assert hi["p_accept"] > lo["p_accept"] and hi["rating_calibrated"] > lo["rating_calibrated"]
    assert fitted.predict_one({})["decision"] in ("Accept", "Reject")  # all imputed, no crash


@pytest.mark.parametrize("mutate, msg", [
    (lambda d: d.update(schema_version=SCHEMA_VERSION + 1), "schema_version"),
    (lambda d: d.update(schema_version="1"), "schema_version"),
    (lambda d: d.update(__reduce__="os.system"), "invalid"),
    (lambda d: d["params"].update(py_code="__import__('os').system('touch x')"), "invalid"),
    (lambda d: d["params"].update(center=d["params"]["center"][:-1]), "invalid"),
    (lambda d: d["params"].update(prob_head="exec"), "invalid"),
    (lambda d: d.update(features="Overall"), "invalid"),
])
def test_load_rejects_bad_content(tmp_path, fitted, mutate, msg):
    d = fitted.to_dict()
    mutate(d)
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(d))
    with pytest.raises(CalibratorError, match=msg):
        Calibrator.load(p)


class _Boom:
    def __reduce__(self):
        import os

        return (os.system, ("touch PWNED_BY_PICKLE",))


def test_load_never_unpickles(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    p = tmp_path / "cal.json"
    p.write_bytes(pickle.dumps(_Boom()))
    with pytest.raises(CalibratorError):
        Calibrator.load(p)
    p.write_text('{"schema_version": 1, "threshold": NaN}')
    with pytest.raises(CalibratorError, match="JSON"):
        Calibrator.load(p)
    assert not (tmp_path / "PWNED_BY_PICKLE").exists()


def test_threshold_and_model_ignore_held_out_labels(data):
    """Labels of papers not in the training reviews (a held-out fold) cannot change anything."""
    from benchmarks.calibration_cv import _fit_predict

    reviews, labels = data
    ids = labels["paper_id"].tolist()
    train, test = ids[:120], ids[120:]
    permuted = labels.copy()
    held = permuted["paper_id"].isin(test)
    rng = np.random.default_rng(1)
    permuted.loc[held, "accepted"] = rng.permutation(permuted.loc[held, "accepted"].to_numpy())
    permuted.loc[held, "mean_rating"] = rng.permutation(permuted.loc[held, "mean_rating"].to_numpy())
    cal_a, pred_a = _fit_predict([reviews], labels, train, test, "logistic", 0)
    cal_b, pred_b = _fit_predict([reviews], permuted, train, test, "logistic", 0)
    assert cal_a.to_dict() == cal_b.to_dict()
    pd.testing.assert_frame_equal(pred_a, pred_b)
    # ...while the training labels do matter (the test can fail)
    flipped = labels.copy()
    flipped.loc[~held, "accepted"] = ~flipped.loc[~held, "accepted"]
    cal_c, _ = _fit_predict([reviews], flipped, train, test, "logistic", 0)
    assert cal_c.threshold != cal_a.threshold


def test_accept_rate_rule_and_isotonic(tmp_path, data):
    reviews, labels = data
    cal = Calibrator.fit(reviews, labels, method="isotonic", threshold_rule="accept_rate", target_accept_rate=0.25)
    assert cal.model.params.prob_head == "isotonic"
    cal.save(tmp_path / "iso.json")
    again = Calibrator.load(tmp_path / "iso.json")
    pd.testing.assert_frame_equal(cal.predict(reviews), again.predict(reviews))
    rate = (cal.predict(reviews)["decision"] == "Accept").mean()
    assert 0.1 < rate < 0.45  # near the 25% target (chosen on cross-fitted training probabilities)


def test_panel_mode(data):
    reviews, labels = data
    other, _ = synth(seed=5)  # a second, independent reviewer of the same paper ids
    cal = Calibrator.fit([reviews, other], labels, seed=0)
    assert cal.model.n_reviewers == 2 and any(f.startswith("r1.") for f in cal.features)
    pred = cal.predict([reviews, other])
    assert len(pred) == len(reviews)
    with pytest.raises(CalibratorError, match="2 reviewer"):
        cal.predict(reviews)
    with pytest.raises(CalibratorError, match="panel"):
        cal.predict_one({"Overall": 5})


def test_fit_errors_are_clear(data):
    reviews, labels = data
    with pytest.raises(CalibratorError, match="too few"):
        Calibrator.fit(reviews.head(6), labels)
    with pytest.raises(CalibratorError, match="labels lack"):
        Calibrator.fit(reviews, labels.drop(columns="mean_rating"))
    with pytest.raises(CalibratorError, match="unknown method"):
        Calibrator.fit(reviews, labels, method="forest")


def test_features_text_and_extras():
    row = {"paper_id": "x", "Overall": "7", "Strengths": "['novel and strong', 'b']", "Weaknesses": '["lacks x"]',
           "Decision": "Accept", "Ethical Concerns": "Some concern text", "Overall_mean": 6.4, "Overall_std": 0.8,
           "p_accept_raw": 0.7, "p_accept": 0.99}
    f = row_features(row)
    assert f["Overall"] == 7 and f["Strengths_n"] == 2 and f["Weaknesses_n"] == 1
    assert f["praise_words"] == 2 and f["hedge_words"] == 1 and f["decision_accept"] == 1 and f["ethics_flag"] == 1
    assert f["Overall_std"] == 0.8 and f["p_accept_raw"] == 0.7 and "p_accept" not in f
    feats = panel_features([pd.DataFrame([row]), pd.DataFrame([row])])
    assert "r0.Overall" in feats.columns and "r1.Overall" in feats.columns


def test_real_data_round_trip(shared_data, tmp_path):
    from benchmarks.datasets import load_dataset
    from benchmarks.reviews_io import read_reviews

    ds = load_dataset(shared_data / "iclr2022")
    rev = read_reviews(next(iter(ds.review_files())))
    cal = Calibrator.fit(rev, ds.ratings, dataset_hash=ds.hash())
    cal.save(tmp_path / "c.json")
    pd.testing.assert_frame_equal(cal.predict(rev), Calibrator.load(tmp_path / "c.json").predict(rev))
