"""`aisci calibrate fit`: fit a calibrator on a dataset's human labels and save it as JSON."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys

EXAMPLES = """
  aisci calibrate fit --dataset ../shared/data/iclr2022 \\
      --reviews ../shared/data/iclr2022/llm_reviews/gpt-4o-2024-05-13_temp_0_1_fewshot_1_reflect_5_ensemble_5_pages_all.csv \\
      --out calibrators/gpt4o-fewshot.json
  aisci bench score --dataset OTHER_DATASET --reviews runs/gpt4o --rule calibrated --calibrator calibrators/gpt4o-fewshot.json
"""

CV_KEYS = ("n", "auc", "balanced_accuracy", "ece", "brier", "spearman", "mae", "accept_rate_pred", "ci95")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", help="dataset dir with human labels (default: $AISCI_DATA_DIR)")
    parser.add_argument("--reviews", action="append", required=True,
                        help="reviews CSV or run dir; repeat for a panel (then predict needs the same reviewers)")
    parser.add_argument("--out", required=True, help="calibrator JSON to write")
    parser.add_argument("--method", choices=("logistic", "isotonic"), default="logistic")
    parser.add_argument("--threshold-rule", choices=("balanced_accuracy", "accept_rate"), default="balanced_accuracy")
    parser.add_argument("--target-accept-rate", type=float, help="for --threshold-rule accept_rate (default: training rate)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cv-repeats", type=int, default=1,
                        help="repeats of the 5-fold nested CV whose metrics are stored in the file (0 = skip)")
    parser.add_argument("--json", action="store_true", help="print the calibrator JSON")


def main(args: argparse.Namespace) -> int:
    from benchmarks.calibration_cv import nested_cv
    from benchmarks.datasets import DatasetError, load_dataset, resolve_dataset_dir
    from benchmarks.reviews_io import ReviewsError, read_reviews, reviews_csv_path
    from reviewer.calibrate import Calibrator, CalibratorError

    try:
        ds = load_dataset(resolve_dataset_dir(args.dataset))
        paths = [reviews_csv_path(p) for p in args.reviews]
        frames = [read_reviews(p) for p in paths]
        reviews = frames if len(frames) > 1 else frames[0]
        cal = Calibrator.fit(reviews, ds.ratings, method=args.method, threshold_rule=args.threshold_rule,
                             target_accept_rate=args.target_accept_rate, seed=args.seed, dataset_hash=ds.hash(),
                             reviews_hashes=[hashlib.sha256(p.read_bytes()).hexdigest() for p in paths])
        cal.model.fitted_on["reviews_files"] = [p.name for p in paths]
        if args.cv_repeats > 0:
            m = nested_cv(ds, reviews, folds=5, repeats=args.cv_repeats, seed=args.seed, method=args.method)
            cal.model.cv_metrics = {**{k: m[k] for k in CV_KEYS}, "folds": 5, "repeats": args.cv_repeats,
                                    "raw_auc": m["raw"]["auc"], "fold_spread": m["fold_spread"],
                                    "note": "nested CV on the fitting dataset (out-of-fold)"}
        cal.save(args.out)
    except (DatasetError, ReviewsError, CalibratorError, ValueError, OSError) as e:
        print(f"aisci calibrate fit: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(cal.to_dict(), indent=1))
    else:
        h = cal.model.hyper
        cvm = cal.model.cv_metrics or {}
        print(f"wrote {args.out}: {len(cal.features)} features ({h.get('feature_set')} set), head {h.get('prob_head')}, "
              f"threshold {cal.threshold:.3f} ({cal.model.threshold_rule}); fitted on {cal.model.fitted_on['n_papers']} papers")
        if cvm:
            print(f"nested CV ({args.cv_repeats}x5): auc {cvm['auc']:.3f}  balanced_accuracy {cvm['balanced_accuracy']:.3f}  "
                  f"ece {cvm['ece']:.3f}  brier {cvm['brier']:.3f}")
    return 0
