"""Canaries for the WeasyPrint internals writers/pdf/weasy.py reads: one test each, on a small real
document, failing with the internal's name when a WeasyPrint release moves or changes it."""
from __future__ import annotations

import hashlib
import shutil
import importlib
import inspect
import io
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from publisher.errors import PublisherError
from publisher.manuscript import Resource
from publisher.writers.pdf import weasy

PAGE = "@page { size: 3in 3in; margin: 0.5in; @top-center { content: 'RUNNING HEAD'; } }"
FONT = "html { font-family: 'DejaVu Serif'; font-size: 10pt; }"


def _doc(body: str) -> bytes:
    return (f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head>'
            f'<body>{body}</body></html>').encode()


def _lay_out(body: str, *css: str, resources: tuple[Resource, ...] = ()):
    return weasy.lay_out(_doc(body), (PAGE, FONT, *css), resources)


def _bare(body: str):
    """A document with no running head: its text is all the font has to set."""
    return weasy.lay_out(_doc(body), (FONT,), ())


def _pdf(document) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(weasy.write_pdf(document)))


def _fonts(pdf: pikepdf.Pdf) -> list:
    return [font for page in pdf.pages for font in page.obj.Resources.Font.values()]


def test_version_check_names_the_version_it_was_written_for(monkeypatch):
    assert weasy.VERSION.split(".")[0] == weasy.WRITTEN_FOR == "70"
    monkeypatch.setattr("importlib.metadata.version", lambda name: "71.0")
    with pytest.raises(PublisherError, match=r"WeasyPrint 71\.0 is installed.*WeasyPrint 70\.x"):
        importlib.reload(weasy)
    monkeypatch.undo()
    importlib.reload(weasy)


def test_page_box_holds_the_laid_out_page():
    document = _lay_out('<p data-block="s:0">Hello there.</p>')
    page = document.pages[0]
    assert hasattr(page, "_page_box"), "WeasyPrint's Page._page_box is gone"
    assert type(page._page_box).__name__ == "PageBox", "Page._page_box is no longer a PageBox"
    [items] = weasy.page_bodies(document)
    assert [(kind, key, text) for kind, key, _, _, text in items] == [("text", "s:0", "Hello there.")], \
        "walking Page._page_box (formatting_structure.boxes.TextBox, .text, .children) no longer finds the text"
    assert items[0][2].get("data-block") == "s:0", "a box's .element is no longer the lxml element it was made from"


def test_margin_boxes_are_not_the_body():
    items = weasy.page_bodies(_lay_out('<p data-block="s:0">Body.</p>'))[0]
    assert [text for *_, text in items] == ["Body."], \
        "formatting_structure.boxes.MarginBox no longer holds the running head"


def test_footnote_area_is_not_the_body():
    document = _lay_out('<p data-block="s:0">Called<span style="float: footnote">the note</span> here.</p>')
    texts = "".join(text for *_, text in weasy.page_bodies(document)[0])
    assert "Called" in texts and "the note" not in texts, \
        "formatting_structure.boxes.FootnoteAreaBox no longer holds the footnotes"


def test_line_bottoms_count_the_footnotes_at_a_pages_foot():
    document = _lay_out('<p data-block="s:0" style="line-height: 20px">Called<span style="float: footnote">'
                        'the note</span> here.</p>')
    [body] = {line for kind, _, _, line, _ in weasy.page_bodies(document)[0] if kind == "text"}
    bottoms = weasy.line_bottoms(document)[0]
    assert max(bottoms.values()) > bottoms[body] + 40, \
        "the footnote area's lines (FootnoteAreaBox children) are no longer in a page's bottoms"


def test_line_boxes_and_generated_text():
    words = " ".join(["lamplight"] * 8)
    document = _lay_out(f'<p data-block="s:0" class="x">{words}</p><hr class="scene-break"/>',
                        "p.x::before { content: 'GENERATED'; }")
    items = weasy.page_bodies(document)[0]
    assert items[-1][0] == "break", "an hr's box no longer carries element_tag 'hr' and its element"
    texts = [item for item in items if item[0] == "text"]
    assert not any("GENERATED" in text for *_, text in texts), \
        "generated text no longer has '::' in its box's element_tag"
    assert len({line for _, _, _, line, _ in texts}) > 2, "formatting_structure.boxes.LineBox no longer holds a line"


def test_line_bottoms_step_down_the_page_one_line_at_a_time():
    words = " ".join(["lamplight"] * 30)
    document = _lay_out(f'<p data-block="s:0" style="line-height: 20px">{words}</p>', "")
    ids = list(dict.fromkeys(line for kind, _, _, line, _ in weasy.page_bodies(document)[0] if kind == "text"))
    bottoms = weasy.line_bottoms(document)[0]
    assert len(ids) > 2 and set(ids) <= set(bottoms), "line_bottoms no longer names the lines page_bodies gives"
    steps = {round(bottoms[b] - bottoms[a], 3) for a, b in zip(ids, ids[1:])}
    assert steps == {20.0}, f"LineBox.position_y/height no longer give a line's place: steps {steps}"


def test_line_bottoms_count_a_picture_that_ends_a_page():
    from PIL import Image

    image = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 0, 0)).save(image, format="PNG")
    resources = (Resource("images/red.png", "image/png", image.getvalue()),)
    document = _lay_out('<p data-block="s:0" style="line-height: 20px">Lamplight.</p>'
                        '<img src="images/red.png" alt="" style="display: block; width: 100px; height: 100px"/>',
                        resources=resources)
    text = [line for kind, _, _, line, _ in weasy.page_bodies(document)[0] if kind == "text"]
    bottoms = weasy.line_bottoms(document)[0]
    assert max(bottoms.values()) >= bottoms[text[-1]] + 100, \
        "a block picture (ReplacedBox position_y/height) is no longer in a page's bottoms"


def test_a_first_line_in_small_capitals_is_the_blocks_own_line():
    """A chapter's opening paragraph sets its first line in small capitals (::first-line), which
    WeasyPrint lays out as a line box inside the line box: its text is the body's, under the outer
    line's id, the one lines_within and line_bottoms give (the polish once missed a ladder there)."""
    words = " ".join(["lamplight"] * 12)  # four lines or so: one page
    document = _lay_out(f'<div class="chapter-body"><p data-block="s:0" class="first" style="line-height: 20px">'
                        f'{words}</p></div>', ".first::first-line { font-variant: small-caps; }",
                        ".first::first-letter { font-size: 2em; }")
    texts = [(line, text) for kind, _, _, line, text in weasy.page_bodies(document)[0] if kind == "text"]
    assert "".join(text for _, text in texts).replace(" ", "") == words.replace(" ", ""), \
        "a ::first-line or ::first-letter box's text is not walked"
    ids = list(dict.fromkeys(line for line, _ in texts))
    assert ids[0] in weasy.lines_within(document, "chapter-body")[0] and ids[0] in weasy.line_bottoms(document)[0], \
        "the first line's id is not its outer LineBox's"
    bottoms = weasy.line_bottoms(document)[0]
    assert round(bottoms[ids[1]] - bottoms[ids[0]], 3) == 20.0


def test_lines_within_a_class_are_the_lines_inside_its_element():
    document = _lay_out('<p data-block="s:0">Outside.</p>'
                        '<div class="chapter-body"><p data-block="s:1">Inside.</p></div>')
    lines = {text: line for kind, _, _, line, text in weasy.page_bodies(document)[0] if kind == "text"}
    assert weasy.lines_within(document, "chapter-body")[0] == {lines["Inside."]}, \
        "a box's element no longer carries its class (lines_within)"


def test_document_fonts_give_the_original_font_file():
    document = _bare("<p>Hello</p>")
    weasy.write_pdf(document)  # fills Document.fonts
    assert document.fonts, "Document.fonts is empty after write_pdf"
    found = list(weasy.font_files(document))
    assert len(found) == 1, "Font.bitmap/missing/used_in_forms/png/svg/colr/tables no longer describe a plain font"
    name, data, index = found[0]
    path = subprocess.run(["fc-match", "DejaVu Serif", "--format=%{file}"], capture_output=True, text=True).stdout
    assert hashlib.sha256(data).digest() == hashlib.sha256(Path(path).read_bytes()).digest(), \
        "get_hb_object_data(Font.hb_face) is no longer the font's original file"
    assert index == 0 and name.endswith("+DejaVu-Serif"), "Font.name or Font.index changed form"


def test_pdf_fonts_are_type0_identity_subsets_with_widths_and_text():
    pdf = _pdf(_bare("<p>Hx</p>"))
    [font] = _fonts(pdf)
    assert (font.Subtype, font.Encoding) == ("/Type0", "/Identity-H"), \
        "WeasyPrint's PDF fonts are no longer Type0 Identity-H"
    assert {"/FontFile2", "/FontFile3"} & set(font.DescendantFonts[0].FontDescriptor.keys()), \
        "the font file is no longer a FontFile2 or FontFile3"
    text = weasy.glyph_text(font.ToUnicode.read_bytes())
    assert sorted(bytes.fromhex(t.decode()).decode("utf-16-be") for t in text.values()) == ["H", "x"], \
        "WeasyPrint's ToUnicode CMap no longer lists bfchar entries"
    widths = weasy.glyph_widths(font.DescendantFonts[0].W)
    assert set(text) <= set(widths) and all(w > 0 for w in widths.values()), "the CIDFont /W array changed form"


def test_subsets_keep_the_original_glyph_ids():
    def glyphs(body: str) -> dict[str, int]:
        pdf = _pdf(_bare(body))
        [font] = _fonts(pdf)
        return {bytes.fromhex(t.decode()).decode("utf-16-be"): gid
                for gid, t in weasy.glyph_text(font.ToUnicode.read_bytes()).items()}

    first, second = glyphs("<p>zebra</p>"), glyphs("<p>amber</p>")
    assert {c: first[c] for c in "abre"} == {c: second[c] for c in "abre"}, \
        "font subsets no longer keep glyph ids (HarfBuzz RETAIN_GIDS): per-document subsets cannot be merged"


def test_named_destinations_point_at_the_anchor():
    pdf = _pdf(_lay_out('<p>One</p><h1 id="there" style="break-before: page">Two</h1>'))
    target = weasy.destination(pdf, "there")
    assert target is not None, "WeasyPrint no longer writes an element's id as a named destination"
    page, left, top = target
    assert page == 1 and 0 < float(left) < 216 and 0 < float(top) <= 216, "named destinations changed form (/XYZ)"


def test_the_fetcher_serves_the_book_and_nothing_else():
    from PIL import Image

    image = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 0, 0)).save(image, format="PNG")
    resources = (Resource("images/red.png", "image/png", image.getvalue()),)
    pdf = _pdf(_lay_out('<p><img src="images/red.png" alt=""/><img src="file:///etc/hostname" alt=""/></p>',
                        resources=resources))
    images = [x for page in pdf.pages for x in page.get_images()]
    assert len(images) == 1, "URLFetcher subclass no longer serves (or no longer refuses) URLs"


def test_a_first_page_counter_reset_sets_the_first_folio():
    document = _lay_out("<p>One</p><p style='break-before: page'>Two</p>",
                        "@page { @bottom-center { content: counter(page); } }",
                        "@page :first { counter-reset: page 41; }")
    data = weasy.write_pdf(document)
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    folios = [line.strip() for line in text.splitlines() if line.strip().isdigit()]
    assert folios == ["41", "42"], \
        "@page :first { counter-reset: page N } no longer starts the folios at N (the furniture relies on it)"


def test_loading_weasyprint_looks_its_libraries_up_in_one_reading_of_the_loader_cache(tmp_path):
    """Without the lookup, ctypes runs ldconfig, gcc and ld for each name WeasyPrint tries (54
    processes on Debian); with it, one ldconfig, and the libraries are loaded."""
    if not shutil.which("ldconfig") and not Path("/sbin/ldconfig").exists():
        pytest.skip("no ldconfig here: the lookup is left to ctypes")
    script = tmp_path / "count.py"
    script.write_text(
        "import ctypes.util, subprocess\n"
        "started = []\n"
        "original_init, original_find = subprocess.Popen.__init__, ctypes.util.find_library\n"
        "def counting(self, args, *a, **k):\n"
        "    started.append(args[0] if isinstance(args, list) else args)\n"
        "    original_init(self, args, *a, **k)\n"
        "subprocess.Popen.__init__ = counting\n"
        "from publisher.writers.pdf import weasy\n"
        "weasy.load()\n"
        "from weasyprint.text import ffi\n"
        "assert ctypes.util.find_library is original_find\n"
        "print(len(started), ffi.pango is not None, ffi.harfbuzz is not None, ffi.fontconfig is not None)\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["1", "True", "True", "True"], done.stdout + done.stderr


def test_a_layout_keeps_the_state_before_each_page_and_a_layout_after_it_takes_its_pages():
    """`layout.make_all_pages` and `layout.make_margin_boxes` (called through layout's namespace),
    `LayoutContext.page_maker` (a state of five items before each page and after the last),
    `Box.copy`, and `set_page_type_computed_styles` for the margin boxes of a page taken as it was."""
    body = "".join(f'<p data-block="s:{n}">' + "word " * 90 + "</p>" for n in range(6))
    document = _lay_out(body)
    made = weasy._PAGINATIONS[document]
    assert len(document.pages) >= 3
    assert len(made.states) == len(document.pages) + 1 and all(len(state) == 5 for state in made.states)
    again = weasy.lay_out(_doc(body), (PAGE, FONT), (), previous=document, again=frozenset())
    assert all(page._page_box.children[0].children[-1] is before._page_box.children[0].children[-1]
               for page, before in zip(again.pages, document.pages))
    assert weasy.write_pdf(again) == weasy.write_pdf(document)
    import weasyprint.layout

    assert weasyprint.layout.make_margin_boxes is weasy._make_margin_boxes  # where layout_document calls it
    assert all(made.margins[number] and [box for box in page._page_box.children if box in made.margins[number]]
               for number, page in enumerate(again.pages))  # each page took its margin boxes


def test_a_line_kept_from_a_layout_is_keyed_by_everything_breaking_it_reads():
    """`layout.inline.split_first_line` (called through inline's namespace, with its parameters) and
    the computed values `text.line_break` and `text.fonts.get_font_description` read: a value read
    but not in weasy._LINE_STYLE would let a line kept from one layout be given to a box it does
    not fit."""
    import re

    import weasyprint.layout.inline
    from weasyprint.text import fonts, line_break

    weasy._install_hooks()
    assert weasyprint.layout.inline.split_first_line is weasy._split_first_line
    assert list(inspect.signature(line_break.split_first_line).parameters) == \
        list(inspect.signature(weasy._split_first_line).parameters)
    read = set(re.findall(r"style\[['\"]([a-z_]+)['\"]\]",
                          inspect.getsource(line_break) + inspect.getsource(fonts.get_font_description)))
    assert "font_size" in read and read <= set(weasy._LINE_STYLE)

