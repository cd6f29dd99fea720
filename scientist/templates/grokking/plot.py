"""Plot grokking curves: train/val accuracy and loss against step, one panel per operation.

Usage: python plot.py --out_dir DIR   (reads DIR/all_results.json, writes DIR/*.png)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out_dir", required=True)
    args = parser.parse_args()
    out = Path(args.out_dir)
    results = json.loads((out / "all_results.json").read_text())
    for metric, ylabel in (("acc", "accuracy"), ("loss", "cross-entropy")):
        fig, axes = plt.subplots(1, len(results), figsize=(5 * len(results), 3.5), squeeze=False)
        for ax, (op, seeds) in zip(axes[0], results.items(), strict=True):
            for seed, run in seeds.items():
                steps = [c["step"] for c in run["curve"]]
                ax.plot(steps, [c[f"train_{metric}"] for c in run["curve"]], "--", label=f"train (seed {seed})")
                ax.plot(steps, [c[f"val_{metric}"] for c in run["curve"]], label=f"val (seed {seed})")
            ax.set(title=op, xlabel="step", ylabel=ylabel)
            ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out / f"{metric}_curves.png", dpi=120)
        plt.close(fig)
    print(f"wrote {out / 'acc_curves.png'} and {out / 'loss_curves.png'}")


if __name__ == "__main__":
    main()
