"""An HTML fragment as archives and word processors write it → the HTML a book holds.

Markup sources (AO3 and FanFicFare downloads, EPUBs, Word files) carry the habits of the web:
`<p>&nbsp;</p>` spacers, runs of `<br/>`, `<p align="center">~*~</p>` dividers, `<center>` and
`<font>`, inline styles, Word's `MsoNormal` classes. This keeps their meaning (a centred or
right-aligned paragraph, italic and bold spans, a scene break) and drops the rest; remote
images become their alt text, because nothing is ever fetched. What is left is sanitised with
every other text by `markup.convert`.
"""
from __future__ import annotations

import copy
import posixpath
import re
from urllib.parse import unquote

from lxml import etree, html as lxml_html

from ..errors import Warnings
from .draft import ASIDE, BODY, Trace
from .text import is_scene_break

# Classes that mean something in our themes; every other class (MsoNormal, calibre7…) goes.
KEPT_CLASSES = {"centered", "right", "verse", "end-mark", "small-caps",
                "footnote", "footnote-ref", "footnote-backref"}  # and the footnotes a reader made
_BLOCKS = {"p", "div", "blockquote", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "figure"}
_NBSP_ONLY = re.compile(r"^[\s\u00a0\u200b]*$")


def fragment(markup: str) -> etree._Element:
    """An HTML fragment (or a whole document's body) parsed into a <div>."""
    return lxml_html.fragment_fromstring(markup or "<p></p>", create_parent="div")


def tidy(root: etree._Element, where: str, warn: Warnings | None = None) -> str:
    """The children of `root` (an lxml.html element), tidied, as an HTML string."""
    root = _copy(root)
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None and element is not root:
            continue
        _keep_meaning(element)
    for image in list(root.iter("img")):
        source = image.get("src", "")
        if re.match(r"^[a-z][a-z0-9+.-]*://", source, re.IGNORECASE):
            alt = " ".join((image.get("alt") or "").split()) or "an image"
            if warn is not None:
                warn(f"remote image {source} is not downloaded; its description is printed instead", where)
            figure = lxml_html.Element("figure", {"class": "remote-image"})
            caption = etree.SubElement(figure, "p")
            caption.text = f"[{alt}]"
            figure.tail = image.tail
            parent = image.getparent()
            if parent.tag == "p" and len(parent) == 1 and not (parent.text or "").strip():
                parent.addprevious(figure)
                figure.tail = parent.tail
                parent.getparent().remove(parent)
            else:
                parent.replace(image, figure)
    for element in list(root.iter()):
        if element is root or not isinstance(element.tag, str):
            continue
        if element.tag in ("p", "div", "center") and len(element) == 0 and element.text is not None \
                and _NBSP_ONLY.match(element.text) and element.getparent() is not None:
            element.drop_tree()  # a spacer paragraph
        elif element.tag in ("p", "div", "center") and (element.text or "").strip() and len(element) == 0 \
                and is_scene_break(element.text):
            hr = lxml_html.Element("hr")
            hr.tail = element.tail
            element.getparent().replace(element, hr)
    _collapse_breaks(root)
    out = (root.text or "") if (root.text or "").strip() else ""
    return out + "".join(lxml_html.tostring(child, encoding="unicode") for child in root)


def _copy(root: etree._Element) -> etree._Element:
    return copy.deepcopy(root)


def _keep_meaning(element: etree._Element) -> None:
    """align/style → our classes or em/strong; <center>, <font>, <span> with no meaning unwrapped."""
    style = (element.get("style") or "").lower().replace(" ", "")
    align = (element.get("align") or "").lower() or (re.search(r"text-align:(\w+)", style) or [None, ""])[1]
    classes = [c for c in (element.get("class") or "").split() if c in KEPT_CLASSES]
    if element.tag == "center":
        element.tag, align = "div", "center"
    if align in ("center", "right") and element.tag in _BLOCKS:
        classes.append("centered" if align == "center" else "right")
    if element.tag in ("span", "font"):
        italic = "font-style:italic" in style
        bold = re.search(r"font-weight:(bold|[6-9]00)", style)
        if "font-variant:small-caps" in style:
            classes.append("small-caps")
        elif italic or bold:
            element.tag = "em" if italic else "strong"
            if italic and bold:
                strong = lxml_html.Element("strong")
                strong.text, element.text = element.text, None
                for child in list(element):
                    strong.append(child)
                element.append(strong)
    for attribute in ("style", "align", "class", "face", "size", "color", "lang"):
        element.attrib.pop(attribute, None)
    if classes:
        element.set("class", " ".join(dict.fromkeys(classes)))
    elif element.tag in ("font", "span") and element.getparent() is not None:
        element.drop_tag()


def _collapse_breaks(root: etree._Element) -> None:
    """Runs of <br/> (a web habit for paragraph spacing) become one, and none at a block's edges."""
    for br in list(root.iter("br")):
        following = br.getnext()
        if following is not None and following.tag == "br" and not (br.tail or "").strip():
            br.getparent().remove(br)  # the last of the run stays, with the text after it
    for block in root.iter(*_BLOCKS):
        while len(block) and block[-1].tag == "br" and not (block[-1].tail or "").strip():
            block.remove(block[-1])
        while len(block) and block[0].tag == "br" and not (block.text or "").strip():
            block.text = (block.text or "") + (block[0].tail or "")
            block.remove(block[0])


def text_of(element: etree._Element) -> str:
    """The words of an element, for the trace: text as a reader sees it, one space between blocks."""
    return " ".join(" ".join(element.itertext()).split())


_WRAPPERS = ("div", "section", "article", "main")


def split_sections(body: etree._Element) -> list[tuple[etree._Element | None, etree._Element]]:
    """A page's body → (heading, the blocks under it in a new <div>) per chapter: chapters start
    at `h1` (or at `h2` when the page has at most one `h1`, its title), stepping into the divs
    that wrap them. Blocks before the first heading come with heading None."""
    h1s = body.findall(".//h1")
    level = ("h1",) if len(h1s) > 1 else ("h1", "h2")
    sections: list[tuple[etree._Element | None, etree._Element]] = [(None, lxml_html.Element("div"))]
    for element in list(_flatten(body, level)):
        if element.tag in level or (element.tag == "hgroup" and element.find(".//h2") is not None):
            sections.append((element, lxml_html.Element("div")))
        else:
            sections[-1][1].append(element)
    if not text_of(sections[0][1]) and sections[0][1].find(".//img") is None:
        sections.pop(0)
    return sections


def _flatten(element: etree._Element, level: tuple[str, ...]):
    for child in list(element):
        if not isinstance(child.tag, str):
            continue
        if child.tag in _WRAPPERS and any(child.find(f".//{tag}") is not None for tag in level):
            yield from _flatten(child, level)
        else:
            yield child


def gather_footnotes(body: etree._Element, ids: dict, name: str = "", notes: dict | None = None) -> None:
    """Each note reference in `body` → our footnote: a numbered reference where it was, and the
    note's text in a list at the end, as Python-Markdown writes them. A reference is a link marked
    `noteref` (EPUB 3, DPUB-ARIA) pointing at a note in `notes` ((document, id) → element), or a
    link whose target links back to it (Gutenberg's `[1]` pairs, Word's footnotes as mammoth
    writes them); `ids` are the elements of the document by id."""
    notes = notes if notes is not None else {}
    items = []
    for link in list(body.iter("a")):
        href = link.get("href") or ""
        target_doc, _, target_id = href.partition("#")
        target_doc = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(target_doc))) \
            if target_doc else name
        note = None
        if element_types(link) & {"noteref"}:
            note = notes.get((target_doc, target_id))
        elif target_doc == name and link.get("id") and target_id in ids:
            target = ids[target_id]
            back = f"#{link.get('id')}"
            if (target.get("href") or "").endswith(back):
                note = target.getparent() if target.getparent() is not None else target
            elif any((a.get("href") or "").endswith(back) for a in target.iter("a")):
                note = target
        if note is None:
            continue
        number = len(items) + 1
        holder = link.getparent() if link.getparent() is not None and link.getparent().tag == "sup" else link
        sup = lxml_html.Element("sup", id=f"fnref:{number}")
        ref = etree.SubElement(sup, "a", {"class": "footnote-ref", "href": f"#fn:{number}"})
        ref.text = str(number)
        sup.tail = holder.tail
        holder.getparent().replace(holder, sup)
        items.append((number, note))
    if not items:
        return
    block = lxml_html.Element("div", {"class": "footnote"})
    etree.SubElement(block, "hr")
    listing = etree.SubElement(block, "ol")
    for number, note in items:
        for back in list(note.iter("a")):
            if element_types(back) & {"backlink"} or re.search(r"#(noteref|fnref|footnote-ref|endnote-ref)", back.get("href") or "") \
                    or re.fullmatch(r"\[?\*?\d+\]?|[↩↑]\ufe0e?", " ".join(back.text_content().split())):
                if back.getparent() is not None:
                    back.drop_tree()
        item = etree.SubElement(listing, "li", id=f"fn:{number}")
        paragraph = etree.SubElement(item, "p")
        paragraph.text = text_of(note) + " "
        back = etree.SubElement(paragraph, "a", {"class": "footnote-backref", "href": f"#fnref:{number}"})
        back.text = "↩\ufe0e"
        if note.getparent() is not None:
            note.drop_tree()  # the note now stands at the end of its chapter
    for listing_left in [e for e in body.iter("ol", "div", "section", "aside") if not text_of(e)
                         and e.find(".//img") is None and (e.tag == "ol" or "note" in (e.get("class") or "") +
                                                           (e.get("id") or "") + (e.get("epub:type") or ""))]:
        if listing_left.getparent() is not None:
            listing_left.drop_tree()  # the notes' old, now empty, container
    body.append(block)


def element_types(element: etree._Element) -> set[str]:
    """An element's epub:type values and its DPUB-ARIA role (without doc-)."""
    types = set((element.get("epub:type") or "").split())
    role = element.get("role") or ""
    return types | ({role[4:]} if role.startswith("doc-") else set())


def trace_text(holder: etree._Element, trace: Trace) -> None:
    """A chapter's words for the trace: its running text in order (without its note numbers), and its
    footnotes apart, since print sets them at the foot of whichever page calls them."""
    running = copy.deepcopy(holder)
    for element in [e for e in running.iter("div", "sup") if "footnote" in (e.get("class") or "").split()
                    or (e.get("id") or "").startswith("fnref:")]:
        element.drop_tree()
    trace.add(BODY, text_of(running))
    for block in [e for e in holder.iter("div") if "footnote" in (e.get("class") or "").split()]:
        for item in block.iter("li"):
            trace.add(ASIDE, text_of(item))
