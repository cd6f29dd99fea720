"""Prompt-injection detector: flag paper text aimed at reviewers or models.

The paper is untrusted input. Rules are regular expressions run over a *normalized view* of the text
(NFKC, lower case, invisible characters dropped, common homoglyphs mapped to ASCII, hyphenated line
breaks joined, whitespace collapsed), so casing, zero-width characters, full-width letters, Cyrillic
look-alikes and line breaks do not hide an instruction. A second *compact view* (letters only) catches
letter-spaced phrases ("i g n o r e  a l l ..."). Invisible Unicode tag characters and markup that
hides text (white text, zero-size fonts, HTML comments) are flagged on the raw text.

Every span maps back to offsets in the original text: {"start", "end", "text", "rule"}.
The detector is deliberately conservative on wording that papers use legitimately (e.g. "positive
review" in sentiment analysis needs a paper/score context). Measured recall and false-alarm rate are
in docs/paper_loading.md.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = set("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
                 "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068"
                 "\u2069\u206a\u206b\u206c\u206d\u206e\u206f\u3164\ufeff\uffa0")
_HOMOGLYPHS = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ɡ": "g", "һ": "h", "ӏ": "l", "ո": "n", "ν": "v", "ο": "o", "α": "a",
    "ι": "i", "κ": "k", "τ": "t", "ρ": "p", "ε": "e", "Ι": "i", "Α": "a", "Е": "e", "О": "o",
    "Т": "t", "Р": "p", "С": "c", "Н": "h", "К": "k", "М": "m", "В": "b", "Х": "x",
})

_SUBJ = r"(?:this|the|our|present|current|following|attached)\s+(?:paper|work|submission|manuscript|article|study)"
_MODEL = (r"(?:llms?|large\s+language\s+models?|language\s+models?|ai\s+(?:models?|assistants?|systems?|reviewers?|agents?)|"
          r"chatgpt|gpt-?\d\w*|claude|gemini|(?:reviewer\s+|review\s+|ai\s+)?bots?|automated\s+(?:reviewers?|review\s+systems?)|assistants?|chatbots?|"
          r"ai|(?:llm|ai|machine|model)[\s-]*(?:based|generated|powered)?\s*reviewers?|reviewing\s+(?:models?|systems?|agents?))")
_POS = (r"(?:very\s+|highly\s+|strongly\s+|extremely\s+|overwhelmingly\s+|only\s+)?(?:positive|favou?rable|glowing|"
        r"good|great|high|excellent|strong|outstanding|enthusiastic|top|maximum|perfect|the\s+highest|a\s+high)")

RULES: dict[str, str] = {
    # "ignore (all) previous instructions" and friends
    "ignore_instructions": (
        r"\b(?:ignore|disregard|forget|override|overlook|skip|bypass|discard|neglect)\s+(?:all\s+|any\s+|each\s+of\s+)?"
        r"(?:of\s+)?(?:the\s+|your\s+|my\s+|these\s+)?(?:previous|prior|preceding|above|earlier|foregoing|former|"
        r"original|initial|system|other|existing|given)\s+(?:\w+\s+)?(?:instructions?|prompts?|directions?|"
        r"guidelines?|rules|directives?|commands?|context|messages?|criteria|rubrics?|reviewing\s+guidelines)"
        # "ignore the reviewing guidelines above", "forget everything above"
        r"|\b(?:ignore|disregard|forget|override|bypass|discard)\s+(?:all\s+|any\s+)?(?:the\s+|your\s+|these\s+|those\s+)?"
        r"(?:\w+\s+)?(?:instructions?|prompts?|directions?|guidelines?|rules|directives?|rubrics?|criteria)\s+"
        r"(?:above|before|given|provided|so\s+far|earlier|you\s+(?:were|have\s+been)\s+given)"
        r"|\b(?:ignore|disregard|forget|override)\s+(?:all\s+)?(?:of\s+)?your\s+(?:\w+\s+)?(?:instructions|guidelines|rules|"
        r"prompts?|directives|programming|training|criteria|rubric)"
        r"|\b(?:ignore|disregard|forget)\s+(?:everything|anything|all)\s+(?:above|before|said|previously|prior|"
        r"you\s+(?:were|have\s+been)\s+told)"
    ),
    "new_instructions": (
        r"\b(?:new|updated|real|actual|true|hidden|secret|additional|special|important)\s+(?:system\s+)?"
        r"(?:instructions?|directives?|prompt)\s*(?:for\s+(?:the\s+)?(?:reviewers?|" + _MODEL + r"))?\s*[:\-]"
        r"|\b(?:instructions?|notes?|message|p\.?\s?s\.?)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?(?:\w+\s+)?"
        r"(?:" + _MODEL + r"|reviewers?)\s*[:\-]"
        r"|\bsystem\s+prompt\s*[:\-]|<\s*/?\s*(?:system|instructions?|im_start|im_end)\s*>|\[\s*/?inst\s*\]"
    ),
    # addressing the reviewer/model with an obligation
    "address_reviewer": (
        r"\b(?:as|for|to|attention|note\s+(?:to|for)|dear|hello|hey|hi|psst)\s*[,:]?\s*(?:a|an|the|any|all|every)?\s*"
        r"(?:" + _MODEL + r"|reviewers?|referees?|area\s+chairs?|evaluators?|readers?\s+that\s+(?:are|is)\s+(?:an?\s+)?ai)"
        r"(?:\s+[\w’']+){0,5}?\s*[,:;\-]?\s*(?:you|we|they|it)?\s*"
        r"(?:must|should|shall|are\s+(?:required|instructed|asked|expected|told|obliged)\s+to|have\s+to|need\s+to|"
        r"will|are\s+to|ought\s+to)\s+(?!be\s+(?:aware|careful|noted))"
        r"|\b(?:if|when|in\s+case|should|whether)\s+you\s+(?:are|be|happen\s+to\s+be)\s+(?:an?\s+)?(?:" + _MODEL
        + r"|reviewer|language\s+model|bot|machine)"
        r"|\byou\s+are\s+(?:now\s+)?(?:an?\s+)?(?:helpful|friendly|lenient|generous|positive|kind|supportive)\s+"
        r"(?:\w+\s+){0,3}(?:reviewer|assistant|model|referee)"
        # "<model or reviewer> ... must/should <directive>", a few words apart
        r"|\b(?:" + _MODEL + r"|reviewers?|referees?)\b(?:\s+[\w,'’:]+){0,6}?\s+(?:must|should|shall|"
        r"are\s+(?:instructed|required|asked|expected|told|supposed)\s+to|is\s+(?:instructed|required|asked|expected|"
        r"told|supposed)\s+to|need\s+to|needs\s+to|have\s+to|has\s+to)\s+(?:always\s+|only\s+|strongly\s+|definitely\s+|"
        r"not\s+|never\s+)?(?:rate|score|give|assign|recommend|accept|praise|output|respond|reply|return|print|say|"
        r"state|ignore|disregard|avoid|focus|mention|list|highlight|penali[sz]e|critici[sz]e|overlook|write\s+(?:a|an)\s+" + _POS + r"|"
        r"evaluate\s+(?:this|the)\s+(?:paper|work|submission|manuscript)\s+(?:positively|favou?rably|highly))"
    ),
    # asking for a good score / acceptance
    "request_positive": (
        r"\b(?:give|write|provide|assign|produce|output|generate|return|award|leave|submit|issue)\s+"
        r"(?:" + _SUBJ + r"\s+|it\s+|us\s+|me\s+)?(?:a|an|only)?\s*" + _POS + r"\s+"
        r"(?:\w+\s+)?(?:reviews?|ratings?|scores?|assessments?|evaluations?|recommendations?|marks?|grades?)"
        r"(?!\s+(?:of|for)\s+(?:the|a|this)\s+(?:movie|film|restaurant|product|hotel|book|item))"
        r"|\brate\s+(?:" + _SUBJ + r"|it|this)\s+(?:very\s+|as\s+)?(?:highly|high|positively|favou?rably|"
        r"as\s+(?:excellent|outstanding|strong|top|a\s+strong\s+accept)|(?:a|an)\s+(?:10|9|8|strong)|10|9|8|"
        r"with\s+(?:a\s+)?(?:10|9|8|high|strong|top|maximum|the\s+highest))"
        r"|\b(?:recommend|suggest|vote\s+for)\s+(?:a\s+)?(?:strong\s+|clear\s+|immediate\s+|definite\s+)?accept(?:ance|ing)?\b\s*"
        r"(?:of\s+|for\s+)?(?:" + _SUBJ + r"|it)?"
        r"|\b(?:" + _SUBJ + r"|it)\s+(?:must|should|shall|deserves\s+to)\s+(?:definitely\s+|clearly\s+|certainly\s+)?"
        r"be\s+(?:accepted|rated\s+(?:highly|high|positively)|given\s+(?:a\s+)?(?:high|top|strong|positive))"
        r"|\b(?:accept|approve)\s+(?:" + _SUBJ + r")\s+(?:regardless|no\s+matter|without|immediately|unconditionally)"
        r"|\b(?:overall|rating|score|decision|soundness|presentation|contribution)\s*(?:score\s*)?(?:[:=]|to|of|as)\s*"
        r"(?:10|9|8|\"?accept\"?|strong\s+accept)\b\s*(?:regardless|no\s+matter|for\s+" + _SUBJ + r"|is\s+required)"
        r"|\bset\s+(?:the\s+)?(?:overall\s+)?(?:score|rating|decision)\s+(?:to|as)\s+(?:10|9|8|accept|strong)"
        r"|\bhighest\s+possible\s+(?:score|rating)"
        r"|\b(?:give|assign|award|rate)\s+(?:\w+\s+){0,3}?(?:score|rating|grade)\s+(?:of\s+)?(?:at\s+least\s+)?"
        r"(?:10|9|8|[6-9]\.\d)\b"
        r"|\b(?:respond|reply|answer|output|return|say|print)\s+(?:only\s+)?(?:with\s+)?[\"'“‘]?\s*"
        r"(?:strong\s+accept|accept\b|10\s*/\s*10|overall\s*[:=])"
        r"|\b(?:ask|request|want|instruct|urge|tell|beg|need)\s+(?:any|all|the|every|each)?\s*(?:" + _MODEL
        + r"|reviewers?)\s+to\s+(?:rate|score|give|assign|recommend|accept|praise|ignore|disregard|overlook|"
        r"avoid|focus|only)"
        r"|\b(?:" + _SUBJ + r"|it)\s+deserves?\s+(?:a\s+|an\s+|the\s+)?" + _POS + r"\s+(?:\w+\s+)?"
        r"(?:reviews?|ratings?|scores?|assessments?|evaluations?|recommendations?|marks?|grades?)"
    ),
    "suppress_criticism": (
        r"\b(?:do\s+not|don'?t|never|avoid|refrain\s+from)\s+(?:mention(?:ing)?|point(?:ing)?\s+out|highlight(?:ing)?|"
        r"list(?:ing)?|discuss(?:ing)?|criticiz(?:e|ing)|criticis(?:e|ing)|report(?:ing)?|includ(?:e|ing))\s+"
        r"(?:any\s+)?(?:of\s+)?(?:the\s+)?(?:\w+\s+)?(?:weaknesses|limitations|flaws|negatives?|negative\s+(?:points|aspects)|"
        r"criticisms?|shortcomings|concerns)\b(?!\s+of\s+(?:prior|previous|existing|other)\b)"
        r"|\bonly\s+(?:mention|list|highlight|discuss|describe|focus\s+on)\s+(?:the\s+)?(?:strengths|positives?|"
        r"positive\s+aspects)"
        r"|\b(?:mention|list|highlight|discuss|describe|focus\s+on)\s+only\s+(?:the\s+)?(?:strengths|positives?)"
        r"|\b(?:do\s+not|don'?t|never)\s+(?:reveal|mention|disclose|tell\s+anyone\s+about)\s+(?:this|these)\s+"
        r"(?:instructions?|prompts?|notes?|messages?|text)"
    ),
}
# One alternation with a named group per rule: a single pass over the text.
_COMBINED = re.compile("|".join(f"(?P<{name}>{p})" for name, p in RULES.items()))

# Letter-spaced / de-spaced tricks: phrases matched on a letters-only view.
_COMPACT = re.compile(
    r"ignore(?:all|any)?(?:the)?(?:previous|prior|above|preceding)instructions"
    r"|disregard(?:all|any)?(?:the)?(?:previous|prior|above|preceding)instructions"
    r"|give(?:this|the|our)(?:paper|work|submission)a?positivereview|giveapositivereviewonly|ratethispaperhighly|recommendaccept(?:ance)?(?:of)?thispaper"
    r"|asareviewer(?:you)?must|(?:llm|ai)reviewers?(?:must|should)"
)

# Markup that hides text from human readers (raw text; PDF-to-Markdown keeps some of it).
_HIDDEN_MARKUP = re.compile(
    r"\\(?:textcolor|color)\s*\{\s*white\s*\}|color\s*:\s*(?:white|#fff(?:fff)?)\b|font-size\s*:\s*0(?:\.\d+)?\s*(?:px|pt|em)?"
    r"|display\s*:\s*none|\\fontsize\s*\{\s*0(?:\.\d+)?\w*\s*\}|<!--[\s\S]{0,2000}?-->|\\phantom\s*\{",
    re.I,
)
_TAG_CHARS = re.compile(r"[\U000E0000-\U000E007F]{3,}")
_ZW_CLUSTER = re.compile(r"(?:\w?[\u200b\u200c\u200d\u2060\ufeff]\w){4,}")


_SEG = re.compile(
    r"(?P<join>(?<=[^\W\d_])-[ \t\r]*\n\s*)"  # hyphen at a line end after a letter: join the word
    r"|(?P<space>[\s*_`#>|\\]+)"  # whitespace and Markdown emphasis collapse to one space
    r"|(?P<ascii>[^\x00-\x20*_`#>|\\\-\x7f-\U0010ffff]+|-)"  # plain ASCII run
    r"|(?P<other>[^\x00-\x7f])",
)


def _normalize(text: str) -> tuple[str, list[int]]:
    """Lower-cased NFKC view without invisible characters; returns it with an index map to `text`."""
    out: list[str] = []
    idx: list[int] = []
    last_space = True
    for m in _SEG.finditer(text):
        kind, s, e = m.lastgroup, m.start(), m.end()
        if kind == "join":
            continue
        if kind == "space":
            if not last_space:
                out.append(" ")
                idx.append(s)
                last_space = True
            continue
        ch = m.group(0)
        if kind == "other":
            if ch in _INVISIBLE or "\U000e0000" <= ch <= "\U000e007f":
                continue
            ch = unicodedata.normalize("NFKC", ch).translate(_HOMOGLYPHS).lower()
            if not ch:
                continue
            if ch.isspace():
                if not last_space:
                    out.append(" ")
                    idx.append(s)
                    last_space = True
                continue
            out.append(ch)
            idx.extend([s] * len(ch))
        else:
            out.append(ch.lower())
            idx.extend(range(s, e))
        last_space = False
    return "".join(out), idx


def _span(text: str, idx: list[int], a: int, b: int, rule: str) -> dict:
    start = idx[a] if a < len(idx) else len(text)
    end = idx[b - 1] + 1 if b - 1 < len(idx) else len(text)
    return {"start": start, "end": end, "text": text[start:end][:300], "rule": rule}


_ANCHORS = (  # every rule match contains one of these (lower-case, normalized view)
    "ignor", "disregard", "forget", "overrid", "overlook", "skip ", "bypass", "discard", "neglect",
    "instruction", "directive", "prompt", "[inst", "im_start", "im_end", "reviewer", "referee", "llm",
    "language model", "assistant", "chatgpt", "gpt", "claude", "gemini", "chatbot", "area chair", "evaluator",
    " ai ", "ai-", " ai:", " ai,", " ai.", "you are", "you must", "you should", "you will", "you have", "you need",
    "review", "rating", " rate", "score", "deserv", " note ", "note:", "notes:", "note to", "note for", "p.s", "ps ", "bot ", "bots", "your ",
    "10/10", "10 / 10", "overall", "recommend", "accept", " mark", " grade", "assessment", "evaluation",
    "highest", "suggest", "vote", "weakness", "limitation", "flaw", "criticis", "criticiz", "shortcoming",
    "negative", "concern", "strength", "positive", "reveal", "disclose", "tell anyone",
)
_HYPHEN_JOIN = re.compile(r"-[ \t\r]*\n\s*")
_SPECIAL_RE = re.compile(r"[*_`#>|\\]")
_NONLETTERS = bytes(c for c in range(256) if not (97 <= c <= 122))
_HIDDEN_HINTS = ("color", "font-size", "display", "<!--", "fontsize", "phantom")


def _fast_norm(text: str, chars: set[str] | None = None) -> str:
    """Same view as `_normalize` but without collapsing whitespace or an index map (C-speed passes)."""
    chars = set(text) if chars is None else chars
    low = text.lower()
    if chars & set("*_`#>|\\"):
        low = _SPECIAL_RE.sub(" ", low)
    table: dict[int, str | None] = {}
    for ch in chars:
        o = ord(ch)
        if o < 128:
            continue
        if ch in _INVISIBLE or 0xE0000 <= o <= 0xE007F:
            table[ord(ch.lower())] = None
        else:
            n = unicodedata.normalize("NFKC", ch).translate(_HOMOGLYPHS).lower()
            if n != ch.lower():
                table[ord(ch.lower())] = " " if n.isspace() or n in "*_`#>|\\" else n
    if table:  # a char-class scan plus a callback per hit is much faster than str.translate here
        cls = re.compile("[" + "".join(re.escape(chr(o)) for o in table) + "]")
        low = cls.sub(lambda m: table[ord(m.group(0))] or "", low)

    def join(m: re.Match[str]) -> str:  # hyphen at a line end after a letter: join the word
        prev = m.string[m.start() - 1] if m.start() else ""
        return "" if prev.isalpha() else m.group(0)

    return _HYPHEN_JOIN.sub(join, low) if "-" in chars else low


def _windows(norm: str) -> list[tuple[int, int]]:
    """Merged windows around anchor words; every rule match contains an anchor."""
    cuts: list[tuple[int, int]] = []
    for w in _ANCHORS:
        p = norm.find(w)
        while p >= 0:
            cuts.append((max(0, p - 250), p + 350))
            p = norm.find(w, p + 1)
    cuts.sort()
    merged: list[tuple[int, int]] = []
    for a, b in cuts:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _cheap_hit(norm: str) -> bool:
    if any(_COMBINED.search(norm, a, b) for a, b in _windows(norm)):
        return True
    compact = norm.encode("ascii", "ignore").translate(None, _NONLETTERS).decode()
    return bool(_COMPACT.search(compact))


_CHUNK, _OVERLAP = 8000, 1000  # injected phrases are far shorter than the overlap


def detect_injection(text: str) -> tuple[bool, list[dict]]:
    """(suspected, spans). Spans are offsets into `text` with the matching rule's name."""
    spans: list[dict] = []
    chars = set(text)
    seen: set[tuple[int, int, str]] = set()
    for off in range(0, max(1, len(text)), _CHUNK - _OVERLAP):
        chunk = text[off:off + _CHUNK]
        # Cheap pass on every chunk; the slower index-mapped pass only where something hit.
        if _cheap_hit(_fast_norm(chunk, chars)):
            for sp in _mapped_spans(chunk):
                sp = {**sp, "start": sp["start"] + off, "end": sp["end"] + off}
                key = (sp["start"], sp["end"], sp["rule"])
                if key not in seen and not any(s["rule"] == sp["rule"] and s["start"] <= sp["start"] < s["end"]
                                               for s in spans):
                    seen.add(key)
                    spans.append(sp)
        if off + _CHUNK >= len(text):
            break
    for rx, name in ((_HIDDEN_MARKUP, "hidden_markup"), (_TAG_CHARS, "unicode_tag_chars"),
                     (_ZW_CLUSTER, "zero_width_obfuscation")):
        if name == "zero_width_obfuscation" and not chars & set("\u200b\u200c\u200d\u2060\ufeff"):
            continue
        if name == "unicode_tag_chars" and not any(ord(c) >= 0xE0000 for c in chars):
            continue
        if name == "hidden_markup" and not any(h in text.lower() for h in _HIDDEN_HINTS):
            continue
        for m in rx.finditer(text):
            spans.append({"start": m.start(), "end": m.end(), "text": m.group(0)[:300], "rule": name})
    spans.sort(key=lambda s: (s["start"], s["end"]))
    return bool(spans), spans


def _mapped_spans(text: str) -> list[dict]:
    spans: list[dict] = []
    norm, idx = _normalize(text)
    for m in _COMBINED.finditer(norm):
        spans.append(_span(text, idx, m.start(), m.end(), m.lastgroup or "rule"))
    letters_pos: list[int] = []
    for m in re.finditer(r"[^\W\d_]+", norm):
        letters_pos.extend(range(m.start(), m.end()))
    compact = "".join(norm[k] for k in letters_pos)
    for m in _COMPACT.finditer(compact):
        a, b = letters_pos[m.start()], letters_pos[m.end() - 1] + 1
        if not any(s["start"] <= idx[a] < s["end"] for s in spans):
            spans.append(_span(text, idx, a, b, "spaced_out_phrase"))
    return spans
