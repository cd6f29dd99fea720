"""`aisci review`: in-process (reviewer.aisci.main) and once as a real subprocess, against mock/default
and a real OpenAI-compatible HTTP server on 127.0.0.1 (reviewer.testing.fake_server)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.aisci import main
from reviewer.form import FORM_FIELDS, Review
from reviewer.testing.fake_server import FakeServer

PAPER = "# Gated Diffusion\n\n## Abstract\n\nWe propose gating for diffusion models.\n\n## 1 Introduction\n\nBody.\n"


@pytest.fixture
def paper(tmp_path) -> Path:
    p = tmp_path / "paper.md"
    p.write_text(PAPER)
    return p


def _check_json(out: str) -> dict:
    data = json.loads(out)
    for key in [*FORM_FIELDS, "usage", "cost_usd", "injection_suspected"]:
        assert key in data, key
    Review.model_validate({k: data[k] for k in FORM_FIELDS})
    return data


def test_json_with_mock_default(paper, capsys):
    assert main(["review", str(paper), "--model", "mock/default", "--ensemble", "2", "--reflections", "1", "--json"]) == 0
    data = _check_json(capsys.readouterr().out)
    assert data["n_members"] == 2 and data["cost_usd"] == 0.0 and data["error"] is None
    assert "p_accept" not in data  # only with --calibrator


def test_human_readable(paper, capsys):
    assert main(["review", str(paper), "--model", "mock/default"]) == 0
    out = capsys.readouterr().out
    assert "Decision:" in out and "Overall:" in out and "Strengths:" in out and "Usage:" in out


def test_against_openai_compatible_server(paper, capsys):
    with FakeServer() as srv:
        code = main(["review", str(paper), "--model", "openai/fake-model", "--base-url", srv.base_url,
                     "--ensemble", "3", "--no-cache", "--json"])
        assert code == 0
        data = _check_json(capsys.readouterr().out)
        body = srv.requests[0]
        assert [r.get("n", 1) for r in srv.requests] == [3, 1]  # provider n for the ensemble, then the meta-review
    assert data["model"] == "openai/fake-model" and data["n_members"] == 3
    assert data["usage"]["input_tokens"] >= 0
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["properties"]["Overall"]["enum"] == list(range(1, 11))
    assert "<paper>" in body["messages"][1]["content"]


def test_default_model_is_announced(paper, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with FakeServer() as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        assert main(["review", str(paper), "--json", "--no-cache"]) == 0
    captured = capsys.readouterr()
    assert "using model openai/" in captured.err or json.loads(captured.out)["model"].startswith("openai/")


@pytest.mark.parametrize("content,cause", [(None, "no such file"), (b"not a pdf at all", "")])
def test_bad_paper_one_line_error(tmp_path, capsys, content, cause):
    p = tmp_path / "bad.pdf"
    if content is not None:
        p.write_bytes(content)
    assert main(["review", str(p), "--model", "mock/default", "--json"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "bad.pdf" in err and cause in err


def test_bad_option_values(paper, capsys):
    assert main(["review", str(paper), "--model", "mock/default", "--ensemble", "0"]) == 2
    assert "ensemble" in capsys.readouterr().err
    assert main(["review", str(paper), "--model", "nope/x"]) == 2
    assert main(["review", str(paper), "--model", "mock/default", "--fewshot", "1",
                 "--fewshot-dir", str(paper.parent / "none")]) == 2
    assert "few-shot" in capsys.readouterr().err


def test_help_has_example(capsys):
    with pytest.raises(SystemExit):
        main(["review", "--help"])
    out = capsys.readouterr().out
    assert "aisci review paper.pdf" in out and "--no-sanitize" in out


def test_subprocess_against_server(paper, tmp_path):
    aisci = Path(sys.executable).with_name("aisci")
    cmd = [str(aisci)] if aisci.exists() else [sys.executable, "-m", "reviewer.aisci"]
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    with FakeServer() as srv:
        proc = subprocess.run([*cmd, "review", str(paper), "--model", "openai/fake-model", "--base-url", srv.base_url,
                               "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = _check_json(proc.stdout)
    assert data["error"] is None and len(srv.requests) == 1


def test_json_with_calibrator(paper, capsys, monkeypatch):
    class FakeCalibrator:  # reviewer.calibrate is tested on its own; here only the wiring
        def predict_one(self, row):
            return {"p_accept": 0.3, "rating_calibrated": 4.8, "decision": "Reject"}

    monkeypatch.setattr("reviewer.pipeline.load_calibrator", lambda path: FakeCalibrator())
    assert main(["review", str(paper), "--model", "mock/default", "--calibrator", "cal.json", "--json"]) == 0
    data = _check_json(capsys.readouterr().out)
    assert (data["p_accept"], data["rating_calibrated"]) == (0.3, 4.8)
