"""Print: profiles, bleed, page labels, outline per profile, KDP gutter, cover size, imposition order."""
from __future__ import annotations

import io
import re
import subprocess

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from conftest import SAMPLE, corpus_book
from publisher import BuildOptions, read, render
from publisher.cli import main
from publisher.imposition import impose, signature_order
from publisher.profiles import kdp_inside_margin


def inside_margin(pdf_path, page_index: int) -> float:
    """The left edge of the text on a recto page, in inches (that is its inside margin)."""
    xml = subprocess.run(["pdftotext", "-bbox", "-f", str(page_index + 1), "-l", str(page_index + 1),
                          str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    lefts = [float(x) for x in re.findall(r'<word xMin="([\d.]+)"', xml)]
    return min(lefts) / 72


@pytest.mark.parametrize("book, pages_at_most, gutter", [
    corpus_book("moby-dick-opening", 150, 0.375), corpus_book("pride-and-prejudice", 500, 0.625),
])
def test_kdp_inside_margin_follows_the_page_count(built, book, pages_at_most, gutter):
    pdf = built(book, formats=("pdf",), profile="kdp")["pdf"]
    reader = PdfReader(pdf)
    pages = len(reader.pages)
    assert pages <= pages_at_most and kdp_inside_margin(pages) == gutter
    first = next(i for i, label in enumerate(reader.page_labels) if label == "1")
    rectos = [i for i in range(first + 2, min(first + 40, pages)) if i % 2 == 0]
    measured = min(inside_margin(pdf, i) for i in rectos)
    assert gutter - 0.01 <= measured <= gutter + 0.05
    assert not reader.outline, "KDP rejects bookmarks"
    assert not any(page.get("/Annots") for page in reader.pages), "KDP rejects annotations"


def test_home_profile_keeps_bookmarks_and_links(built):
    reader = PdfReader(built(SAMPLE)["pdf"])
    assert len(reader.outline) == 7
    assert any(page.get("/Annots") for page in reader.pages)


def test_bleed_page_size():
    manuscript = read(SAMPLE)
    pdf = render(manuscript, BuildOptions(formats=("pdf",), profile="kdp", bleed=True))["pdf"]
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (float(box.width) / 72, float(box.height) / 72) == pytest.approx((6.125, 9.25))
    recto, verso = PdfReader(io.BytesIO(pdf)).pages[:2]
    assert [float(v) for v in recto.trimbox] == pytest.approx([0, 9, 432, 657])  # the trim: 6 x 9 in
    assert [float(v) for v in verso.trimbox] == pytest.approx([9, 9, 441, 657])


def test_ingramspark_even_pages_and_black_text(built):
    pdf = built(SAMPLE, formats=("pdf",), profile="ingramspark")["pdf"].read_bytes()
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) % 2 == 0
    content = reader.pages[next(i for i, l in enumerate(reader.page_labels) if l == "1")].get_contents().get_data()
    assert b"/DeviceCMYK cs" in content and b"0 0 0 1 scn" in content


def test_ingramspark_is_pdf_x4_with_a_cmyk_output_intent_and_no_rgb_in_a_text_book():
    import pikepdf

    from conftest import STORIES

    pdf = render(read(STORIES[0]), BuildOptions(formats=("pdf",), profile="ingramspark"))["pdf"]
    with pikepdf.open(io.BytesIO(pdf)) as book:
        assert book.pdf_version >= "1.6"
        intent = book.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFX" and intent.DestOutputProfile.N == 4
        assert "SWOP" in str(intent.OutputConditionIdentifier)
        assert book.open_metadata()["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        assert book.docinfo.Trapped == "/False"
        assert len(book.trailer.ID) == 2
        for page in book.pages:
            assert page.obj.TrimBox is not None
            operators = {str(op) for _, op in pikepdf.parse_content_stream(page)}
            assert not operators & {"rg", "RG"}, "DeviceRGB colour in a PDF/X-4 with a CMYK intent"
        assert len(book.pages) % 2 == 0


def test_check_ingramspark_names_the_pages_with_rgb_images(built):
    from conftest import STORIES

    result = CliRunner().invoke(main, ["check", str(SAMPLE), "--profile", "ingramspark"])
    rgb = [line for line in result.output.splitlines() if "RGB colour" in line]
    assert result.exit_code == 1 and len(rgb) == 1, result.output
    page = int(re.search(r"page (\d+):", rgb[0])[1])
    pdf = built(SAMPLE, formats=("pdf",), profile="ingramspark")["pdf"].read_bytes()
    assert "/XObject" in PdfReader(io.BytesIO(pdf)).pages[page - 1]["/Resources"]  # the lamp drawing
    clean = CliRunner().invoke(main, ["check", str(STORIES[0]), "--profile", "ingramspark"])
    assert "RGB" not in clean.output


def test_check_profile_reports_rejections(tmp_path):
    story = tmp_path / "short.txt"
    story.write_text("Title: Short\n\nA story too short to print.\n")
    result = CliRunner().invoke(main, ["check", str(story), "--profile", "kdp"])
    lines = result.output.splitlines()
    assert result.exit_code == 1
    assert re.fullmatch(rf"{story}: kdp: \d+ pages: kdp prints 24 to 828", lines[1])
    assert lines[-1] == f"{story}: kdp: would be rejected"
    fine = CliRunner().invoke(main, ["check", str(SAMPLE), "--profile", "kdp"])
    assert fine.exit_code == 0 and fine.output.splitlines()[-1] == f"{SAMPLE}: kdp: no problems found"


@pytest.mark.parametrize("paper, per_page", [("white", 0.002252), ("cream", 0.0025)])
def test_cover_width_is_two_trims_spine_and_bleed(tmp_path, built, paper, per_page):
    result = CliRunner().invoke(main, ["cover", str(SAMPLE), "--profile", "kdp", "--paper", paper, "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    interior = len(PdfReader(built(SAMPLE, formats=("pdf",), profile="kdp")["pdf"]).pages)
    box = PdfReader(tmp_path / "the-lamplighters-daughter.cover.pdf").pages[0].mediabox
    assert float(box.width) / 72 == pytest.approx(2 * 6 + interior * per_page + 2 * 0.125, abs=0.002)
    assert float(box.height) / 72 == pytest.approx(9 + 2 * 0.125, abs=0.002)


def test_cover_spine_text_only_when_wide_enough(built, tmp_path):
    from publisher.writers.pdf.wrap_cover import write_cover

    manuscript = read(SAMPLE)
    thin = subprocess.run(["pdftotext", "-", "-"], input=write_cover(manuscript, BuildOptions(), 40),
                          capture_output=True).stdout.decode()
    thick = subprocess.run(["pdftotext", "-", "-"], input=write_cover(manuscript, BuildOptions(), 300),
                           capture_output=True).stdout.decode()
    assert thin.count("Mara Quill") == 1 and thick.count("Mara Quill") == 2


def sheet_pages(sides):
    return [(side.left, side.right) for side in sides]


def test_imposition_order_16_pages():
    assert sheet_pages(signature_order(16, 4)) == [(16, 1), (2, 15), (14, 3), (4, 13), (12, 5), (6, 11),
                                                   (10, 7), (8, 9)]


def test_imposition_order_30_pages_pads_with_blanks():
    assert sheet_pages(signature_order(30, 4)) == [
        (16, 1), (2, 15), (14, 3), (4, 13), (12, 5), (6, 11), (10, 7), (8, 9),
        (0, 17), (18, 0), (30, 19), (20, 29), (28, 21), (22, 27), (26, 23), (24, 25)]


def test_imposed_pdf_folds_into_the_book(built, tmp_path):
    """Print, fold and stack: reading the halves in folded order gives the book's pages in order."""
    pdf = built(SAMPLE)["pdf"]
    pages = len(PdfReader(pdf).pages)
    imposed = PdfReader(io.BytesIO(impose(pdf.read_bytes(), "signatures", 2, "letter")))
    assert len(imposed.pages) == 2 * -(-pages // 8) * 2
    width = float(imposed.pages[0].mediabox.width)
    assert (round(width), round(float(imposed.pages[0].mediabox.height))) == (792, 612)
    # Each sheet side shows the folios of its two pages; check them against the order.
    book = PdfReader(pdf)
    labels = book.page_labels
    checked = 0
    for side, page in zip(signature_order(pages, 2), imposed.pages):
        words = page.extract_text().split()
        for number in (side.left, side.right):
            own = book.pages[number - 1].extract_text().split() if number else []
            if own and own[-1] == labels[number - 1]:  # a page that prints its folio
                assert labels[number - 1] in words, (side, labels[number - 1], words[-6:])
                checked += 1
    assert checked >= pages // 2


def test_booklet_is_one_signature(built):
    pdf = built(SAMPLE)["pdf"].read_bytes()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    imposed = PdfReader(io.BytesIO(impose(pdf, "booklet", paper="a4")))
    assert len(imposed.pages) == 2 * -(-pages // 4)
    assert round(float(imposed.pages[0].mediabox.width)) == 842


def test_build_impose_option_writes_the_imposed_pdf(tmp_path):
    result = CliRunner().invoke(main, ["build", str(SAMPLE), "-o", str(tmp_path), "-f", "pdf", "--impose",
                                       "signatures", "--signature-sheets", "4", "--paper", "a4"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["the-lamplighters-daughter.pdf",
                                                          "the-lamplighters-daughter.signatures.pdf"]


def test_a_long_code_line_wraps_inside_the_page_and_loses_no_word(tmp_path):
    """A 200-character line in a code block is wrapped, never cut off at the page edge."""
    import subprocess

    from publisher.words import words

    code_words = [f"token{n:02d}" for n in range(28)]
    line = " ".join(code_words)
    assert len(line) >= 200
    book = tmp_path / "book"
    (book / "chapters").mkdir(parents=True)
    (book / "book.toml").write_text('title = "Code"\n')
    (book / "chapters" / "1.md").write_text(f"# Listing\n\nThe program:\n\n```\n{line}\nshort()\n```\n\nThe end.\n")
    result = CliRunner().invoke(main, ["build", str(book), "-o", str(tmp_path / "out"), "-f", "pdf"])
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "out" / "book.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert all(word in words(text) for word in code_words)
    width = float(PdfReader(pdf).pages[0].mediabox.width)
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    right_edges = [float(m) for m in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"', boxes)]
    assert max(right_edges) <= width - 0.25 * 72  # inside the outer margin


def test_the_cover_marks_its_trim_inside_the_bleed_and_says_its_spine(tmp_path):
    result = CliRunner().invoke(main, ["cover", str(SAMPLE), "--stock", "white", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    page = PdfReader(tmp_path / "the-lamplighters-daughter.cover.pdf").pages[0]
    media, trim = page.mediabox, page.trimbox
    assert (float(trim.left), float(trim.bottom)) == (9, 9)  # 0.125 in of bleed on every side
    assert float(media.right) - float(trim.right) == pytest.approx(9) and page.bleedbox == media
    assert re.fullmatch(rf"{tmp_path}/the-lamplighters-daughter\.cover\.pdf  12\.324 x 9\.250 in with bleed  spine "
                        r"0\.074 in \(33 pages on white\)  \d+ KiB", result.output.strip())


def test_the_imposed_file_is_counted_in_sheets(tmp_path):
    result = CliRunner().invoke(main, ["build", str(SAMPLE), "-o", str(tmp_path), "-f", "pdf", "--trim", "5.5x8.5",
                                       "--impose", "booklet", "--paper", "letter"])
    assert result.exit_code == 0, result.output
    line = result.output.splitlines()[-1]
    assert re.fullmatch(rf"{tmp_path}/the-lamplighters-daughter\.booklet\.pdf  10 sheets of letter \(20 sides\)  "
                        r"\d+\.\d s", line), line
    assert len(PdfReader(tmp_path / "the-lamplighters-daughter.booklet.pdf").pages) == 20
