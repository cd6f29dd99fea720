"""Bad paper inputs: each gives a one-line PaperError naming the file and the cause; a batch goes on."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest

from reviewer.paper import MAX_PAGES, PaperError, load_paper

fpdf = pytest.importorskip("fpdf")  # dev extra
pypdf = pytest.importorskip("pypdf")

BODY = ("We study a simple method for representation learning and evaluate it carefully on standard "
        "benchmarks, reporting means and standard deviations over five seeds. ")


def make_pdf(pages: int = 2, title: str = "A Study of Simple Methods") -> bytes:
    doc = fpdf.FPDF()
    doc.set_font("helvetica", size=11)
    for i in range(pages):
        doc.add_page()
        if i == 0:
            doc.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        doc.multi_cell(0, 6, BODY * 4, new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def make_image_only_pdf() -> bytes:
    from PIL import Image

    img = Image.new("RGB", (200, 100), (255, 255, 255))
    for x in range(20, 180):
        img.putpixel((x, 50), (0, 0, 0))  # a "scanned" line of ink, no text layer
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    doc = fpdf.FPDF()
    doc.add_page()
    doc.image(buf, x=10, y=10, w=180)
    doc.rect(10, 120, 100, 20)
    return bytes(doc.output())


def make_encrypted_pdf() -> bytes:
    reader = pypdf.PdfReader(io.BytesIO(make_pdf()))
    w = pypdf.PdfWriter()
    for page in reader.pages:
        w.add_page(page)
    w.encrypt(user_password="s3cret", owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def make_many_pages_pdf(n: int) -> bytes:
    page = pypdf.PdfReader(io.BytesIO(make_pdf(pages=1))).pages[0]
    w = pypdf.PdfWriter()
    for _ in range(n):
        w.add_page(page)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """kind -> (path, a word the cause must contain)."""
    d = tmp_path_factory.mktemp("bad")
    good = make_pdf()
    files: dict[str, tuple[Path, str]] = {}

    def put(kind: str, name: str, data: bytes, cause: str) -> None:
        (d / name).write_bytes(data)
        files[kind] = (d / name, cause)

    files["missing"] = (d / "missing.pdf", "not found")
    put("empty_text", "empty.txt", b"", "empty")
    put("whitespace_md", "blank.md", b" \n\t\n", "empty")
    put("zero_byte_pdf", "zero.pdf", b"", "zero-byte")
    put("truncated_pdf", "truncated.pdf", good[: len(good) // 2], "truncated")
    put("encrypted_pdf", "encrypted.pdf", make_encrypted_pdf(), "encrypted")
    put("image_only_pdf", "scanned.pdf", make_image_only_pdf(), "no extractable text")
    put("huge_pdf", "huge.pdf", make_many_pages_pdf(2000), "2000 pages")
    put("non_utf8_text", "latin1.txt", "Résumé of a naïve café paper".encode("latin-1"), "not UTF-8")
    put("binary_junk_pdf", "junk.pdf", os.urandom(4096), "not a PDF")
    put("pdf_header_garbage", "garbage.pdf", b"%PDF-1.7\n" + os.urandom(2000) + b"\n%%EOF\n", "PDF")
    put("unsupported_ext", "paper.docx", b"PK\x03\x04 not really a docx", "unsupported file type")
    (d / "folder.pdf").mkdir()
    files["directory_pdf"] = (d / "folder.pdf", "directory")
    os.symlink(d / "loop_b.pdf", d / "loop_a.pdf")
    os.symlink(d / "loop_a.pdf", d / "loop_b.pdf")
    files["symlink_loop"] = (d / "loop_a.pdf", "symlink loop")
    (d / "good.pdf").write_bytes(good)
    return files


KINDS = ["missing", "empty_text", "whitespace_md", "zero_byte_pdf", "truncated_pdf", "encrypted_pdf",
         "image_only_pdf", "huge_pdf", "non_utf8_text", "binary_junk_pdf", "pdf_header_garbage",
         "unsupported_ext", "directory_pdf", "symlink_loop"]


@pytest.mark.parametrize("kind", KINDS)
def test_bad_input_gives_one_line_error(bad_dir, kind):
    path, cause = bad_dir[kind]
    t0 = time.perf_counter()
    with pytest.raises(PaperError) as info:
        load_paper(path)
    msg = str(info.value)
    assert type(info.value) is PaperError  # nothing else (no pypdf exception) escapes
    assert "\n" not in msg and len(msg) < 300, msg
    assert msg.startswith(f"{path.name}: "), msg
    assert cause.lower() in msg.lower(), msg
    assert time.perf_counter() - t0 < 10  # the 2,000-page PDF is refused quickly, not read


def test_page_limit_reads_only_the_first_pages(bad_dir):
    path, _ = bad_dir["huge_pdf"]
    t0 = time.perf_counter()
    paper = load_paper(path, page_limit=3)
    assert paper.n_pages == 2000 and paper.truncated
    assert paper.text.count("representation learning") >= 3
    assert time.perf_counter() - t0 < 10
    assert MAX_PAGES < 2000


def test_a_batch_goes_on_after_bad_files(bad_dir):
    paths = [p for p, _ in bad_dir.values()] + [bad_dir["missing"][0].parent / "good.pdf"]
    loaded, errors = [], []
    for p in paths:
        try:
            loaded.append(load_paper(p))
        except PaperError as e:
            errors.append(str(e))
    assert len(errors) == len(KINDS) and len(loaded) == 1
    assert loaded[0].title and "Simple Methods" in loaded[0].title
    assert len({e.split(":", 1)[0] for e in errors}) == len(KINDS)  # every error names its own file


def test_non_utf8_error_names_the_byte(bad_dir):
    path, _ = bad_dir["non_utf8_text"]
    with pytest.raises(PaperError, match=r"latin1\.txt: not UTF-8 text \(invalid byte 0xe9 at offset 1\)"):
        load_paper(path)
