"""Markdown (or a markup source's HTML) → a sanitised XHTML fragment, typeset, with the images it references.

Every reader ends here, so the Manuscript's bodies are alike whatever the source: scene breaks
are ``<hr class="scene-break"/>``, footnotes are Python-Markdown's, raw HTML is cut down to
what an ebook may hold.
"""
from __future__ import annotations

import functools
import hashlib
import html as html_module
import json
import re
import threading
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

import markdown
import nh3
from lxml import etree, html as lxml_html

from ..typography import typeset

EXTENSIONS = ["footnotes", "tables", "attr_list", "sane_lists", "md_in_html", "fenced_code"]
# Footnotes are numbered in the order they are first called, as a reader meets them.
EXTENSION_CONFIGS = {"footnotes": {"BACKLINK_TEXT": "↩\ufe0e", "SUPERSCRIPT_TEXT": "{}",
                                   "USE_DEFINITION_ORDER": False}}

# What a manuscript may contain: an ebook's inline and block elements, nothing active.
ALLOWED_TAGS = {
    "p", "em", "strong", "i", "b", "u", "s", "sub", "sup", "small", "span", "div", "br", "hr",
    "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "a", "img", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "figure",
    "figcaption", "pre", "code", "abbr", "cite", "q", "mark", "del", "ins", "section", "aside",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "lang", "title", "dir"},
    "a": {"href"}, "img": {"src", "alt", "width", "height"}, "ol": {"start"},
    "td": {"colspan", "rowspan", "align"}, "th": {"colspan", "rowspan", "align"},
}


@dataclass(frozen=True)
class Fragment:
    html: str
    images: tuple[tuple[str, str], ...]  # (src, alt) in order
    words: int
    removed: tuple[str, ...] = ()  # active or unknown markup that sanitising took out
    unlinked: tuple[str, ...] = ()  # links to nowhere in the book (relative, site-relative), kept as text

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> "Fragment":
        fields = json.loads(data)
        return cls(fields["html"], tuple((src, alt) for src, alt in fields["images"]), fields["words"],
                   tuple(fields["removed"]), tuple(fields["unlinked"]))


_ACTIVE_TAGS = re.compile(r"<\s*(script|iframe|object|embed|form|input|button|select|textarea|style|link|meta|"
                          r"frame|frameset|applet|base|svg|math|video|audio|canvas)\b", re.IGNORECASE)
_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
_HANDLER = re.compile(r"\s(on[a-z]+)\s*=", re.IGNORECASE)
_JS_URL = re.compile(r"<[^<>]*\s(?:href|src)\s*=\s*[\"']?\s*(javascript|vbscript|data):", re.IGNORECASE)


def active_content(raw_html: str) -> tuple[str, ...]:
    """What an ebook may not hold in this HTML, named for the author: <script>, onclick=, javascript:."""
    found = {f"<{m[1].lower()}>" for m in _ACTIVE_TAGS.finditer(raw_html)}
    found |= {f"{m[1].lower()}=" for tag in _TAG.finditer(raw_html) for m in _HANDLER.finditer(tag[0])}
    found |= {f"{m[1].lower()}: link" for m in _JS_URL.finditer(raw_html)}
    return tuple(sorted(found))


def markdown_to_html(text: str) -> str:
    """Plain Python-Markdown conversion, before sanitising and typesetting."""
    return _markdown().reset().convert(text)


_CONVERTERS = threading.local()


def _markdown() -> markdown.Markdown:
    """One converter per thread (the preview serves requests in threads), reset before each text:
    setting up its extensions took a twentieth of the conversion."""
    converter = getattr(_CONVERTERS, "markdown", None)
    if converter is None:
        converter = _CONVERTERS.markdown = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS,
                                                             output_format="xhtml")
    return converter


def count_words(text: str) -> int:
    return len(re.findall(r"[^\W_]+(?:['’][^\W_]+)*", text))


@functools.cache
def fingerprint() -> str:
    """What shapes a converted fragment besides its text: this code and the libraries it calls."""
    package = Path(__file__).parent.parent
    code = b"".join((package / name).read_bytes() for name in ("readers/markup.py", "typography.py"))
    libraries = " ".join(version(name) for name in ("markdown", "nh3", "smartypants", "lxml"))
    return f"{libraries} {hashlib.sha256(code).hexdigest()}"


def convert(text: str, language: str = "en", format: str = "markdown") -> Fragment:
    """Markdown (or raw HTML from a markup source) → a sanitised, typeset XHTML fragment (no
    namespace, no wrapper element), with the images it references and its word count."""
    raw = markdown_to_html(text) if format == "markdown" else text
    safe = nh3.clean(raw, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel=None, strip_comments=True)
    typeset_html = typeset(safe, language)
    root = lxml_html.fragment_fromstring(typeset_html or "<p></p>", create_parent="div") if typeset_html.strip() \
        else etree.Element("div")
    for hr in root.iter("hr"):
        if hr.getparent() is None or "footnote" not in (hr.getparent().get("class") or ""):
            hr.set("class", "scene-break")
    for heading in root.iter("h1"):  # the chapter title is the only h1
        heading.tag = "h2"
    unlinked = _unlink_nowhere(root)
    _unique_ids(root)
    # Images as written, before sanitising drops a src it does not like: the reader refuses those.
    raw_root = lxml_html.fragment_fromstring(raw, create_parent="div") if "<img" in raw.lower() else None
    images = () if raw_root is None else tuple((img.get("src", ""), img.get("alt", "")) for img in raw_root.iter("img"))
    body_text = " ".join(
        el.text_content() for el in root if not (el.get("class") or "").startswith("footnote"))
    out = "".join(etree.tostring(child, encoding="unicode", method="xml") for child in root)
    if root.text and root.text.strip():
        out = f"<p>{html_module.escape(root.text, quote=False)}</p>" + out
    return Fragment(out, images, count_words(body_text), active_content(raw), unlinked)


def _unlink_nowhere(root) -> tuple[str, ...]:
    """Links that lead nowhere in a book (another site's /path, a file beside the manuscript, an
    anchor this text does not have) become their text, so the EPUB has no broken href."""
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    gone = []
    for link in list(root.iter("a")):
        href = link.get("href")
        if href is None or href.startswith(("http://", "https://", "mailto:")) or \
                (href.startswith("#") and href[1:] in ids):
            continue
        gone.append(href)
        link.drop_tag()
    return tuple(gone)


def _unique_ids(root) -> None:
    """A second element with an id already used gets a new one (EPUBCheck refuses repeats)."""
    seen: set[str] = set()
    for element in root.iter():
        name = element.get("id")
        if not name:
            continue
        unique, n = name, 2
        while unique in seen:
            unique, n = f"{name}-{n}", n + 1
        seen.add(unique)
        element.set("id", unique)


def typeset_title(text: str, language: str = "en") -> str:
    """Plain text (a title) → the same text with typographic quotes and dashes."""
    return html_module.unescape(typeset(html_module.escape(text, quote=False), language))
