"""Write a leaderboard report: leaderboard.md, leaderboard.json (the metrics JSON of every row), seaborn
PNGs (report_figures.py: ROC curves, reliability, score distributions, reviewer-vs-human scores, confusion matrices,
leakage probes when audited) and index.html showing them together. Only metrics and figures are
written: no paper text, review text or per-paper labels (the data is not ours to redistribute).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from .leaderboard import Entry
from .metrics import human_baseline

DPI = 100


def _f(v: float | None, digits: int = 3) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


def _ci(m: dict, key: str) -> str:
    c = (m.get("ci95") or {}).get(key)
    return _f(m[key]) + (f" [{c[0]:.2f}, {c[1]:.2f}]" if c else "")


def _p(v: float | None) -> str:
    return "–" if v is None else ("<0.001" if v < 0.001 else f"{v:.3f}")


HEADER = ["#", "reviewer", "n", "AUC [95% CI]", "bal. acc.", "F1", "Spearman", "ECE", "accept rate",
          "$/paper", "s/paper", "p vs #1 (AUC)"]


def table_rows(entries: list[Entry]) -> list[list[str]]:
    rows = []
    for i, e in enumerate(entries, 1):
        m, info = e.metrics, e.metrics["reviews"]
        n = f"{m['n']}" + (f" (+{info['failed']} failed, {info['missing']} missing)"
                           if info["failed"] or info["missing"] else "")
        rows.append([str(i), e.name, n, _ci(m, "auc"), _ci(m, "balanced_accuracy"), _ci(m, "f1"),
                     _ci(m, "spearman"), _ci(m, "ece"), _ci(m, "accept_rate_pred"),
                     _f(e.cost_per_paper, 4), _f(e.seconds_per_paper, 1), "–" if i == 1 else _p(e.p_vs_top)])
    return rows


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(out + ["| " + " | ".join(c.replace("|", "/") for c in r) + " |" for r in rows])


def _notes(lb: dict) -> list[str]:
    ds = lb["dataset"]
    rule = lb["rule"]
    how = (f"accept when Overall >= {lb['threshold']:g} (the AI Scientist's rule)" if rule == "overall"
           else "the review's Decision column" if rule == "decision" else "the calibrator's decision")
    hb = human_baseline(ds.ratings["ratings"].tolist(), seed=lb["seed"], accepted=ds.ratings["accepted"].tolist())
    nd = hb.get("single_reviewer_vs_decision_not_independent") or {}
    ece_note = (["ECE is biased upward under resampling (duplicated papers add binning noise), so its percentile "
                 "CI can sit above the point estimate."] if any(e.metrics["ece"] is not None for e in lb["entries"])
                else [])
    return [
        f"Dataset `{ds.name}`: {len(ds)} papers, {ds.ratings['accepted'].mean():.1%} accepted, ratings sha256 "
        f"`{ds.hash()[:16]}`.",
        f"Raw rows: decision = {how}; AUC and Spearman use the continuous score (p_accept when present, else "
        "Overall). Calibrated rows use out-of-fold predictions (each paper scored by a model not fitted on it).",
        f"95% CIs: paper-level bootstrap ({lb['n_boot']} resamples, seed {lb['seed']}). p vs #1: two-sided "
        "paired bootstrap of the AUC difference on the papers both rows scored.",
        "n = papers scored; failed/missing papers are not imputed (see `reviews` in leaderboard.json). "
        "$/paper and s/paper are unknown (–) for recorded CSVs that carry no cost or time columns.",
        f"Human baseline on the same papers ({hb['n_papers']} with >= 2 reviews): one reviewer vs the mean of "
        f"the others Spearman {_f(hb['spearman_one_vs_rest'])} (Pearson {_f(hb['pearson_one_vs_rest'])}); "
        f"two random reviewers Spearman {_f(hb['spearman_two_random'])}. One reviewer vs the decision "
        f"(AUC {_f(nd.get('auc'))}) is NOT an independent baseline: decisions were made from these ratings.",
        *ece_note,
    ]


def _token(t: object) -> str:
    return str(t.get("token")) if isinstance(t, dict) else str(t[0] if isinstance(t, list | tuple) else t)


def _leakage_md(lk: dict) -> list[str]:
    out = ["", "## Leakage audit", "",
           "Caveat: the recorded reviews were written on the unsanitized paper text, in which accepted papers "
           "mostly show author names and rejected ones say \"Anonymous authors\"; part of their agreement "
           "with the decisions may come from that leak rather than from judging the science.", "",
           "| text | n | marker probe AUC | bag-of-words probe AUC | top tokens |", "|---|---|---|---|---|"]
    for label, a in (("as given", lk["before"]), ("sanitized", lk["after"])):
        toks = ", ".join(_token(t) for t in (a.get("top_tokens") or [])[:10])
        out.append(f"| {label} | {a.get('n')} | {_f(a.get('marker_probe_auc'))} | {_f(a.get('bow_probe_auc'))} "
                   f"| {toks} |")
    out += ["", "How much each reviewer's Overall tracks the leak marker beyond the mean human rating "
            "(partial correlation controlling for the mean human rating):", "",
            "| reviewer | n | partial Pearson [95% CI] | partial Spearman | Overall points for the leak |",
            "|---|---|---|---|---|"]
    for name, d in lk["overall_vs_marker"].items():
        ci = d.get("partial_pearson_ci95")
        out.append(f"| {name} | {d.get('n')} | {_f(d.get('partial_pearson'))}"
                   + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")
                   + f" | {_f(d.get('partial_spearman'))} | {_f(d.get('overall_points_for_leak'), 2)} |")
    notes = {d.get("note") for d in lk["overall_vs_marker"].values() if d.get("note")}
    out += [""] + [f"Note: {n}" for n in sorted(notes)]
    return out


def write_markdown(lb: dict, out: Path, figures: list[str]) -> str:
    entries: list[Entry] = lb["entries"]
    lines = [f"# Leaderboard: {lb['dataset'].name}", "", _md_table(HEADER, table_rows(entries)), ""]
    lines += [f"- {n}" for n in _notes(lb)]
    lines += ["", "Sources:", ""] + [f"- {e.name}: `{Path(e.source).name if e.kind == 'raw' else e.kind}`"
                                     for e in entries if e.kind == "raw"]
    if lb.get("leakage"):
        lines += _leakage_md(lb["leakage"])
    lines += ["", "## Figures", ""] + [f"![{f}]({f})" for f in figures]
    text = "\n".join(lines) + "\n"
    (out / "leaderboard.md").write_text(text)
    return text


def write_json(lb: dict, out: Path) -> None:
    rows = [{"name": e.name, "kind": e.kind, "source": Path(e.source).name if e.kind == "raw" else e.source,
             "cost_per_paper": e.cost_per_paper, "seconds_per_paper": e.seconds_per_paper,
             "p_vs_top_auc": e.p_vs_top, "metrics": {**e.metrics, "dataset": {
                 k: v for k, v in e.metrics["dataset"].items() if k != "path"}}} for e in lb["entries"]]
    payload = {"dataset": lb["dataset"].name, "dataset_hash": lb["dataset"].hash(), "rule": lb["rule"],
               "threshold": lb["threshold"], "n_boot": lb["n_boot"], "seed": lb["seed"], "rows": rows,
               "leakage": lb.get("leakage")}
    (out / "leaderboard.json").write_text(json.dumps(payload, indent=1, default=float) + "\n")


def write_html(lb: dict, out: Path, figures: list[str]) -> None:
    esc = html.escape
    head = "".join(f"<th>{esc(h)}</th>" for h in HEADER)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in table_rows(lb["entries"]))
    notes = "".join(f"<li>{esc(n)}</li>" for n in _notes(lb))
    leak = ""
    if lb.get("leakage"):
        leak = "<h2>Leakage audit</h2><pre>" + esc("\n".join(_leakage_md(lb["leakage"])[3:])) + "</pre>"
    figs = "".join(f'<figure><img src="{esc(f)}" alt="{esc(f)}"><figcaption>{esc(f)}</figcaption></figure>'
                   for f in figures)
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Leaderboard: {esc(lb['dataset'].name)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1400px}}table{{border-collapse:collapse;font-size:14px}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}td:nth-child(2){{text-align:left}}
th{{background:#f3f3f3}}figure{{display:inline-block;margin:1em;vertical-align:top}}img{{max-width:100%}}</style>
</head><body><h1>Leaderboard: {esc(lb['dataset'].name)}</h1>
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table><ul>{notes}</ul>{leak}
<h2>Figures</h2>{figs}</body></html>
"""
    (out / "index.html").write_text(page)


def write_report(lb: dict, out: str | Path) -> list[Path]:
    """Everything into out/; returns the files written."""
    from .report_figures import make_figures

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    figures = make_figures(lb, out, dpi=DPI)
    write_markdown(lb, out, figures)
    write_json(lb, out)
    write_html(lb, out, figures)
    return [out / n for n in ("leaderboard.md", "leaderboard.json", "index.html", *figures)]
