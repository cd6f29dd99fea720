"""The loop's records and output files: fitness.csv, fitness.png, summary.json, summary.md.

Written after every idea-round, so an interrupted or cost-capped run keeps a complete report of
what it finished.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from pydantic import BaseModel

UNCALIBRATED = "uncalibrated_overall"  # (Overall - 1) / 9
CALIBRATED = "calibrated_p_accept"
KIND_TEXT = {UNCALIBRATED: "uncalibrated: (Overall - 1) / 9, Overall on the NeurIPS 1-10 scale (no --calibrator); "
                           "a monotone pseudo-probability, not P(accept)",
             CALIBRATED: "calibrated P(accept) from --calibrator"}


class RoundRecord(BaseModel):
    """One idea in one round. fitness = the optimised reviewer's score; held_out_* = the held-out one's."""

    round: int
    idea: str
    status: str  # evaluated | not_selected | not_novel | experiment_failed | error | cost_cap
    fitness: float | None = None
    fitness_kind: str | None = None
    overall: int | None = None
    decision: str | None = None
    held_out_p_accept: float | None = None
    held_out_kind: str | None = None
    held_out_overall: int | None = None
    held_out_decision: str | None = None
    paper: str | None = None  # relative to the output dir
    paper_format: str | None = None
    experiment: str | None = None  # run dir of the results the paper reports
    experiment_attempts: int = 0
    writeup_fixes: int = 0
    adopted: bool = True  # False: a revision scored lower than the version it revised, which stays current
    cost_usd: float = 0.0
    cost_complete: bool = True  # False when some call's price is unknown (cost is a lower bound)
    seconds: float = 0.0
    error: str | None = None


def write_csv(records: list[RoundRecord], path: Path) -> None:
    fields = list(RoundRecord.model_fields)
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for r in records:
            w.writerow({k: ("" if v is None else v) for k, v in r.model_dump().items()})


def per_round(records: list[RoundRecord]) -> list[dict]:
    """Per round: the best paper by the optimised fitness and that same paper's held-out score, the
    means over evaluated papers, cost and time."""
    rounds = sorted({r.round for r in records})
    rows = []
    for k in rounds:
        rs = [r for r in records if r.round == k]
        ev = [r for r in rs if r.status == "evaluated" and r.fitness is not None]
        best = max(ev, key=lambda r: r.fitness, default=None)
        held = [r.held_out_p_accept for r in ev if r.held_out_p_accept is not None]
        rows.append({
            "round": k, "evaluated": len(ev),
            "best_idea": best.idea if best else None,
            "best_fitness": best.fitness if best else None,
            "best_held_out_p_accept": best.held_out_p_accept if best else None,
            "mean_fitness": sum(r.fitness for r in ev) / len(ev) if ev else None,
            "mean_held_out_p_accept": sum(held) / len(held) if held else None,
            "cost_usd": round(sum(r.cost_usd for r in rs), 6),
            "seconds": round(sum(r.seconds for r in rs), 1),
        })
    return rows


def plot_fitness(records: list[RoundRecord], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ev = [r for r in records if r.status == "evaluated" and r.fitness is not None]
    for name in sorted({r.idea for r in ev}):
        pts = sorted((r.round, r.fitness) for r in ev if r.idea == name)
        ax.plot(*zip(*pts, strict=True), color="tab:blue", alpha=0.25, marker=".", linewidth=1)
        held = sorted((r.round, r.held_out_p_accept) for r in ev if r.idea == name and r.held_out_p_accept is not None)
        if held:
            ax.plot(*zip(*held, strict=True), color="tab:orange", alpha=0.25, marker=".", linewidth=1)
    rows = [row for row in per_round(records) if row["best_fitness"] is not None]
    if rows:
        xs = [row["round"] for row in rows]
        ax.plot(xs, [row["best_fitness"] for row in rows], color="tab:blue", marker="o", linewidth=2.5,
                label="optimised reviewer (best paper)")
        held = [(row["round"], row["best_held_out_p_accept"]) for row in rows if row["best_held_out_p_accept"] is not None]
        if held:
            ax.plot(*zip(*held, strict=True), color="tab:orange", marker="s", linewidth=2.5, linestyle="--",
                    label="held-out reviewer (same paper)")
    kinds = {r.fitness_kind for r in ev}
    ax.set_ylabel("P(accept)" if kinds == {CALIBRATED} else "fitness (uncalibrated pseudo-probability)")
    ax.set_xlabel("round")
    ax.set_ylim(-0.02, 1.02)
    if rows:
        ax.set_xticks(sorted({r.round for r in records}))
        ax.legend(loc="best", fontsize=8)
    else:
        ax.text(0.5, 0.5, "no paper was evaluated", ha="center", transform=ax.transAxes)
    ax.set_title("Fitness trajectory (thin: each idea)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def summary(records: list[RoundRecord], meta: dict) -> dict:
    ev = [r for r in records if r.status == "evaluated" and r.fitness is not None]
    best = max(ev, key=lambda r: r.fitness, default=None)
    return {
        **meta,
        "best": best.model_dump() if best else None,
        "rounds": per_round(records),
        "held_out_by_round": {row["round"]: row["best_held_out_p_accept"] for row in per_round(records)},
        "papers_evaluated": len(ev),
    }


def summary_markdown(s: dict) -> str:
    def f(v: object) -> str:
        return "n/a" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)

    best = s.get("best")
    lines = [f"# Scientist run: template `{s['config']['template']}`", "",
             f"- model: `{s['config']['model']}`; optimised reviewer: {s['reviewers']['optimised']}",
             f"- held-out reviewer: {s['reviewers']['held_out']}",
             f"- fitness: {s['fitness_kind']} = {KIND_TEXT.get(s['fitness_kind'], '')}",
             f"- status: {s['status']}" + (f" ({s['stop_reason']})" if s.get("stop_reason") else ""),
             f"- total cost: ${s['usage']['cost_usd']:.4f}" + ("" if s['usage']['cost_complete'] else " (lower bound: some prices unknown)")
             + f" in {s['usage']['calls']} model calls; {s['seconds']:.0f} s",
             f"- papers: {s['paper_format']} ({s['tex']['reason']})", ""]
    if best:
        lines += [f"**Best paper**: `{best['idea']}` (round {best['round']}): fitness {f(best['fitness'])}, "
                  f"held-out {f(best['held_out_p_accept'])} — `{best['paper']}`", ""]
    else:
        lines += ["**No paper was evaluated.**", ""]
    lines += ["| round | evaluated | best idea | best fitness | held-out (same paper) | mean fitness | mean held-out | cost $ | seconds |",
              "|---|---|---|---|---|---|---|---|---|"]
    for r in s["rounds"]:
        lines.append(f"| {r['round']} | {r['evaluated']} | {r['best_idea'] or '-'} | {f(r['best_fitness'])} | "
                     f"{f(r['best_held_out_p_accept'])} | {f(r['mean_fitness'])} | {f(r['mean_held_out_p_accept'])} | "
                     f"{r['cost_usd']:.4f} | {r['seconds']:.0f} |")
    if s.get("notes"):
        lines += ["", "## Notes", "", *(f"- {n}" for n in s["notes"])]
    return "\n".join(lines) + "\n"


def write_all(out: Path, records: list[RoundRecord], meta: dict, plot: bool = True) -> dict:
    write_csv(records, out / "fitness.csv")
    if plot or not (out / "fitness.png").exists():
        plot_fitness(records, out / "fitness.png")
    s = summary(records, meta)
    (out / "summary.json").write_text(json.dumps(s, indent=1, default=str))
    (out / "summary.md").write_text(summary_markdown(s))
    return s
