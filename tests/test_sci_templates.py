"""Templates: discovery, files, real smoke runs in the sandbox, and model-driven edit/run attempts."""

from __future__ import annotations

import json
import math
import re
import shutil

import pytest

from reviewer.llm import get_model
from scientist.experiments import improve_experiment, run_experiment
from scientist.templates import list_templates, load_template

NAMES = ["char_lm", "diffusion_2d", "grokking"]
SECTIONS = ["TITLE", "ABSTRACT", "INTRODUCTION", "RELATEDWORK", "METHOD", "EXPERIMENTALSETUP", "RESULTS", "CONCLUSION"]


def test_templates_are_discovered_and_complete():
    assert set(NAMES) <= set(list_templates())
    for name in NAMES:
        t = load_template(name)
        assert t.path.is_dir() and t.description.startswith("# ")
        assert len(t.seed_ideas) >= 2
        for idea in t.seed_ideas:
            assert {"name", "title", "hypothesis", "experiment_plan", "interestingness", "feasibility", "novelty"} <= set(idea)
        tex = t.latex_template.read_text()
        for s in SECTIONS:
            assert f"{{{{{s}}}}}" in tex
        assert "\\bibliography{references}" in tex and "@" in t.references_bib.read_text()
        assert "# AISCI-EDITABLE: learning rate\n" in t.experiment_py.read_text()
        cmd = t.command("out", smoke=True)
        assert cmd[1:4] == ["experiment.py", "--out_dir", "out"] and cmd[-1] == "--smoke"
    with pytest.raises(FileNotFoundError, match="not found"):
        load_template("no_such_template")


def finite_metrics(info: dict) -> list[str]:
    bad = []
    for name, entry in info.items():
        assert {"means", "stds", "seeds", "values"} <= set(entry), name
        if entry["means"] is None:  # allowed only when some seed had no value (e.g. never reached 99%)
            assert entry["n_with_value"] < len(entry["seeds"]), name
            continue
        if not (math.isfinite(entry["means"]) and math.isfinite(entry["stds"])):
            bad.append(name)
    return bad


@pytest.mark.torch
@pytest.mark.parametrize("name", NAMES)
def test_smoke_run_in_sandbox_writes_finite_final_info_and_plots(tmp_path, name):
    pytest.importorskip("torch")
    run = run_experiment(name, tmp_path, smoke=True, timeout_s=240, run_name="baseline")
    assert run.ok, f"{run.error}\n{run.stderr_log.read_text()[-2000:]}"
    assert run.network_isolated == (run.isolation != "none")
    info = json.loads((run.dir / "results" / "final_info.json").read_text())
    assert info == run.final_info and not finite_metrics(info)
    key = {"char_lm": "val_bpc", "diffusion_2d": "moons/eval_loss", "grokking": "x_plus_y/final_val_acc"}[name]
    assert math.isfinite(info[key]["means"])
    assert run.plots and all(p.suffix == ".png" and p.stat().st_size > 1000 for p in run.plots)
    assert (run.dir / "experiment.py").is_file() and (run.dir / "run.json").is_file()
    with pytest.raises(FileExistsError):
        run_experiment(name, tmp_path, smoke=True, timeout_s=240, run_name="baseline")


FAKE = """import argparse, json, os
from pathlib import Path
# AISCI-EDITABLE: learning rate
LEARNING_RATE = 1e-3
p = argparse.ArgumentParser(); p.add_argument("--out_dir"); p.add_argument("--smoke", action="store_true")
a = p.parse_args(); Path(a.out_dir).mkdir(exist_ok=True)
info = {"score": {"means": LEARNING_RATE * 1000, "stds": 0.0, "seeds": [0], "values": [LEARNING_RATE * 1000]},
        "has_key": {"means": float("OPENAI_API_KEY" in os.environ), "stds": 0.0, "seeds": [0], "values": [0]}}
Path(a.out_dir, "final_info.json").write_text(json.dumps(info))
"""


@pytest.fixture
def fake_template(tmp_path):
    d = tmp_path / "fake_template"
    d.mkdir()
    (d / "experiment.py").write_text(FAKE)
    return d


def edit(search: str, replace: str) -> str:
    return f"experiment.py\n<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n"


async def test_improve_feeds_back_rejections_timeouts_and_crashes(tmp_path, fake_template, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-should-not-leak")
    script = [
        edit("LEARNING_RATE = 9", "LEARNING_RATE = 2e-3"),  # not found -> rejected, fed back
        edit("LEARNING_RATE = 1e-3", "LEARNING_RATE = 2e-3\nimport signal\nsignal.signal(signal.SIGTERM, "
             "signal.SIG_IGN)\nsignal.alarm(0)\nwhile True:\n    pass"),  # applied; loops forever -> killed
        edit("while True:\n    pass", "raise RuntimeError('boom')"),  # applied; crashes
        edit("raise RuntimeError('boom')", "pass"),  # fixed
    ]
    model = get_model("mock/scripted", script=script)
    runs = await improve_experiment(model, fake_template, tmp_path / "idea", "double the learning rate",
                                    max_attempts=4, smoke=True, timeout_s=3)
    assert [r.run_name for r in runs] == ["attempt_1", "attempt_2", "attempt_3", "attempt_4"]
    assert "edits rejected" in runs[0].error and "not found" in runs[0].error
    assert runs[1].timed_out and "timed out" in runs[1].error and runs[1].seconds < 10
    assert "exited with code 1" in runs[2].error and "boom" in runs[2].error
    assert runs[3].ok and runs[3].final_info["score"]["means"] == pytest.approx(2.0)
    assert runs[3].final_info["has_key"]["means"] == 0.0
    for r in runs:  # each attempt keeps its code, the model's answer and its record
        assert (r.dir / "experiment.py").is_file() and (r.dir / "run.json").is_file()
        assert (r.dir / "model_answer.md").is_file()
    # the model saw each failure's reason in the conversation
    joined = "\n".join(m.content for m in model.provider.requests[-1][0] if m.role == "user")
    assert "not found" in joined and "timed out" in joined and "boom" in joined


async def test_improve_stops_after_k_failed_attempts(tmp_path, fake_template):
    model = get_model("mock/scripted", script=["no blocks here"] * 2)
    runs = await improve_experiment(model, fake_template, tmp_path / "w", "x", max_attempts=2, smoke=True, timeout_s=5)
    assert len(runs) == 2 and all(not r.ok and "no '<<<<<<< SEARCH'" in r.error for r in runs)


@pytest.mark.torch
async def test_improve_with_mock_default_on_a_real_template(tmp_path):
    pytest.importorskip("torch")
    src = tmp_path / "grokking"
    shutil.copytree(load_template("grokking").path, src)
    model = get_model("mock/default")
    runs = await improve_experiment(model, src, tmp_path / "idea", "try it", max_attempts=2, smoke=True, timeout_s=240)
    assert len(runs) == 1 and runs[0].ok, runs[0].error
    assert re.search(r"# AISCI-EDITABLE: learning rate \(mock edit 1\)", runs[0].code.read_text())


@pytest.mark.torch
def test_diffusion_reads_datasaurus_from_shared_data_without_copying(tmp_path):
    """The Datasaurus file is passed by path when present (never copied) and its 'dino' set loads."""
    import importlib.util

    pytest.importorskip("torch")
    t = load_template("diffusion_2d")
    args = t.data_args()
    if not args:
        pytest.skip("DatasaurusDozen.tsv not found under ../shared/data/templates (set AISCI_SHARED_DATA)")
    assert args[0] == "--data" and args[1].endswith("DatasaurusDozen.tsv")
    assert not list(t.path.rglob("*.tsv"))  # not in the repo
    spec = importlib.util.spec_from_file_location("diffusion_experiment", t.experiment_py)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    pts = mod.load_points("dino", 0, args[1])
    assert pts.shape == (mod.N_POINTS, 2) and abs(float(pts.mean())) < 1e-3 and abs(float(pts.std()) - 1) < 1e-2
    with pytest.raises(SystemExit, match="no rows"):
        mod.load_points("not_a_set", 0, args[1])
