"""Remove what reveals a paper's identity or status before a reviewer model sees it.

In the ICLR 2022 dev set accepted papers are camera-ready (names, affiliations, "Published as ...",
acknowledgements) and rejected ones anonymous ("Anonymous authors", "Under review as ..."), so one
string predicts the decision. The sanitizer removes, in this order:

1. the header block: everything between the title and the abstract (authors, affiliations, e-mails,
   "Anonymous authors", "Paper under double-blind review"), plus author-like short paragraphs that a
   two-column layout pushed just after the "ABSTRACT" heading;
2. venue/status lines anywhere ("Published as a conference paper at ...", "Under review as ...",
   "Preprint", "camera-ready", running "ICLR 2022" headers);
3. footnote lines about authors ("Equal contribution", "Corresponding author", "Work done at ...");
4. acknowledgements / funding sections and sentences ("We thank ...", "supported by grant ...");
5. e-mail addresses, code/project URLs (github, anonymous.4open.science, ...) and "Anonymous, 2021"
   self-citations, replaced by neutral placeholders so both classes look the same.

The body (abstract, sections, references) is kept. `find_markers` reports which markers are present;
the leakage probe uses it before and after sanitizing.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

# --- patterns -------------------------------------------------------------------------------------
_I = re.I
_M = re.M

_ABSTRACT_LINE = re.compile(
    r"^[ \t#*_]*(?:\d+\.?[ \t]*)?(?:A ?B ?S ?T ?R ?A ?C ?T|Abstract)\b[*_:. \t]*(?=$|[A-Z])", _M
)
_INTRO_LINE = re.compile(r"^[ \t#*_]*(?:\d+\.?[ \t]*)?I ?NTRODUCTION\b", _M | _I)
_HEADING = re.compile(
    r"^(?:#{1,6}\s+\S.*|[*_]*(?:\d+(?:\.\d+)*\.?|[A-H](?:\.\d+)*)\s+[A-Z][A-Z0-9 ,:;&\-–—()']{2,80}[*_]*"
    r"|[*_]*[A-Z][A-Z0-9 ,:;&\-–—()']{3,60}[*_]*)\s*$",
    _M,
)

_VENUE = re.compile(
    r"(?:(?<=\n)|^)[ \t*_]*(?:Published|Accepted|Appear(?:s|ing)?|To\s+appear|Presented)\s+(?:as\s+a\s+|at\s+|in\s+|to\s+)?"
    r"(?:(?:conference|workshop|journal)\s+paper\s+)?(?:at|in|to|for)?\s*(?:the\s+)?"
    r"(?:ICLR|NeurIPS|NIPS|ICML|CVPR|ICCV|ECCV|AAAI|IJCAI|ACL|EMNLP|NAACL|AISTATS|UAI|COLT|KDD|"
    r"International Conference|Conference)[^\n]{0,80}"
    r"|Under\s+review\s+(?:as\s+a\s+(?:conference|workshop)\s+paper\s+)?(?:at|for)?[^\n]{0,60}"
    r"|Paper\s+under\s+(?:double|single)[\s-]+blind\s+review"
    r"|(?:Submitted|Submission)\s+to\s+(?:ICLR|NeurIPS|ICML|the\s+International)[^\n]{0,60}"
    r"|\bdouble[\s-]+blind\s+review\b"
    r"|\bPreprint\.?\s+(?:Under\s+review|Work\s+in\s+progress)\.?"
    r"|\bcamera[\s-]+ready(?:\s+version)?\b"
    r"|\bICLR\s*(?:20)?22\b(?:\s+conference(?:\s+paper)?)?"
    r"|\bAI[\s-]Scientist\s+Generated\s+Preprint"  # the AI Scientist's own watermark
    r"|CAUTION!*\s*THIS\s+PAPER\s+WAS\s+AUTONOMOUSLY\s+GENERATED\s*BY\s+THE\s+AI\s+SCIENTIST",
    _I,
)
_ANON = re.compile(
    r"\*{0,2}Anonymous\s+authors?\*{0,2}"
    r"|\bAnonymous\s*(?:et\s+al\.?\s*)?[,(]\s*\(?20\d\d[a-z]?\)?"
    r"|\bAnonymous\b(?=[.,]?\s*(?:\(20\d\d|20\d\d|Under review|Submitted|In submission))"
    r"|\bAnonymi[sz]ed\s+(?:for|during)\s+(?:double[\s-]blind\s+)?review",
    _I,
)
_FOOTNOTE = re.compile(
    r"^[^\n]{0,12}(?:equal(?:ly)?\s+contribut|contributed\s+equally|corresponding\s+author|"
    r"correspondence\s+(?:to|:)|work\s+(?:was\s+|is\s+)?(?:partly\s+|partially\s+|mostly\s+)?done|"
    r"(?:done|performed)\s+(?:while|during|when|as)|internship\s+at|intern\s+at|"
    r"affiliated\s+with|now\s+at\s|currently\s+at\s)[^\n]{0,400}$",
    _I | _M,
)
_FOOTNOTE_INLINE = re.compile(
    r"equal(?:ly)?\s+contribution|contributed\s+equally|corresponding\s+author|correspondence\s+to\b|"
    r"work\s+(?:was\s+|is\s+)?(?:partly\s+|partially\s+)?done\s+(?:while|during|when|at)\b|internship\s+at\b",
    _I,
)
_ACK_HEAD = re.compile(
    r"^[ \t#*_]*(?:\d+(?:\.\d+)*\.?[ \t]*)?(?:A ?CKNOWLEDGE?MENTS?|Acknowledge?ments?|"
    r"FUNDING(?:[ \t]+STATEMENT)?|Funding(?:[ \t]+[Ss]tatement)?|DISCLOSURE[ \t]+OF[ \t]+FUNDING)\b"
    r"(?:[ \t]+(?:AND|and|&)[ \t]+[A-Za-z ]{0,40})?[*_:. \t]*",
    _M,
)
# Funding and thanks: keyword hits, each widened to its sentence by `_drop_sentences`.
_THANKS = re.compile(
    r"\b(?:this|the|our)\s+(?:work|research|project|study|material|paper)\s+(?:was|is|has\s+been)\s+"
    r"(?:\w+\s+){0,3}?(?:supported|funded|sponsored)\b"
    r"|\b(?:supported|funded|sponsored)\s+(?:in\s+part\s+|partially\s+|partly\s+|generously\s+)?by\s+(?:the\s+|a\s+|an\s+)?"
    r"(?:[A-Z][\w\-&]*\s+(?:of\s+|and\s+|for\s+)?){0,6}(?:grants?|fellowships?|awards?|foundation|council|agency|"
    r"program(?:me)?|NSF|DARPA|ONR|ARO|AFOSR|ERC|EPSRC|NSERC|CIFAR|NIH|DOE|JSPS|JST|NSFC|National|Ministry)\b"
    r"|\bgrants?\s+(?:no\.?|nos\.?|number|agreement|#)\s*\w"
    r"|\b(?:we|i|the\s+authors?)\s+(?:would\s+(?:also\s+)?like\s+to\s+|also\s+|sincerely\s+|further\s+|wish\s+to\s+|"
    r"are\s+thankful\s+to\s+|)(?:thank|acknowledge\s+(?:the\s+)?(?:\w+\s+)?(?:support|funding|help)|"
    r"are\s+(?:very\s+|deeply\s+|also\s+)?(?:grateful|indebted)|gratefully\s+acknowledge)"
    r"|\bthanks?\s+(?:go\s+)?(?:to\s+)?(?:the\s+)?(?:anonymous\s+)?(?:reviewers|area\s+chairs?)"
    r"|\breviewers\s+for\s+(?:their|the)\s+(?:helpful|valuable|insightful|constructive|useful)",
    _I,
)
_EMAIL = re.compile(
    r"(?:\{[^{}\n]{1,200}\}|[\w.+\-]+)\s?@\s?[\w\-]+(?:\.[\w\-]+)*\.[a-zA-Z]{2,}"
)
_URL_CODE = re.compile(
    r"(?:https?://)?(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|anonymous\.4open\.science|"
    r"[\w\-]+\.github\.io|sites\.google\.com|openreview\.net|huggingface\.co|colab\.research\.google\.com|"
    r"drive\.google\.com|dropbox\.com|codeocean\.com|paperswithcode\.com)[^\s)\]}>\"']*",
    _I,
)
_AFFIL_WORDS = re.compile(
    r"\b(?:Universit(?:y|ä|é|at|e)|Institute|Institut|Laborator(?:y|ies)|Lab\b|Labs\b|Research|"
    r"Department|Dept\.|School\s+of|College|Inc\.?|Ltd\.?|LLC|Corporation|Google|DeepMind|Microsoft|"
    r"Facebook|Meta\s+AI|Amazon|NVIDIA|IBM|Alibaba|Tencent|Baidu|Huawei|Samsung|Apple|Adobe|OpenAI|"
    r"Mila|Vector|MIT|CMU|ETH|EPFL|KAIST|Tsinghua|Peking|Stanford|Berkeley|Oxford|Cambridge|"
    r"USA|China|Canada|Germany|France|Japan|Korea|Kingdom|Switzerland|Israel|India|Australia|Singapore)\b"
)
_BOLD_NAME = re.compile(r"^\s*\*\*[^*\n]{2,200}\*\*\s*$|^\s*[A-Z][a-z]+(?:\s+[A-Z][\w.\-]*){1,3}\s*$")


class SanitizeResult(BaseModel):
    text: str
    removed_chars: int
    removed: list[tuple[str, str]]  # (kind, snippet) — snippets clipped to 80 chars


class _Log:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []
        self.chars = 0

    def add(self, kind: str, snippet: str) -> None:
        if snippet.strip():
            self.items.append((kind, " ".join(snippet.split())[:80]))
        self.chars += len(snippet)


# Cheap lower-case literal triggers: the full (slow, case-insensitive) patterns only run on the lines
# around a trigger hit, which keeps the 388-paper dev set at a few seconds.
_TRIGGERS = {
    "venue_header": re.compile(r"published|accepted|appear|presented|review|blind|submi|preprint|camera|iclr|"
                               r"autonomously"),
    "anonymous": re.compile(r"anonym"),
    "footnote": re.compile(r"equal|contribut|correspond|done|intern|affiliat|now at|currently at"),
    "acknowledgements": re.compile(r"support|fund|sponsor|grant|thank|acknowledg|grateful|indebted|reviewers"),
    "email": re.compile(r"@"),
    "code_link": re.compile(r"github|gitlab|bitbucket|4open|sites\.google|openreview|huggingface|colab|"
                            r"drive\.google|dropbox|codeocean|paperswithcode"),
}


def _windows(text: str, kind: str, before: int = 300, after: int = 400) -> list[tuple[int, int]]:
    low = text.lower()
    if len(low) != len(text):  # rare Unicode case changes length: scan everything
        return [(0, len(text))]
    spans: list[tuple[int, int]] = []
    for m in _TRIGGERS[kind].finditer(low):
        a = text.rfind("\n", 0, max(0, m.start() - before)) + 1
        b = text.find("\n", m.end() + after)
        b = len(text) if b < 0 else b
        if spans and a <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], b))
        else:
            spans.append((a, b))
    return spans


def _sub(pattern: re.Pattern[str], kind: str, text: str, log: _Log, repl: str = "") -> str:
    def fn(m: re.Match[str]) -> str:
        log.add(kind, m.group(0))
        log.chars -= len(repl)
        return repl

    out, pos = [], 0
    for a, b in _windows(text, kind):
        out.append(text[pos:a])
        out.append(pattern.sub(fn, text[a:b]))
        pos = b
    out.append(text[pos:])
    return "".join(out)


def _drop_sentences(kw: re.Pattern[str], kind: str, text: str, log: _Log, left: int = 400,
                    right: int = 600, windows: bool = False) -> str:
    """Remove the sentence (or footnote line) around each keyword hit; bounded to stay local."""
    out, pos = [], 0
    hits = (m for a, b in (_windows(text, kind) if windows else [(0, len(text))]) for m in kw.finditer(text, a, b))
    for m in hits:
        if m.start() < pos:
            continue
        lo = max(pos, m.start() - left)
        seg = text[lo:m.start()]
        cut = max(seg.rfind(". "), seg.rfind(".\n"), seg.rfind("\n"))
        a = lo + cut + 1 if cut >= 0 else lo
        hi = min(len(text), m.end() + right)
        tail = text[m.end():hi]
        ends = [i for i in (tail.find(". "), tail.find(".\n"), tail.find("\n\n")) if i >= 0]
        b = m.end() + (min(ends) + 1 if ends else len(tail))
        if tail.endswith(".") and not ends:
            b = hi
        out.append(text[pos:a])
        log.add(kind, text[a:b])
        pos = b
    out.append(text[pos:])
    return "".join(out)


def _title_end(lines: list[str]) -> int:
    """Index just past the title: leading heading lines (Markdown) or the first non-empty line."""
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines) and lines[i].lstrip().startswith("#"):
        while i < len(lines) and (lines[i].lstrip().startswith("#") or not lines[i].strip()):
            i += 1
        return i
    # Plain text (PDF): title may wrap over up to 3 lines in title case / upper case, before the authors.
    j = i + 1
    while j < min(len(lines), i + 3) and lines[j].strip() and lines[j].strip().isupper():
        j += 1
    return j


def _authorish(par: str) -> bool:
    rows = [r for r in par.splitlines() if r.strip()]
    if not rows or len(rows) > 8 or any(len(r) > 110 for r in rows):
        return False
    if any(r.rstrip().endswith(".") and len(r) > 60 for r in rows):
        return False
    signals = sum(bool(_AFFIL_WORDS.search(r) or "@" in r or _BOLD_NAME.match(r)) for r in rows)
    return signals >= max(1, len(rows) // 2)


def _strip_header(text: str, log: _Log) -> str:
    lines = text.split("\n")
    start = _title_end(lines)
    head_limit = sum(len(x) + 1 for x in lines[:start])
    window_end = head_limit + 6000
    m = _ABSTRACT_LINE.search(text, head_limit, window_end)
    if m is None:
        m = _INTRO_LINE.search(text, head_limit, window_end)
    if m is None:
        return text  # no recognisable structure: the line-level rules still apply
    cut = m.start()
    # The block between title and abstract: authors, affiliations, e-mails, anonymity notes.
    block = text[head_limit:cut]
    if block.strip():
        log.add("author_block", block)
    rest = text[cut:]
    # Two-column author layouts: author paragraphs right after the ABSTRACT heading.
    head_line_end = rest.find("\n") + 1 if "\n" in rest else len(rest)
    body = rest[head_line_end:]
    pars = re.split(r"(\n\s*\n)", body)
    k = 0  # even indices are paragraphs, odd ones the blank-line separators
    while k < len(pars):
        if not pars[k].strip():
            k += 2
            continue
        if not _authorish(pars[k]):
            break
        log.add("author_block", pars[k])
        k += 2
    out_pars = pars[k:]
    # Same layout whatever was removed (whitespace must not tell the two versions apart).
    return text[:head_limit].rstrip() + "\n\n" + rest[:head_line_end].strip() + "\n\n" + "".join(out_pars).lstrip()


def _next_heading(text: str, pos: int) -> int:
    m = _HEADING.search(text, pos)
    return m.start() if m else len(text)


def _strip_ack_sections(text: str, log: _Log) -> str:
    out, pos = [], 0
    for m in _ACK_HEAD.finditer(text):
        if m.start() < pos:
            continue
        line_end = text.find("\n", m.start())
        line_end = len(text) if line_end < 0 else line_end
        inline = text[m.end():line_end].strip()
        if inline:  # "**Acknowledgements.** We thank ..." — drop this paragraph only
            par_end = text.find("\n\n", m.start())
            end = len(text) if par_end < 0 else par_end
        else:
            end = _next_heading(text, line_end + 1)
            if end - m.start() > 4000:  # no heading found nearby: stop at a paragraph break
                brk = text.rfind("\n\n", m.start(), m.start() + 4000)
                end = brk if brk > line_end else m.start() + 4000
        out.append(text[pos:m.start()])
        log.add("acknowledgements", text[m.start():end])
        pos = end
    out.append(text[pos:])
    return "".join(out)


def sanitize_text(text: str) -> SanitizeResult:
    log = _Log()
    t = text.replace("\x00", "")
    # Venue lines first: in PDF text "Under review as ..." often comes before the title.
    t = _sub(_VENUE, "venue_header", t, log)
    t = re.sub(r"\A\s+", "", t)
    t = _strip_header(t, log)
    t = _strip_ack_sections(t, log)
    t = _sub(_FOOTNOTE, "footnote", t, log)
    t = _drop_sentences(_FOOTNOTE_INLINE, "footnote", t, log, left=60, right=200, windows=True)
    t = _drop_sentences(_THANKS, "acknowledgements", t, log, windows=True)
    t = _sub(_ANON, "anonymous", t, log)
    t = _sub(_VENUE, "venue_header", t, log)  # again: a header may have been split around removed text
    t = _sub(_EMAIL, "email", t, log)
    t = _sub(_URL_CODE, "code_link", t, log)
    t = re.sub(r"\[[\s.:]*\]\(\s*\)|https?://(?=[\s)\]])", "", t)  # husks of removed Markdown links
    t = re.sub(r"\n{3,}", "\n\n", t)
    removed = max(0, len(text) - len(t))
    return SanitizeResult(text=t, removed_chars=removed, removed=log.items)


def _header_region(text: str) -> str:
    m = _ABSTRACT_LINE.search(text, 0, 6000) or _INTRO_LINE.search(text, 0, 8000)
    return text[: m.start()] if m else text[:1500]


def _has(rx: re.Pattern[str], kind: str, text: str) -> bool:
    return any(rx.search(text, a, b) for a, b in _windows(text, kind))


def find_markers(text: str) -> dict[str, bool]:
    """Which identity/status markers are present (booleans; features for the leakage probe)."""
    head = _header_region(text)
    head_lines = head.split("\n")
    head_body = "\n".join(head_lines[_title_end(head_lines):])
    head_body = _VENUE.sub("", _ANON.sub("", head_body))
    return {
        "author_block": any(ln.strip() and not ln.lstrip().startswith("#") for ln in head_body.split("\n")),
        "email": _has(_EMAIL, "email", text),
        "affiliation": any(len(ln) < 110 and _AFFIL_WORDS.search(ln) for ln in head_lines[1:]),
        "anonymous": _has(_ANON, "anonymous", text),
        "venue_header": _has(_VENUE, "venue_header", text),
        "acknowledgements": bool(_ACK_HEAD.search(text)) or _has(_THANKS, "acknowledgements", text),
        "camera_ready": "camera" in text.lower() and bool(re.search(r"camera[\s-]+ready", text, _I)),
        "equal_contribution": _has(_FOOTNOTE, "footnote", text) or _has(_FOOTNOTE_INLINE, "footnote", text),
        "code_link": _has(_URL_CODE, "code_link", text),
    }
