"""XHTML text → the same text set as a typesetter would: curly quotes, dashes, ellipses.

Every reader runs its HTML through `typeset()`, so a story imported from plain text and a
chapter written in Markdown come out alike. Markup and code spans are left alone.
"""
from __future__ import annotations

import re

import smartypants

# q quotes, b ``backticks'', d "--" as an em dash (the writer's habit), e ellipses, u Unicode out.
_ATTRS = smartypants.Attr.q | smartypants.Attr.b | smartypants.Attr.d | smartypants.Attr.e | smartypants.Attr.u

# Quote marks per language (opening/closing double, opening/closing single) for languages whose
# typesetters do not use the English marks.
QUOTES = {
    "de": "„“‚‘", "fr": "«»‹›", "es": "«»“”", "it": "«»“”", "ru": "«»„“", "pl": "„”‚’",
    "nl": "“”‘’", "sv": "””’’", "da": "»«›‹", "cs": "„“‚‘", "ja": "「」『』", "zh": "“”‘’",
}
_NBSP, _NNBSP = "\u00a0", "\u202f"
# Text with none of these is set as it is (most chapter titles: "Chapter 12"); smartypants also
# turns a backslash escape into an entity.
_TOUCHED = re.compile(r"""[-'"`.&“”‘’«»;:!?\\]""")


def typeset(html: str, language: str = "en") -> str:
    """Curly quotes, em dashes and ellipses for `language`, in an HTML fragment."""
    if not _TOUCHED.search(html):
        return html
    text = smartypants.smartypants(html, _ATTRS)
    # smartypants opens a quote before a decade ('90s) or an elided word ('tis): those are apostrophes.
    text = re.sub(r"‘(?=(\d0s|tis\b|twas\b|em\b|cause\b|til\b))", "’", text, flags=re.IGNORECASE)
    marks = QUOTES.get(language.split("-")[0].lower())
    if marks:
        open2, close2, open1, close1 = marks
        text = text.replace("“", "\0o2").replace("”", "\0c2").replace("‘", "\0o1")
        # A closing single mark between letters is an apostrophe: keep it.
        text = re.sub(r"’(?!\w)", "\0c1", text)
        text = text.replace("\0o2", open2).replace("\0c2", close2).replace("\0o1", open1).replace("\0c1", close1)
        if language.startswith("fr"):
            text = re.sub(r"« ?", "«" + _NNBSP, text)
            text = re.sub(r" ?»", _NNBSP + "»", text)
            text = re.sub(r" ([;:!?])", _NNBSP + r"\1", text)
    # A no-break space keeps an initial or a short honorific with what follows (Mr. Darcy).
    text = re.sub(r"\b(Mr|Mrs|Ms|Dr|St|Mt)\. ", r"\1." + _NBSP, text)
    return text
