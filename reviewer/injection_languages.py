"""Instructions written in another language: a term-pair lexicon in twenty languages.

The rules and the linear scorer read English. A sentence in another language is flagged when it pairs two
classes of terms that together only make an instruction to whoever reviews the paper (an addressee and a
goal, an override and "instructions", ...). One term alone (a Chinese example sentence about a recommender
system, a German translation pair in an NLP paper) is not enough. Rule name `other_language`; part of the
obfuscation stage (`injection_obfuscation.py`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from typing import NamedTuple

TOKEN = re.compile(r"[\w@$]{3,}")  # a paper's words, collected once and looked up by several checks


class Words(NamedTuple):
    """A text lower-cased with its offsets kept, and its distinct TOKEN words: computed once per paper and
    shared by the language, leetspeak and encoded-text checks."""

    low: str
    tokens: frozenset[str]


def words_of(text: str) -> Words:
    low = text.lower()
    if len(low) != len(text):  # lower() changed a length (rare letters such as "İ"): offsets would drift
        low = "".join(c if len(c) == 1 else " " for c in map(str.lower, text))
    return Words(low, frozenset(TOKEN.findall(low)))


def positions(low: str, words: Collection[str]) -> list[re.Match[str]]:
    """Every whole-token occurrence of some of the words in the lower-cased text."""
    alternatives = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    return list(re.finditer(r"(?<![\w@$])(?:" + alternatives + r")(?![\w@$])", low)) if words else []


# Terms per class, accents stripped and lower case: Spanish, Portuguese, Italian, French, German, Dutch,
# Polish, Turkish, Indonesian, Russian, Arabic, Hindi, Chinese, Japanese, Korean, Vietnamese, Swedish, Czech,
# Greek, Ukrainian. Words spelled the same in
# English are left out (the English stages read those). Terms in scripts without spaces between words or
# with attached articles (CJK, Arabic, Devanagari) match as substrings, the others at word starts.
_TERMS: dict[str, tuple[str, ...]] = {
    "addressee": (
        # es pt it fr de
        "revisor", "evaluador", "arbitro", "avaliador", "parecerista", "revisore", "valutatore", "relecteur",
        "relectrice", "evaluateur", "rapporteur", "examinateur", "gutachter", "rezensent", "begutacht",
        "modelo de lenguaje", "modelo de linguagem", "modello linguistico", "modele de langage", "sprachmodell",
        "inteligencia artificial", "intelligenza artificiale", "kunstliche intelligenz",
        # nl pl tr id
        "recensent", "beoordelaar", "taalmodel", "recenzent", "oceniajacy", "hakem",
        "degerlendirici", "yapay zeka", "peninjau", "penelaah", "penilai",
        "kecerdasan buatan",
        # ru
        "рецензент", "ревьюер", "языковая модель", "языковой модели", "нейросет",
        # zh ja ko
        "审稿", "评审", "审阅", "审查人", "语言模型", "人工智能", "査読", "レビュアー", "レビューア", "評価者",
        "言語モデル", "리뷰어", "심사위원", "심사자", "검토자", "언어 모델", "인공지능",
        "리뷰에서",  # "in the review": not an addressee, but paired with "do not take issue" it tells the reviewer
        # ar hi
        "المراجع", "المحكم", "المقيم", "نموذج اللغة", "الذكاء الاصطناعي", "समीक्षक", "मूल्यांकनकर्ता",
        "भाषा मॉडल",
        # vi sv cs el uk
        "nguoi đanh gia", "nguoi phan bien", "mo hinh ngon ngu", "tri tue nhan tao", "granskare", "bedomare",
        "sprakmodell", "hodnotitel", "jazykovy model", "αξιολογητ", "κριτή", "κριτη", "γλωσσικό μοντέλο",
        "γλωσσικο μοντελο", "рецензентк", "мовна модель", "штучний інтелект",
    ),
    "override": (
        "ignora", "ignoriere", "ignorier", "ignorez", "ignorer", "olvida", "esqueca", "dimentica", "oubliez",
        "vergiss", "игнорируй", "игнорировать", "забудь", "忽略", "无视", "忽视", "忘记", "無視", "忘れ", "무시",
        "negeer", "vergeet", "zignoruj", "ignoruj", "zapomnij", "yok say", "gormezden gel", "abaikan", "lupakan",
        "تجاهل", "अनदेखा", "भूल जाओ",
        "bo qua moi", "bo qua cac", "bo qua tat ca", "bo qua nhung", "ignorera", "glom", "zapomen", "αγνόησε", "αγνοησε", "αγνοήστε", "ξέχασε", "ξεχασε", "ігноруй",
    ),
    "instructions": (
        "instrucciones", "instrucoes", "istruzioni", "consignes", "anweisung", "инструкци", "указани",
        "指令", "指示", "提示词", "命令", "지시", "지침", "명령", "instructies", "aanwijzingen", "instrukcj",
        "polecen", "talimat", "yonerge", "instruksi", "petunjuk", "perintah", "التعليمات", "تعليمات", "निर्देश",
        "huong dan truoc", "huong dan tren", "chi dan truoc", "chi thi truoc", "instruktioner", "anvisningar", "pokyny", "instrukce", "οδηγίες", "οδηγιες",
        "інструкці", "вказівк",
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
        "aanvaarding", "accepteer", "aanbevelen", "beveel", "hoge score", "hoogste score", "uitstekend",
        "akceptacj", "zaakceptuj", "przyjeci", "przyjmij", "rekomend", "najwyzsz", "wysoka ocen", "kabul",
        "yuksek puan", "tam puan", "penerimaan", "terima makalah", "rekomendasikan", "skor tinggi", "nilai tinggi",
        "nilai maksimal", "قبول", "اقبل", "توصية", "درجة عالية", "أعلى درجة", "स्वीकार", "उच्च अंक", "सिफारिश",
        "अनुशंसा",
        "hochstnote", "hochste note", "hochste bewertung", "hochsten punktzahl", "hochste punktzahl", "volle punktzahl",
        "bestmogliche", "उच्चतम अंक", "अधिकतम अंक", "पूर्ण अंक", "最高分", "最高評価", "최고 점수", "note maximale", "meilleure note", "note elevee",
        "긍정적인 리뷰", "긍정적인 평가", "긍정적으로 평가", "좋은 점수", "肯定的な評価", "好意的な評価", "正面评价", "积极评价",
        "au moins 8", "au moins 9", "note d'au moins", "mindestens 8", "mindestens 9", "al menos 8", "al menos 9",
        "almeno 8", "almeno 9",
        # change 10: merits beyond dispute, a stated score
        "indiscutibil", "indiscutibl", "indiscutabl", "incontestabl", "unbestreitbar", "innegabil", "innegabl",
        "puntuacion de 8", "puntuacion de 9", "puntuacion de 10", "puntuacao de 8", "puntuacao de 9", "puntuacao de 10",
        "punteggio di 8", "punteggio di 9", "punteggio di 10", "note de 8", "note de 9", "note de 10",
        # change 11: fully convincing
        "pienamente convincent", "totalmente convincent", "completamente convincent", "plenamente convincent",
        "entierement convaincant", "totalement convaincant", "vollig uberzeugend", "volkommen uberzeugend",
        # change 12: described as convincing
        "como convincentes", "como convincente", "come convincenti", "come convincente", "comme convaincants",
        "comme convaincant", "als uberzeugend",
        "chap nhan", "nhan xet tich cuc", "đanh gia tich cuc", "diem cao", "diem toi đa", "acceptera", "godkann",
        "hogsta betyg", "hogt betyg", "prijmout", "nejvyssi hodnoceni", "vysoke hodnoceni",
        "αποδοχή", "αποδοχη", "αποδεχτ", "υψηλή βαθμολογία", "υψηλη βαθμολογια", "συνιστ", "прийняти", "високу оцінку",
        # change 15: assessed positively
        "de forma positiva", "de maneira positiva", "de manera positiva", "in modo positivo", "in maniera positiva",
        "de facon positive", "de maniere positive", "positiv bewerten", "positiv zu bewerten", "positiv beurteilen",
    ),
    # A polite command ("please", an imperative ending): with a goal term it asks for the goal.
    "command": (
        "por favor", "veuillez", "s'il vous plait", "bitte", "per favore", "alstublieft", "prosze", "пожалуйста",
        "lutfen", "silakan", "tolong", "يرجى", "من فضلك", "कृपया", "请", "务必", "ください", "下さい", "하십시오", "하세요",
        "주세요", "주십시오",
        "vui long", "snalla", "prosim", "παρακαλώ", "παρακαλω", "будь ласка",
    ),
    "suppress": (
        "debilidades", "fraquezas", "debolezze", "faiblesses", "schwachen", "schwachstellen", "sin mencionar",
        "sin senalar", "no menciones", "sem mencionar", "nao mencione", "senza menzionare", "non menzionare",
        "sans mentionner", "ne mentionnez", "erwahne keine", "keine schwach", "недостатк", "слабые стороны",
        "не упоминай", "不足", "缺点", "弱点", "无需提及", "不要提及", "欠点", "触れない", "言及しない", "약점",
        "단점", "언급하지", "zwaktes", "zwakke punten", "tekortkoming", "noem geen", "słabe strony", "słabosci",
        "nie wspominaj", "zayıf yon", "zayıflık", "zayif yon", "zayiflik", "eksiklik", "bahsetme", "kelemahan", "kekurangan",
        "jangan sebutkan", "نقاط الضعف", "العيوب", "لا تذكر", "कमजोरि", "कमियों", "कमियां", "उल्लेख न",
        "diem yeu", "khong đe cap", "svagheter", "slabiny", "不要要求", "无需补充", "不必要求", "不要提出", "要求しないで",
        "求めないで", "요구하지 마", "αδυναμίες", "αδυναμιες", "недолік", "слабкі сторони",
        # change 11: do not ask for more
        "non chiedere", "no pidas", "no solicite", "nao peca", "ne demandez pas", "ne demande pas", "verlange keine",
        "fordere keine",
        # change 12: do not question
        "nao questione", "nao questionem", "no cuestione", "no cuestiones", "non mettere in dubbio",
        "non mettete in dubbio", "ne remettez pas en question", "ne remets pas en question", "stelle nicht in frage",
        "stellen sie nicht in frage", "hinterfrage nicht", "hinterfragen sie nicht",
        # change 14: "do not mention" in the infinitive
        "no mencionar", "nao mencionar", "ne pas mentionner", "nicht erwahnen",
        # change 15: "must not mention", "do not take issue"
        "non deve menzionare", "non devono menzionare", "non dovrebbe menzionare", "no debe mencionar",
        "no deben mencionar", "nao deve mencionar", "nao devem mencionar", "ne doit pas mentionner",
        "ne doivent pas mentionner", "문제 삼지", "지적하지 마",
    ),
    # Two halves of "suppress" that make an instruction together: a verb of leaving out and a weakness noun
    # ("ne pas mentionner ... les faiblesses"). Either alone occurs in ordinary text.
    "omit": (
        "no menciones", "no mencione", "no mencionar", "omite", "omita", "omitir", "nao mencione",
        "nao mencionar", "non menzionare", "non menzionate", "ometti", "omettete", "ne mentionnez",
        "ne pas mentionner", "ne mentionne pas", "omettez", "passez sous silence", "nicht erwahnen",
        "erwahnen sie nicht", "erwahne keine", "weglassen", "auslassen", "niet vermelden",
        "vermeld geen", "noem geen", "laat weg", "не упоминай", "не упоминайте", "не указывай", "опусти",
        "不要提", "不要提及", "无需提及", "省略", "触れない", "言及しない", "書かない", "언급하지", "nie wspominaj",
        "pomin", "bahsetme", "jangan sebutkan",
        "khong đe cap", "đung đe cap", "namn inte", "nezminuj", "μην αναφέρεις", "μην αναφερεις", "не згадуй",
    ),
    "weakness": (
        "debilidades", "fraquezas", "debolezze", "faiblesses", "schwachen", "schwachstellen", "недостатк",
        "слабые стороны", "缺点", "弱点", "不足之处", "欠点", "약점", "단점", "zwaktes", "zwakke punten",
        "słabe strony", "słabosci", "zayıf yon", "zayif yon", "kelemahan", "kekurangan", "نقاط الضعف", "العيوب",
        "कमजोरि", "कमियों", "limitaciones", "limitacoes", "limitazioni", "einschrankungen", "beperkingen",
        "ограничени", "局限", "限界",
        "diem yeu", "han che", "svagheter", "begransningar", "slabiny", "nedostatky", "αδυναμίες", "αδυναμιες",
        "недолік", "обмеженн",
    ),
}
# English spellings shared with other languages ("instructions" in French, "ignore" in Portuguese). They
# count for their class only when the sentence's other class comes from a foreign term: alone they are
# the English stages' business.
_SHARED_TERMS: dict[str, tuple[str, ...]] = {"override": ("ignore", "ignorer"), "instructions": ("instructions",),
                                           # English review terms inside a foreign sentence ("请给出 strong accept")
                                           "goal": ("strong accept", "accept", "acceptance"),
                                           "weakness": ("weaknesses", "weakness", "limitations")}
_CJK = re.compile(r"[\u0600-\u06ff\u0900-\u097f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")  # substring scripts
_SENT_BREAK = re.compile(r"[.!?。！？\n]")
_SENT_MAX = 400
# A flag needs two classes that only together make an instruction to whoever reviews the paper.
_PAIRS = (("override", "instructions"), ("addressee", "goal"), ("addressee", "suppress"),
          ("addressee", "override"), ("goal", "suppress"), ("omit", "weakness"), ("command", "goal"))


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
_SHARED_RX = {k: re.compile(r"(?<!\w)(?:" + "|".join(v) + r")(?!\w)") for k, v in _SHARED_TERMS.items()}
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
    starts = [m.start() for m in positions(low, words)]
    if _CJK.search(low):
        starts += [m.start() for m in _CJK_TERMS.finditer(low)]
    return sorted(starts)


def language_spans(text: str, words: Words | None = None) -> list[dict]:
    """Sentences in another language that pair two classes of instruction terms. `words`: `words_of(text)`,
    when the caller has it."""
    low, tokens = words or words_of(text)
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
        shared = {k for k, rx in _SHARED_RX.items() if rx.search(sentence)} | found
        if any(x in found and y in shared or y in found and x in shared for x, y in _PAIRS):
            out.append({"start": a, "end": b, "text": text[a:b].strip()[:300], "rule": "other_language"})
    return out
