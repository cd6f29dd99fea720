"""The Model wrapper against a real HTTP server on 127.0.0.1, through the official SDKs."""

from __future__ import annotations

import asyncio
import time

import pytest

from reviewer.llm import (
    CostCapReached,
    GenerateConfig,
    LLMError,
    Message,
    RetriesExhausted,
    UsageTracker,
    get_model,
)
from reviewer.testing.fake_server import FakeServer, Faults

MSG = [Message(role="user", content="Say OK")]
SCHEMA = {"type": "object", "properties": {"score": {"type": "integer", "enum": [1, 2, 3, 4]}}, "required": ["score"]}


def fast(name="openai/gpt-4o-mini", **kw):
    kw.setdefault("max_retries", 4)
    m = get_model(name, **kw)
    m.retry.base_delay_s = 0.01
    return m


async def test_500_500_200_gives_one_result_in_three_requests():
    with FakeServer(faults=Faults(sequence=["500", "500", "ok"])) as srv:
        out = await fast(base_url=srv.base_url, cache=False).generate(MSG)
        assert out.text == "OK"
        assert srv.n_requests == 3


async def test_retry_after_is_honoured():
    with FakeServer(faults=Faults(sequence=["429", "ok"], retry_after_s=1.0)) as srv:
        start = time.perf_counter()
        out = await fast(base_url=srv.base_url, cache=False).generate(MSG)
        assert out.text == "OK" and srv.n_requests == 2
        assert time.perf_counter() - start >= 0.95


async def test_hang_times_out_then_retries():
    with FakeServer(faults=Faults(sequence=["hang", "ok"], hang_s=5)) as srv:
        start = time.perf_counter()
        out = await fast(base_url=srv.base_url, cache=False).generate(MSG, GenerateConfig(timeout_s=0.5))
        assert out.text == "OK" and srv.n_requests == 2
        assert time.perf_counter() - start < 4


async def test_malformed_and_truncated_bodies_are_retried():
    with FakeServer(faults=Faults(sequence=["malformed", "truncated", "ok"])) as srv:
        out = await fast(base_url=srv.base_url, cache=False).generate(MSG, GenerateConfig(timeout_s=5))
        assert out.text == "OK" and srv.n_requests == 3


async def test_retries_stop_at_the_bound_with_a_clear_error():
    with FakeServer(faults=Faults(p500=1.0)) as srv:
        with pytest.raises(RetriesExhausted, match=r"gave up after 3 attempts.*HTTP 500"):
            await fast(base_url=srv.base_url, cache=False, max_retries=2).generate(MSG)
        assert srv.n_requests == 3


async def test_non_retryable_error_is_not_retried():
    with FakeServer(faults=Faults(sequence=["ok"])) as srv:
        m = fast(name="openai/gpt-4o-mini", base_url=srv.base_url + "/nope", cache=False)
        with pytest.raises(LLMError, match="HTTP 404"):
            await m.generate(MSG)
        assert srv.n_requests == 0  # 404 is final: counted before the body is read


async def test_repeated_call_is_cached_and_counted_once():
    with FakeServer() as srv:
        m = fast(base_url=srv.base_url)
        first = await m.generate(MSG, GenerateConfig(json_schema=SCHEMA))
        second = await m.generate(MSG, GenerateConfig(json_schema=SCHEMA))
        assert srv.n_requests == 1
        assert not first.cached and second.cached
        assert second.parsed == first.parsed == {"score": 3}
        assert m.tracker.calls == 1 and m.tracker.cache_hits == 1
        assert m.tracker.cost_usd == pytest.approx(first.cost_usd)
        # A different base URL is a different model: not served from the cache.
        with FakeServer() as other:
            await fast(base_url=other.base_url).generate(MSG, GenerateConfig(json_schema=SCHEMA))
            assert other.n_requests == 1


async def test_ensemble_samples_cached_separately_and_n_used():
    with FakeServer() as srv:
        m = fast(base_url=srv.base_url)
        outs = await m.generate_n(MSG, GenerateConfig(n=5))
        assert [o.sample_index for o in outs] == list(range(5))
        assert srv.n_requests == 1 and srv.requests[0]["n"] == 5
        outs = await m.generate_n(MSG, GenerateConfig(n=7))  # only the 2 new samples are requested
        assert srv.n_requests == 2 and srv.requests[1]["n"] == 2
        assert sum(o.cached for o in outs) == 5


async def test_concurrency_limit_holds_at_the_server():
    with FakeServer(latency_s=0.05) as srv:
        m = fast(base_url=srv.base_url, cache=False, max_concurrency=8)
        await asyncio.gather(*(m.generate([Message(role="user", content=f"q{i}")]) for i in range(50)))
        assert srv.n_requests == 50
        assert srv.peak_in_flight <= 8
        assert srv.peak_in_flight >= 4  # it did run concurrently


async def test_cost_cap_stops_new_calls_and_keeps_finished_results():
    with FakeServer() as srv:
        tracker = UsageTracker(max_cost_usd=1e-9)
        m = fast(base_url=srv.base_url, cache=False, tracker=tracker)
        first = await m.generate(MSG)
        assert first.cost_usd and first.cost_usd > 0
        with pytest.raises(CostCapReached, match=r"--max-cost \$0\.0000"):
            await m.generate([Message(role="user", content="another")])
        assert srv.n_requests == 1
        assert tracker.cost_usd == pytest.approx(first.cost_usd)


async def test_unknown_price_gives_null_cost_not_zero():
    with FakeServer() as srv:
        out = await fast(name="openai/some-unpriced-model", base_url=srv.base_url, cache=False).generate(MSG)
        assert out.cost_usd is None
        assert out.usage.input_tokens > 0


async def test_anthropic_sdk_tool_use_and_prompt_cache_accounting(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    with FakeServer() as srv:
        m = fast(name="anthropic/claude-3-5-sonnet-20240620", base_url=srv.anthropic_url, cache=False)
        msgs = [Message(role="system", content="You review papers."),
                Message(role="user", content="PAPER " * 200, cache_prefix=True)]
        out = await m.generate(msgs, GenerateConfig(json_schema=SCHEMA, schema_name="review"))
        body = srv.requests[0]
        assert body["tool_choice"] == {"type": "tool", "name": "review"}
        assert body["messages"][0]["content"][0]["cache_control"] == {"type": "ephemeral"}
        assert out.parsed == {"score": 3}
        assert out.usage.cached_tokens > 0
        # cached input is billed at $0.30/M instead of $3/M
        full = (out.usage.input_tokens * 3.0 + out.usage.output_tokens * 15.0) / 1e6
        assert out.cost_usd < full


async def test_openai_json_schema_request_shape():
    with FakeServer() as srv:
        out = await fast(base_url=srv.base_url, cache=False).generate(
            MSG, GenerateConfig(json_schema=SCHEMA, schema_name="review", top_logprobs=5, seed=3))
        body = srv.requests[0]
        assert body["response_format"]["type"] == "json_schema"
        assert body["response_format"]["json_schema"]["schema"] == SCHEMA
        assert body["logprobs"] is True and body["top_logprobs"] == 5 and body["seed"] == 3
        assert out.parsed == {"score": 3}


def test_cache_is_shared_across_processes(tmp_path):
    import subprocess
    import sys

    code = (
        "import asyncio,sys;from reviewer.llm import *;"
        "m=get_model('openai/gpt-4o-mini',base_url=sys.argv[1]);"
        "o=asyncio.run(m.generate([Message(role='user',content='x')]));print(o.cached)"
    )
    with FakeServer() as srv:
        env = {**__import__("os").environ, "AISCI_CACHE_DIR": str(tmp_path / "c")}
        outs = [subprocess.run([sys.executable, "-c", code, srv.base_url], capture_output=True, text=True, env=env,
                               check=True).stdout.strip() for _ in range(2)]
        assert outs == ["False", "True"] and srv.n_requests == 1


def test_model_names_and_aliases(monkeypatch):
    from reviewer.llm.errors import ConfigError
    from reviewer.llm.registry import make_provider

    assert str(make_provider("ollama/qwen2.5:7b").client.base_url).startswith("http://localhost:11434/v1")
    assert str(make_provider("vllm/m").client.base_url).startswith("http://localhost:8000/v1")
    with pytest.raises(ConfigError, match="OPENROUTER_API_KEY"):
        make_provider("openrouter/meta-llama/llama-3.1-70b")
    monkeypatch.setenv("DEEPSEEK_API_KEY", "k")
    assert "api.deepseek.com" in str(make_provider("deepseek/deepseek-chat").client.base_url)
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        make_provider("openai/gpt-4o")
    with pytest.raises(ConfigError, match="unknown provider"):
        make_provider("nosuch/x")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    assert "127.0.0.1:9" in str(make_provider("openai/x").client.base_url)


def test_cache_keys_are_the_per_sample_keys():
    """cache_keys serialises the request once; the keys must stay those of cache_key (existing caches)."""
    from reviewer.llm.cache import cache_key, cache_keys

    msgs = [Message(role="system", content='sys "q" \u00e9\u2028'), Message(role="user", content="paper\n" * 9,
                                                                          cache_prefix=True)]
    ident = {"provider": "openai", "model": "m", "base_url": "http://127.0.0.1:1/v1/"}
    for config in (GenerateConfig(), GenerateConfig(json_schema=SCHEMA, n=5, stop=["x"], seed=3, task="review")):
        assert cache_keys(ident, msgs, config, 6) == [cache_key(ident, msgs, config, i) for i in range(6)]
        assert config.cache_fields() == config.model_dump(exclude={"timeout_s", "n"})


def test_openai_answer_fields_are_read_from_the_json_body():
    from reviewer.llm.errors import RetryableError
    from reviewer.llm.providers.openai import OpenAIProvider, _usage

    p = OpenAIProvider("openai/gpt-4o-mini", "gpt-4o-mini", base_url="http://127.0.0.1:1/v1")
    usage = _usage({"prompt_tokens": 10, "completion_tokens": 3, "prompt_tokens_details": {"cached_tokens": 4}})
    assert (usage.input_tokens, usage.output_tokens, usage.cached_tokens) == (10, 3, 4)
    assert _usage(None).input_tokens == 0 and _usage({"prompt_tokens": None}).input_tokens == 0
    lp = {"content": [{"token": "Accept", "logprob": -0.1, "top_logprobs": [{"token": "Reject", "logprob": -2.0}]}]}
    out = p._output({"message": {"content": "hi"}, "finish_reason": "stop", "logprobs": lp}, usage)
    assert out.text == "hi" and out.finish_reason == "stop" and out.usage.cached_tokens == 4
    assert out.logprobs[0].token == "Accept" and out.logprobs[0].top == {"Reject": -2.0}
    assert p._output({"message": {"content": None, "refusal": "I can't"}}, usage).text == "I can't"
    with pytest.raises(RetryableError, match="without message"):
        p._output({"finish_reason": "stop"}, usage)


async def test_fake_server_answers_after_its_latency_not_a_delayed_ack_later():
    """The answer goes out as one segment with Nagle off: no ~40 ms wait for the client's delayed ACK."""
    with FakeServer(latency_s=0.05) as srv:
        m = fast(base_url=srv.base_url, cache=False)
        await m.generate(MSG)  # connection set up
        start = time.perf_counter()
        for _ in range(10):
            await m.generate(MSG)
        per_request = (time.perf_counter() - start) / 10
        await m.aclose()
        assert per_request < 0.05 + 0.025  # was 0.05 + 0.045


async def test_fake_server_latency_is_counted_from_the_request_arrival():
    """Concurrent requests each wait the configured latency, not less (the answer is built during the
    wait, so the latency is L, not L plus the server's own work)."""
    with FakeServer(latency_s=0.3) as srv:
        m = fast(base_url=srv.base_url, cache=False, max_concurrency=8)
        outs = await asyncio.gather(*(m.generate([Message(role="user", content=f"l{i}")]) for i in range(8)))
        assert srv.n_requests == 8 and srv.peak_in_flight == 8  # all eight were waiting at once
        assert min(o.latency_s for o in outs) >= 0.3
