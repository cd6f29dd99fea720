"""Reviewer flags shared by `aisci review`, `aisci bench run` and the scientist's reviewer."""

from __future__ import annotations

import argparse


def add_reviewer_arguments(parser: argparse.ArgumentParser, *, sanitize_default: bool) -> None:
    g = parser.add_argument_group("reviewer")
    g.add_argument("--model", help="provider/model, e.g. openai/gpt-4o-2024-05-13, anthropic/claude-3-5-sonnet-20240620, "
                   "ollama/qwen2.5:7b, local/smollm2-135m, mock/default (default: OpenAI or Anthropic when "
                   "their key is set, else the embedded local model)")
    g.add_argument("--base-url", help="OpenAI-compatible server URL (vLLM, Ollama, llama.cpp, LM Studio); "
                   "also OPENAI_BASE_URL")
    g.add_argument("--temperature", type=float, default=0.1)
    g.add_argument("--fewshot", type=int, default=0, help="number of few-shot example reviews (default 0)")
    g.add_argument("--fewshot-dir", help="directory of <name>.txt + <name>.json example pairs")
    g.add_argument("--ensemble", type=int, default=1, help="number of sampled reviews aggregated (default 1)")
    g.add_argument("--reflections", type=int, default=0, help="self-reflection rounds (default 0)")
    g.add_argument("--meta-review", action=argparse.BooleanOptionalAction, default=True,
                   help="area-chair meta-review of the ensemble's text fields (default on)")
    g.add_argument("--stance", choices=["neutral", "critical", "lenient"], default="neutral")
    g.add_argument("--page-limit", type=int, default=None, help="read at most this many PDF pages")
    g.add_argument("--max-tokens", type=int, default=None, help="answer token limit per call")
    g.add_argument("--calibrator", help="calibrator JSON (aisci calibrate fit) -> p_accept, rating_calibrated")
    g.add_argument("--sanitize", action=argparse.BooleanOptionalAction, default=sanitize_default,
                   help="remove identity/status leaks (authors, venue headers, acknowledgements) before review "
                   f"(default {'on' if sanitize_default else 'off'})")
    g.add_argument("--injection-judge", action="store_true",
                   help="also ask the model whether the paper's most instruction-like passages that the offline "
                   "detector did not flag are aimed at the reviewer (one short extra call per paper)")
    g.add_argument("--max-cost", type=float, default=None, help="stop making model calls at this many USD")
    g.add_argument("--no-cache", action="store_true", help="bypass the on-disk response cache")


def config_from_args(args: argparse.Namespace):
    from reviewer.llm import default_model_name
    from reviewer.pipeline import ReviewerConfig

    fields = {
        "model": args.model or default_model_name(),
        "base_url": args.base_url,
        "temperature": args.temperature,
        "fewshot": args.fewshot,
        "fewshot_dir": args.fewshot_dir,
        "ensemble": args.ensemble,
        "reflections": args.reflections,
        "meta_review": args.meta_review,
        "stance": args.stance,
        "page_limit": args.page_limit,
        "calibrator": args.calibrator,
        "sanitize": args.sanitize,
        "injection_judge": getattr(args, "injection_judge", False),
    }
    if args.max_tokens:
        fields["max_tokens"] = args.max_tokens
    return ReviewerConfig(**{k: v for k, v in fields.items() if v is not None})
