"""LaTeX side of the write-up: escaping model text, citation/figure markers, BibTeX, reference
checks, the TeX pre-flight and the compile.

Model text is plain prose with markers -- `[@key]` (citation), `[fig:name]`, `[tab:results]` -- and
inline math `$...$`. Everything else is escaped, so a model cannot break (or script) the document.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from pydantic import BaseModel

from .litsearch import Hit

SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
           "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
# Unicode the default pdfLaTeX setup cannot typeset -> LaTeX; other characters beyond Latin
# Extended and general punctuation are replaced by '?' (recorded), never left to break the compile.
UNICODE = {"±": r"\ensuremath{\pm}", "≤": r"\ensuremath{\leq}", "≥": r"\ensuremath{\geq}", "×": r"\ensuremath{\times}",
           "≈": r"\ensuremath{\approx}", "→": r"\ensuremath{\rightarrow}", "−": "-", "∼": r"\ensuremath{\sim}",
           "α": r"\ensuremath{\alpha}", "β": r"\ensuremath{\beta}", "γ": r"\ensuremath{\gamma}",
           "λ": r"\ensuremath{\lambda}", "μ": r"\ensuremath{\mu}", "σ": r"\ensuremath{\sigma}",
           "η": r"\ensuremath{\eta}", "ε": r"\ensuremath{\epsilon}", "∞": r"\ensuremath{\infty}", "·": r"\ensuremath{\cdot}"}
SAFE_MATH_COMMANDS = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "lambda", "mu", "sigma",
                      "tau", "phi", "pi", "times", "cdot", "leq", "geq", "approx", "pm", "sim", "log", "exp",
                      "frac", "sqrt", "mathbb", "mathcal", "mathrm", "infty", "sum", "prod", "mod", "bmod",
                      "ll", "gg", "ne", "neq", "le", "ge", "in", "to", "rightarrow"}
MARKER = re.compile(r"\[@([^\]]+)\]|\[((?:fig|tab):[\w.-]+)\]")
MATH = re.compile(r"\$([^$\n]{1,200})\$")


def _char(c: str) -> str:
    if c in SPECIAL:
        return SPECIAL[c]
    if c in UNICODE:
        return UNICODE[c]
    return c if ord(c) < 0x250 or 0x2010 <= ord(c) <= 0x2026 else "?"


def escape(text: str) -> str:
    return "".join(_char(c) for c in text)


def math_text(expr: str) -> str:
    """Inline math as typed, with Unicode symbols turned into commands (pdfLaTeX rejects them)."""
    return "".join(UNICODE.get(c, c) if ord(c) >= 0x80 else c for c in expr)


def _safe_math(expr: str) -> bool:
    commands = re.findall(r"\\([A-Za-z]+)", expr)
    return all(c in SAFE_MATH_COMMANDS for c in commands) and expr.count("{") == expr.count("}") \
        and not re.search(r"\\[^A-Za-z{}_^ ,;!]", expr)


def prose_to_tex(text: str, cite_keys: set[str], labels: set[str], fixes: list[str], where: str) -> str:
    """Escape prose, keep safe inline math, and turn markers into \\citep / \\ref (unknown targets are
    dropped and recorded in `fixes`)."""
    out, pos = [], 0
    tokens = sorted([*((m.start(), m.end(), "marker", m) for m in MARKER.finditer(text))], key=lambda t: t[0])
    for m in MATH.finditer(text):
        if not any(s <= m.start() < e for s, e, _, _ in tokens):
            tokens.append((m.start(), m.end(), "math", m))
    for start, end, kind, m in sorted(tokens, key=lambda t: t[0]):
        if start < pos:
            continue
        out.append(escape(text[pos:start]))
        pos = end
        if kind == "math":
            expr = m.group(1)
            out.append(f"${math_text(expr)}$" if _safe_math(expr) else escape(m.group(0)))
            if not _safe_math(expr):
                fixes.append(f"{where}: escaped unsafe math {m.group(0)[:60]!r}")
        elif m.group(1):
            keys = [fix_key(k.strip().lstrip("@"), cite_keys) for k in m.group(1).split(";")]
            good = [k for k in keys if k]
            for raw, k in zip(m.group(1).split(";"), keys, strict=False):
                if not k:
                    fixes.append(f"{where}: dropped citation {raw.strip()!r} (no such reference)")
            if good:
                if out:
                    out[-1] = out[-1].rstrip()
                out.append(f"~\\citep{{{','.join(dict.fromkeys(good))}}}")
        else:
            label = m.group(2)
            if label in labels:
                out.append(("Figure" if label.startswith("fig:") else "Table") + f"~\\ref{{{label}}}")
            else:
                out.append("the " + ("figure" if label.startswith("fig:") else "table"))
                fixes.append(f"{where}: replaced reference to missing {label!r}")
    out.append(escape(text[pos:]))
    return "".join(out)


def fix_key(key: str, keys: set[str]) -> str | None:
    if key in keys:
        return key
    lowered = {k.lower(): k for k in keys}
    return lowered.get(key.lower())


def bib_entries(hits: list[Hit], taken: set[str] | None = None) -> tuple[str, dict[str, Hit]]:
    """BibTeX for the hits, with keys unique among themselves and the `taken` (template) keys."""
    entries, by_key = [], {}
    taken = taken or set()
    for h in hits:
        key = base = h.cite_key()
        n = 1
        while key in by_key or key in taken:
            n += 1
            key = f"{base}{chr(ord('a') + n - 1)}"
        by_key[key] = h

        def clean(s: str) -> str:
            return escape(re.sub(r"\s+", " ", s)).strip()

        fields = [f"  title = {{{{{clean(h.title)}}}}}"]  # double braces keep its capitals
        if h.authors:
            fields.append(f"  author = {{{' and '.join(clean(a) for a in h.authors[:8])}}}")
        fields.append(f"  year = {{{h.year}}}" if h.year else "  year = {n.d.}")
        if h.venue:
            fields.append(f"  journal = {{{clean(h.venue)}}}")
        if h.url:
            fields.append(f"  howpublished = {{\\url{{{h.url}}}}}")
        entries.append(f"@article{{{key},\n" + ",\n".join(fields) + "\n}\n")
    return "\n".join(entries), by_key


def bib_keys(bib_text: str) -> set[str]:
    return set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", bib_text))


def check_document(tex: str, workdir: Path, keys: set[str], fixes: list[str]) -> str:
    """Last guard over the whole document (skeleton included): every \\cite key, \\ref label and
    \\includegraphics file must exist, else the command is removed and the fix recorded."""
    labels = set(re.findall(r"\\label\{([^}]+)\}", tex))

    def cite(m: re.Match) -> str:
        good = [k.strip() for k in m.group(2).split(",") if k.strip() in keys]
        for k in m.group(2).split(","):
            if k.strip() not in keys:
                fixes.append(f"document: removed citation of missing key {k.strip()!r}")
        return f"\\{m.group(1)}{{{','.join(good)}}}" if good else ""

    def ref(m: re.Match) -> str:
        if m.group(2) in labels:
            return m.group(0)
        fixes.append(f"document: removed \\{m.group(1)} to missing label {m.group(2)!r}")
        return "??"

    def graphic(m: re.Match) -> str:
        target = m.group(2)
        if any((workdir / f"{target}{ext}").exists() for ext in ("", ".png", ".pdf", ".jpg")):
            return m.group(0)
        fixes.append(f"document: removed \\includegraphics of missing file {target!r}")
        return ""

    tex = re.sub(r"\\(cite[pt]?|citep|citet|citeauthor)\{([^}]*)\}", cite, tex)
    tex = re.sub(r"\\(ref|autoref|cref|eqref)\{([^}]*)\}", ref, tex)
    return re.sub(r"\\includegraphics(\[[^\]]*\])?\{([^}]*)\}", graphic, tex)


class TexStatus(BaseModel):
    available: bool
    engine: str | None = None  # "pdflatex" (+ bibtex when present)
    reason: str = ""
    seconds: float = 0.0


def _engine() -> str | None:
    # pdflatex + bibtex run by us rather than latexmk: latexmk treats any BibTeX error as fatal.
    return "pdflatex" if shutil.which("pdflatex") else None


def preflight(skeleton: Path | None = None, timeout_s: float = 60) -> TexStatus:
    """Before any paid generation: is there a TeX engine, and does a tiny document with the skeleton's
    own preamble (document class + packages) compile? About a second when TeX is installed."""
    start = time.monotonic()
    engine = _engine()
    if engine is None:
        return TexStatus(available=False, reason="no pdflatex on PATH (install texlive-latex-base "
                         "texlive-latex-recommended); writing Markdown papers instead")
    preamble = "\\documentclass{article}\n"
    if skeleton is not None and skeleton.exists():
        head = skeleton.read_text(errors="replace").split("\\begin{document}")[0]
        lines = [ln for ln in head.splitlines() if re.match(r"\s*\\(documentclass|usepackage)", ln)]
        if lines and lines[0].lstrip().startswith("\\documentclass"):
            preamble = "\n".join(lines) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        if skeleton is not None:
            for sty in skeleton.parent.glob("*.sty"):
                shutil.copy(sty, tmp)
        Path(tmp, "t.tex").write_text(preamble + "\\begin{document}\nHello $x^2$.\n\\end{document}\n")
        ok, log = run_tex(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "t.tex"],
                          Path(tmp), timeout_s)
        ok = ok and Path(tmp, "t.pdf").exists()
    seconds = round(time.monotonic() - start, 2)
    if not ok:
        missing = re.findall(r"File `([^']+)' not found", log)
        why = f"missing {', '.join(missing)}" if missing else log.strip().splitlines()[-1:] or ["no output"]
        return TexStatus(available=False, engine=engine, seconds=seconds,
                         reason=f"test compile of the template preamble failed ({why}); writing Markdown papers instead")
    return TexStatus(available=True, engine=engine, seconds=seconds, reason="test compile succeeded")


def run_tex(cmd: list[str], cwd: Path, timeout_s: float) -> tuple[bool, str]:
    try:
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=timeout_s, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return False, f"{cmd[0]} timed out after {timeout_s:.0f}s"
    except OSError as e:
        return False, f"{cmd[0]}: {e}"
    return done.returncode == 0, done.stdout.decode(errors="replace")[-4000:]


def compile_pdf(tex_file: Path, engine: str, timeout_s: float = 180) -> tuple[Path | None, str]:
    """Returns (pdf path or None, log tail)."""
    cwd, name = tex_file.parent, tex_file.name
    base = [engine, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", name]
    has_bib = "\\bibliography{" in tex_file.read_text(errors="replace") and shutil.which("bibtex")
    steps = [base, ["bibtex", tex_file.stem], base, base] if has_bib else [base, base]
    log = ""
    for step in steps:
        ok, log = run_tex(step, cwd, timeout_s)
        if not ok and step[0] != "bibtex":  # bibtex fails harmlessly when nothing is cited
            break
    pdf = tex_file.with_suffix(".pdf")
    if not (pdf.exists() and ok):
        return None, tex_errors(tex_file.with_suffix(".log"), log)
    return pdf, log


def tex_errors(log_file: Path, fallback: str) -> str:
    """The '! ...' error lines of a TeX log (with the line after each), else the output's tail."""
    text = log_file.read_text(errors="replace") if log_file.exists() else fallback
    lines = text.splitlines()
    errors = [f"{ln} {lines[i + 1].strip() if i + 1 < len(lines) else ''}" for i, ln in enumerate(lines) if ln.startswith("!")]
    return " | ".join(errors[:5]) if errors else fallback[-800:]
