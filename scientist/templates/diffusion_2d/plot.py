"""Plot DDPM results: generated samples beside held-out data, and training-loss curves.

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
    fig, axes = plt.subplots(1, len(results), figsize=(4 * len(results), 4), squeeze=False)
    for ax, (name, seeds) in zip(axes[0], results.items(), strict=True):
        run = next(iter(seeds.values()))  # first seed
        data, samples = run["data"], run["samples"]
        ax.scatter([p[0] for p in data], [p[1] for p in data], s=3, alpha=0.4, label="data")
        ax.scatter([p[0] for p in samples], [p[1] for p in samples], s=3, alpha=0.4, label="samples")
        ax.set(title=name, xlim=(-3, 3), ylim=(-3, 3))
        ax.legend(fontsize=7, markerscale=3)
    fig.tight_layout()
    fig.savefig(out / "samples.png", dpi=120)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for name, seeds in results.items():
        for seed, run in seeds.items():
            ax.plot(run["train_loss"], label=f"{name} (seed {seed})")
    ax.set(xlabel="training progress (subsampled steps)", ylabel="noise-prediction MSE", yscale="log")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "train_loss.png", dpi=120)
    plt.close(fig)
    print(f"wrote {out / 'samples.png'} and {out / 'train_loss.png'}")


if __name__ == "__main__":
    main()
