"""The whole scientist loop offline: `aisci scientist run --template grokking --smoke --model mock/default`
end to end (real smoke training, real edits, real compile where TeX exists), a model edit that hangs
(and tries to lift its own limits) killed by the sandbox while the loop goes on, and the cost cap."""

from __future__ import annotations

import csv
import json
import re
import shutil
import time
from pathlib import Path

import pytest

from reviewer.aisci import main as aisci
from reviewer.llm import UsageTracker, get_model
from reviewer.llm.providers.mock_answers import default_answer
from scientist.loop import LoopConfig, run_loop
from scientist.templates import load_template

TOP_LEVEL = ["ideas.json", "fitness.csv", "fitness.png", "summary.json", "summary.md", "runs", "reviews", "papers"]


def rows(out: Path) -> list[dict]:
    with (out / "fitness.csv").open() as f:
        return list(csv.DictReader(f))


@pytest.mark.torch
def test_cli_grokking_smoke_end_to_end(tmp_path):
    pytest.importorskip("torch")
    out = tmp_path / "sci"
    t0 = time.monotonic()
    code = aisci(["scientist", "run", "--template", "grokking", "--smoke", "--model", "mock/default",
                  "--ideas", "1", "--rounds", "1", "--out", str(out)])
    seconds = time.monotonic() - t0
    assert code == 0
    for name in TOP_LEVEL:
        assert (out / name).exists(), name
    ideas = json.loads((out / "ideas.json").read_text())
    assert len(ideas) == 1 and ideas[0]["novelty_check"]["decision"] == "novel"
    table = rows(out)
    assert [(r["round"], r["status"]) for r in table] == [("0", "evaluated"), ("1", "evaluated")]
    held = [c for c in table[0] if "held" in c]
    assert "held_out_p_accept" in held and all(r["held_out_p_accept"] != "" for r in table)
    for r in table:
        assert 0 <= float(r["fitness"]) <= 1 and r["fitness_kind"].startswith("uncalibrated")
        assert (out / r["paper"]).exists() and r["paper_format"] == ("pdf" if shutil.which("pdflatex") else "md")
    name = ideas[0]["name"]
    assert (out / "runs" / "baseline" / "results" / "final_info.json").exists()
    assert (out / "runs" / name / "round0_1" / "results" / "final_info.json").exists()  # the edited run
    edited = (out / "runs" / name / "round0_1" / "experiment.py").read_text()
    assert edited != load_template("grokking").experiment_py.read_text()  # the model's edit was applied
    assert list((out / "runs" / name).glob("round1_*"))  # the revision asked for a new experiment
    assert (out / "reviews" / f"{name}_round1_held_out.json").exists()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "finished" and summary["best"]["idea"] == name
    assert set(summary["held_out_by_round"]) == {"0", "1"} and None not in summary["held_out_by_round"].values()
    assert summary["usage"]["calls"] > 10 and "held-out" in (out / "summary.md").read_text()
    plan = json.loads((out / "papers" / name / "round_1" / "revision_plan.json").read_text())
    assert plan["experiment_change"]  # weaknesses turned into an instruction
    print(f"grokking smoke loop: {seconds:.1f} s")


TINY = '''import argparse, json, os, pathlib
VALUE = 1.0
p = argparse.ArgumentParser(); p.add_argument("--out_dir"); p.add_argument("--smoke", action="store_true")
a = p.parse_args(); out = pathlib.Path(a.out_dir); out.mkdir(parents=True, exist_ok=True)
info = {"score": {"means": VALUE, "stds": 0.0, "seeds": [0], "values": [VALUE]}}
(out / "final_info.json").write_text(json.dumps(info))
'''
PLOT = '''import argparse, pathlib, struct, zlib
p = argparse.ArgumentParser(); p.add_argument("--out_dir"); a = p.parse_args()
def chunk(k, d): return struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d))
png = b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(b"\\x00\\xff\\x00\\x00")) + chunk(b"IEND", b"")
(pathlib.Path(a.out_dir) / "score.png").write_bytes(png)
'''
HANG = '''VALUE = 1.0
import resource, signal
signal.signal(signal.SIGTERM, signal.SIG_IGN)
try:
    resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
except (ValueError, OSError):
    pass
while True:
    pass'''


@pytest.fixture
def markdown_papers(monkeypatch):
    """Logic tests write Markdown papers (the compile path has its own tests and the end-to-end run)."""
    from scientist import loop
    from scientist.paper_tex import TexStatus

    monkeypatch.setattr(loop, "preflight", lambda *a, **k: TexStatus(available=False, reason="test: Markdown papers"))


def tiny_template(root: Path) -> Path:
    """A template whose run takes well under a second, so the hang test is about the hang."""
    t = root / "tiny"
    (t / "latex").mkdir(parents=True)
    (t / "experiment.py").write_text(TINY)
    (t / "plot.py").write_text(PLOT)
    (t / "description.md").write_text("A toy experiment: VALUE is the score.")
    (t / "seed_ideas.json").write_text(json.dumps([{"name": "bigger_value", "title": "A bigger VALUE",
                                                    "hypothesis": "Bigger is better.", "experiment_plan": "Set VALUE = 2.",
                                                    "interestingness": 2, "feasibility": 10, "novelty": 1}]))
    grok = load_template("grokking")
    shutil.copy(grok.latex_template, t / "latex" / "template.tex")
    shutil.copy(grok.references_bib, t / "latex" / "references.bib")
    return t


def scripted_edits(hang_when: str):
    """mock/default for everything but code edits: a hang for the idea whose instruction mentions
    `hang_when`, else a real edit of VALUE."""
    def answer(messages, config):
        if config.task != "code_edit":
            return default_answer(messages, config)
        prompt = "\n".join(m.content for m in messages)
        value = re.findall(r"^VALUE = ([\d.]+)$", prompt, re.M)[-1]
        if hang_when in prompt:
            return f"experiment.py\n<<<<<<< SEARCH\nVALUE = {value}\n=======\n{HANG}\n>>>>>>> REPLACE\n"
        return f"experiment.py\n<<<<<<< SEARCH\nVALUE = {value}\n=======\nVALUE = {float(value) + 1}\n>>>>>>> REPLACE\n"
    return answer


async def test_hanging_edit_is_killed_and_the_loop_goes_on(tmp_path, markdown_papers):
    template = tiny_template(tmp_path)
    model = get_model("mock/scripted", script=[scripted_edits("smaller learning rate")] * 500)
    config = LoopConfig(template=str(template), model="mock/scripted", out=tmp_path / "out", ideas=2, rounds=1,
                        smoke=True, timeout_s=3, attempts=1, papers_dir=str(tmp_path / "none"), literature="local")
    (tmp_path / "none").mkdir()
    (tmp_path / "none" / "p.txt").write_text("# A PAPER\n\nABSTRACT\n\nLearning rates.\n\n1 INTRO\n")
    t0 = time.monotonic()
    summary = await run_loop(config, model=model)
    assert time.monotonic() - t0 < 60
    out = tmp_path / "out"
    table = rows(out)
    first, second = json.loads((out / "ideas.json").read_text())
    assert "smaller learning rate" in first["title"].lower()
    by = {(r["round"], r["idea"]): r for r in table}
    hung = by[("0", first["name"])]
    assert hung["status"] == "experiment_failed" and "timed out after 3 s" in hung["error"]
    run = json.loads((out / "runs" / first["name"] / "round0_1" / "run.json").read_text())
    assert run["timed_out"] and run["killed_reason"] == "timeout" and 3 <= run["seconds"] < 10
    assert "while True" in (out / "runs" / first["name"] / "round0_1" / "experiment.py").read_text()
    ok = by[("0", second["name"])]
    assert ok["status"] == "evaluated" and (out / ok["paper"]).exists()
    assert json.loads((out / ok["experiment"] / "run.json").read_text())["final_info"]["score"]["means"] == 2.0
    assert by[("1", second["name"])]["status"] == "evaluated"  # the survivor was revised and re-reviewed
    assert by[("1", first["name"])]["status"] == "not_selected"
    assert summary["status"] == "finished" and summary["best"]["idea"] == second["name"]


async def test_cost_cap_stops_gracefully_keeping_work(tmp_path, monkeypatch, markdown_papers):
    template = tiny_template(tmp_path)
    # mock/* has no price: give it one so the cap can bite (after a few calls).
    import reviewer.llm.model as model_mod

    monkeypatch.setattr(model_mod, "cost_of", lambda name, usage: 0.01)
    tracker = UsageTracker(max_cost_usd=0.10)
    model = get_model("mock/default", tracker=tracker)
    config = LoopConfig(template=str(template), model="mock/default", out=tmp_path / "out", ideas=2, rounds=2,
                        smoke=True, timeout_s=20, attempts=1, literature="local", papers_dir=str(template))
    summary = await run_loop(config, model=model)
    assert summary["status"] == "stopped" and "cost cap" in summary["stop_reason"]
    for name in ("ideas.json", "fitness.csv", "fitness.png", "summary.json", "summary.md"):
        assert (tmp_path / "out" / name).exists()
    assert summary["usage"]["cost_usd"] >= 0.10 and tracker.calls <= 11


async def test_resume_redoes_only_unfinished_idea_rounds(tmp_path, markdown_papers):
    template = tiny_template(tmp_path)
    out = tmp_path / "out"
    config = LoopConfig(template=str(template), model="mock/default", out=out, ideas=1, rounds=1, smoke=True,
                        timeout_s=20, attempts=1, literature="local", papers_dir=str(template))
    def model():
        return get_model("mock/scripted", script=[scripted_edits("no idea hangs")] * 500)

    first = await run_loop(config, model=model())
    assert first["status"] == "finished" and [r["evaluated"] for r in first["rounds"]] == [1, 1]
    with pytest.raises(FileExistsError, match="--resume"):
        await run_loop(config, model=model())  # never writes over a finished run
    lines = (out / "fitness.csv").read_text().splitlines()
    (out / "fitness.csv").write_text("\n".join(lines[:-1]) + "\n")  # as if it died during round 1
    baseline_mtime = (out / "runs" / "baseline" / "run.json").stat().st_mtime
    round0 = (out / "papers").glob("*/round_0/paper.md")
    round0_mtimes = {p: p.stat().st_mtime for p in round0}
    again = await run_loop(config.model_copy(update={"resume": True}), model=model())
    assert again["status"] == "finished" and [r["round"] for r in again["rounds"]] == [0, 1]
    assert (out / "runs" / "baseline" / "run.json").stat().st_mtime == baseline_mtime
    assert all(p.stat().st_mtime == m for p, m in round0_mtimes.items())
    assert list((out / "runs").glob("*/.incomplete-*/round1_1"))  # the partial round kept aside, redone
    assert [r.split(",")[:3] for r in (out / "fitness.csv").read_text().splitlines()[1:]] == \
        [r.split(",")[:3] for r in lines[1:]]
    assert any("resumed" in n for n in again["notes"])


def synthetic_calibrator(path: Path) -> Path:
    """A calibrator fitted on made-up reviews (plumbing only: says nothing about real papers)."""
    import random

    import pandas as pd

    from reviewer.calibrate import Calibrator
    from reviewer.form import CSV_COLUMNS

    rng = random.Random(0)
    rows, labels = [], []
    for i in range(80):
        o = rng.choice([2, 3, 4, 5, 6, 7, 8])
        sub = max(1, min(4, round(o / 2.5)))
        row = dict.fromkeys(CSV_COLUMNS)
        row.update({"paper_id": f"p{i}", "Summary": "s", "Questions": "[]", "Limitations": "[]", "Ethical Concerns": False,
                    "Strengths": "[]", "Weaknesses": "[]", "Overall": o, "Confidence": 3,
                    "Decision": "Accept" if o >= 6 else "Reject",
                    **dict.fromkeys(["Soundness", "Presentation", "Contribution", "Originality", "Quality", "Clarity",
                                     "Significance"], sub)})
        rows.append(row)
        labels.append({"paper_id": f"p{i}", "accepted": o + rng.gauss(0, 1.5) >= 6, "mean_rating": o + rng.gauss(0, 1)})
    Calibrator.fit(pd.DataFrame(rows), pd.DataFrame(labels)).save(path)
    return path


async def test_calibrated_fitness(tmp_path, markdown_papers):
    template = tiny_template(tmp_path)
    calibrator = synthetic_calibrator(tmp_path / "cal.json")
    config = LoopConfig(template=str(template), model="mock/default", out=tmp_path / "out", ideas=1, rounds=0,
                        smoke=True, timeout_s=20, attempts=1, literature="local", papers_dir=str(template),
                        calibrator=str(calibrator))
    summary = await run_loop(config, model=get_model("mock/scripted", script=[scripted_edits("none")] * 200))
    [row] = rows(tmp_path / "out")
    assert row["status"] == "evaluated" and row["fitness_kind"] == "calibrated_p_accept"
    review = json.loads((tmp_path / "out" / "reviews" / f"{row['idea']}_round0.json").read_text())
    assert float(row["fitness"]) == pytest.approx(review["p_accept"]) and 0 < review["p_accept"] < 1
    held = json.loads((tmp_path / "out" / "reviews" / f"{row['idea']}_round0_held_out.json").read_text())
    assert float(row["held_out_p_accept"]) == pytest.approx(held["p_accept"])
    assert summary["fitness_kind"] == "calibrated_p_accept" and "calibrator" in summary["reviewers"]["optimised"]


async def test_a_model_without_valid_ideas_falls_back_to_seeds(tmp_path, markdown_papers):
    template = tiny_template(tmp_path)

    def answer(messages, config):
        return "no JSON here" if config.task in ("idea", "idea_reflection") else scripted_edits("none")(messages, config)

    config = LoopConfig(template=str(template), model="mock/scripted", out=tmp_path / "out", ideas=1, rounds=0,
                        smoke=True, timeout_s=20, attempts=1, literature="local", papers_dir=str(template))
    summary = await run_loop(config, model=get_model("mock/scripted", script=[answer] * 200))
    [idea] = json.loads((tmp_path / "out" / "ideas.json").read_text())
    assert idea["name"] == "bigger_value" and idea["origin"] == "seed"
    assert any("added seed idea" in n for n in summary["notes"])
    assert rows(tmp_path / "out")[0]["status"] == "evaluated"


async def test_elitism_a_worse_revision_is_recorded_but_not_adopted(tmp_path, markdown_papers):
    from reviewer.mock_reviews import canned_review

    template = tiny_template(tmp_path)
    # The optimised reviewer's Overall for rounds 0 and 1. Round 2 revises the round-0 version with the same
    # (deterministic) answers as round 1, so its paper is identical and its review comes from the cache.
    overall = iter([7, 3])
    edits = scripted_edits("none")

    def answer(messages, config):
        if config.task == "review":
            o = next(overall)
            return {**canned_review("x"), "Overall": o, "Decision": "Accept" if o >= 6 else "Reject"}
        return edits(messages, config)

    config = LoopConfig(template=str(template), model="mock/scripted", out=tmp_path / "out", ideas=1, rounds=2,
                        smoke=True, timeout_s=20, attempts=1, literature="local", papers_dir=str(template))
    await run_loop(config, model=get_model("mock/scripted", script=[answer] * 300), held_out_model=get_model("mock/default"))
    table = rows(tmp_path / "out")
    assert [(r["round"], r["overall"], r["adopted"]) for r in table] == [("0", "7", "True"), ("1", "3", "False"),
                                                                      ("2", "3", "False")]
    runs = tmp_path / "out" / "runs" / table[0]["idea"]
    value = re.compile(r"^VALUE = ([\d.]+)$", re.M)
    assert value.findall((runs / "round0_1" / "experiment.py").read_text()) == ["2.0"]
    assert value.findall((runs / "round1_1" / "experiment.py").read_text()) == ["3.0"]
    # round 2 revised the adopted round-0 version again, not the worse round-1 one
    assert value.findall((runs / "round2_1" / "experiment.py").read_text()) == ["3.0"]
