"""`aisci bench audit-leakage`: can the paper text alone predict acceptance (identity / status leaks)?"""

from __future__ import annotations

import argparse
import json
import sys

EXAMPLES = """
  aisci bench audit-leakage --dataset ../shared/data/iclr2022
  aisci bench audit-leakage --dataset ../shared/data/iclr2022 --sanitize --json
  aisci bench audit-leakage --dataset ../shared/data/iclr2022 --reviews ../shared/data/iclr2022/llm_reviews/X.csv
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", help="dataset dir (default: $AISCI_DATA_DIR)")
    parser.add_argument("--sanitize", action="store_true", help="probe the texts after reviewer.sanitize.sanitize_text")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reviews", action="append", default=[],
                        help="also estimate how much this reviewer's Overall tracks the leak marker (repeatable)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def format_table(r: dict) -> str:
    lines = [f"papers: {r['n']} ({r['n_accepted']} accepted)  sanitized: {r['sanitized']}  ({r['folds']}-fold CV)",
             f"marker probe AUC: {r['marker_probe_auc']:.3f}", f"bag-of-words probe AUC: {r['bow_probe_auc']:.3f}",
             "", f"{'marker':<20} {'accepted':>8} {'rejected':>8} {'AUC alone':>9}"]
    for k, v in r["marker_rates"].items():
        lines.append(f"{k:<20} {v['accepted']:>8.3f} {v['rejected']:>8.3f} {v['auc_alone'] or 0.5:>9.3f}")
    lines += ["", "top tokens: " + ", ".join(f"{t['token']} ({'+' if t['coef'] > 0 else '-'})" for t in r["top_tokens"])]
    for name, o in (r.get("overall_vs_marker") or {}).items():
        lines.append(f"{name}: partial r(Overall, leak | mean human) = {o['partial_pearson']:.3f} "
                     f"{o['partial_pearson_ci95']}, {o['overall_points_for_leak']:+.2f} Overall points")
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    from benchmarks.datasets import DatasetError, load_dataset, resolve_dataset_dir
    from benchmarks.leakage import audit, overall_vs_marker
    from benchmarks.reviews_io import ReviewsError, read_reviews, reviews_csv_path

    try:
        ds = load_dataset(resolve_dataset_dir(args.dataset))
        r = audit(ds, sanitize=args.sanitize, folds=args.folds, seed=args.seed)
        if args.reviews:
            r["overall_vs_marker"] = {reviews_csv_path(p).stem: overall_vs_marker(ds, read_reviews(p))
                                      for p in args.reviews}
    except (DatasetError, ReviewsError, ValueError, OSError) as e:
        print(f"aisci bench audit-leakage: {e}", file=sys.stderr)
        return 2
    print(json.dumps(r, indent=2) if args.json else format_table(r))
    return 0
