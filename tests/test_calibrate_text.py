"""The calibrator's stacked text score: learned on training rows only, stored as plain JSON, usable on
one review, and able to carry a signal the numeric scores lack. Plus schema versions and panel spreads."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_calibrate import synth

from reviewer.calibrate import SCHEMA_VERSION, Calibrator, CalibratorError
from reviewer.features import TEXT_SCORE, panel_features
from reviewer.text_features import TextModel, paper_fields, review_fields, term_counts, tokens

FIXTURES = Path(__file__).parent / "fixtures"
# Words outside the fixed hedge/praise lists, each paired with a filler of the same length, so the simple
# text statistics (counts, lengths, hedge/praise words) cannot see the signal; only the wording can.
GOOD = ["rigorous proofs", "careful ablation", "clear writing"]
GOOD_FILL = ["typical results", "several datasets", "usual setting"]
BAD = ["toy experiments", "shallow analysis", "dense notation"]
BAD_FILL = ["minor typo list", "few more details", "figure spacing"]


def text_synth(n: int = 200, seed: int = 0, score_signal: float = 0.0):
    """Reviews whose Strengths/Weaknesses wording tracks the latent quality; scores only if asked."""
    reviews, labels = synth(n=n, seed=seed, signal=score_signal)
    rng = np.random.default_rng(seed + 100)
    q = labels["mean_rating"].to_numpy() - 5.3
    strengths, weaknesses = [], []
    for qi in q:
        p_good = 1 / (1 + np.exp(-1.5 * qi))
        s = [GOOD[j] if rng.random() < p_good else GOOD_FILL[j] for j in range(3)]
        w = [BAD[j] if rng.random() > p_good else BAD_FILL[j] for j in range(3)]
        strengths.append(str(s))
        weaknesses.append(str(w))
    return reviews.assign(Strengths=strengths, Weaknesses=weaknesses), labels


@pytest.fixture(scope="module")
def tdata():
    return text_synth()


@pytest.fixture(scope="module")
def tfitted(tdata):
    reviews, labels = tdata
    return Calibrator.fit(reviews, labels, seed=0)


def test_tokens_and_fields():
    assert tokens("The state-of-the-art model is NOT novel; x 42") == [
        "state-of-the-art", "model", "not", "novel", "state-of-the-art model", "model not", "not novel"]
    row = {"Summary": "A summary.", "Strengths": "['good idea']", "Weaknesses": '["weak"]', "Questions": None}
    assert review_fields(row) == [("s", "A summary."), ("+", "good idea"), ("-", "weak")]
    tagged = term_counts(review_fields(row), "tagged")
    assert tagged["+:good idea"] == 1 and tagged["-:weak"] == 1 and "good" not in tagged
    assert term_counts(review_fields(row), "pooled")["good idea"] == 1


def test_vocabulary_comes_from_training_rows_only(tdata):
    """A word written only in held-out reviews never enters the vocabulary; the same word in training
    reviews does (so the check can fail)."""
    from benchmarks.calibration_cv import _fit_predict

    reviews, labels = tdata
    ids = labels["paper_id"].tolist()
    train, test = ids[:150], ids[150:]
    marked = reviews.copy()
    held = marked["paper_id"].isin(test)
    marked.loc[held, "Summary"] = marked.loc[held, "Summary"] + " zebrafinch appears here."
    cal, pred = _fit_predict([marked], labels, train, test, "logistic", 0)
    vocab = " ".join(cal.model.text_model.vocabulary)
    assert cal.model.text_model is not None and "zebrafinch" not in vocab
    assert len(pred) == len(test) and pred["p_accept"].notna().all()
    marked.loc[marked["paper_id"].isin(train[:20]), "Summary"] += " zebrafinch appears here."
    cal2, _ = _fit_predict([marked], labels, train, test, "logistic", 0)
    assert "zebrafinch" in " ".join(cal2.model.text_model.vocabulary)


def test_text_score_carries_a_signal_scores_lack():
    """Scores are pure noise, the wording tracks quality: only the text score can reach a high CV AUC."""
    from benchmarks.calibration_cv import _fit_predict
    from benchmarks.metrics import auc

    reviews, labels = text_synth(n=240, seed=1, score_signal=0.0)
    ids = labels["paper_id"].tolist()
    train, test = ids[:160], ids[160:]
    y = labels.set_index("paper_id").loc[test, "accepted"].to_numpy(float)
    _, with_text = _fit_predict([reviews], labels, train, test, "logistic", 0, text=True)
    _, without = _fit_predict([reviews], labels, train, test, "logistic", 0, text=False)
    assert auc(y, with_text["p_accept"].to_numpy()) > 0.75
    assert auc(y, without["p_accept"].to_numpy()) < 0.70


def test_round_trip_identical_and_single_review(tmp_path, tdata, tfitted):
    reviews, _ = tdata
    assert tfitted.model.text_model is not None and TEXT_SCORE in tfitted.features
    assert tfitted.model.schema_version == SCHEMA_VERSION == 2
    path = tmp_path / "cal.json"
    tfitted.save(path)
    loaded = Calibrator.load(path)
    a, b = tfitted.predict(reviews), loaded.predict(reviews)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    # one review as a form dict (lists, not strings), as `aisci review` passes it
    row = reviews.iloc[7].to_dict()
    form = {**row, "Strengths": eval(row["Strengths"]), "Weaknesses": eval(row["Weaknesses"])}  # noqa: S307
    for r in (row, form):
        one = loaded.predict_one(r)
        assert one["p_accept"] == pytest.approx(a["p_accept"].iloc[7], rel=1e-12)
        assert one["decision"] == a["decision"].iloc[7]
    # the text really moves p_accept for a single review
    good = loaded.predict_one({**form, "Strengths": GOOD, "Weaknesses": BAD_FILL})
    bad = loaded.predict_one({**form, "Strengths": GOOD_FILL, "Weaknesses": BAD})
    assert good["p_accept"] > bad["p_accept"]
    # a review without any text still gets a prediction (text_score imputed)
    assert 0 < loaded.predict_one({"Overall": 6})["p_accept"] < 1
    assert path.stat().st_size < 1_000_000


def test_text_score_matches_fit_time_features(tdata, tfitted):
    """The stored TextModel reproduces, on training documents, what the fit computed from the same rows."""
    from reviewer import text_fit

    reviews, labels = tdata
    tm = tfitted.model.text_model
    docs = paper_fields(reviews)
    ids = labels["paper_id"].tolist()
    counters = [term_counts(docs[i], tm.representation) for i in ids]
    counts, terms = text_fit._count_matrix(counters)
    cols, idf = text_fit.vocabulary(counts, terms, np.arange(len(ids)))
    assert [terms[j] for j in cols] == tm.vocabulary and np.allclose(idf, tm.idf)
    x, _ = text_fit._features(counts, cols, idf, np.arange(len(ids)))
    np.testing.assert_allclose(x @ np.asarray(tm.coef) + tm.intercept, tm.score_counts(counters), rtol=1e-12)


def test_old_v1_file_still_loads_and_predicts_the_same():
    """tests/fixtures/calibrator_v1.json was written by the schema-1 build on synth(); same predictions."""
    cal = Calibrator.load(FIXTURES / "calibrator_v1.json")
    assert cal.model.schema_version == 1 and cal.model.text_model is None
    reviews, _ = synth()
    want = pd.read_csv(FIXTURES / "calibrator_v1_pred.csv", dtype={"paper_id": str})
    got = cal.predict(reviews).head(len(want))
    np.testing.assert_allclose(got["p_accept"], want["p_accept"], rtol=1e-12)
    np.testing.assert_allclose(got["rating_calibrated"], want["rating_calibrated"], rtol=1e-12)
    assert (got["decision"].to_numpy() == want["decision"].to_numpy()).all()


@pytest.mark.parametrize("version", [3, 0, "2", None])
def test_unknown_schema_is_one_clear_line(tmp_path, tfitted, version):
    d = tfitted.to_dict()
    d["schema_version"] = version
    p = tmp_path / "c.json"
    p.write_text(json.dumps(d))
    with pytest.raises(CalibratorError) as e:
        Calibrator.load(p)
    msg = str(e.value)
    assert f"schema_version {version!r}" in msg and "reads 1, 2" in msg and "\n" not in msg


@pytest.mark.parametrize("mutate", [
    lambda t: t.update(coef=t["coef"][:-1]),
    lambda t: t.update(tokenizer="other"),
    lambda t: t.update(representation="exec"),
    lambda t: t.update(vocabulary=[t["vocabulary"][0]] * len(t["vocabulary"])),
    lambda t: t.update(idf=[-1.0] * len(t["idf"])),
    lambda t: t.update(code="__import__('os')"),
])
def test_bad_text_model_is_rejected(tmp_path, tfitted, mutate):
    d = tfitted.to_dict()
    mutate(d["text_model"])
    p = tmp_path / "c.json"
    p.write_text(json.dumps(d))
    with pytest.raises(CalibratorError, match="invalid"):
        Calibrator.load(p)


def test_text_model_and_feature_come_together(tmp_path, tfitted):
    d = tfitted.to_dict()
    d["text_model"] = None
    with pytest.raises(CalibratorError, match="text_model"):
        Calibrator.from_dict(d)
    d = tfitted.to_dict()
    d["schema_version"] = 1
    with pytest.raises(CalibratorError, match="schema_version >= 2"):
        Calibrator.from_dict(d)
    assert isinstance(TextModel.model_validate(tfitted.to_dict()["text_model"]), TextModel)


def test_panel_spread_features():
    a = pd.DataFrame([{"paper_id": "x", "Overall": 4}, {"paper_id": "y", "Overall": 6}])
    b = pd.DataFrame([{"paper_id": "x", "Overall": 8}, {"paper_id": "y", "Overall": None}])
    f = panel_features([a, b]).set_index("paper_id")
    assert f.loc["x", "panel.Overall_std"] == 2.0 and np.isnan(f.loc["y", "panel.Overall_std"])
    assert "panel.Overall_std" not in panel_features(a).columns


def test_real_data_text_model(shared_data):
    """Real reviews: the text model is fitted, small, and its JSON reproduces the predictions."""
    from benchmarks.datasets import load_dataset
    from benchmarks.reviews_io import read_reviews

    ds = load_dataset(shared_data / "iclr2022")
    rev = read_reviews(sorted(ds.review_files())[2])
    cal = Calibrator.fit(rev, ds.ratings, feature_set="extended")  # auto may (honestly) drop the text score
    tm = cal.model.text_model
    assert tm is not None and 100 < len(tm.vocabulary) <= 4000
    d = cal.to_dict()
    assert len(json.dumps(d)) < 1_000_000
    again = Calibrator.from_dict(json.loads(json.dumps(d)))
    pd.testing.assert_frame_equal(cal.predict(rev), again.predict(rev), check_exact=True)
    one = again.predict_one(rev.iloc[0].to_dict())  # lists already parsed by read_reviews
    assert one["p_accept"] == pytest.approx(cal.predict(rev)["p_accept"].iloc[0], rel=1e-12)  # 1 row vs batch BLAS


def test_aisci_review_with_a_text_calibrator(tmp_path, tfitted, capsys):
    """One paper, one review (mock model): the real text calibrator scores it, no warning, and agrees
    with predict_one on the review's own row."""
    from reviewer.aisci import main

    cal = tmp_path / "cal.json"
    tfitted.save(cal)
    paper = tmp_path / "paper.md"
    paper.write_text("# Gated Diffusion\n\n## Abstract\n\nWe propose gating for diffusion models.\n\n## 1 Intro\n\nBody.\n")
    assert main(["review", str(paper), "--model", "mock/default", "--calibrator", str(cal), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert 0 < data["p_accept"] < 1 and 1 <= data["rating_calibrated"] <= 10
    assert not [w for w in data.get("warnings") or [] if "calibrator" in w]
    row = {k: data[k] for k in ("Summary", "Strengths", "Weaknesses", "Questions", "Limitations", "Overall",
                                "Soundness", "Presentation", "Contribution", "Confidence", "Originality",
                                "Quality", "Clarity", "Significance", "Decision", "Ethical Concerns") if k in data}
    assert review_fields(row)  # the mock review has text, so text_score is computed, not imputed
    assert data["p_accept"] == pytest.approx(Calibrator.load(cal).predict_one(data)["p_accept"], rel=1e-9)


def _fit_choice(reviews, labels):
    cal = Calibrator.fit(reviews, labels, seed=0)
    h = cal.model.hyper
    return cal, h["feature_set"], h["feature_set_gain"], h["feature_set_se"]


def test_inner_cv_keeps_the_text_score_when_the_text_carries_the_signal():
    reviews, labels = text_synth(n=240, seed=1, score_signal=0.0)  # scores are noise, wording tracks quality
    cal, chosen, gain, se = _fit_choice(reviews, labels)
    assert chosen == "extended" and gain > se > 0
    assert cal.model.text_model is not None and TEXT_SCORE in cal.features


def test_inner_cv_falls_back_to_the_numeric_model_when_the_text_is_noise():
    """The same wording shuffled across papers (pure noise) while the scores carry the signal: the
    one-standard-error rule keeps the base model, whose file has no text model and no text_score, and
    which predicts exactly like a fit forced to the base set."""
    reviews, labels = text_synth(n=240, seed=2, score_signal=1.5)
    perm = np.random.default_rng(0).permutation(len(reviews))
    noisy = reviews.assign(Strengths=reviews["Strengths"].to_numpy()[perm],
                           Weaknesses=reviews["Weaknesses"].to_numpy()[perm])
    cal, chosen, gain, se = _fit_choice(noisy, labels)
    assert chosen == "base" and gain <= se
    assert cal.model.text_model is None and TEXT_SCORE not in cal.features
    forced = Calibrator.fit(noisy, labels, seed=0, feature_set="base")
    pd.testing.assert_frame_equal(cal.predict(noisy), forced.predict(noisy), check_exact=True)
    assert Calibrator.fit(noisy, labels, seed=0, feature_set="extended").model.text_model is not None


def test_choose_feature_set_rule():
    from reviewer._calibrate_fit import choose_feature_set

    y = np.array([1, 0] * 50, float)
    same = np.where(y > 0, 0.6, 0.4)
    assert choose_feature_set(same, same, y)[0] == "base"  # a tie keeps the simpler set
    better = np.where(y > 0, 0.7, 0.3)
    assert choose_feature_set(same, better, y)[0] == "extended"  # better on every paper
    rng = np.random.default_rng(0)
    noisy = np.clip(same + rng.normal(0, 0.2, y.size), 0.05, 0.95)
    chosen, info = choose_feature_set(noisy, same, y)  # extended better on average but noisy per paper?
    assert chosen == ("extended" if info["feature_set_gain"] > info["feature_set_se"] else "base")
    with pytest.raises(CalibratorError, match="feature_set"):
        Calibrator.fit(*text_synth(n=60), feature_set="text")


def test_inner_fold_text_scores_never_see_their_held_out_labels():
    """fold_scores[k] (what inner fold k's models are trained and scored on) does not change when fold k's
    labels change (vocabulary, representation and alpha included); the stored model is the average of the
    inner-fold ridges, not a refit (so it differs from a ridge fitted on all papers)."""
    from sklearn.model_selection import StratifiedKFold

    from reviewer.text_fit import fit_text_score

    reviews, labels = text_synth(n=150, seed=3)
    docs = paper_fields(reviews)
    docs = [docs[p] for p in labels["paper_id"]]
    y = labels["accepted"].to_numpy(bool)
    r = labels["mean_rating"].to_numpy(float)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(len(y)), y))
    sub = [list(StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(len(tr)), y[tr])) for tr, _ in folds]
    a = fit_text_score(docs, r, folds, sub)
    k, te = 2, folds[2][1]
    r2 = r.copy()
    r2[te] = np.random.default_rng(1).permutation(r2[te]) + 3.0
    b = fit_text_score(docs, r2, folds, sub)
    np.testing.assert_allclose(a.fold_scores[k], b.fold_scores[k], rtol=1e-10)
    assert not np.allclose(a.fold_scores[0], b.fold_scores[0])  # other folds did see them
    assert np.isfinite(a.fold_scores[k]).all() and len(a.fold_scores) == 5
    # the stored model reproduces the mean of the fold ridges on the training documents
    from reviewer.text_fit import ALPHA_GRID, _count_matrix, _features, _Ridge

    tm = a.model
    counts, terms = _count_matrix([term_counts(d, tm.representation) for d in docs])
    idx = {t: j for j, t in enumerate(terms)}
    x, _ = _features(counts, np.array([idx[t] for t in tm.vocabulary]), np.asarray(tm.idf), np.arange(len(docs)))
    i = int(np.flatnonzero(np.isclose(ALPHA_GRID, tm.alpha))[0])
    ridges = [_Ridge.fit(x[tr], r[tr], ALPHA_GRID) for tr, _ in folds]
    mean_pred = np.mean([rd.predict(x)[i] for rd in ridges], axis=0)
    np.testing.assert_allclose(tm.score(docs), mean_pred, rtol=1e-9, atol=1e-9)
    refit = _Ridge.fit(x, r, ALPHA_GRID).predict(x)[i]
    assert not np.allclose(tm.score(docs), refit, atol=1e-3)
