"""`aisci review PAPER`: review one paper with the NeurIPS form and print it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXAMPLES = """\
  aisci review paper.pdf                                   # default model (offline local one without API keys)
  aisci review paper.pdf --model mock/default --json       # canned answers, no network: a smoke test
  aisci review paper.pdf --model openai/gpt-4o-2024-05-13 --fewshot 1 \\
      --fewshot-dir ../shared/data/fewshot_examples --ensemble 5 --reflections 5 --json
  aisci review paper.md --model openai/qwen2.5 --base-url http://127.0.0.1:8000/v1
  aisci review paper.pdf --model anthropic/claude-3-5-sonnet-20240620 --calibrator cal.json --max-cost 1
  aisci review paper.pdf --model openai/gpt-4o-mini --injection-judge --json   # model double-checks injections
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from reviewer.commands.options import add_reviewer_arguments

    parser.add_argument("paper", help="the paper: .pdf, .txt or .md")
    # Shared with `bench run`. The sanitizer is ON by default here too, as for benchmarks: the model
    # should see what a double-blind reviewer sees (no authors, venue headers, acknowledgements).
    add_reviewer_arguments(parser, sanitize_default=True)
    g = parser.add_argument_group("review")
    g.add_argument("--paper-token-budget", type=int, metavar="N",
                   help="cut the paper to ~N tokens, keeping title, abstract, introduction and conclusion "
                        "(default: whole paper; 4000 for local/ models)")
    g.add_argument("--top-logprobs", type=int, metavar="K",
                   help="ask for token logprobs (OpenAI-compatible servers): reports P(Accept) from the Decision token")
    g.add_argument("--json", action="store_true", help="print one JSON object (the 16 form fields + usage, cost, ...)")


def _config(args: argparse.Namespace):
    from reviewer.commands.options import config_from_args

    config = config_from_args(args)
    return config.model_copy(update={"paper_token_budget": args.paper_token_budget,
                                     "top_logprobs": args.top_logprobs})


def json_object(result) -> dict:
    out = dict(result.form())
    out.update(
        usage=result.usage.model_dump(), cost_usd=result.cost_usd, injection_suspected=result.injection_suspected,
        injection_spans=result.injection_spans, model=result.model, n_members=len(result.members),
        p_accept_raw=result.p_accept_raw, error=result.error,
    )
    if result.calibrator is not None:
        out.update(p_accept=result.p_accept, rating_calibrated=result.rating_calibrated)
    return out


def human_text(result) -> str:
    r = result.review
    lines = [f"Paper: {result.paper_title or result.paper_path}", f"Model: {result.model}"]
    if result.model and result.model.startswith("local/"):
        lines.append("  (a tiny embedded model: the review is schema-valid but its content is weak; "
                     "use a real model for real reviews, see docs/local_model.md)")
    if result.injection_suspected:
        spans = "; ".join(repr(s.get("text", ""))[:80] for s in result.injection_spans[:3])
        lines.append(f"WARNING: text aimed at reviewers/models found in the paper (ignored): {spans}")
    if r is None:
        lines.append(f"No review: {result.error}")
        return "\n".join(lines)
    agg = result.aggregate
    lines += ["", f"Decision: {r.Decision}    Overall: {r.Overall}/10    Confidence: {r.Confidence}/5"]
    if agg and agg.n > 1:
        lines.append(f"  ensemble of {agg.n}: Overall mean {agg.mean['Overall']:.2f} (std {agg.std['Overall']:.2f}), "
                     f"Accept share {agg.mean['Decision']:.2f}")
    scores = ["Soundness", "Presentation", "Contribution", "Originality", "Quality", "Clarity", "Significance"]
    lines.append("  " + "  ".join(f"{s} {r.get(s)}/4" for s in scores))
    lines.append(f"  Ethical concerns: {'yes' if r.Ethical_Concerns else 'no'}")
    if result.p_accept is not None:
        lines.append(f"  Calibrated: P(accept) {result.p_accept:.2f}, rating {result.rating_calibrated:.2f}")
    if result.p_accept_raw is not None:
        lines.append(f"  P(Accept) from the Decision token: {result.p_accept_raw:.2f}")
    lines += ["", "Summary:", "  " + r.Summary]
    for name in ("Strengths", "Weaknesses", "Questions", "Limitations"):
        items = r.get(name)
        lines += ["", f"{name}:"] + [f"  - {x}" for x in items] if items else ["", f"{name}: (none)"]
    cost = "unknown (" + (result.cost_note or "price unknown") + ")" if result.cost_usd is None else f"${result.cost_usd:.4f}"
    u = result.usage
    lines += ["", f"Usage: {u.input_tokens} input ({u.cached_tokens} cached) + {u.output_tokens} output tokens, "
                  f"{len(result.trace)} answers; cost {cost}; {result.seconds:.1f}s"]
    lines += [f"Note: {w}" for w in result.warnings]
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    import asyncio

    from pydantic import ValidationError

    from reviewer.llm import UsageTracker, default_model_name, get_model
    from reviewer.llm.errors import ConfigError, CostCapReached
    from reviewer.paper import PaperError
    from reviewer.pipeline import load_for_review, review

    if not Path(args.paper).expanduser().is_file():
        print(f"aisci review: {args.paper}: no such file", file=sys.stderr)
        return 1
    try:
        config = _config(args)
        model_name = config.model or default_model_name()
        paper = load_for_review(args.paper, config, model_name)
        model = get_model(model_name, base_url=args.base_url, cache=not args.no_cache,
                          tracker=UsageTracker(max_cost_usd=args.max_cost))
    except PaperError as e:
        print(f"aisci review: {e}", file=sys.stderr)
        return 1
    except ValidationError as e:
        err = e.errors()[0]
        print(f"aisci review: invalid --{str(err['loc'][0]).replace('_', '-')}: {err['msg']}", file=sys.stderr)
        return 2
    except ConfigError as e:
        print(f"aisci review: {e}", file=sys.stderr)
        return 2
    except ImportError as e:  # e.g. the local extra is not installed
        print(f"aisci review: model {config.model} is not available here ({e})", file=sys.stderr)
        return 2

    async def run():
        try:
            return await review(paper, config, model)
        finally:
            await model.aclose()

    try:
        result = asyncio.run(run())
    except CostCapReached as e:
        print(f"aisci review: {e}", file=sys.stderr)
        return 3
    except (ConfigError, ValueError) as e:  # few-shot dir, calibrator
        print(f"aisci review: {e}".splitlines()[0], file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(json_object(result), ensure_ascii=False))
    else:
        print(human_text(result))
    if result.error:
        print(f"aisci review: {result.error}", file=sys.stderr)
        return 1
    return 0
