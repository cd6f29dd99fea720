"""`aisci bench run`: review every paper of a dataset into a resumable run dir."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from reviewer.commands.options import add_reviewer_arguments, config_from_args

EXAMPLES = """
  aisci bench run --dataset ../shared/data/iclr2022 --model mock/default --limit 10 --out runs/mock
  aisci bench run --dataset ../shared/data/iclr2022 --model openai/gpt-4o-mini --fewshot 1 --ensemble 5 \\
      --concurrency 16 --max-cost 5 --out runs/4o-mini
  aisci bench run --dataset ../shared/data/iclr2022 --model local/smollm2-135m --limit 5 --out runs/local
  # same command again = resume: finished papers are skipped, failed ones retried
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", help="dataset dir (ratings.tsv + papers/); default $AISCI_DATA_DIR")
    parser.add_argument("--out", required=True, help="run dir: reviews.csv, log.json, results.jsonl")
    parser.add_argument("--limit", type=int, help="only the first N papers (in ratings order)")
    parser.add_argument("--ids", help="file with one paper_id per line")
    parser.add_argument("--concurrency", type=int, default=8, help="papers reviewed at once (default 8)")
    parser.add_argument("--no-progress", action="store_true")
    add_reviewer_arguments(parser, sanitize_default=True)


def select_ids(all_ids: list[str], ids_file: str | None, limit: int | None) -> list[str]:
    ids = all_ids
    if ids_file:
        wanted = [line.strip() for line in Path(ids_file).read_text().splitlines() if line.strip()]
        unknown = sorted(set(wanted) - set(all_ids))
        if unknown:
            raise SystemExit(f"aisci: {ids_file}: {len(unknown)} ids not in the dataset, e.g. {unknown[0]}")
        ids = wanted
    return ids[:limit] if limit else ids


def main(args: argparse.Namespace) -> int:
    from benchmarks.datasets import load_dataset, resolve_dataset_dir
    from benchmarks.run import BenchRun, tune_gc_for_run

    ds = load_dataset(resolve_dataset_dir(args.dataset))
    config = config_from_args(args)
    tune_gc_for_run()
    run = BenchRun(ds, Path(args.out), config, paper_ids=select_ids(ds.paper_ids, args.ids, args.limit),
                   concurrency=args.concurrency, max_cost=args.max_cost, progress=not args.no_progress,
                   cache=not args.no_cache)
    summary = asyncio.run(run.run())
    print(f"{args.out}: {summary['done']} reviewed, {summary['failed']} failed, {summary['pending']} not run; "
          f"{summary['calls']} model calls ({summary['cache_hits']} cached), cost ${summary['cost_usd']:.4f}"
          f"{'' if summary['cost_complete'] else ' (+ calls of unknown price)'}", file=sys.stderr)
    if summary["failed"]:
        print(f"failed papers have their reason in {args.out}/reviews.csv (column error); "
              "re-run the same command to retry them", file=sys.stderr)
    if summary["cost_capped"]:
        print(f"aisci: {run.cap_message}", file=sys.stderr)
        return 3
    return 0
