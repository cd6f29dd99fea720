"""Bad papers through `bench run`: each one ends as a one-line error naming the file and the cause in
reviews.csv's error column, and the run goes on (the good papers are reviewed, exit code 0)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from benchmarks.perf.reliability import BAD_KINDS, _many_pages_pdf, bad_inputs_scenario

# The cause each error must state (lower-case substrings; any one of them).
CAUSES = {
    "empty_txt": ("empty",), "zero_byte_pdf": ("empty", "zero", "0 bytes"),
    "encrypted_pdf": ("encrypt", "password"), "image_only_pdf": ("no text", "image", "scanned", "no extractable"),
    "binary_junk_pdf": ("not a", "corrupt", "invalid", "unreadable", "not readable"),
    "html_named_pdf": ("not a", "corrupt", "invalid", "unreadable", "not readable"),
    "header_only_pdf": ("not a", "corrupt", "invalid", "truncated", "empty", "unreadable", "not readable", "no pages"),
    "whitespace_txt": ("empty", "no text", "blank"), "directory_pdf": ("directory",),
    "symlink_loop_pdf": ("symlink loop", "loop"), "dangling_symlink_pdf": ("broken symlink", "no such file", "missing"),
}


def test_at_least_ten_kinds_of_bad_paper_each_recorded_run_goes_on(tmp_path):
    assert len(BAD_KINDS) >= 10
    sc = bad_inputs_scenario(tmp_path, n_good=3, pages=2000)
    stderr = sc.details["stderr"]
    assert sc.figures["exit code"] == 0 and "Traceback" not in stderr, stderr
    assert sc.figures["good papers reviewed"] == "3/3"
    rows = sc.details["rows"]
    for kind, facts in sc.details["per_kind"].items():
        assert kind in rows, f"{kind}: no row in reviews.csv"
        err = facts["error"]
        if BAD_KINDS[kind][1] is True or err:
            assert err, f"{kind}: reviewed, expected an error"
            assert "\n" not in err and len(err) < 500, f"{kind}: not one line: {err!r}"
            assert facts["names_file"], f"{kind}: error does not name the file: {err}"
        if kind in CAUSES:  # the cause, read after the file name (which itself names the kind)
            cause = err.split(kind + BAD_KINDS[kind][0], 1)[-1].lower()
            assert any(c in cause for c in CAUSES[kind]), f"{kind}: cause not stated: {err}"
    assert sc.ok, sc.figures


def test_the_2000_page_pdf_is_real_and_cheap_to_make():
    data = _many_pages_pdf(2000)
    assert len(PdfReader(io.BytesIO(data)).pages) == 2000
    assert len(data) < 2_000_000


def test_truncated_pdf_message_shows_the_marker_as_written_in_pdfs(tmp_path):
    from benchmarks.perf.reliability import _pdf_bytes
    from reviewer.paper import PaperError, load_paper

    bad = tmp_path / "cut.pdf"
    real = _pdf_bytes()
    bad.write_bytes(real[: len(real) // 3])
    with pytest.raises(PaperError) as e:
        load_paper(bad)
    assert "cut.pdf" in str(e.value) and "%%EOF" not in str(e.value)
