"""`aisci bench score`: metrics of a reviews CSV / run dir against a dataset's human labels."""

from __future__ import annotations

import argparse
import json
import sys

EXAMPLES = """
  aisci bench score --dataset ../shared/data/iclr2022 \\
      --reviews ../shared/data/iclr2022/llm_reviews/gpt-4o-2024-05-13_temp_0_1_fewshot_1_reflect_5_ensemble_5_pages_all.csv
  aisci bench score --dataset ../shared/data/iclr2022 --reviews runs/mock --rule decision --json
  aisci bench score --dataset ../shared/data/iclr2022 --reviews runs/gpt4o --rule calibrated --calibrator cal.json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", help="dataset dir (default: $AISCI_DATA_DIR)")
    parser.add_argument("--reviews", required=True, help="reviews CSV or a run dir containing reviews.csv")
    parser.add_argument("--rule", choices=("overall", "decision", "calibrated"), default="overall",
                        help="accept when Overall >= threshold (default), the Decision column, or a calibrator")
    parser.add_argument("--threshold", type=float, default=6.0, help="Overall threshold for --rule overall (6)")
    parser.add_argument("--calibrator", help="calibrator JSON (reviewer/calibrate.py) for --rule calibrated")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for the 95%% CIs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the metrics JSON instead of a table")


def _fmt(v: object) -> str:
    return "null" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def format_table(m: dict) -> str:
    rev, ci = m["reviews"], m["ci95"] or {}
    lines = [f"reviews: {rev['name']}  rule: {m['rule']}"
             + (f" (Overall >= {rev['threshold']:g})" if rev.get("threshold") is not None else "")
             + f"  continuous score: {rev['continuous_score']}",
             f"dataset: {m['dataset']['path']} ({m['dataset']['n_papers']} papers, sha256 {m['dataset']['hash'][:12]})",
             f"scored {rev['scored']}  failed {rev['failed']}  missing {rev['missing']}"
             + (f"  rows for unknown papers {rev['unknown_papers']}" if rev["unknown_papers"] else ""),
             "", f"{'metric':<18} {'value':>7}   95% CI"]
    for k in ("accuracy", "balanced_accuracy", "f1", "auc_binary", "auc", "fpr", "fnr", "spearman", "pearson",
              "kendall", "mae", "ece", "brier", "accept_rate_pred", "accept_rate_true"):
        c = ci.get(k)
        lines.append(f"{k:<18} {_fmt(m[k]):>7}   " + (f"[{c[0]:.3f}, {c[1]:.3f}]" if c else ""))
    hb = m["human_baseline"] or {}
    lines += ["", f"human baseline on the same papers ({hb.get('n_papers')} papers with >= 2 reviews):",
              f"  one reviewer vs mean of the others: spearman {_fmt(hb.get('spearman_one_vs_rest'))}, "
              f"pearson {_fmt(hb.get('pearson_one_vs_rest'))}",
              f"  two random reviewers: spearman {_fmt(hb.get('spearman_two_random'))}"]
    nd = hb.get("single_reviewer_vs_decision_not_independent")
    if nd:
        lines.append(f"  one reviewer vs decision (NOT independent: decisions follow ratings): auc {_fmt(nd['auc'])}")
    if rev.get("warning"):
        lines += ["", f"warning: {rev['warning']}"]
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    from benchmarks.datasets import DatasetError, load_dataset, resolve_dataset_dir
    from benchmarks.reviews_io import ReviewsError
    from benchmarks.score import ScoreError, score_path

    try:
        ds = load_dataset(resolve_dataset_dir(args.dataset))
        m = score_path(ds, args.reviews, rule=args.rule, threshold=args.threshold, calibrator=args.calibrator,
                       n_boot=args.bootstrap, seed=args.seed)
    except (DatasetError, ReviewsError, ScoreError, OSError) as e:
        print(f"aisci bench score: {e}", file=sys.stderr)
        return 2
    print(json.dumps(m, indent=2) if args.json else format_table(m))
    return 0
