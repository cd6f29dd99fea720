"""`aisci leaderboard`: compare reviewers on a dataset; writes leaderboard.md/.json, PNGs, index.html."""

from __future__ import annotations

import argparse
import sys

EXAMPLES = """
  aisci leaderboard --dataset ../shared/data/iclr2022 --out reports/iclr2022-recorded \\
      ../shared/data/iclr2022/llm_reviews/*.csv
  aisci leaderboard --dataset ../shared/data/iclr2022 --out reports/mine runs/gpt4o runs/qwen --calibrated --leakage
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="RUN_DIR_OR_CSV", help="run dirs or reviews CSVs")
    parser.add_argument("--dataset", help="dataset dir (default: $AISCI_DATA_DIR)")
    parser.add_argument("--out", required=True, help="report dir, e.g. reports/NAME")
    parser.add_argument("--rule", choices=("overall", "decision"), default="overall",
                        help="decision rule of the raw rows (default: Overall >= threshold)")
    parser.add_argument("--threshold", type=float, default=6.0, help="Overall threshold (6)")
    parser.add_argument("--calibrated", action="store_true",
                        help="add out-of-fold calibrated rows per reviewer and for the panel (issue 5)")
    parser.add_argument("--folds", type=int, default=5, help="CV folds for --calibrated (5)")
    parser.add_argument("--repeats", type=int, default=5, help="CV repeats for --calibrated (5)")
    parser.add_argument("--leakage", action="store_true", help="add the text-leakage audit section (issue 5)")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples (1000)")
    parser.add_argument("--seed", type=int, default=0)


def main(args: argparse.Namespace) -> int:
    from benchmarks.datasets import DatasetError, load_dataset, resolve_dataset_dir
    from benchmarks.leaderboard import LeaderboardError, build
    from benchmarks.report import write_report
    from benchmarks.reviews_io import ReviewsError
    from benchmarks.score import ScoreError

    try:
        ds = load_dataset(resolve_dataset_dir(args.dataset))
        lb = build(ds, args.inputs, rule=args.rule, threshold=args.threshold, calibrated=args.calibrated,
                   leakage=args.leakage, folds=args.folds, repeats=args.repeats, n_boot=args.bootstrap,
                   seed=args.seed)
    except (DatasetError, ReviewsError, ScoreError, LeaderboardError, OSError) as e:
        print(f"aisci leaderboard: {e}", file=sys.stderr)
        return 2
    files = write_report(lb, args.out)
    print((files[0]).read_text())
    print(f"wrote {len(files)} files to {args.out} (open {files[2]})")
    return 0
