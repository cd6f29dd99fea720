"""Load a paper (PDF via pypdf, or UTF-8 .txt/.md), clean it, optionally sanitize it, fit it to a budget.

Every failure is a `PaperError` whose message is one line: "<file>: <cause>". No pypdf exception
escapes. Strategies (page limit, token budget, text cleaning) are documented in docs/paper_loading.md.
"""

from __future__ import annotations

import errno
import math
import os
import re
from collections import Counter
from pathlib import Path

from pydantic import BaseModel

from reviewer.injection import detect_injection
from reviewer.pdf_hidden import extract_with_hidden, hidden_spans
from reviewer.sanitize import sanitize_text

MAX_PAGES = 200  # without an explicit page_limit, longer PDFs are refused (not a paper; would take minutes)
TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
CHARS_PER_TOKEN = 4
TRUNCATION_NOTE = "[... section truncated ...]"
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "ft", "ﬆ": "st",
                            "\x00": None, "\r": None})


class PaperError(Exception):
    """One-line, user-facing: '<file>: <cause>'."""

    def __init__(self, path: str | Path | None, cause: str | None = None) -> None:
        if cause is None:  # PaperError("x.pdf: message") also works
            path, cause = None, str(path)
        self.path, self.cause = (str(path) if path is not None else None), cause
        one_line = " ".join(cause.split())
        super().__init__(f"{Path(path).name}: {one_line}" if path is not None else one_line)


class Paper(BaseModel):
    path: str | None = None
    title: str | None = None
    text: str
    n_pages: int | None = None
    sanitized: bool = False
    removed_chars: int = 0
    truncated: bool = False
    injection_suspected: bool = False
    injection_spans: list[dict] = []


# --- public API -----------------------------------------------------------------------------------
def load_paper(path: str | Path, *, page_limit: int | None = None, sanitize: bool = False,
               max_tokens: int | None = None) -> Paper:
    """Load a .pdf/.txt/.md paper. Raises PaperError (one line naming the file and the cause)."""
    p = Path(path)
    _check_file(p)
    suffix = p.suffix.lower()
    truncated = False
    hidden: list[str] = []
    if suffix == ".pdf":
        pages, n_pages, truncated, hidden = read_pdf(p, page_limit)
        text = "\n\n".join(pages)
        title = _first_substantial_line(text)
    elif suffix in TEXT_SUFFIXES:
        text, n_pages = _read_text(p).translate(_LIGATURES), None
        title = _markdown_title(text) or _first_substantial_line(text)
    else:
        raise PaperError(p, f"unsupported file type '{p.suffix or '(none)'}' (expected .pdf, .txt or .md)")
    paper = paper_from_text(text, sanitize=sanitize, max_tokens=max_tokens, path=str(p))
    update = {"title": title, "n_pages": n_pages, "truncated": paper.truncated or truncated}
    if spans := hidden_spans(paper.text, hidden):  # text the PDF hides from human readers
        update |= {"injection_suspected": True,
                   "injection_spans": sorted(paper.injection_spans + spans, key=lambda s: (s["start"], s["end"]))}
    return paper.model_copy(update=update)


def paper_from_text(text: str, *, sanitize: bool = False, max_tokens: int | None = None,
                    path: str | None = None) -> Paper:
    text = text.translate(_LIGATURES)
    title = _markdown_title(text) or _first_substantial_line(text)
    removed = 0
    if sanitize:
        res = sanitize_text(text)
        text, removed = res.text, res.removed_chars
    truncated = False
    if max_tokens is not None:
        text, truncated = fit_to_budget(text, max_tokens)
    suspected, spans = detect_injection(text)  # on exactly what the model will see
    return Paper(path=path, title=title, text=text, sanitized=sanitize, removed_chars=removed,
                 truncated=truncated, injection_suspected=suspected, injection_spans=spans)


def approx_tokens(text: str) -> int:
    """Cheap token estimate: ~4 characters per token (English prose with BPE tokenizers)."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


# --- file checks ------------------------------------------------------------------------------------
def _check_file(p: Path) -> None:
    try:
        st = os.stat(p)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise PaperError(p, "symlink loop (too many levels of symbolic links)") from None
        if e.errno == errno.ENOENT:
            raise PaperError(p, "file not found") from None
        if e.errno == errno.EACCES:
            raise PaperError(p, "permission denied") from None
        raise PaperError(p, f"cannot access file ({e.strerror})") from None
    except (RuntimeError, ValueError) as e:  # older Pythons report symlink loops as RuntimeError
        raise PaperError(p, f"cannot access file ({e})") from None
    if p.is_dir():
        raise PaperError(p, "is a directory, not a file")
    if not p.is_file():
        raise PaperError(p, "not a regular file")
    if st.st_size == 0:
        kind = "zero-byte PDF" if p.suffix.lower() == ".pdf" else "empty file"
        raise PaperError(p, f"{kind} (0 bytes)")


def _read_bytes(p: Path) -> bytes:
    try:
        return p.read_bytes()
    except OSError as e:
        raise PaperError(p, f"cannot read file ({e.strerror or e})") from None


def _read_text(p: Path) -> str:
    data = _read_bytes(p)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise PaperError(p, f"not UTF-8 text (invalid byte 0x{data[e.start]:02x} at offset {e.start}); "
                            "convert it to UTF-8") from None
    if not text.strip():
        raise PaperError(p, "empty file (only whitespace)")
    return text


# --- PDF ------------------------------------------------------------------------------------------
def pdf_pages(path: str | Path, page_limit: int | None = None) -> tuple[list[str], int, bool]:
    """Cleaned text of each page read, the PDF's page count, and whether pages were left out."""
    return read_pdf(path, page_limit)[:3]


def read_pdf(path: str | Path, page_limit: int | None = None) -> tuple[list[str], int, bool, list[str]]:
    """As `pdf_pages`, plus the runs of text the PDF draws invisibly (white, invisible mode, < 1 pt)."""
    p = Path(path)
    _check_file(p)
    data = _read_bytes(p)
    if b"%PDF-" not in data[:1024]:
        raise PaperError(p, f"not a PDF (no %PDF header; starts with {data[:8]!r})")
    if b"%%EOF" not in data[-2048:]:
        raise PaperError(p, "truncated PDF (no %EOF marker at the end; file cut short?)")
    try:
        import io

        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")  # owner-only encryption opens with the empty user password
            except Exception as e:  # e.g. AES without the optional crypto dependency
                raise PaperError(p, f"encrypted PDF (cannot decrypt: {type(e).__name__})") from None
            if not ok:
                raise PaperError(p, "encrypted PDF (password required)")
        n_pages = len(reader.pages)
        if n_pages == 0:
            raise PaperError(p, "PDF has no pages")
        if page_limit is None and n_pages > MAX_PAGES:
            raise PaperError(p, f"{n_pages} pages exceeds the {MAX_PAGES}-page limit for a paper "
                                "(pass a page limit to read only the first pages)")
        n_read = n_pages if page_limit is None else max(1, min(page_limit, n_pages))
        pages: list[str] = []
        hidden: list[str] = []
        failures = 0
        for i in range(n_read):
            try:
                page_text, page_hidden = extract_with_hidden(reader.pages[i])
            except Exception:  # one bad page must not lose the paper
                failures += 1
                page_text, page_hidden = "", []
            pages.append(page_text)
            hidden.extend(page_hidden)
    except PaperError:
        raise
    except Exception as e:
        first = str(e).splitlines()[0][:120] if str(e) else ""
        raise PaperError(p, f"unreadable PDF ({type(e).__name__}: {first})") from None
    if sum(len(t.strip()) for t in pages) < 20:
        why = f"text extraction failed on {failures} page(s)" if failures else "scanned or image-only PDF?"
        raise PaperError(p, f"no extractable text ({why}); run OCR first")
    return clean_pdf_pages(pages), n_pages, n_read < n_pages, hidden


def clean_pdf_pages(pages: list[str]) -> list[str]:
    """Ligatures, running headers/footers and page numbers removed, hyphenated line ends joined."""
    pages = [pg.translate(_LIGATURES) for pg in pages]
    split = [[ln.rstrip() for ln in pg.split("\n")] for pg in pages]
    key = lambda ln: re.sub(r"\d+", "#", ln.strip().lower())  # noqa: E731 — page numbers vary
    edge = Counter()
    for lines in split:
        nonblank = [ln for ln in lines if ln.strip()]
        edge.update({key(ln) for ln in nonblank[:4] + nonblank[-4:]})
    min_count = max(3, math.ceil(0.5 * len(split)))
    repeated = {k for k, c in edge.items() if c >= min_count and k}
    page_no = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?\s*$|^\s*[ivxlc]{1,6}\s*$", re.I)
    out_pages = []
    for lines in split:
        nonblank_idx = [i for i, ln in enumerate(lines) if ln.strip()]
        edges = set(nonblank_idx[:4] + nonblank_idx[-4:])
        kept = [ln for i, ln in enumerate(lines)
                if not (i in edges and (key(ln) in repeated or page_no.match(ln)))]
        if nonblank_idx and not any(ln.strip() for ln in kept):  # pages that repeat wholesale
            kept = [ln for i, ln in enumerate(lines) if not (i in edges and page_no.match(ln))]
        out_pages.append(dehyphenate("\n".join(kept).strip()))
    return out_pages


def dehyphenate(text: str) -> str:
    """Join words split at line ends. Keep the hyphen when the hyphenated form occurs elsewhere in the
    document (a real compound such as "higher-dimensional"); otherwise join ("gen-\\neration")."""
    low = text.lower()

    def fn(m: re.Match[str]) -> str:
        a, b = m.group(1), m.group(2)
        if not (b[0].islower() or (a.isupper() and b.isupper())):
            return m.group(0)  # "Self-\nSupervised": a capitalised part after a hyphen is a compound
        hyphenated = f"{a}-{b}"
        keep = hyphenated.lower() in low and (f"{a}{b}".lower() not in low)
        return (hyphenated if keep else a + b) + "\n"

    return re.sub(r"([A-Za-z]+)-[ \t]*\n[ \t]*([A-Za-z]+)(?:[ \t]*\n|[ \t]?)", fn, text)


# --- titles ---------------------------------------------------------------------------------------
def _markdown_title(text: str) -> str | None:
    lines = text.lstrip().split("\n")
    heads = []
    for ln in lines[:6]:
        if ln.startswith("#"):
            heads.append(ln)
        elif heads or ln.strip():
            break
    if not heads:
        return None
    joined = " ".join(h.strip() for h in heads)
    joined = re.sub(r"(\w)\s*#+\s+(?=[a-z0-9])", r"\1", joined)  # "UNSU## PERVISED": split by conversion
    joined = re.sub(r"(?<=[A-Z])#+\s+(?=[A-Z])", "", joined)
    title = re.sub(r"[#*_]+", " ", joined)
    return " ".join(title.split()) or None


def _first_substantial_line(text: str) -> str | None:
    lines = [ln.strip() for ln in text.split("\n")]
    for i, ln in enumerate(lines[:60]):
        plain = re.sub(r"[#*_]+", " ", ln).strip()
        if len(plain) >= 12 and len(plain.split()) >= 2 and not re.match(r"^(?:arxiv|preprint|page\b)", plain, re.I):
            title = plain
            # A wrapped upper-case title continues on the next line(s).
            for nxt in lines[i + 1:i + 3]:
                if plain.isupper() and nxt.isupper() and len(nxt) > 3 and "ANONYMOUS" not in nxt:
                    title += " " + nxt
                else:
                    break
            return " ".join(title.split())
    return None


# --- token budget ---------------------------------------------------------------------------------
_HEAD_RE = re.compile(
    r"^(?:#{1,6}[ \t]*\S[^\n]*"  # Markdown heading
    r"|\**[ \t]*\d+(?:\.\d+)*\.?[ \t]+[A-Z][^\n.,;]{1,70}?\**"  # "3 EXPERIMENTS", "2.1 Setup"
    r"|\**[ \t]*[A-H](?:\.\d+)*\.?[ \t]+[A-Z][A-Z0-9 \-:&,()]{2,70}\**"  # appendix "A PROOFS" (upper case)
    r"|\**[ \t]*(?:A ?BSTRACT|Abstract|REFERENCES|References|BIBLIOGRAPHY|APPENDIX|Appendix)\**"
    r"|\**[ \t]*(?:[A-Z][A-Z ]{0,30} )?(?:CONCLUSIONS?|DISCUSSION|RELATED WORK|LIMITATIONS|FUTURE WORK|STATEMENT|"
    r"ACKNOWLEDGE?MENTS?|BROADER IMPACTS?|SUMMARY)(?: [A-Z &]{0,40})?\**"
    r"|\**[ \t]*(?:Conclusions?|Discussion|Related [Ww]ork|Limitations|Summary)(?: [A-Za-z &]{0,40})?\**)[ \t]*$",
    re.M,
)
_PRIORITY = re.compile(r"abstract|introduction|conclu|summary|discussion\s+and\s+conclusion", re.I)
_LAST = re.compile(r"references|bibliography|appendix|supplementary|^\W*[A-H](?:\.\d+)*\.?\s", re.I)
_NOTE = f"\n{TRUNCATION_NOTE}\n\n"


def _sections(text: str) -> list[tuple[str, str]]:
    """Split into (heading line, text including the heading); subsections stay with their parent."""
    starts = [0]
    prev_top: str | None = None
    for m in _HEAD_RE.finditer(text):
        line = m.group(0)
        if len(line.split()) > 12:
            continue
        num = re.match(r"^[#*\s]*(\d+|[A-H])(?:\.\d+)+", line)  # subsection: keep with its parent
        if num and num.group(1) == prev_top:
            continue
        top = re.match(r"^[#*\s]*(\d+|[A-H])\b", line)
        prev_top = top.group(1) if top else None
        starts.append(m.start())
    starts = sorted(set(starts)) + [len(text)]
    out = []
    for a, b in zip(starts, starts[1:], strict=False):
        chunk = text[a:b]
        out.append((chunk.split("\n", 1)[0] if a else "", chunk))
    return [s for s in out if s[1]]


def _assemble(secs: list[tuple[str, str]], chosen: dict[int, str]) -> str:
    parts: list[str] = []
    for i in range(len(secs)):
        if i in chosen:
            parts.append(chosen[i])
        elif not parts or not parts[-1].endswith(_NOTE):
            parts.append(_NOTE)  # one note per run of dropped sections
    return "".join(parts)


def fit_to_budget(text: str, max_tokens: int) -> tuple[str, bool]:
    """Fit `text` to ~max_tokens (approx_tokens). Priority: the front matter (title + abstract), the
    introduction and the conclusion; then the other body sections in document order; references and
    appendices last. Kept sections stay in document order; each run of dropped sections becomes one
    visible "[... section truncated ...]" note; a priority section that does not fit whole is cut at a
    line break and marked the same way. Returns (text, truncated)."""
    if approx_tokens(text) <= max_tokens:
        return text, False
    budget = max(0, max_tokens * CHARS_PER_TOKEN)
    secs = _sections(text)
    first = [0] + [i for i, (h, _) in enumerate(secs) if i and _PRIORITY.search(h)]
    middle = [i for i, (h, _) in enumerate(secs) if i not in first and not _LAST.search(h)]
    last = [i for i in range(len(secs)) if i not in first and i not in middle]
    chosen: dict[int, str] = {}

    def fits() -> bool:
        return len(_assemble(secs, chosen)) <= budget

    # 1) priority sections whole, shortest first (so a long introduction cannot starve the conclusion)
    for i in sorted(first, key=lambda k: len(secs[k][1])):
        chosen[i] = secs[i][1]
        if not fits():
            del chosen[i]
    # 2) priority sections that did not fit whole: cut at a line break, in document order
    for i in first:
        if i in chosen:
            continue
        room = budget - len(_assemble(secs, chosen)) - len(_NOTE)
        if room > 200:
            cut = secs[i][1][:room]
            cut = cut[: cut.rfind("\n")] if "\n" in cut[100:] else cut
            chosen[i] = cut + _NOTE
            if not fits():
                del chosen[i]
    # 3) the rest in document order, references and appendices last
    for i in middle + last:
        chosen[i] = secs[i][1]
        if not fits():
            del chosen[i]
    out = _assemble(secs, chosen)
    return out[:budget], True
