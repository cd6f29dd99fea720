"""Dataset dirs, the HF export, and reading reviews CSVs (recorded files and run dirs)."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from benchmarks.datasets import DatasetError, load_dataset, resolve_dataset_dir, to_hf
from benchmarks.reviews_io import REVIEW_COLUMNS, ReviewsError, read_reviews

TSV = (
    "paper_id\t0\t1\t2\t3\t4\t5\t6\tdecision\n"
    "-dash\t6.0\t8.0\t\t\t\t\t\tAccept (Oral)\n"
    "00123\t3.0\t5.0\t5.0\t\t\t\t\tReject\n"
    "mdpaper\t8.0\t8.0\t6.0\t10.0\t\t\t\tAccept (Poster)\n"
    "nopaper\t1.0\t\t\t\t\t\t\tReject\n"
)


@pytest.fixture
def small(tmp_path):
    root = tmp_path / "ds"
    (root / "papers").mkdir(parents=True)
    (root / "ratings_subset.tsv").write_text(TSV)  # the AI Scientist's file name is accepted too
    (root / "papers" / "-dash.txt").write_text("# A paper\nText.")
    (root / "papers" / "00123.txt").write_text("# Another\nMore text.")
    (root / "papers" / "mdpaper.md").write_text("# Markdown paper\n")
    return root


def test_load_small_dataset(small):
    ds = load_dataset(small)
    r = ds.ratings
    assert ds.paper_ids == ["-dash", "00123", "mdpaper", "nopaper"]  # ids stay text ('00123' not 123)
    assert list(r.columns) == ["paper_id", "ratings", "mean_rating", "n_ratings", "decision", "accepted"]
    assert r["ratings"].tolist() == [[6.0, 8.0], [3.0, 5.0, 5.0], [8.0, 8.0, 6.0, 10.0], [1.0]]
    assert r["mean_rating"].tolist() == pytest.approx([7.0, 13 / 3, 8.0, 1.0])
    assert r["n_ratings"].tolist() == [2, 3, 4, 1]
    assert r["accepted"].tolist() == [True, False, True, False]
    assert ds.paper_path("-dash").name == "-dash.txt"
    assert ds.paper_path("mdpaper").suffix == ".md"
    assert ds.paper_path("nopaper") is None
    assert ds.hash() == hashlib.sha256((small / "ratings_subset.tsv").read_bytes()).hexdigest()


def test_real_dataset(shared_data):
    ds = load_dataset(shared_data / "iclr2022")
    r = ds.ratings
    assert len(ds) == 388 and r["paper_id"].is_unique
    assert int(r["accepted"].sum()) == 147  # 110 poster + 30 spotlight + 7 oral (data README)
    assert r["n_ratings"].value_counts().to_dict() == {4: 271, 3: 73, 5: 40, 6: 3, 7: 1}
    # README: mean human rating >= 6 agrees with the decision on 88.1% of papers
    assert ((r["mean_rating"] >= 6) == r["accepted"]).mean() == pytest.approx(0.881, abs=5e-4)
    assert all(ds.paper_path(pid) is not None for pid in ds.paper_ids)


def test_resolve_dataset_dir(small, tmp_path, monkeypatch):
    monkeypatch.delenv("AISCI_DATA_DIR", raising=False)
    assert resolve_dataset_dir(str(small)) == small
    with pytest.raises(DatasetError, match="pass --dataset DIR or set AISCI_DATA_DIR"):
        resolve_dataset_dir(None)
    monkeypatch.setenv("AISCI_DATA_DIR", str(small))
    assert resolve_dataset_dir(None) == small
    assert resolve_dataset_dir(str(small)) == small  # --dataset wins over the variable
    with pytest.raises(DatasetError, match="does not exist"):
        resolve_dataset_dir(str(tmp_path / "nope"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="has no ratings.tsv or ratings_subset.tsv"):
        resolve_dataset_dir(str(tmp_path / "empty"))


def test_bad_ratings_file(tmp_path):
    (tmp_path / "ratings.tsv").write_text("paper_id\t0\nx\t5\n")
    with pytest.raises(DatasetError, match="missing column"):
        load_dataset(tmp_path)


def test_to_hf_and_save_to_disk(small, tmp_path):
    import datasets

    ds = load_dataset(small)
    hf = to_hf(ds, with_text=True)
    assert hf.num_rows == 4 and hf["paper_id"] == ds.paper_ids
    assert hf["ratings"][2] == [8.0, 8.0, 6.0, 10.0] and hf["accepted"] == [True, False, True, False]
    assert hf["text"][0].startswith("# A paper") and hf["text"][3] is None
    hf.save_to_disk(str(tmp_path / "hf"))
    back = datasets.load_from_disk(str(tmp_path / "hf"))
    assert back["mean_rating"] == pytest.approx(ds.ratings["mean_rating"].tolist())
    assert "text" not in to_hf(ds).column_names


def test_read_reviews_formats(tmp_path):
    rows = [
        {"paper_id": "-dash", "Summary": "S", "Questions": "['q1', \"q'2\"]", "Limitations": '["l1"]',
         "Ethical Concerns": "False", "Soundness": "3", "Presentation": 2, "Contribution": 3, "Overall": "6",
         "Confidence": 4, "Strengths": "[]", "Weaknesses": "just a sentence", "Originality": 3, "Quality": 3,
         "Clarity": "3.5", "Significance": 5, "Decision": "Accept", "p_accept": 0.7, "error": "", "cost_usd": 0.01},
        {"paper_id": "00123", "Summary": "", "Questions": "", "Limitations": "", "Ethical Concerns":
         "Raises privacy concerns.", "Soundness": "n/a", "Overall": "", "Decision": "",
         "p_accept": "", "error": "paper file is empty", "cost_usd": ""},
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "reviews.csv", index=False)
    df = read_reviews(tmp_path)  # a run dir
    assert list(df.columns[:17]) == REVIEW_COLUMNS and len(REVIEW_COLUMNS) == 17
    assert list(df.columns[17:]) == ["p_accept", "error", "cost_usd"]  # extras kept, in order
    a, b = df.iloc[0], df.iloc[1]
    assert df["paper_id"].tolist() == ["-dash", "00123"]
    assert a["Questions"] == ["q1", "q'2"] and a["Limitations"] == ["l1"] and a["Strengths"] == []
    assert a["Weaknesses"] == ["just a sentence"]  # not a list literal: kept as one item
    assert a["Ethical Concerns"] is False and b["Ethical Concerns"] == "Raises privacy concerns."
    assert a["Overall"] == 6.0 and a["Clarity"] == 3.5 and np.isnan(b["Soundness"]) and np.isnan(b["Overall"])
    assert a["error"] is None and b["error"] == "paper file is empty"
    assert a["p_accept"] == 0.7 and np.isnan(b["p_accept"])
    assert np.isnan(b["Presentation"])  # a column absent from the row: NaN, not an error


def test_read_reviews_errors(tmp_path):
    with pytest.raises(ReviewsError, match="no such reviews file"):
        read_reviews(tmp_path / "missing.csv")
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ReviewsError, match="no paper_id column"):
        read_reviews(tmp_path / "x.csv")


def test_read_recorded_reviews(shared_data):
    files = sorted((shared_data / "iclr2022" / "llm_reviews").glob("*.csv"))
    assert len(files) == 6
    ids = set(load_dataset(shared_data / "iclr2022").paper_ids)
    for f in files:
        df = read_reviews(f)
        assert len(df) == 388 and set(df["paper_id"]) == ids
        assert df["Overall"].between(1, 10).all()
        assert all(isinstance(v, list) and v for v in df["Weaknesses"])
        json.dumps(df["Questions"].tolist())  # real lists of strings
    claude = read_reviews(next(f for f in files if f.name.startswith("claude")))
    free = [v for v in claude["Ethical Concerns"] if isinstance(v, str)]
    assert free and all(len(v) > 20 for v in free)
