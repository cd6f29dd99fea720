"""Learned sentence scorer for prompt injection: the second stage beside the rules in `injection.py`.

Rules catch the wordings they were written from; this scorer generalizes to new ones. A paper is cut into
*segments* — sentences, pairs and triples of adjacent sentences (multi-sentence injections) and lines
(an injected line between references or after a caption has no sentence boundary) — and each segment
gets a logistic-regression score over binary, IDF-weighted, L2-normalized features: lower-cased words,
5-letter stems, stem bigrams. A segment is flagged when its score reaches the model's threshold.

The model is a JSON file (`injection_clf.json`: vocabulary, IDF, coefficients, threshold and how they
were obtained) written by `benchmarks/injection_train.py`; loading it never executes code. Its
vocabulary comes only from our own phrase sets (injections and legitimate look-alikes), so it holds no
text of the papers its negative weights were fitted on. Measured recall and false alarms:
docs/paper_loading.md.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from reviewer.textnorm import HOMOGLYPHS, INVISIBLE, ROT13

MODEL_PATH = Path(__file__).with_name("injection_clf.json")
OOV = "<oov>"  # one feature counting the segment's words outside the vocabulary
SCHEMA = "aisci.injection_clf/1"

_TOKEN = re.compile(r"[a-z]+|\d+|[<>|\[\]{}#]")
_SUFFIXES = ("ingly", "ations", "ation", "ments", "ment", "ness", "ings", "ing", "ers", "ed", "es", "er",
             "ly", "s")
# A sentence ends at . ! ? followed by space, unless the dot belongs to a common abbreviation.
_SENT_END = re.compile(r"[.!?]+[\"')\]]*(?=\s)")
_ABBREV = (" e.g", " i.e", " et al", " vs", " cf", " fig", " eq", " sec", "(e.g", "(i.e", "(cf")
_MAX_SEG_CHARS = 600  # longer "sentences" (tables, run-on text) are cut into overlapping windows
_MIN_WORDS = 3


@lru_cache(maxsize=1 << 16)  # bounded: a long run sees millions of distinct tokens
def stem(word: str) -> str:
    for suf in _SUFFIXES:
        if len(word) > len(suf) + 3 and word.endswith(suf):
            word = word[: -len(suf)]
            break
    return word[:5]


@lru_cache(maxsize=1 << 16)
def _tok_stem(t: str) -> tuple[str, str]:
    """A raw token's word feature and stem: small numbers kept, others one token; symbols as is."""
    if t.isdigit():
        t = t if len(t) <= 2 else "<num>"
        return t, t
    return (t, stem(t)) if t.isalpha() else (t, t)


# One C-level pass: invisible characters dropped, look-alike letters mapped to ASCII.
_CLEAN_TABLE = {ord(c): None for c in INVISIBLE} | {k: v for k, v in HOMOGLYPHS.items()}
_CLEAN_TABLE.update({o: None for o in range(0xE0000, 0xE0080)})  # Unicode tag characters


def _clean(segment: str) -> str:
    """Lower case, NFKC (full-width letters), homoglyphs to ASCII, invisible characters dropped."""
    if not segment.isascii():  # lower case first: upper-cased homoglyphs map through their lower-case form
        return unicodedata.normalize("NFKC", segment).lower().translate(_CLEAN_TABLE)
    return segment.lower()


def _tokens(segment: str) -> list[tuple[str, str]]:
    return [_tok_stem(t) for t in _TOKEN.findall(_clean(segment))]


def words(segment: str) -> list[str]:
    """The word features' tokens of a segment, in order (for counting out-of-vocabulary words)."""
    return [t for t, _ in _tokens(segment)]


def features(segment: str) -> set[str]:
    """Binary features of one segment (the same function trains and scores)."""
    toks = _tokens(segment)
    feats = {"w:" + t for t, _ in toks}
    feats.update("s:" + s for _, s in toks)
    feats.update("b:" + a[1] + "_" + b[1] for a, b in zip(toks, toks[1:], strict=False))
    feats.add(length_feature(len(toks)))
    return feats


def length_feature(n_tokens: int) -> str:
    """A length bucket: short fragments are common in papers, so they need stronger evidence."""
    for top, name in ((4, "1-4"), (8, "5-8"), (16, "9-16"), (32, "17-32")):
        if n_tokens <= top:
            return "n:" + name
    return "n:33+"


def _windows(a: int, b: int) -> Iterator[tuple[int, int]]:
    if b - a <= _MAX_SEG_CHARS:
        yield a, b
        return
    step = _MAX_SEG_CHARS // 2
    for s in range(a, b, step):
        yield s, min(b, s + _MAX_SEG_CHARS)
        if s + _MAX_SEG_CHARS >= b:
            break


def _sentences(text: str) -> list[tuple[int, int]]:
    sents: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        if text[m.start()] == "." and text[max(0, m.start() - 6):m.start()].lower().endswith(_ABBREV):
            continue
        sents.append((start, m.end()))
        start = m.end()
    if start < len(text):
        sents.append((start, len(text)))
    out = []
    for a, b in sents:
        seg = text[a:b]
        if seg.strip():
            out.append((a + len(seg) - len(seg.lstrip()), b))
    return out


def _lines(text: str) -> Iterator[tuple[int, int]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line)
        pos += len(line) + 1


def _runs(sents: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """(i, k): k adjacent sentences from sentence i, short enough to score whole."""
    for i in range(len(sents)):
        for k in (1, 2, 3):
            if i + k > len(sents):
                break
            if k > 1 and sents[i + k - 1][1] - sents[i][0] > _MAX_SEG_CHARS:
                break
            yield i, k


def _enough_words(text: str, a: int, b: int) -> bool:
    return len(text[a:b].split(None, _MIN_WORDS)) >= _MIN_WORDS


def segments(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets into `text` of sentences, 2- and 3-sentence runs, and lines."""
    sents = _sentences(text)
    out: list[tuple[int, int]] = []
    for i, k in _runs(sents):
        out.extend(_windows(sents[i][0], sents[i + k - 1][1]))
    for a, b in _lines(text):
        out.extend(_windows(a, b))
    seen: set[tuple[int, int]] = set()
    return [s for s in out if not (s in seen or seen.add(s)) and _enough_words(text, *s)]


def shortest_disjoint(hits: Iterable[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """Flagged (start, end, score) segments, shortest first, each dropped if it overlaps one already kept;
    returned in text order. A longer segment overlapping a kept one adds nothing but clean text around it."""
    kept: list[tuple[int, int, float]] = []
    for h in sorted(hits, key=lambda h: (h[1] - h[0], h[0])):
        if not any(h[0] < g[1] and g[0] < h[1] for g in kept):
            kept.append(h)
    return sorted(kept)


@dataclass(frozen=True)
class InjectionScorer:
    weights: dict[str, tuple[float, float]]  # feature -> (idf, coefficient)
    intercept: float
    threshold: float
    meta: dict
    _unigrams: dict = field(default_factory=dict, repr=False, compare=False)  # cache: token -> features
    _bigrams: dict = field(default_factory=dict, repr=False, compare=False)
    _pre: dict = field(default_factory=dict, repr=False, compare=False)  # feature -> (idf^2, idf*coef)

    def __post_init__(self) -> None:
        self._pre.update({f: (i * i, i * c) for f, (i, c) in self.weights.items()})
        for f in self.weights:
            if f.startswith("b:"):
                a, b = f[2:].split("_", 1)
                self._bigrams[(a, b)] = f

    def score(self, segment: str) -> float:
        """Logistic-regression decision value (log-odds) of one segment."""
        toks = words(segment)
        n_oov = sum("w:" + t not in self.weights for t in toks)
        feats = (f for f in features(segment) if f in self.weights and not f.startswith("n:"))
        return self._value(feats, n_oov, len(toks))

    def _sums(self, feats: Iterable[str]) -> tuple[float, float]:
        """(sum of idf^2, sum of idf*coef) over in-vocabulary features."""
        pre = self._pre
        n2 = dot = 0.0
        for f in feats:
            p = pre[f]
            n2 += p[0]
            dot += p[1]
        return n2, dot

    def _finish(self, n2: float, dot: float, n_oov: int, n_tokens: int) -> float:
        length = self._pre.get(length_feature(n_tokens))
        if length is not None:
            n2, dot = n2 + length[0], dot + length[1]
        oov = self.weights.get(OOV)
        if oov is not None and n_oov:  # unknown words: one feature of count n_oov, sqrt-scaled like L2
            n2 += n_oov
            dot += math.sqrt(n_oov) * oov[1]
        return self.intercept + (dot / math.sqrt(n2) if n2 else 0.0)

    def _value(self, feats: Iterable[str], n_oov: int, n_tokens: int) -> float:
        return self._finish(*self._sums(feats), n_oov, n_tokens)

    def _known(self, segment: str) -> tuple[set[str], int, int, str, str]:
        """In-vocabulary features of a segment, its counts of unknown and all words, first and last stems."""
        toks = _tokens(segment)
        uni, bi = self._unigrams, self._bigrams
        feats: set[str] = set()
        n_oov = 0
        for t in toks:
            f = uni.get(t)
            if f is None:
                if len(uni) > 1 << 17:  # bounded like the token caches
                    uni.clear()
                w = "w:" + t[0]
                f = uni[t] = (tuple(x for x in (w, "s:" + t[1]) if x in self.weights), w not in self.weights)
            feats.update(f[0])
            n_oov += f[1]
        for a, b in zip(toks, toks[1:], strict=False):
            f = bi.get((a[1], b[1]))
            if f is not None:
                feats.add(f)
        return feats, n_oov, len(toks), (toks[0][1] if toks else ""), (toks[-1][1] if toks else "")

    def _run_value(self, info: list, sums: list[tuple[float, float]]) -> float:
        """Score of adjacent sentences taken together, from each one's feature sums (inclusion-exclusion
        over the features they share, plus the bigrams that bridge them)."""
        n2, dot = sum(x[0] for x in sums), sum(x[1] for x in sums)
        sets = [x[0] for x in info]
        shared = [sets[x] & sets[y] for x in range(len(sets)) for y in range(x + 1, len(sets))]
        for inter in shared:
            if inter:
                d = self._sums(inter)
                n2, dot = n2 - d[0], dot - d[1]
        if len(sets) == 3 and shared[0]:
            d = self._sums(shared[0] & sets[2])
            n2, dot = n2 + d[0], dot + d[1]
        bridges, last = set(), None
        for x in info:
            if x[2]:  # a sentence without tokens (". . .") bridges nothing: its neighbours meet
                if last is not None and (f := "b:" + last + "_" + x[3]) in self._pre:
                    bridges.add(f)
                last = x[4]
        d = self._sums(bridges - set().union(*sets))
        return self._finish(n2 + d[0], dot + d[1], sum(x[1] for x in info), sum(x[2] for x in info))

    def scored_segments(self, text: str) -> list[tuple[int, int, float]]:
        """Score of every segment of `segments(text)`, computing each sentence's features once."""
        sents = _sentences(text)
        info = [self._known(text[a:b]) if b - a <= _MAX_SEG_CHARS else None for a, b in sents]
        sums = [self._sums(x[0]) if x is not None else (0.0, 0.0) for x in info]
        out: dict[tuple[int, int], float] = {}
        for i, k in _runs(sents):
            a, b = sents[i][0], sents[i + k - 1][1]
            if (a, b) in out or not _enough_words(text, a, b):
                continue
            if k == 1 and info[i] is None:  # a long run-on sentence: overlapping windows
                for wa, wb in _windows(a, b):
                    if (wa, wb) not in out and _enough_words(text, wa, wb):
                        out[(wa, wb)] = self.score(text[wa:wb])
                continue
            out[(a, b)] = self._run_value(info[i:i + k], sums[i:i + k])
        for a, b in _lines(text):
            for wa, wb in _windows(a, b):
                if (wa, wb) not in out and _enough_words(text, wa, wb):
                    feats, n_oov, n_tok, _, _ = self._known(text[wa:wb])
                    out[(wa, wb)] = self._value(feats, n_oov, n_tok)
        return [(a, b, s) for (a, b), s in out.items()]

    def spans(self, text: str, scored: list[tuple[int, int, float]] | None = None) -> list[dict]:
        """Flagged segments that do not overlap: {"start", "end", "text", "rule", "score"}.
        `scored`: this text's `scored_segments`, when the caller has them already."""
        # Shortest flagged segments first; a longer one overlapping a kept one adds nothing but clean text
        # around it (the pair a flagged sentence makes with its neighbour, the line window it sits in).
        hits = shortest_disjoint(h for h in (self.scored_segments(text) if scored is None else scored)
                                 if h[2] >= self.threshold)
        return [{"start": a, "end": b, "text": text[a:b][:300], "rule": "learned", "score": round(s, 3)}
                for a, b, s in hits]

    def to_json(self) -> dict:
        return {"schema": SCHEMA, "intercept": self.intercept, "threshold": self.threshold, "meta": self.meta,
                "features": {f: [round(i, 5), round(c, 5)] for f, (i, c) in sorted(self.weights.items())}}

    @classmethod
    def from_json(cls, obj: dict) -> InjectionScorer:
        if obj.get("schema") != SCHEMA:
            raise ValueError(f"injection model: schema {obj.get('schema')!r}, expected {SCHEMA!r}")
        weights = {f: (float(v[0]), float(v[1])) for f, v in obj["features"].items()}
        return cls(weights, float(obj["intercept"]), float(obj["threshold"]), dict(obj.get("meta", {})))


@cache
def known_words() -> frozenset[str]:
    """The words the shipped scorer knows (its vocabulary comes from our phrase sets only), less the
    disguised spellings those sets teach it: a word whose reversal or ROT13 is a more common vocabulary
    word (lower idf: "ecnatpecca", "ertneq") is the encoded form, which the obfuscation stage must still
    see as unknown."""
    idf = _word_idf()

    def disguised(w: str) -> bool:
        return any(d != w and d in idf and idf[d] < idf[w] for d in (w[::-1], w.translate(ROT13)))

    return frozenset(w for w in idf if not disguised(w))


@cache
def common_words(max_idf: float = 11.0) -> frozenset[str]:
    """The known words seen often enough in the training texts to be real words: a spelling seen only a few times
    (idf >= max_idf, about ten texts or fewer; "revewer", "acsept") is a misspelling the phrase sets taught the
    scorer, which the misspelled-word check must still correct."""
    idf = _word_idf()
    return frozenset(w for w in known_words() if idf[w] < max_idf)


def _word_idf() -> dict[str, float]:
    """idf of each word feature (letters only) of the shipped scorer; empty without a scorer."""
    scorer = default_scorer()
    if scorer is None:
        return {}
    return {f[2:]: i for f, (i, _) in scorer.weights.items() if f.startswith("w:") and f[2:].isalpha()}


@cache
def default_scorer() -> InjectionScorer | None:
    """The shipped model, or None if the file is missing (then only the rules run)."""
    if not MODEL_PATH.exists():
        return None
    return InjectionScorer.from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
