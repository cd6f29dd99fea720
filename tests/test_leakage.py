"""Leakage audit on a synthetic dataset whose accepted papers are camera-ready (names, venue line)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmarks.datasets import load_dataset
from benchmarks.leakage import audit, overall_vs_marker
from reviewer.aisci import main as aisci

WORDS = ("model data training loss network graph learning method results attention robust sample "
         "kernel policy gradient bound theorem").split()


def _paper(rng: random.Random, pid: str, accepted: bool) -> str:
    vocab = WORDS + ["".join(rng.choice("abcdefghij") for _ in range(6)) for _ in range(40)]
    body = " ".join(rng.choice(vocab) for _ in range(300))
    if accepted:
        head = (f"Published as a conference paper at ICLR 2022\n\n# A Study of {pid}\n\n"
                f"**Jane Doe**, **John Roe**\nDepartment of Computer Science, Stanford University\n"
                f"jane.doe@stanford.edu\n\n")
        tail = "\n\n## Acknowledgements\n\nWe thank the reviewers. Supported by NSF grant 123.\n"
    else:
        head = (f"Under review as a conference paper at ICLR 2022\n\n# A Study of {pid}\n\n"
                "Anonymous authors\nPaper under double-blind review\n\n")
        tail = "\n"
    return head + f"## Abstract\n\nWe study {pid}. {body}\n\n## 1 Introduction\n\n{body}\n" + tail


@pytest.fixture(scope="module")
def leaky(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("leak") / "ds"
    (root / "papers").mkdir(parents=True)
    rng = random.Random(0)
    lines = ["paper_id\t0\t1\t2\t3\t4\t5\t6\tdecision"]
    for i in range(60):
        pid, acc = f"q{i:03d}", i % 3 == 0
        r = rng.choice([6, 8]) if acc else rng.choice([3, 5, 6])
        lines.append("\t".join([pid, f"{r}.0", f"{r}.0", "", "", "", "", "", "Accept (Poster)" if acc else "Reject"]))
        (root / "papers" / f"{pid}.txt").write_text(_paper(rng, pid, acc))
    (root / "ratings.tsv").write_text("\n".join(lines) + "\n")
    return root


def test_probes_see_the_leak_and_sanitizing_removes_it(leaky):
    ds = load_dataset(leaky)
    before = audit(ds, sanitize=False, folds=3)
    assert before["n"] == 60 and before["sanitized"] is False
    assert before["marker_probe_auc"] > 0.95 and before["bow_probe_auc"] > 0.9
    assert before["marker_rates"]["anonymous"]["rejected"] == 1.0
    assert before["marker_rates"]["anonymous"]["accepted"] == 0.0
    after = audit(ds, sanitize=True, folds=3)
    assert after["sanitized"] is True
    assert after["marker_probe_auc"] <= 0.6  # bodies are random words: nothing else to find
    assert after["bow_probe_auc"] <= 0.75
    tokens = {t["token"] for t in before["top_tokens"]}
    assert tokens & {"anonymous", "review", "published", "jane", "stanford", "acknowledgements", "double", "blind"}


def test_overall_vs_marker_detects_a_reviewer_that_reads_the_leak(leaky):
    ds = load_dataset(leaky)
    lab = ds.ratings
    rng = np.random.default_rng(0)
    honest = np.round(lab["mean_rating"] + rng.normal(0, 1, len(lab)))
    leaky_rev = pd.DataFrame({"paper_id": lab["paper_id"], "Overall": honest + 2.0 * lab["accepted"]})
    fair_rev = pd.DataFrame({"paper_id": lab["paper_id"], "Overall": honest})
    a, b = overall_vs_marker(ds, leaky_rev), overall_vs_marker(ds, fair_rev)
    assert a["n"] == 60 and a["leak_equals_decision"] == 1.0
    assert a["partial_pearson"] > 0.4 and a["overall_points_for_leak"] > 1.0
    assert abs(b["partial_pearson"]) < 0.35


def test_cli_json_keys(leaky, capsys):
    rc = aisci(["bench", "audit-leakage", "--dataset", str(leaky), "--json", "--folds", "3"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert {"n", "sanitized", "marker_probe_auc", "bow_probe_auc", "top_tokens"} <= set(out)
    assert out["sanitized"] is False and isinstance(out["top_tokens"], list)
    rc = aisci(["bench", "audit-leakage", "--dataset", str(leaky), "--sanitize", "--folds", "3"])
    assert rc == 0 and "sanitized: True" in capsys.readouterr().out


def test_cli_missing_dataset_is_one_line(tmp_path, capsys):
    rc = aisci(["bench", "audit-leakage", "--dataset", str(tmp_path / "none")])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("aisci bench audit-leakage:") and err.count("\n") == 1
