"""The leaderboard's seaborn figures (matplotlib Agg backend, small PNGs). Aggregates only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .leaderboard import Entry
from .metrics import reliability_bins


def _plt():
    import matplotlib

    matplotlib.use("Agg")  # no display needed, works in CI
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="paper")
    return plt, sns


def _palette(sns, n: int):
    return sns.color_palette("tab10" if n <= 10 else "husl", n)  # distinct colours for every row


def _grid(n: int, cols: int = 3) -> tuple[int, int]:
    cols = min(cols, n)
    return -(-n // cols), cols


def roc(entries: list[Entry], path: Path, dpi: int) -> None:
    from sklearn.metrics import roc_curve

    plt, sns = _plt()
    kinds = [k for k in ("raw", "calibrated") if any(e.kind == k for e in entries)]
    fig, axes = plt.subplots(1, len(kinds), figsize=(5.2 * len(kinds), 4.6), squeeze=False)
    palette = _palette(sns, len(entries))
    for ax, kind in zip(axes[0], kinds, strict=True):
        for i, e in enumerate(entries):
            if e.kind != kind or e.metrics["auc"] is None:
                continue
            fpr, tpr, _ = roc_curve(e.scored.y, e.scored.score)
            ax.plot(fpr, tpr, color=palette[i], lw=1.4, label=f"{e.name} ({e.metrics['auc']:.3f})")
        ax.plot([0, 1], [0, 1], color="grey", ls=":", lw=1)
        ax.set(xlabel="false positive rate", ylabel="true positive rate", title=f"ROC ({kind} scores)")
        ax.legend(fontsize=6, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


def reliability(entries: list[Entry], path: Path, dpi: int) -> None:
    """Left: human accept rate by raw Overall score. Right: equal-mass reliability of p_accept."""
    plt, sns = _plt()
    with_p = [e for e in entries if e.scored.p_accept is not None]
    fig, axes = plt.subplots(1, 2 if with_p else 1, figsize=(10.4 if with_p else 5.2, 4.4), squeeze=False)
    ax = axes[0][0]
    palette = _palette(sns, len(entries))
    for i, e in enumerate(entries):
        if e.kind != "raw":
            continue
        ov = pd.to_numeric(e.scored.table["Overall"], errors="coerce")
        g = pd.DataFrame({"Overall": ov, "y": e.scored.y}).dropna().groupby("Overall")["y"].agg(["mean", "size"])
        ax.plot(g.index, g["mean"], "-o", color=palette[i], ms=3, lw=1.2, label=e.name)
    ax.set(xlabel="reviewer Overall (1-10)", ylabel="share accepted by humans", title="Raw scores: accept rate by Overall",
           ylim=(-0.02, 1.02))
    ax.legend(fontsize=6)
    if with_p:
        ax = axes[0][1]
        for i, e in enumerate(entries):
            if e.scored.p_accept is None:
                continue
            bins = reliability_bins(e.scored.y, e.scored.p_accept)
            px, py = [b[0] for b in bins], [b[1] for b in bins]
            ece = e.metrics["ece"]
            ax.plot(px, py, "-o", color=palette[i], ms=3, lw=1.2,
                    label=f"{e.name} (ECE {ece:.3f})" if ece is not None else e.name)
        ax.plot([0, 1], [0, 1], color="grey", ls=":", lw=1)
        ax.set(xlabel="predicted P(accept), 10 equal-mass bins", ylabel="observed accept rate",
               title="Reliability of p_accept")
        ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


def distributions(entries: list[Entry], human: list[list[float]], path: Path, dpi: int) -> None:
    """Share of each score value: every individual human rating vs each raw reviewer's Overall."""
    plt, sns = _plt()
    parts = [pd.DataFrame({"score": np.concatenate([np.asarray(r, float) for r in human]), "who": "human reviewers"})]
    for e in entries:
        if e.kind == "raw":
            ov = pd.to_numeric(e.scored.table["Overall"], errors="coerce").dropna()
            parts.append(pd.DataFrame({"score": ov.to_numpy(float), "who": e.name}))
    df = pd.concat(parts, ignore_index=True)
    df["score"] = df["score"].round().astype(int)
    share = df.groupby("who")["score"].value_counts(normalize=True).rename("share").reset_index()
    fig, ax = plt.subplots(figsize=(10, 4))
    sns.barplot(data=share, x="score", y="share", hue="who", ax=ax, order=list(range(1, 11)))
    ax.set(xlabel="score (humans: ICLR scale 1-10; reviewers: NeurIPS Overall 1-10)", ylabel="share of scores",
           title="Score distributions: humans vs reviewers")
    ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


def versus_human(entries: list[Entry], path: Path, dpi: int) -> None:
    """Mean human rating of the papers at each reviewer score (box per score value)."""
    plt, sns = _plt()
    shown = [e for e in entries if e.kind == "raw"] or entries
    rows, cols = _grid(len(shown))
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3.0 * rows), squeeze=False, sharey=True)
    for ax, e in zip(axes.ravel(), shown, strict=False):
        x = (pd.to_numeric(e.scored.table["Overall"], errors="coerce") if e.kind == "raw"
             else pd.Series(np.round(e.scored.score, 1)))
        df = pd.DataFrame({"reviewer": x.to_numpy(), "human": e.scored.mean_human}).dropna()
        sns.boxplot(data=df, x="reviewer", y="human", ax=ax, color="#9ecae1", fliersize=1.5, linewidth=0.8)
        rho = e.metrics["spearman"]
        ax.set_title(f"{e.name}\nSpearman {rho:.3f}" if rho is not None else e.name, fontsize=7)
        ax.set(xlabel="reviewer Overall" if e.kind == "raw" else "score", ylabel="mean human rating")
    for ax in axes.ravel()[len(shown):]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


def confusion(entries: list[Entry], path: Path, dpi: int) -> None:
    plt, sns = _plt()
    rows, cols = _grid(len(entries), 4)
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 2.4 * rows), squeeze=False)
    for ax, e in zip(axes.ravel(), entries, strict=False):
        y, d = e.scored.y.astype(int), e.scored.decision.astype(int)
        m = np.array([[np.sum((y == 0) & (d == 0)), np.sum((y == 0) & (d == 1))],
                      [np.sum((y == 1) & (d == 0)), np.sum((y == 1) & (d == 1))]])
        sns.heatmap(m, annot=True, fmt="d", cbar=False, cmap="Blues", ax=ax, annot_kws={"fontsize": 8},
                    xticklabels=["reject", "accept"], yticklabels=["reject", "accept"])
        ax.set_title(e.name, fontsize=6)
        ax.set(xlabel="reviewer", ylabel="humans")
    for ax in axes.ravel()[len(entries):]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


def leakage(lk: dict, path: Path, dpi: int) -> None:
    plt, sns = _plt()
    df = pd.DataFrame([{"text": label, "probe": probe, "AUC": lk[key].get(f"{probe}_probe_auc")}
                       for key, label in (("before", "as given"), ("after", "sanitized"))
                       for probe in ("marker", "bow")]).dropna()
    fig, ax = plt.subplots(figsize=(5, 3.4))
    sns.barplot(data=df, x="probe", y="AUC", hue="text", ax=ax)
    ax.axhline(0.5, color="grey", ls=":", lw=1)
    ax.set(ylim=(0, 1), title="Acceptance predicted from paper text alone (CV AUC)")
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


def make_figures(lb: dict, out: Path, dpi: int = 100) -> list[str]:
    entries: list[Entry] = lb["entries"]
    names = ["roc.png", "reliability.png", "score_distributions.png", "reviewer_vs_human.png", "confusion.png"]
    roc(entries, out / names[0], dpi)
    reliability(entries, out / names[1], dpi)
    distributions(entries, lb["dataset"].ratings["ratings"].tolist(), out / names[2], dpi)
    versus_human(entries, out / names[3], dpi)
    confusion(entries, out / names[4], dpi)
    if lb.get("leakage"):
        names.append("leakage.png")
        leakage(lb["leakage"], out / names[-1], dpi)
    return names
