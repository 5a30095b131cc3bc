"""readers/markup.py and readers/html_tidy.py: text as sources write it → the XHTML a book holds."""
from __future__ import annotations

from publisher.errors import Warnings
from publisher.readers.html_tidy import fragment, gather_footnotes, split_sections, tidy
from publisher.readers import markup
from publisher.readers.markup import convert


def test_convert_marks_scene_breaks_demotes_h1_and_lists_images():
    out = convert("# A heading\n\nText.\n\n* * *\n\n![A lamp](images/lamp.svg)\n")
    assert "<h2>A heading</h2>" in out.html and '<hr class="scene-break"/>' in out.html
    assert out.images == (("images/lamp.svg", "A lamp"),) and out.words == 3


def test_convert_reports_active_content_and_links_to_nowhere():
    out = convert('Click [here](javascript:alert(1)) or [there](/path) or [away](https://example.org).\n\n'
                  '<script>x()</script>\n')
    assert out.removed == ("<script>", "javascript: link")
    assert out.unlinked == ("/path",)
    assert "<script" not in out.html and 'href="/path"' not in out.html and 'href="https://example.org"' in out.html


def test_convert_takes_html_from_markup_sources_as_it_is():
    out = convert('<p>One <em>two</em> &amp; three</p><p id="a">x</p><p id="a">y</p>', format="html")
    assert out.html.startswith("<p>One <em>two</em> &amp; three</p>") and 'id="a-2"' in out.html


def test_tidy_keeps_meaning_and_drops_web_habits():
    warn = Warnings()
    html = tidy(fragment(
        '<p class="MsoNormal">One<br/><br/><br/>two</p><p>&nbsp;</p><p align="center">~*~</p>'
        '<center>Centred</center><p><span style="font-style: italic">slanted</span> and '
        '<font face="Arial">plain</font></p><p><img src="https://example.org/a.png" alt="A gull"/></p>'), "s.html", warn)
    assert html == ('<p>One<br>two</p><hr><div class="centered">Centred</div><p><em>slanted</em> and plain</p>'
                    '<figure class="remote-image"><p>[A gull]</p></figure>')
    assert warn.messages == ["s.html: remote image https://example.org/a.png is not downloaded; its description is "
                             "printed instead"]


def test_split_sections_steps_into_wrappers():
    body = fragment("<p>Front</p><div><h2>One</h2><p>a</p></div><div><h2>Two</h2><p>b</p></div>")
    sections = split_sections(body)
    assert [(h.text_content() if h is not None else None, s.text_content()) for h, s in sections] == \
        [(None, "Front"), ("One", "a"), ("Two", "b")]


def test_gathered_footnotes_are_numbered_in_reading_order():
    body = fragment('<p>A<sup><a href="#n2" id="r2">[2]</a></sup> B<a href="#n1" id="r1">[1]</a></p>'
                    '<ol><li id="n1">First. <a href="#r1">↑</a></li><li id="n2">Second. <a href="#r2">↑</a></li></ol>')
    gather_footnotes(body, {e.get("id"): e for e in body.iter() if e.get("id")})
    html = tidy(body, "x")
    assert html.startswith('<p>A<sup id="fnref:1"><a href="#fn:1" class="footnote-ref">1</a></sup> B<sup id="fnref:2">')
    assert html.index("Second.") < html.index("First.") and "<ol><li" in html and "↑" not in html


def test_each_thread_converts_with_its_own_markdown_converter():
    """The preview converts in its request threads: a converter shared across threads would mix one
    chapter's footnotes into another's."""
    import threading

    here = markup._markdown()
    seen = []
    worker = threading.Thread(target=lambda: seen.append(markup._markdown()))
    worker.start()
    worker.join()
    assert seen[0] is not here and markup._markdown() is here
    assert "fn:1" in markup.convert("A lamp.[^1]\n\n[^1]: Lit at dusk.\n").html
