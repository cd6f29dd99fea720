"""`aisci calibrate cv`: honest nested cross-validation of the calibrator on a dataset's human labels."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXAMPLES = """
  aisci calibrate cv --dataset ../shared/data/iclr2022 \\
      --reviews ../shared/data/iclr2022/llm_reviews/gpt-4o-2024-05-13_temp_0_1_fewshot_1_reflect_5_ensemble_5_pages_all.csv
  aisci calibrate cv --dataset ../shared/data/iclr2022 --reviews a.csv --reviews b.csv --folds 5 --repeats 5 --json
"""

ROWS = ("auc", "balanced_accuracy", "accuracy", "f1", "ece", "brier", "spearman", "mae", "accept_rate_pred")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", help="dataset dir (default: $AISCI_DATA_DIR)")
    parser.add_argument("--reviews", action="append", required=True,
                        help="reviews CSV or run dir; repeat for a panel of reviewers of the same papers")
    parser.add_argument("--folds", type=int, default=5, help="outer folds (5); inner CV uses 5 folds")
    parser.add_argument("--repeats", type=int, default=5, help="repeats of the outer split (5)")
    parser.add_argument("--method", choices=("logistic", "isotonic"), default="logistic")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="also write the JSON to this file")
    parser.add_argument("--json", action="store_true", help="print the JSON instead of a table")


def _f(v: object) -> str:
    return "null" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def _ci(m: dict, k: str) -> str:
    c = (m.get("ci95") or {}).get(k)
    return f"[{c[0]:.3f}, {c[1]:.3f}]" if c else ""


def format_table(m: dict) -> str:
    cv, raw, sp = m["cv"], m["raw"], m["fold_spread"]
    lines = [f"reviews: {m['reviews']['name']}  ({cv['n_reviewers']} reviewer(s); {m['n']} papers)",
             f"nested CV: {cv['repeats']} x {cv['folds']}-fold, method {cv['method']}, seed {cv['seed']}; "
             f"mean threshold {cv['threshold']['mean']:.3f}",
             "", f"{'metric':<18} {'calibrated':>10}  {'95% CI':<16} {'fold mean±sd':<14} {'raw':>7}  95% CI"]
    for k in ROWS:
        s = sp.get(k) or {}
        spread = f"{s['mean']:.3f}±{s['std']:.3f}" if s.get("std") is not None else ""
        lines.append(f"{k:<18} {_f(m[k]):>10}  {_ci(m, k):<16} {spread:<14} {_f(raw.get(k)):>7}  {_ci(raw, k)}")
    fl = m.get("ece_noise_floor") or {}
    lines += ["", f"raw = {raw['reviews'].get('note')}; ece/brier/mae need a probability or human-scale rating",
              f"ece of perfectly calibrated probabilities on these papers (noise floor): mean {_f(fl.get('mean'))}, "
              f"95th pct {_f(fl.get('p95'))}", f"choices per fold: {json.dumps(cv['choices']['prob_head'])}; feature set "
              f"{json.dumps(cv['choices'].get('feature_set'))}"]
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    from benchmarks.calibration_cv import nested_cv
    from benchmarks.datasets import DatasetError, load_dataset, resolve_dataset_dir
    from benchmarks.reviews_io import ReviewsError, read_reviews, reviews_csv_path
    from reviewer.calibrate import CalibratorError

    try:
        ds = load_dataset(resolve_dataset_dir(args.dataset))
        paths = [reviews_csv_path(p) for p in args.reviews]
        frames = [read_reviews(p) for p in paths]
        name = " + ".join(p.parent.name if p.name == "reviews.csv" else p.stem for p in paths)
        m = nested_cv(ds, frames if len(frames) > 1 else frames[0], folds=args.folds, repeats=args.repeats,
                      seed=args.seed, method=args.method, reviews_name=name)
    except (DatasetError, ReviewsError, CalibratorError, ValueError, OSError) as e:
        print(f"aisci calibrate cv: {e}", file=sys.stderr)
        return 2
    text = json.dumps(m, indent=2)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text if args.json else format_table(m))
    return 0
