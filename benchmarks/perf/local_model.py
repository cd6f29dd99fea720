"""The embedded local model: seconds per review, prompt / generation tokens per second, server RSS.

    /work/venv/bin/python benchmarks/perf/local_model.py [--model smollm2-135m] [--excerpt-tokens 3000]
        [--paper PATH] [--ctx 8192] [--threads 2] [--max-tokens 1200] [--json out.json]

One review request of a paper excerpt (the reviewer's real system prompt, review message and JSON
schema; greedy; prompt cache off) is made twice on the same server:
- baseline: a raw HTTP POST to the llama.cpp server (stdlib urllib), whose `timings` give the server's
  own prompt and generation tokens/second;
- ours: the same request through `get_model("local/...")` (Model wrapper + LocalProvider + openai SDK):
  seconds per review.
The harness overhead is then measured on --pairs raw/ours pairs (ABBA order) of a short request (so a
busy machine's noise hits both sides alike): median ratio ours/raw of wall time (1.0 = no overhead).
The paper is the first ICLR 2022 text in ../shared/data (or --paper), cut to --excerpt-tokens with the
server's own tokenizer. Reports the 1-minute load average: on a shared machine it explains the speed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
PAPERS = Path(os.environ.get("AISCI_SHARED_DATA", REPO.parent / "shared" / "data")) / "iclr2022" / "papers"


def post(url: str, body: dict, timeout: float = 1800) -> dict:
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


def paper_text(path: str | None) -> tuple[str, str]:
    if path:
        return Path(path).name, Path(path).read_text(errors="replace")
    files = sorted(PAPERS.glob("*.txt")) if PAPERS.is_dir() else []
    if files:
        return files[0].name, files[0].read_text(errors="replace")
    words = ("We study a method for learning representations and evaluate it on several benchmarks, "
             "reporting accuracy, ablations and limitations. ").split()
    return "generated text", " ".join(words[i % len(words)] for i in range(6000))


def excerpt(base: str, text: str, tokens: int) -> str:
    ids = post(f"{base}/tokenize", {"content": text})["tokens"][:tokens]
    return post(f"{base}/detokenize", {"tokens": ids})["content"]


class RssSampler:
    """Peak resident memory of the server process, sampled every 0.2 s."""

    def __init__(self, pid: int):
        self.proc, self.peak, self._stop = psutil.Process(pid), 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> int:
        return self.proc.memory_info().rss

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self.now())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_):
        self._stop.set()
        self._thread.join()


async def run(args: argparse.Namespace) -> dict:
    from reviewer.form import review_json_schema
    from reviewer.llm import GenerateConfig, Message, get_model
    from reviewer.prompts import review_user_message, system_prompt

    model = get_model(f"local/{args.model}", cache=False, ctx=args.ctx, threads=args.threads, max_retries=0)
    t0 = time.perf_counter()
    url = await model.provider.start()
    startup = time.perf_counter() - t0
    base = url.removesuffix("/v1")
    name, text = paper_text(args.paper)
    paper = excerpt(base, text, args.excerpt_tokens)
    messages = [Message(role="system", content=system_prompt("neutral")),
                Message(role="user", content=review_user_message(paper, []), cache_prefix=True)]
    schema = review_json_schema()
    config = GenerateConfig(temperature=0.0, max_tokens=args.max_tokens, json_schema=schema, task="review",
                            timeout_s=3600)
    sampler = RssSampler(model.provider.server_pid)
    idle_rss = sampler.now()
    with sampler:
        body = {"model": args.model, "messages": [m.model_dump(include={"role", "content"}) for m in messages],
                "temperature": 0.0, "max_tokens": args.max_tokens, "cache_prompt": False,
                "response_format": {"type": "json_schema", "json_schema": {"name": "review", "schema": schema}}}
        t0 = time.perf_counter()
        raw = await asyncio.to_thread(post, f"{url}/chat/completions", body)
        raw_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        ours = await model.generate(messages, config)
        ours_s = time.perf_counter() - t0
    # outside the RSS sampler: its polling thread would slow our asyncio side only (GIL)
    ratios: list[float] = []
    diffs: list[float] = []
    short = [Message(role="user", content=f"In one sentence, what is this paper about?\n{paper[:300]}")]
    short_body = {**{k: v for k, v in body.items() if k != "response_format"}, "max_tokens": 48,
                  "messages": [m.model_dump(include={"role", "content"}) for m in short]}

    async def timed(ours_side: bool) -> float:
        t0 = time.perf_counter()
        if ours_side:
            await model.generate(short, GenerateConfig(temperature=0.0, max_tokens=48))
        else:
            await asyncio.to_thread(post, f"{url}/chat/completions", short_body)
        return time.perf_counter() - t0

    for i in range(args.pairs):  # ABBA order: a time trend on a busy machine hits both sides alike
        first = await timed(ours_side=i % 2 == 1)
        second = await timed(ours_side=i % 2 == 0)
        ours_t, raw_t = (first, second) if i % 2 == 1 else (second, first)
        ratios.append(ours_t / raw_t)
        diffs.append(ours_t - raw_t)
        print(f"pair {i}: raw {raw_t:.2f}s ours {ours_t:.2f}s", file=sys.stderr, flush=True)
    await model.aclose()
    timings = raw.get("timings", {})
    raw_text = raw["choices"][0]["message"]["content"]
    try:
        parsed = json.loads(ours.text)
    except json.JSONDecodeError:
        parsed = None
    return {
        "model": model.name, "paper": name, "excerpt_tokens": args.excerpt_tokens, "ctx": args.ctx,
        "threads": args.threads, "load_avg_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
        "startup_s": round(startup, 2),
        "prompt_tokens": ours.usage.input_tokens, "output_tokens": ours.usage.output_tokens,
        "finish_reason": ours.finish_reason, "schema_valid_json": isinstance(parsed, dict),
        "server_prompt_tok_s": round(timings.get("prompt_per_second", 0.0), 1),
        "server_gen_tok_s": round(timings.get("predicted_per_second", 0.0), 1),
        "baseline_raw_http_s": round(raw_s, 2), "ours_s_per_review": round(ours_s, 2),
        "review_ratio_ours_vs_raw": round(ours_s / raw_s, 3), "same_text_as_raw": ours.text == raw_text,
        "overhead_pairs_ratios": [round(r, 3) for r in ratios],
        "overhead_median_ratio_ours_vs_raw": round(statistics.median(ratios), 3) if ratios else None,
        "overhead_median_s_ours_minus_raw": round(statistics.median(diffs), 3) if diffs else None,
        "ours_gen_tok_s_end_to_end": round(ours.usage.output_tokens / ours_s, 2),
        "server_rss_idle_mb": round(idle_rss / 1e6), "server_rss_peak_mb": round(max(sampler.peak, idle_rss) / 1e6),
        "review": parsed if args.show_review else None,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=None, help="local model name or .gguf path (default: the default model)")
    p.add_argument("--paper", help="a .txt paper (default: first ICLR 2022 paper in ../shared/data)")
    p.add_argument("--excerpt-tokens", type=int, default=3000, help="paper tokens kept (default 3000 ~ 3 pages)")
    p.add_argument("--ctx", type=int, default=8192)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--max-tokens", type=int, default=1200, help="answer token limit (default 1200)")
    p.add_argument("--pairs", type=int, default=6, help="raw/ours short-request pairs, ABBA order (default 6)")
    p.add_argument("--show-review", action="store_true", help="include the parsed review in the output")
    p.add_argument("--json", help="also write the result here")
    args = p.parse_args(argv)
    if args.model is None:
        from reviewer.llm.providers.local import DEFAULT_LOCAL_MODEL

        args.model = DEFAULT_LOCAL_MODEL
    result = asyncio.run(run(args))
    width = max(map(len, result))
    for k, v in result.items():
        if k != "review" or v is not None:
            print(f"{k:<{width}}  {json.dumps(v) if isinstance(v, dict) else v}")
    print(f"\nharness overhead: median ours/raw wall time over {args.pairs} ABBA pairs = "
          f"{result['overhead_median_ratio_ours_vs_raw']} (same request, same server; 1.0 = no overhead)")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
