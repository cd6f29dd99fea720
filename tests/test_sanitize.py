"""Sanitizer: identity/status markers removed, body kept (synthetic cases + the 388 dev papers)."""

from __future__ import annotations

import csv
import re
import statistics

from reviewer.sanitize import find_markers, sanitize_text

CAMERA_READY = """# A GREAT METHOD FOR LEARNING

**Jane Doe[1], John Roe[2][∗]**
1University of Somewhere, 2Big AI Lab Inc.
{jane,john}@somewhere.edu

ABSTRACT

**Ann Other**
Department of Computer Science
Another University, Canada

We propose a method that learns representations quickly and evaluate it on many benchmarks.

1 INTRODUCTION

Learning is hard. Code is available at https://github.com/janedoe/great-method.

_∗Equal contribution. Work done while at Big AI Lab._

5 CONCLUSION

We presented a method.

ACKNOWLEDGEMENTS

We thank Bob for discussions. This work was supported by NSF grant no. 123456.

REFERENCES

A. Author. A paper. In ICLR, 2020.
"""

ANONYMOUS = """# A GREAT METHOD FOR LEARNING

**Anonymous authors**
Paper under double-blind review

ABSTRACT

We propose a method that learns representations quickly and evaluate it on many benchmarks.

1 INTRODUCTION

Under review as a conference paper at ICLR 2022

Learning is hard (Anonymous, 2021). Code: https://anonymous.4open.science/r/great-1234.

5 CONCLUSION

We presented a method.

REFERENCES

A. Author. A paper. In ICLR, 2020.
"""


def test_camera_ready_markers_are_removed_and_body_kept():
    assert any(find_markers(CAMERA_READY).values())
    res = sanitize_text(CAMERA_READY)
    assert not any(find_markers(res.text).values()), find_markers(res.text)
    for gone in ("Jane", "Roe", "Ann Other", "Somewhere", "@", "github", "Equal contribution", "Bob", "NSF",
                 "ACKNOWLEDGEMENTS", "Another University"):
        assert gone not in res.text, gone
    for kept in ("# A GREAT METHOD FOR LEARNING", "ABSTRACT", "We propose a method", "1 INTRODUCTION",
                 "Learning is hard.", "5 CONCLUSION", "We presented a method.", "REFERENCES", "A. Author."):
        assert kept in res.text, kept
    kinds = {k for k, _ in res.removed}
    assert {"author_block", "footnote", "acknowledgements", "code_link"} <= kinds
    assert res.removed_chars == len(CAMERA_READY) - len(res.text)


def test_anonymous_submission_markers_are_removed():
    m = find_markers(ANONYMOUS)
    assert m["anonymous"] and m["venue_header"]
    res = sanitize_text(ANONYMOUS)
    assert not any(find_markers(res.text).values()), find_markers(res.text)
    for gone in ("Anonymous", "double-blind", "Under review", "4open"):
        assert gone not in res.text, gone
    assert "Learning is hard" in res.text and "We presented a method." in res.text


def test_both_versions_look_alike_after_sanitizing():
    a = sanitize_text(CAMERA_READY).text
    b = sanitize_text(ANONYMOUS).text
    head = lambda t: t[: t.index("1 INTRODUCTION")]  # noqa: E731
    assert head(a) == head(b)


def test_plain_pdf_style_header():
    text = ("GAN-ENHANCED DIFFUSION: BOOSTING SAMPLE\nQUALITY AND DIVERSITY\nAnonymous authors\n"
            "Paper under double-blind review\nABSTRACT\nDiffusion models have shown great promise.\n"
            "1 INTRODUCTION\nGenerative models are useful.\n")
    res = sanitize_text(text)
    assert res.text.startswith("GAN-ENHANCED DIFFUSION: BOOSTING SAMPLE\nQUALITY AND DIVERSITY")
    assert "Anonymous" not in res.text and "double-blind" not in res.text
    assert "Diffusion models have shown great promise." in res.text


def test_body_sentences_about_support_are_kept():
    text = "# T\n\nABSTRACT\n\nOur claim is supported by the experiments in Section 4. We acknowledge that it fails.\n"
    res = sanitize_text(text)
    assert "supported by the experiments" in res.text and "We acknowledge that it fails." in res.text


def _abstract_start(text: str) -> str | None:
    m = re.search(r"^[ \t#*_]*A ?BSTRACT[*_:. \t]*\n+", text, re.M | re.I)
    if not m:
        return None
    rest = text[m.end():]
    for par in re.split(r"\n\s*\n", rest):
        rows = par.strip().split("\n")
        if len(rows) >= 3 and all(len(r) > 50 for r in rows[:3]):  # the abstract prose, not an author block
            return rows[0][:60]
    return None


def test_dev_papers_markers_gone_body_kept(shared_data):
    root = shared_data / "iclr2022"
    rows = list(csv.DictReader(open(root / "ratings.tsv"), delimiter="\t"))
    removed, fractions, leftovers, lost = [], [], [], []
    before = {"accepted": 0, "rejected": 0}
    for r in rows:
        raw = (root / "papers" / f"{r['paper_id']}.txt").read_text(encoding="utf-8", errors="replace")
        res = sanitize_text(raw)
        markers = find_markers(res.text)
        if any(markers.values()):
            leftovers.append((r["paper_id"], [k for k, v in markers.items() if v]))
        before["accepted" if r["decision"].startswith("Accept") else "rejected"] += any(find_markers(raw).values())
        removed.append(res.removed_chars)
        fractions.append(res.removed_chars / len(raw))
        start = _abstract_start(raw)
        if start and start not in res.text:
            lost.append((r["paper_id"], "abstract", start))
        if re.search(r"INTRODUCTION", raw) and not re.search(r"INTRODUCTION", res.text):
            lost.append((r["paper_id"], "introduction"))
    print(f"\nsanitizer on {len(rows)} dev papers: chars removed median {statistics.median(removed):.0f}, "
          f"max {max(removed)}, median fraction {statistics.median(fractions):.4f}, max fraction {max(fractions):.4f}; "
          f"papers with markers before: {before}")
    assert len(rows) == 388
    assert not leftovers, leftovers[:10]
    assert not lost, lost[:10]
    assert max(fractions) < 0.1  # the body stays: never more than 10% of a paper removed
    assert before["accepted"] > 0.9 * 147 and before["rejected"] > 0.9 * 241  # the markers were there


def test_pdf_first_line_venue_and_ai_scientist_watermark():
    for head in ("Under review as a conference paper at ICLR 2022\n",
                 "CAUTION!!!\nTHIS PAPER WAS\nAUTONOMOUSLY GENERATEDBY THE AI SCIENTIST\nAI-Scientist Generated Preprint\n"):
        text = head + "GAN-ENHANCED DIFFUSION\nAnonymous authors\nPaper under double-blind review\nABSTRACT\nBody.\n"
        out = sanitize_text(text).text
        assert out == "GAN-ENHANCED DIFFUSION\n\nABSTRACT\n\nBody.\n", out
