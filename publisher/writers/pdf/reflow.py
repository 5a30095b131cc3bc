"""A document laid out, and the same document with a few of its blocks changed → the pages to set
again: those that hold a changed block, and the page before where the block begins at the top of
its page (its first lines decided where that page ended), and those whose page style changed (a
shortened page). The setter lays a
polish trial out from these pages only (weasy.lay_out), taking every other page from the layout
before where it begins in the same place."""
from __future__ import annotations

import copy
from collections import Counter, defaultdict

from lxml import etree

from ... import html
from . import polish

KEPT_ABOVE = 2  # lines above a block on its first page that may have been set with it (orphans)


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
    above: dict[str, int] = {}  # each block's lines above its first on its first page
    on_page = Counter()
    for line in polish.lines(laid)[0]:
        if line.key not in pages_of:
            above[line.key] = on_page[line.page]
        pages_of[line.key].add(line.page)
        on_page[line.page] += 1
    again = {page for page in old_padding.keys() | new_padding.keys() if old_padding.get(page) != new_padding.get(page)}
    for key in changed:
        inner = [element.get("data-block") for element in new_blocks[key].iter()
                 if isinstance(element.tag, str) and element.get("data-block") in pages_of]
        if not inner:
            return None  # a block the pages did not show
        pages = {page for block in inner for page in pages_of[block]}
        # The page before a block's first is set again where the block begins at the top of its page,
        # under a line or two at most (a heading kept with it): the page before ended on what came next.
        before = min(pages) - 1 if min(above[block] for block in inner) <= KEPT_ABOVE else min(pages)
        again.update(range(max(before, 0), max(pages) + 1))
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
