"""A layout, its document and that document with a few blocks changed → the pages to set again.

They are the pages that hold a changed block; the page before, where nothing above the block on
its page lets that page break (it may have ended as it did because of the block: a heading kept
with it); and the pages whose shortened height changed. weasy.lay_out sets these, and the pages
after them until one begins as it did before; every other page is taken as it was.
"""
from __future__ import annotations

import copy
from collections import Counter, defaultdict

from lxml import etree

from . import polish, weasy


def pages_to_set_again(laid, old_document: bytes, new_document: bytes) -> frozenset[int] | None:
    """The pages of `laid` (the layout of `old_document`) that `new_document` changes; None where
    it differs in more than its blocks and its shortened pages, which only a whole layout can show."""
    old, new = etree.fromstring(old_document), etree.fromstring(new_document)
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
    body = polish.lines(laid)[0]
    pages_of: dict[str, set[int]] = defaultdict(set)
    for line in body:
        pages_of[line.key].add(line.page)
    lines_of = Counter(line.key for line in body)
    rules: dict[int, dict[str, tuple[int, int]]] = {}  # each page's breakable blocks, read once
    again = {page for page in old_padding.keys() | new_padding.keys() if old_padding.get(page) != new_padding.get(page)}
    for key in changed:
        inner = [element.get("data-block") for element in new_blocks[key].iter()
                 if isinstance(element.tag, str) and element.get("data-block") in pages_of]
        if not inner:
            return None  # a block the pages did not show
        pages = {page for block in inner for page in pages_of[block]}
        page = min(pages)
        if page not in rules:
            rules[page] = weasy.breakable_blocks(laid, page)
        first = page if _breaks_above(body, lines_of, rules[page], set(inner), page) else page - 1
        again.update(range(max(first, 0), max(pages) + 1))
    return frozenset(again)


def _breaks_above(body: list[polish.Line], lines_of: Counter, rules: dict[str, tuple[int, int]], blocks: set[str],
                  page: int) -> bool:
    """Whether the page may break between two lines of a paragraph above these blocks on their
    first page (orphans and widows allowing it). The page before ended before such a break, at the
    latest: WeasyPrint ends a page at the last place it may before the first line that does not fit
    (a heading kept with what follows goes over with it), so that page never reached these blocks,
    and it is as it was. Without such a break it may have: it is set again. `rules`: the page's
    breakable blocks (weasy.breakable_blocks); `lines_of`: each block's lines."""
    seen: Counter = Counter()  # each paragraph's lines so far
    on_page: Counter = Counter()  # … on this page (orphans count those)
    for line in body:
        if line.key in blocks and line.page == page:
            return False
        seen[line.key] += 1
        if line.page == page and line.key in rules and not line.ragged:
            on_page[line.key] += 1
            orphans, widows = rules[line.key]
            if on_page[line.key] >= orphans and lines_of[line.key] - seen[line.key] >= widows:
                return True  # a break may come after this line, on this page, above the blocks
    return False


def _take_padding(root: etree._Element) -> dict[int, float]:
    """Take out the document's shortened pages (polish's style element): page index → padding."""
    style = polish.shortened_style(root)
    if style is None:
        return {}
    style.getparent().remove(style)
    return polish.shortened_pages(style)


def _blocks(root: etree._Element) -> dict[str, etree._Element]:
    return {element.get("data-block"): element for element in root.iter()
            if isinstance(element.tag, str) and element.get("data-block")}


def _innermost(keys: list[str], blocks: dict[str, etree._Element]) -> list[str]:
    """The changed blocks without a changed block inside (a chapter's section is itself a block)."""
    wanted = set(keys)
    return [key for key in keys if not any(inner.get("data-block") in wanted for inner in blocks[key].iterdescendants()
                                           if isinstance(inner.tag, str))]
