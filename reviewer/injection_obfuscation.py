"""Instructions the other stages cannot read: disguised words, encoded text and other languages.

The rules and the linear scorer read English words. An author can hide the same instruction as
"1gn0re pr3vi0us instruct10ns", as "i g n o r e   t h e   r u b r i c", encode it (base64, hex, ROT13,
written backwards: a language model reads them all), or write it in another language. This stage turns the
disguised and encoded forms back into words (a *view*) and hands the view to the English stages; other
languages go to the lexicon in `injection_languages.py`. Spans point into the original text, with rule
names `leetspeak`, `letter_spaced`, `base64`, `hex`, `rot13`, `reversed` and `other_language`. Measured recall
and false alarms: docs/paper_loading.md.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
from collections.abc import Callable, Collection

from reviewer.injection_languages import Words, language_spans, positions, words_of
from reviewer.textnorm import ROT13

Detect = Callable[[str], list[dict]]  # English stages on a view: text -> spans into that view

# --- leetspeak -------------------------------------------------------------------------------------
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_LEET_CHARS = frozenset("013457@$")
_LEET_MIN_TOKENS = 2  # one odd token ("h100", "s3") is a name; two de-leeting to words in a line is a disguise
_REACH = 200  # disguised words this close together make one window


def _clusters(hits: list[tuple[int, int, str]]) -> list[list[tuple[int, int, str]]]:
    """(start, end, word) hits, in text order, grouped where each is within _REACH of the one before."""
    groups: list[list[tuple[int, int, str]]] = []
    for h in hits:
        if groups and h[0] - groups[-1][-1][1] <= _REACH:
            groups[-1].append(h)
        else:
            groups.append([h])
    return groups


def _deleet(token: str, known: Collection[str]) -> str | None:
    """The known word a token spells in leetspeak ("1" may read as i or l), or None."""
    low = token.lower()
    ones = [i for i, c in enumerate(low) if c == "1"]
    for pick in itertools.islice(itertools.product("il", repeat=len(ones)), 16):
        chars = list(low)
        for i, c in zip(ones, pick, strict=True):
            chars[i] = c
        word = "".join(chars).translate(_LEET)
        if word != low and word.isalpha() and word in known:
            return word
    return None


def leet_spans(text: str, known: Collection[str], detect: Detect, words: Words | None = None) -> list[dict]:
    """Windows holding at least two leetspeak words, with those words spelled out (same length, so offsets
    hold), read by the English stages; their spans that touch a disguised word. `words`: `words_of(text)`,
    when the caller has it."""
    low, tokens = words or words_of(text)
    spelled = {t: w for t in tokens if not t.isdigit() and _LEET_CHARS.intersection(t) and (w := _deleet(t, known))}
    hits = [(m.start(), m.end(), spelled[m.group(0)]) for m in positions(low, spelled)]
    # snake_case identifiers ("rec0mmend_acc3ptance()"): each part is read on its own
    snake = [t for t in tokens if "_" in t and t not in spelled and _LEET_CHARS.intersection(t)]
    for m in positions(low, snake):
        at = m.start()
        for part in m.group(0).split("_"):
            if part and not part.isdigit() and _LEET_CHARS.intersection(part) and (w := _deleet(part, known)):
                hits.append((at, at + len(part), w))
            at += len(part) + 1
    hits.sort()
    out: list[dict] = []
    for group in _clusters(hits):
        if len(group) < _LEET_MIN_TOKENS:
            continue
        a = max(0, group[0][0] - _REACH)
        b = min(len(text), group[-1][1] + _REACH)
        view = list(text[a:b])
        for s, e, w in group:
            view[s - a:e - a] = w
        for sp in detect("".join(view)):
            s, e = sp["start"] + a, sp["end"] + a
            if any(s < he and e > hs for hs, he, _ in group) and not any(
                    o["start"] <= s and e <= o["end"] or s <= o["start"] and o["end"] <= e for o in out):
                out.append({**sp, "start": s, "end": e, "text": text[s:e][:300], "rule": "leetspeak"})
    return out


# --- letter-spaced words -----------------------------------------------------------------------------
# Six or more single letters, each followed by a short separator (spaces or one of . - _ · *).
_SPACED = re.compile(r"(?<![^\W\d_])[^\W\d_](?:(?:[ \t]{1,4}|[ \t]?[.\-_·*][ \t]?)[^\W\d_](?![^\W\d_])){5,}")
# A C-speed superset test for _SPACED (which scans every position: ~6 ms per paper): ASCII letters -> "a",
# separators -> " ", the rest -> "x"; whitespace runs collapsed; then six single-spaced letters in a row.
_GATE_TABLE = bytes((97 if chr(c).isalpha() else 32 if chr(c) in " \t.-_*" else 120) if c < 128 else 120
                    for c in range(256))


def _may_be_spaced(text: str) -> bool:
    view = text.replace("·", " ").encode("ascii", "replace").translate(_GATE_TABLE)
    return b"a a a a a a" in b" ".join(view.split())


_GAP = re.compile(r"[ \t]{2,}|[ \t]?[/|][ \t]?")  # a wider gap separates words
_SEP = re.compile(r"[ \t.\-_·*]")


# Words of one or two letters a run may be split into. The scorer's vocabulary also holds letter pairs and
# single letters from its training text (units, initials, fragments of spaced-out words), which would let
# any run of letters split into "words" ("qzxv" -> q zx v).
_SHORT_WORDS = frozenset(
    "a i ai am an as at be by do go he hi if in is it me my no of ok on or so to up us we".split())


def segment_words(letters: str, known: Collection[str], max_word: int = 16) -> list[str] | None:
    """Split a run of letters into the fewest known words (dynamic programming), or None."""
    n = len(letters)
    best: list[list[str] | None] = [[]] + [None] * n
    for end in range(1, n + 1):
        for start in range(max(0, end - max_word), end):
            prev = best[start]
            word = letters[start:end]
            if prev is not None and (word in _SHORT_WORDS if len(word) <= 2 else word in known):
                if best[end] is None or len(prev) + 1 < len(best[end]):  # type: ignore[arg-type]
                    best[end] = [*prev, word]
    return best[n]


def spaced_spans(text: str, known: Collection[str], detect: Detect) -> list[dict]:
    """Letter-spaced runs spelled out as words and read by the English stages; the run is the span."""
    out: list[dict] = []
    for m in _SPACED.finditer(text):
        groups = [_SEP.sub("", g).lower() for g in _GAP.split(m.group(0)) if g.strip()]
        words: list[str] = []
        for g in groups:
            split = [g] if g in known else segment_words(g, known)
            words.extend(split or [g])
        if detect(" ".join(words) + "."):
            out.append({"start": m.start(), "end": m.end(), "text": m.group(0)[:300], "rule": "letter_spaced"})
    return out


# --- encoded text ---------------------------------------------------------------------------------------
_B64 = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{24,}={0,2}(?![A-Za-z0-9+/=])")
_HEX = re.compile(r"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{2}){12,}(?![0-9A-Za-z])")
_CODED_MIN_WORDS = 3  # distinct words that only read as known words once decoded, in one window


def _readable(raw: bytes) -> str | None:
    """Decoded bytes as text, if they are readable text with spaces (not a hash or binary)."""
    try:
        text = raw.decode("utf-8")
    except ValueError:  # UnicodeDecodeError
        return None
    printable = sum(c.isprintable() or c.isspace() for c in text)
    return text if " " in text and printable >= 0.95 * len(text) else None


def _decoded_text(blob: str) -> str | None:
    """The text a base64 blob encodes, if it is readable text with spaces (not a hash or binary)."""
    try:
        raw = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return _readable(raw)


def _hex_text(blob: str) -> str | None:
    """The text a hex blob (an even number of hex digits, from _HEX) encodes, if readable."""
    return _readable(bytes.fromhex(blob))


def base64_spans(text: str, detect: Detect) -> list[dict]:
    """Base64 or hex blobs that decode to an instruction (read by the English stages or the language lexicon).
    A hash or a hex dump of binary data does not decode to readable text."""
    if not any(len(w) >= 24 for w in text.split()):  # C-speed gate: no long token, no blob
        return []
    out = []
    for rule, rx, decode in (("base64", _B64, _decoded_text), ("hex", _HEX, _hex_text)):
        for m in rx.finditer(text):
            if any(s["start"] <= m.start() < s["end"] for s in out):
                continue
            decoded = decode(m.group(0))
            if decoded and (detect(decoded) or language_spans(decoded)):
                out.append({"start": m.start(), "end": m.end(), "text": m.group(0)[:300], "rule": rule})
    return out


def coded_spans(text: str, known: Collection[str], detect: Detect, words: Words | None = None) -> list[dict]:
    """Windows written in ROT13 or backwards: at least three distinct unknown words that decode to known
    ones, close together. The window is decoded and read by the English stages."""
    low, tokens = words or words_of(text)
    out: list[dict] = []
    for rule, decode in (("rot13", lambda s: s.translate(ROT13)), ("reversed", lambda s: s[::-1])):
        coded = {t for t in tokens if t.isalpha() and t.isascii() and t not in known and decode(t) in known}
        if len(coded) < _CODED_MIN_WORDS:
            continue
        for group in _clusters([(m.start(), m.end(), m.group(0)) for m in positions(low, coded)]):
            if len({w for _, _, w in group}) < _CODED_MIN_WORDS:
                continue
            a, b = group[0][0], group[-1][1]
            if detect(decode(text[a:b])):
                out.append({"start": a, "end": b, "text": text[a:b][:300], "rule": rule})
    return out


def obfuscated_spans(text: str, known: Collection[str], detect: Detect) -> list[dict]:
    """All of the above: spans into `text`. `known`: the English words the stages know (the linear scorer's
    vocabulary); `detect`: the English stages run on a view."""
    words = words_of(text)
    spans = language_spans(text, words) + leet_spans(text, known, detect, words) + base64_spans(text, detect)
    spans += coded_spans(text, known, detect, words)
    if _may_be_spaced(text):
        spans += spaced_spans(text, known, detect)
    return spans
