"""`aisci scientist run`: ideas -> novelty -> experiments -> papers, improved with the reviewer as fitness."""

from __future__ import annotations

import argparse
import signal
import sys
import time

EXAMPLES = """\
  aisci scientist run --template grokking --model mock/default --smoke --out out/sci     # offline plumbing check
  aisci scientist run --template grokking --model openai/gpt-4o-mini --calibrator calib.json \\
      --ideas 4 --rounds 2 --max-cost 2.00 --out out/grokking
  aisci scientist run --template diffusion_2d --model local/smollm2-135m --reviewer-model ollama/qwen2.5:7b --smoke
Outputs in --out: ideas.json, runs/, papers/<idea>/round_<k>/paper.(pdf|md), reviews/, fitness.csv,
fitness.png, summary.json, summary.md. Without --calibrator the fitness is (Overall-1)/9, labelled uncalibrated."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--template", required=True, help="template name (scientist/templates/<name>) or directory")
    parser.add_argument("--model", default=None, help="provider/model for ideas, edits, write-up and the optimised "
                        "reviewer (default: from API keys, else the embedded local model)")
    parser.add_argument("--reviewer-model", default=None, help="held-out reviewer's model (default: --model)")
    parser.add_argument("--held-out-stance", default="critical", choices=["neutral", "critical", "lenient"],
                        help="held-out reviewer's prompt stance (default critical)")
    parser.add_argument("--calibrator", default=None, help="calibrator JSON: fitness = calibrated P(accept)")
    parser.add_argument("--ideas", type=int, default=2, help="ideas in the population (default 2)")
    parser.add_argument("--rounds", type=int, default=1, help="improvement rounds after the first papers (default 1)")
    parser.add_argument("--keep", type=int, default=None, help="papers revised per round (default half, at least 1)")
    parser.add_argument("--max-cost", type=float, default=None, help="stop making model calls after this many USD")
    parser.add_argument("--out", default=None, help="output directory (default out/scientist/<template>-<time>)")
    parser.add_argument("--smoke", action="store_true", help="smoke-size experiment runs (seconds, for testing)")
    parser.add_argument("--timeout", type=float, default=None, help="seconds per experiment run (default 120 smoke / 600)")
    parser.add_argument("--attempts", type=int, default=2, help="edit+run attempts per experiment (default 2)")
    parser.add_argument("--literature", default="auto", choices=["auto", "local", "semantic_scholar", "openalex"],
                        help="novelty search backend (auto: Semantic Scholar with S2_API_KEY, else offline local index)")
    parser.add_argument("--papers-dir", default=None, help="papers for the local index (default ../shared/data/iclr2022/papers)")
    parser.add_argument("--resume", action="store_true", help="continue the run in --out: finished idea-rounds "
                        "are kept, unfinished ones redone (paid answers come from the response cache)")
    parser.add_argument("--base-url", default=None, help="base URL for an OpenAI-compatible --model")


def main(args: argparse.Namespace) -> int:
    import asyncio
    from pathlib import Path

    from reviewer.llm import default_model_name
    from reviewer.llm.errors import ConfigError

    from ..loop import LoopConfig, run_loop

    model = args.model or default_model_name()
    out = Path(args.out or f"out/scientist/{Path(args.template).name}-{time.strftime('%Y%m%d-%H%M%S')}")
    config = LoopConfig(template=args.template, model=model, out=out, reviewer_model=args.reviewer_model,
                        calibrator=args.calibrator, ideas=args.ideas, rounds=args.rounds, keep=args.keep,
                        max_cost=args.max_cost, smoke=args.smoke, timeout_s=args.timeout, attempts=args.attempts,
                        literature=args.literature, papers_dir=args.papers_dir,
                        held_out_stance=args.held_out_stance, base_url=args.base_url, resume=args.resume)
    def on_term(signum, frame):  # SIGTERM (kill, timeout, CI cancel) ends like Ctrl-C: reports are written
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        summary = asyncio.run(run_loop(config))
    except (ConfigError, FileNotFoundError, FileExistsError, ValueError) as e:
        print(f"aisci scientist run: {e}", file=sys.stderr)
        return 2
    best = summary.get("best")
    print((out / "summary.md").read_text())
    print(f"outputs in {out}" + (f"; best paper {best['paper']}" if best else "; no paper was evaluated"), file=sys.stderr)
    return 0 if summary["status"] == "finished" else 1
