"""A document laid out, and the same document with a few of its blocks changed → the pages to set
again: those that hold a changed block and the page before each (a block's first lines decide where
the page before it ends), and those whose page style changed (a shortened page). The setter lays a
polish trial out from these pages only (weasy.lay_out), taking every other page from the layout
before where it begins in the same place."""
from __future__ import annotations

import copy
from collections import defaultdict

from lxml import etree

from ... import html
from . import polish


def pages_to_set_again(laid, before: bytes, after: bytes) -> frozenset[int] | None:
    """The pages of `laid` (the layout of `before`) that `after` changes; None where `after`
    differs in more than its blocks and its shortened pages, which only a whole layout can show."""
    old, new = etree.fromstring(before), etree.fromstring(after)
    old_padding, new_padding = _take_padding(old), _take_padding(new)
    old_blocks, new_blocks = _blocks(old), _blocks(new)
    if old_blocks.keys() != new_blocks.keys():
        return None
    changed = _innermost([key for key, element in new_blocks.items()
                          if etree.tostring(element, with_tail=False) != etree.tostring(old_blocks[key], with_tail=False)],
                         new_blocks)
    for key in changed:
        replacement = copy.deepcopy(new_blocks[key])
        replacement.tail = old_blocks[key].tail
        old_blocks[key].getparent().replace(old_blocks[key], replacement)
    if etree.tostring(old) != etree.tostring(new):
        return None  # a change outside the blocks
    pages_of: dict[str, set[int]] = defaultdict(set)
    for line in polish.lines(laid)[0]:
        pages_of[line.key].add(line.page)
    again = {page for page in old_padding.keys() | new_padding.keys() if old_padding.get(page) != new_padding.get(page)}
    for key in changed:
        pages = {page for inner in new_blocks[key].iter() if isinstance(inner.tag, str)
                 for page in pages_of.get(inner.get("data-block"), ())}
        if not pages:
            return None  # a block the pages did not show
        again.update(range(max(min(pages) - 1, 0), max(pages) + 1))
    return frozenset(again)


def _blocks(root: etree._Element) -> dict[str, etree._Element]:
    return {element.get("data-block"): element for element in root.iter()
            if isinstance(element.tag, str) and element.get("data-block")}


def _innermost(keys: list[str], blocks: dict[str, etree._Element]) -> list[str]:
    """The changed blocks without a changed block inside (a chapter's section is itself a block)."""
    wanted = set(keys)
    return [key for key in keys if not any(inner.get("data-block") in wanted for inner in blocks[key].iterdescendants()
                                           if isinstance(inner.tag, str))]


def _take_padding(root: etree._Element) -> dict[int, float]:
    """Take out the document's shortened pages (polish), as page index → padding in CSS pixels."""
    style = root.find(f"{{{html.XHTML}}}head/{{{html.XHTML}}}style[@{polish.SHORTENED}]")
    if style is None:
        return {}
    style.getparent().remove(style)
    return {int(page): float(pixels) for page, pixels in
            (item.split(":") for item in style.get(polish.SHORTENED).split())}
