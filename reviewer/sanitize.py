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
    r"^[#*_\s]*(?:\d+\s*)?(?:A\s?BSTRACT|Abstract)\b[*_:.\s]*(?=$|[A-Z])", _M
)
_INTRO_LINE = re.compile(r"^[#*_\s]*(?:\d+(?:\.)?\s*)?I\s?NTRODUCTION\b", _M | _I)
_HEADING = re.compile(
    r"^(?:#{1,6}\s+\S.*|[*_]*(?:\d+(?:\.\d+)*\.?|[A-H](?:\.\d+)*)\s+[A-Z][A-Z0-9 ,:;&\-–—()']{2,80}[*_]*"
    r"|[*_]*[A-Z][A-Z0-9 ,:;&\-–—()']{3,60}[*_]*)\s*$",
    _M,
)

_VENUE = re.compile(
    r"(?:Published|Accepted|Appear(?:s|ing)?|Presented)\s+(?:as\s+a\s+|at\s+|in\s+|to\s+)?"
    r"(?:(?:conference|workshop|journal)\s+paper\s+)?(?:at|in|to|for)?\s*(?:the\s+)?"
    r"(?:ICLR|NeurIPS|NIPS|ICML|CVPR|ICCV|ECCV|AAAI|IJCAI|ACL|EMNLP|NAACL|AISTATS|UAI|COLT|KDD|"
    r"International Conference|Conference)[^\n]{0,80}"
    r"|Under\s+review\s+(?:as\s+a\s+(?:conference|workshop)\s+paper\s+)?(?:at|for)?[^\n]{0,60}"
    r"|Paper\s+under\s+(?:double|single)[\s-]+blind\s+review"
    r"|(?:Submitted|Submission)\s+to\s+(?:ICLR|NeurIPS|ICML|the\s+International)[^\n]{0,60}"
    r"|\bdouble[\s-]+blind\s+review\b"
    r"|\bPreprint\.?\s+(?:Under\s+review|Work\s+in\s+progress)\.?"
    r"|\bcamera[\s-]+ready(?:\s+version)?\b"
    r"|\bICLR\s*(?:20)?22\b(?:\s+conference(?:\s+paper)?)?",
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
    r"[^\n.]{0,40}(?:equal(?:ly)?\s+contribution|contributed\s+equally|corresponding\s+author|"
    r"correspondence\s+to\b[^\n.]{0,80}|work\s+(?:was\s+)?done\s+(?:while|during|when|at)\b[^\n.]{0,100}|"
    r"internship\s+at\b[^\n.]{0,60})[^\n.]{0,40}\.?",
    _I,
)
_ACK_HEAD = re.compile(
    r"^[#*_\s]*(?:\d+(?:\.\d+)*\.?\s*)?(?:A\s?CKNOWLEDGE?MENTS?|Acknowledge?ments?|ACKNOWLEDGE?MENTS?|"
    r"FUNDING(?:\s+STATEMENT)?|Funding(?:\s+statement)?|DISCLOSURE\s+OF\s+FUNDING)\b"
    r"(?:\s+(?:AND|and)\s+[A-Za-z ]{0,40})?[*_:.\s]*",
    _M,
)
_THANKS = re.compile(
    r"[^.\n]*(?:\b(?:We|I|authors?)\s+(?:would\s+(?:also\s+)?like\s+to\s+|also\s+|sincerely\s+|further\s+)?"
    r"(?:thank|acknowledge|are\s+(?:very\s+)?grateful|gratefully\s+acknowledge)\b"
    r"|\b(?:was|is|were|are|has\s+been|have\s+been)\s+(?:partially\s+|partly\s+|in\s+part\s+|also\s+|"
    r"generously\s+|financially\s+)?(?:supported|funded|sponsored)\s+(?:in\s+part\s+)?by\b"
    r"|\bgrant\s+(?:no\.?|number|agreement|#)\s*\w"
    r"|\bthanks?\s+(?:the\s+)?(?:anonymous\s+)?(?:reviewers|area\s+chairs?|AC)\b"
    r"|\b(?:anonymous\s+)?reviewers\s+for\s+(?:their|the)\s+(?:helpful|valuable|insightful|constructive))"
    r"[^\n]*?(?:\.(?=\s|$)|$)",
    _I | _M,
)
_EMAIL = re.compile(
    r"(?:\{[^{}\n]{1,200}\}|[\w.+\-]+)\s?@\s?[\w\-]+(?:\.[\w\-]+)*\.[a-z]{2,}", _I
)
_URL_CODE = re.compile(
    r"(?:https?://)?(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|anonymous\.4open\.science|"
    r"[\w\-]+\.github\.io|sites\.google\.com|openreview\.net|huggingface\.co|colab\.research\.google\.com|"
    r"drive\.google\.com|dropbox\.com|codeocean\.com|paperswithcode\.com)[^\s)\]}>\"']*",
    _I,
)
_CODE_CLAIM = re.compile(
    r"(?:\b(?:our\s+)?(?:source\s+)?code(?:s|base)?(?:\s+and\s+\w+)?\s+(?:is|are|will\s+be)\s+"
    r"(?:publicly\s+|made\s+|openly\s+|freely\s+)*(?:available|released|open[\s-]?sourced)"
    r"(?:\s+(?:online|publicly))?\s*(?:at|in|on|here|via|:)?\s*(?::)?)",
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


def _sub(pattern: re.Pattern[str], kind: str, text: str, log: _Log, repl: str = "") -> str:
    def fn(m: re.Match[str]) -> str:
        log.add(kind, m.group(0))
        log.chars -= len(repl)
        return repl

    return pattern.sub(fn, text)


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
    return text[:head_limit] + "\n" + rest[:head_line_end] + "".join(out_pars)


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
    t = _strip_header(t, log)
    t = _strip_ack_sections(t, log)
    t = _sub(_FOOTNOTE, "footnote", t, log)
    t = _sub(_FOOTNOTE_INLINE, "footnote", t, log)
    t = _sub(_THANKS, "acknowledgements", t, log)
    t = _sub(_ANON, "anonymous", t, log)
    t = _sub(_VENUE, "venue_header", t, log)
    t = _sub(_EMAIL, "email", t, log)
    t = _sub(_CODE_CLAIM, "code_link", t, log, "Code: ")
    t = _sub(_URL_CODE, "code_link", t, log, "[link removed]")
    t = re.sub(r"\n{3,}", "\n\n", t)
    removed = max(0, len(text) - len(t))
    return SanitizeResult(text=t, removed_chars=removed, removed=log.items)


def _header_region(text: str) -> str:
    m = _ABSTRACT_LINE.search(text, 0, 6000) or _INTRO_LINE.search(text, 0, 8000)
    return text[: m.start()] if m else text[:1500]


def find_markers(text: str) -> dict[str, bool]:
    """Which identity/status markers are present (booleans; features for the leakage probe)."""
    head = _header_region(text)
    head_body = "\n".join(head.split("\n")[_title_end(head.split("\n")):])
    head_body = _VENUE.sub("", _ANON.sub("", head_body))
    return {
        "author_block": any(
            ln.strip() and not ln.lstrip().startswith("#") for ln in head_body.split("\n")
        ),
        "email": bool(_EMAIL.search(text)),
        "affiliation": any(len(ln) < 110 and _AFFIL_WORDS.search(ln) for ln in head.split("\n")[1:]),
        "anonymous": bool(_ANON.search(text)),
        "venue_header": bool(_VENUE.search(text)),
        "acknowledgements": bool(_ACK_HEAD.search(text)) or bool(_THANKS.search(text)),
        "camera_ready": bool(re.search(r"camera[\s-]+ready", text, _I)),
        "equal_contribution": bool(_FOOTNOTE.search(text) or _FOOTNOTE_INLINE.search(text)),
        "code_link": bool(_URL_CODE.search(text)),
    }
