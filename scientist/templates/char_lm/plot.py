"""Plot char-LM learning curves (train/val bits per char) with the unigram reference.

Usage: python plot.py --out_dir DIR   (reads DIR/all_results.json, writes DIR/bpc_curves.png)
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
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    for seed, run in results.items():
        steps = [c["step"] for c in run["curve"]]
        ax.plot(steps, [c["train_bpc"] for c in run["curve"]], "--", label=f"train (seed {seed})")
        ax.plot(steps, [c["val_bpc"] for c in run["curve"]], marker="o", ms=3, label=f"val (seed {seed})")
    unigram = next(iter(results.values()))["unigram_val_bpc"]
    ax.axhline(unigram, color="gray", lw=1, ls=":", label="unigram (val)")
    ax.set(xlabel="step", ylabel="bits per character")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "bpc_curves.png", dpi=120)
    plt.close(fig)
    print(f"wrote {out / 'bpc_curves.png'}")


if __name__ == "__main__":
    main()
