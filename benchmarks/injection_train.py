"""Fit and audit the learned injection scorer (reviewer/injection_clf.py).

Positives: our own injection phrase sets (JSON lists of strings), each also merged with a fragment of a
training paper before or after it (an injected line often has no sentence boundary of its own).
Negatives: every segment of the training papers plus our own legitimate look-alike sentences.
The vocabulary comes from our own phrase sets only. The decision threshold is chosen on the training
papers alone: the `fa_target` quantile of the per-paper maximum score of papers scored out-of-fold
(inner folds), so about that fraction of clean papers would be flagged.

`crossfit` reports false alarms honestly: outer folds over the papers, each fold scored by a model
(vocabulary, IDF, weights, threshold) that never saw it.

    python -m benchmarks.injection_train --papers ../shared/data/iclr2022/papers \
        --positives P.json [...] --negatives N.json [...] --out reviewer/injection_clf.json [--crossfit 5]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import random
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from reviewer.injection_clf import OOV, InjectionScorer, features, length_feature, segments, words

C_REG = 16.0  # chosen on a proxy (see docs/paper_loading.md), never on the held-out v2 set
FA_TARGET = 0.005  # half of the 1% false-alarm budget
INNER_FOLDS = 4


def load_phrases(paths: Sequence[str | Path]) -> list[str]:
    out: list[str] = []
    for p in paths:
        data = json.loads(Path(p).read_text(encoding="utf-8"))
        if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
            raise SystemExit(f"{p}: expected a JSON list of strings")
        out.extend(data)
    return list(dict.fromkeys(out))


def file_hashes(paths: Sequence[str | Path]) -> dict[str, str]:
    return {Path(p).name: hashlib.sha256(Path(p).read_bytes()).hexdigest()[:16] for p in paths}


def library_versions() -> dict[str, str]:
    """Versions a fit depends on: the same files and code gave a different model under other versions."""
    return {"python": platform.python_version(),
            **{name: metadata.version(name) for name in ("numpy", "scipy", "scikit-learn")}}


def build_vocab(texts: Sequence[str]) -> dict[str, int]:
    """Features of our own phrase sets; the out-of-vocabulary count is the last column."""
    buckets = {length_feature(n) for n in (1, 5, 9, 17, 33)}
    feats = sorted(set().union(buckets, *(features(t) for t in texts)))
    return {f: i for i, f in enumerate([*feats, OOV])}


def encode(texts: Sequence[str], vocab: dict[str, int]) -> sparse.csr_matrix:
    """Binary features; the OOV column holds sqrt(count) so it enters the L2 norm as `count` (see _value)."""
    indptr, indices, data = [0], [], []
    oov_col = vocab[OOV]
    for t in texts:
        cols = sorted(vocab[f] for f in features(t) if f in vocab)
        n_oov = sum("w:" + w not in vocab for w in words(t))
        indices.extend(cols)
        data.extend([1.0] * len(cols))
        if n_oov:
            indices.append(oov_col)
            data.append(float(np.sqrt(n_oov)))
        indptr.append(len(indices))
    return sparse.csr_matrix((np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32),
                              np.asarray(indptr)), shape=(len(texts), len(vocab)))


def fragments(papers: dict[str, str], ids: Sequence[str], n: int, rng: random.Random) -> list[str]:
    """Random 5-20 word runs of paper text without final punctuation."""
    out = []
    for _ in range(n):
        words = papers[rng.choice(list(ids))].split()
        k = rng.randint(5, 20)
        a = rng.randrange(max(1, len(words) - k))
        out.append(" ".join(words[a:a + k]).rstrip(".!?"))
    return out


def augment(positives: Sequence[str], papers: dict[str, str], ids: Sequence[str], seed: int) -> list[str]:
    rng = random.Random(seed)
    frags = fragments(papers, ids, 2 * len(positives), rng)
    out = list(positives)
    for i, p in enumerate(positives):
        out.append(frags[2 * i] + " " + p)
        out.append(p.rstrip(".!? ") + " " + frags[2 * i + 1])
    return out


class PaperMatrix:
    """Every paper's segments encoded once; rows of paper i are rows[start[i]:start[i+1]]."""

    def __init__(self, papers: dict[str, str], vocab: dict[str, int]) -> None:
        self.ids = list(papers)
        blocks, self.start = [], [0]
        for pid in self.ids:
            text = papers[pid]
            blocks.append(encode([text[a:b] for a, b in segments(text)], vocab))
            self.start.append(self.start[-1] + blocks[-1].shape[0])
        self.X = sparse.vstack(blocks).tocsr()

    def rows(self, ids: Sequence[str]) -> sparse.csr_matrix:
        pos = {p: i for i, p in enumerate(self.ids)}
        idx = np.concatenate([np.arange(self.start[pos[p]], self.start[pos[p] + 1]) for p in ids])
        return self.X[idx]

    def paper_max(self, ids: Sequence[str], idf: np.ndarray, coef: np.ndarray, b: float) -> np.ndarray:
        pos = {p: i for i, p in enumerate(self.ids)}
        s = _decision(self.X, idf, coef, b)
        return np.array([s[self.start[pos[p]]:self.start[pos[p] + 1]].max(initial=b) for p in ids])


def _decision(X: sparse.csr_matrix, idf: np.ndarray, coef: np.ndarray, b: float) -> np.ndarray:
    """The scorer's formula on encoded rows: b + sum(idf*coef) / ||idf|| over present features."""
    num = X @ (idf * coef)
    den = np.sqrt(X.multiply(X) @ (idf * idf))
    return b + np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def fit_weights(X_pos: sparse.csr_matrix, X_neg: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray, float]:
    X = sparse.vstack([X_pos, X_neg]).tocsr()
    y = np.r_[np.ones(X_pos.shape[0]), np.zeros(X_neg.shape[0])]
    df = np.asarray((X > 0).sum(axis=0)).ravel()
    idf = np.log((1 + X.shape[0]) / (1 + df)) + 1.0
    idf[-1] = 1.0  # the OOV column (see encode)
    Xt = X.multiply(idf).tocsr()
    norms = np.sqrt(np.asarray(Xt.multiply(Xt).sum(axis=1)).ravel())
    Xt = sparse.diags(1 / np.where(norms > 0, norms, 1)) @ Xt
    clf = LogisticRegression(C=C_REG, class_weight="balanced", max_iter=2000, solver="liblinear")
    clf.fit(Xt, y)
    return idf, clf.coef_.ravel(), float(clf.intercept_[0])


def fit_model(pm: PaperMatrix, papers: dict[str, str], train_ids: Sequence[str], positives: Sequence[str],
              X_hardneg: sparse.csr_matrix, vocab: dict[str, int], seed: int = 0,
              ) -> tuple[np.ndarray, np.ndarray, float, float]:
    """(idf, coef, intercept, threshold); the threshold from inner out-of-fold papers only."""
    X_pos = encode(augment(positives, papers, train_ids, seed), vocab)

    def fit(ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray, float]:
        return fit_weights(X_pos, sparse.vstack([pm.rows(ids), X_hardneg]))

    rng = np.random.default_rng(seed)
    order = list(rng.permutation(list(train_ids)))
    maxima = []
    for k in range(INNER_FOLDS):
        held = order[k::INNER_FOLDS]
        held_set = set(held)
        idf, coef, b = fit([p for p in order if p not in held_set])
        maxima.extend(pm.paper_max(held, idf, coef, b))
    threshold = float(np.quantile(maxima, 1 - FA_TARGET))
    idf, coef, b = fit(order)
    return idf, coef, b, threshold


def to_scorer(vocab: dict[str, int], idf: np.ndarray, coef: np.ndarray, b: float, threshold: float,
              meta: dict) -> InjectionScorer:
    weights = {f: (float(idf[i]), float(coef[i])) for f, i in vocab.items()}  # all: OOV means "not here"
    return InjectionScorer(weights, b, threshold, meta)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--papers", required=True, help="directory of clean paper .txt files (negatives)")
    ap.add_argument("--positives", nargs="+", required=True)
    ap.add_argument("--negatives", nargs="+", default=[], help="our own legitimate look-alike sentences")
    ap.add_argument("--validate", nargs="*", default=[], help="phrase sets to report recall on (not fitted)")
    ap.add_argument("--out", help="write the model JSON here")
    ap.add_argument("--crossfit", type=int, default=0, help="outer folds for an honest false-alarm rate")
    ap.add_argument("--save-folds", metavar="DIR",
                    help="with --crossfit: write each fold's model and held-out paper ids to DIR/fold<k>.json "
                    "(the semantic stage's training scores each paper with a linear model that never saw it)")
    args = ap.parse_args(argv)

    papers = {p.stem: p.read_text(encoding="utf-8", errors="replace")
              for p in sorted(Path(args.papers).glob("*.txt"))}
    positives, hardneg = load_phrases(args.positives), load_phrases(args.negatives)
    validate = load_phrases(args.validate) if args.validate else []
    vocab = build_vocab(positives + hardneg)
    print(f"{len(papers)} papers, {len(positives)} positives, {len(hardneg)} look-alikes, "
          f"vocabulary {len(vocab)}")
    pm = PaperMatrix(papers, vocab)
    X_hard = encode(hardneg, vocab)
    X_val = encode(validate, vocab) if validate else None
    report: dict = {"n_papers": len(papers), "n_segments": pm.X.shape[0]}

    if args.crossfit:
        rng = np.random.default_rng(1)
        order = list(rng.permutation(pm.ids))
        flagged, val_hits = [], []
        for k in range(args.crossfit):
            held = order[k::args.crossfit]
            held_set = set(held)
            train = [p for p in order if p not in held_set]
            idf, coef, b, thr = fit_model(pm, papers, train, positives, X_hard, vocab, seed=k)
            mx = pm.paper_max(held, idf, coef, b)
            if args.save_folds:
                Path(args.save_folds).mkdir(parents=True, exist_ok=True)
                fold_model = to_scorer(vocab, idf, coef, b, thr, {"fold": k, "held_out_papers": sorted(held)})
                (Path(args.save_folds) / f"fold{k}.json").write_text(json.dumps(fold_model.to_json()), encoding="utf-8")
            flagged.extend(p for p, m in zip(held, mx, strict=True) if m >= thr)
            if X_val is not None:
                val_hits.append(float(np.mean(_decision(X_val, idf, coef, b) >= thr)))
            print(f"fold {k}: threshold {thr:.3f}, flagged {int(np.sum(mx >= thr))}/{len(held)}"
                  + (f", validation phrases caught {val_hits[-1]:.3f}" if val_hits else ""))
        report["crossfit"] = {"folds": args.crossfit, "false_alarms": len(flagged), "flagged": flagged,
                              "false_alarm_rate": len(flagged) / len(papers)}
        if val_hits:
            report["crossfit"]["validation_phrase_recall_mean"] = float(np.mean(val_hits))
        print(json.dumps(report["crossfit"]))

    if args.out:
        idf, coef, b, thr = fit_model(pm, papers, pm.ids, positives, X_hard, vocab, seed=0)
        meta = {"positives": file_hashes(args.positives), "negatives": file_hashes(args.negatives),
                "n_positives": len(positives), "n_lookalikes": len(hardneg), "C": C_REG,
                "fa_target": FA_TARGET, "threshold_rule": f"{1 - FA_TARGET:.3f} quantile of the per-paper max "
                f"score of training papers scored out-of-fold ({INNER_FOLDS} inner folds)",
                "libraries": library_versions(), **report}
        if X_val is not None:
            meta["validation_phrase_recall"] = float(np.mean(_decision(X_val, idf, coef, b) >= thr))
        scorer = to_scorer(vocab, idf, coef, b, thr, meta)
        Path(args.out).write_text(json.dumps(scorer.to_json(), separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {args.out}: {len(scorer.weights)} features, threshold {thr:.3f}"
              + (f", validation phrase recall {meta['validation_phrase_recall']:.3f}" if X_val is not None else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
