"""Instructions the other stages cannot read: leetspeak, letter-spaced words, and other languages.

The rules and the linear scorer read English words. An author can hide the same instruction as
"1gn0re pr3vi0us instruct10ns", as "i g n o r e   t h e   r u b r i c", or write it in another language.
This stage turns the first two back into words (a *view*) and hands the view to the English stages, and
flags the third with a small lexicon of reviewer, override, acceptance and criticism terms in nine
languages. Spans point into the original text, with rule names `leetspeak`, `letter_spaced` and
`other_language`. Measured recall and false alarms: docs/paper_loading.md.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Collection

Detect = Callable[[str], list[dict]]  # English stages on a view: text -> spans into that view

# --- leetspeak -------------------------------------------------------------------------------------
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_TOKEN = re.compile(r"[\w@$]{3,}")  # the paper's words, once: the leetspeak and language checks look them up
_LEET_CHARS = frozenset("013457@$")
_LEET_MIN_TOKENS = 2  # one odd token ("h100", "s3") is a name; two de-leeting to words in a line is a disguise
_LEET_REACH = 200  # de-leeted tokens this close together make one window


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


def _positions(low: str, words: Collection[str]) -> list[re.Match[str]]:
    """Every whole-token occurrence of some of the words in the lower-cased text."""
    alternatives = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    return list(re.finditer(r"(?<![\w@$])(?:" + alternatives + r")(?![\w@$])", low)) if words else []


def leet_spans(text: str, known: Collection[str], detect: Detect, tokens: Collection[str] | None = None) -> list[dict]:
    """Windows holding at least two leetspeak words, with those words spelled out (same length, so offsets
    hold), read by the English stages; their spans that touch a disguised word. `tokens`: the lower-cased
    text's distinct `_TOKEN` words, when the caller has them."""
    low = text.lower()
    if len(low) != len(text):
        return []  # a rare letter changed length when lower-cased: offsets would not map back
    tokens = set(_TOKEN.findall(low)) if tokens is None else tokens
    spelled = {t: w for t in tokens if not t.isdigit() and _LEET_CHARS.intersection(t) and (w := _deleet(t, known))}
    hits = [(m.start(), m.end(), spelled[m.group(0)]) for m in _positions(low, spelled)]
    out: list[dict] = []
    i = 0
    while i < len(hits):
        j = i
        while j + 1 < len(hits) and hits[j + 1][0] - hits[j][1] <= _LEET_REACH:
            j += 1
        group = hits[i:j + 1]
        i = j + 1
        if len(group) < _LEET_MIN_TOKENS:
            continue
        a = max(0, group[0][0] - _LEET_REACH)
        b = min(len(text), group[-1][1] + _LEET_REACH)
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


def segment_words(letters: str, known: Collection[str], max_word: int = 16) -> list[str] | None:
    """Split a run of letters into the fewest known words (dynamic programming), or None."""
    n = len(letters)
    best: list[list[str] | None] = [[]] + [None] * n
    for end in range(1, n + 1):
        for start in range(max(0, end - max_word), end):
            prev = best[start]
            word = letters[start:end]
            if prev is not None and (word in known or word in ("a", "i")):
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


# --- other languages -----------------------------------------------------------------------------------
# Terms per class, accents stripped and lower case. Words spelled the same in English are left out (the
# English stages read those). CJK terms match as substrings, the others at word starts.
_TERMS: dict[str, tuple[str, ...]] = {
    "addressee": (
        # es pt it fr de
        "revisor", "evaluador", "arbitro", "avaliador", "parecerista", "revisore", "valutatore", "relecteur",
        "relectrice", "evaluateur", "rapporteur", "examinateur", "gutachter", "rezensent", "begutacht",
        "modelo de lenguaje", "modelo de linguagem", "modello linguistico", "modele de langage", "sprachmodell",
        "inteligencia artificial", "intelligenza artificiale", "kunstliche intelligenz",
        # ru
        "рецензент", "ревьюер", "языковая модель", "языковой модели", "нейросет",
        # zh ja ko
        "审稿", "评审", "审阅", "审查人", "语言模型", "人工智能", "査読", "レビュアー", "レビューア", "評価者",
        "言語モデル", "리뷰어", "심사위원", "심사자", "검토자", "언어 모델", "인공지능",
    ),
    "override": (
        "ignora", "ignoriere", "ignorier", "ignorez", "ignorer", "olvida", "esqueca", "dimentica", "oubliez",
        "vergiss", "игнорируй", "игнорировать", "забудь", "忽略", "无视", "忽视", "忘记", "無視", "忘れ", "무시",
    ),
    "instructions": (
        "instrucciones", "instrucoes", "istruzioni", "consignes", "anweisung", "инструкци", "указани",
        "指令", "指示", "提示词", "命令", "지시", "지침", "명령",
    ),
    "goal": (
        "aceptacion", "aceptar", "acepte", "aceitacao", "aceitar", "accettazione", "accettare", "accettato",
        "acceptation", "accepter", "acceptez", "annahme", "annehmen", "akzeptier", "recomienda", "recomendar",
        "recomende", "raccomand", "recommandez", "recommander", "empfiehl", "empfehl", "puntuacion alta",
        "puntuacion maxima", "nota maxima", "nota alta", "punteggio massimo", "punteggio alto",
        "bestnote", "hoch bewert", "herausragend", "sobresaliente", "eccellente", "excelente", "ausgezeichnet",
        "принять", "принятию", "рекоменд", "высокую оценку", "высший балл",
        "接收", "录用", "接受", "高分", "好评", "满分", "推荐", "採択", "採用", "推薦", "高評価", "高い評価", "満点",
        "채택", "게재", "추천", "높은 점수", "만점",
    ),
    "suppress": (
        "debilidades", "fraquezas", "debolezze", "faiblesses", "schwachen", "schwachstellen", "sin mencionar",
        "sin senalar", "no menciones", "sem mencionar", "nao mencione", "senza menzionare", "non menzionare",
        "sans mentionner", "ne mentionnez", "erwahne keine", "keine schwach", "недостатк", "слабые стороны",
        "не упоминай", "不足", "缺点", "弱点", "无需提及", "不要提及", "欠点", "触れない", "言及しない", "약점",
        "단점", "언급하지",
    ),
}
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_SENT_BREAK = re.compile(r"[.!?。！？\n]")
_SENT_MAX = 400
# A flag needs two classes that only together make an instruction to whoever reviews the paper.
_PAIRS = (("override", "instructions"), ("addressee", "goal"), ("addressee", "suppress"),
          ("addressee", "override"), ("goal", "suppress"))


def _fold(s: str) -> str:
    """Lower case, Latin letters without accents (ä -> a, ç -> c); same length, other scripts kept as they
    are (decomposing kana or Hangul would break their terms)."""
    s = s.lower()
    table = {}
    for c in set(s):
        if not c.isascii():
            base = "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x))
            if len(base) == 1 and base.isascii() and base != c:
                table[ord(c)] = base
    return s.translate(table) if table else s


def _term_rx(term: str) -> str:
    return re.escape(term) if _CJK.search(term) else r"(?<!\w)" + re.escape(term)


_CLASS_RX = {k: re.compile("|".join(_term_rx(t) for t in sorted(v, key=len, reverse=True)))
             for k, v in _TERMS.items()}
_CJK_TERMS = re.compile("|".join(re.escape(t) for v in _TERMS.values() for t in v if _CJK.search(t)))
_FIRST_WORDS: dict[str, tuple[str, ...]] = {}  # first 4 letters -> the terms' first words starting so
for _t in sorted({t.split()[0] for v in _TERMS.values() for t in v if not _CJK.search(t)}):
    _FIRST_WORDS[_t[:4]] = (*_FIRST_WORDS.get(_t[:4], ()), _t)


def _may_start(word: str) -> bool:
    return any(word.startswith(t) for t in _FIRST_WORDS.get(word[:4], ()))


def _term_starts(low: str, tokens: Collection[str]) -> list[int]:
    """Where a term may start in the lower-cased text. A regex alternation of every term scanned over a
    whole paper cost ~200 ms; looking up the paper's distinct words costs a few."""
    words = {w for w in tokens if len(w) >= 4 and _may_start(w if w.isascii() else _fold(w))}
    starts = [m.start() for m in _positions(low, words)]
    if _CJK.search(low):
        starts += [m.start() for m in _CJK_TERMS.finditer(low)]
    return sorted(starts)


def language_spans(text: str, tokens: Collection[str] | None = None) -> list[dict]:
    """Sentences in another language that pair two classes of instruction terms. `tokens`: as for
    `leet_spans`."""
    low = text.lower()
    if len(low) != len(text):  # lower() changed a length (rare letters such as "İ"): offsets would drift
        low = "".join(c if len(c) == 1 else " " for c in map(str.lower, text))
    tokens = set(_TOKEN.findall(low)) if tokens is None else tokens
    out: list[dict] = []
    done = -1
    for start in _term_starts(low, tokens):
        if start < done:
            continue
        # The sentence around the term (at most _SENT_MAX characters each way).
        lo = max(0, start - _SENT_MAX)
        breaks = [m.end() for m in _SENT_BREAK.finditer(low, lo, start)]
        a = breaks[-1] if breaks else lo
        end = _SENT_BREAK.search(low, start + 1, start + _SENT_MAX)
        b = end.end() if end else min(len(low), start + _SENT_MAX)
        done = b
        sentence = _fold(low[a:b])
        found = {k for k, rx in _CLASS_RX.items() if rx.search(sentence)}
        if any(x in found and y in found for x, y in _PAIRS):
            out.append({"start": a, "end": b, "text": text[a:b].strip()[:300], "rule": "other_language"})
    return out


def obfuscated_spans(text: str, known: Collection[str], detect: Detect) -> list[dict]:
    """All three: spans into `text`. `known`: the English words the stages know (the linear scorer's
    vocabulary); `detect`: the English stages run on a view."""
    tokens = set(_TOKEN.findall(text.lower()))
    spans = language_spans(text, tokens) + leet_spans(text, known, detect, tokens)
    if _may_be_spaced(text):
        spans += spaced_spans(text, known, detect)
    return spans
