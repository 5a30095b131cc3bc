"""One print document (a Job) → its pages as PDF bytes, with where each page's text begins.

This runs in worker processes: its inputs and outputs are plain, picklable data. After layout,
a scene-break ornament left alone at the head or foot of a page takes the short paragraph before
it onto the next page, and the document is laid out again.
"""
from __future__ import annotations

import gc
import hashlib
import time
from dataclasses import replace
from pathlib import Path

from lxml import etree

from ... import html, workers
from . import polish, reflow, weasy
from ...cache import keep
from .documents import template
from .jobs import FontSource, Job, SetDocument

# A scene-break ornament alone at the top or foot of a page reads as a stray mark: the paragraph
# before it starts the next page instead, if it is short enough to leave only a short page.
MOVE_BEFORE_ORNAMENT_CSS = template("move-before-ornament.css")
MOST_LINES_MOVED = 6

# Whoever imports this module sets type: a worker's fork server imports it to load WeasyPrint once
# (its workers freeze it as they start: workers.executor), as does the command line's own process.
weasy.load()
workers.settle()


def load(job: Job):
    """Lay the document out into pages (the slow step)."""
    return weasy.lay_out(job.document, job.css, job.resources)


def _trial(job: Job, before: Job, laid, reflowed: bool = True, provisional: bool = False):
    """Lay out a trial made from `before`, whose layout is `laid`: only from the pages it changes
    (reflow) to where its pages fall as before; a `provisional` one may leave a contents page
    showing the pages it showed (weasy.stale), to be judged. WeasyPrint's styles and boxes hold reference
    cycles, so the layout of a trial dropped before (and the Pango memory under it) stays until a
    full collection: one is made first (5 to 15 ms in a process of ours, which has frozen
    WeasyPrint's modules out of it: workers.settle; 30 to 55 ms in a library caller's). On a
    20-page story polished in four layouts, the build's peak went from 122 to 112 MiB."""
    again = reflow.pages_to_set_again(laid, before.document, job.document) \
        if reflowed and (job.css, job.resources) == (before.css, before.resources) else None
    gc.collect()
    if again is None:
        return load(job)
    return weasy.lay_out(job.document, job.css, job.resources, previous=laid, again=again, provisional=provisional)


def set_document(job: Job, fonts_dir: Path | None = None, reflowed: bool = True) -> SetDocument:
    """Lay out and write one document; keep its fonts' original files in `fonts_dir`. Each layout
    after the first is set from the pages it changes (`reflowed`; else whole: the same pages)."""
    # The style sheets of the marks that moving a paragraph and polish make select only those
    # marks: there from the first layout, they leave it as it was, and the layouts after it may
    # reuse its pages (reflow).
    marks = (MOVE_BEFORE_ORNAMENT_CSS,) + ((polish.POLISH_CSS,) if job.polish else ())
    job = replace(job, css=job.css + tuple(sheet for sheet in marks if sheet not in job.css))
    weasy.forget_lines()  # another document's lines are of no use
    document = load(job)
    for _ in range(2):  # moving a paragraph can strand another ornament further on: look once more
        to_move = stranded_scene_breaks(document)
        if not to_move:
            break
        marked = replace(job, document=_mark_before_ornament(job.document, to_move))
        job, document = marked, _trial(marked, job, document, reflowed)
    started = time.process_time()
    if job.polish:
        job, document = _polished(job, document, reflowed)
    polishing = time.process_time() - started
    weasy.forget_lines()  # the last layout is made: a worker waiting for its next document holds none
    pdf = weasy.write_pdf(document, job.identifier, job.variant)
    fonts = _keep_fonts(document, fonts_dir) if fonts_dir else ()
    return SetDocument(pdf, tuple(page_firsts(document)), fonts, polishing)


def _polished(job: Job, document, reflowed: bool = True):
    """The job and its layout after the polish pass, worked front to back as a compositor would.
    Each round tries the local mends first (hyphenation and filled pages: Faults.local), then, if
    those do not help, every mend (tracking that pulls a line back moves all after it); a round
    helps when its pages have fewer faults, or no hyphenation fault before a later page than before
    (the pages up to it are done, even if more faults follow: a kept word can push the next fault
    on, and the round after mends it), break no more lines early, strand no more ornaments and
    show every block. The best pages seen are kept: never worse than the first layout. A trial
    that moves a chapter of a book set as one document is judged by its pages with the contents
    page as it was (weasy.stale), and laid out whole only to be kept: most are refused. (Were a
    new page number to rewrap a contents line, pushing the pages after it on, such a trial could
    be refused where a whole layout would have kept it; what is kept is always laid out whole.)"""
    found, stranded = polish.faults(document), len(stranded_scene_breaks(document))
    blocks = _blocks(document)
    best = (found.score, job, document)
    for _ in range(polish.ROUNDS):
        if not found.score:
            break
        for mending in (found.local(), found):
            trial = replace(job, document=polish.mend(job.document, mending))
            if trial.document == job.document:
                continue  # what is left was mended before, in vain
            laid = _trial(trial, job, document, reflowed, provisional=True)
            better = polish.faults(laid)
            if not _helps(better, found):
                # A trial's own consequences are mended before it is judged, as a compositor would
                # (one more layout, after either trial): pulling a line back often unbalances a
                # spread that filling a page mends; a word kept whole can leave another at a foot.
                follow = replace(trial, document=polish.mend(trial.document, better.local()))
                if follow.document != trial.document:
                    trial, laid = follow, _trial(follow, trial, laid, reflowed, provisional=True)
                    better = polish.faults(laid)
            stray = {line.key for line in better.stray_lines} - {line.key for line in found.stray_lines}
            if stray:
                # WeasyPrint broke a line early in a paragraph this trial touched: those paragraphs
                # go back to the pages last kept, and the rest of the trial is judged (one more layout).
                calmer = replace(trial, document=polish.restore(trial.document, job.document, stray))
                if calmer.document == job.document:
                    continue  # nothing else in the trial
                if calmer.document != trial.document:
                    trial, laid = calmer, _trial(calmer, trial, laid, reflowed, provisional=True)
                    better = polish.faults(laid)
            keeps = _keeps(better, found, laid, stranded, blocks)
            if keeps and weasy.stale(laid):
                laid = _trial(trial, job, document, reflowed=False)  # to be kept, with its contents right
                better = polish.faults(laid)
                keeps = _keeps(better, found, laid, stranded, blocks)
            if keeps:
                job, document, found = trial, laid, better
                if found.score < best[0]:
                    best = (found.score, job, document)
                break
        else:
            break
    return best[1], best[2]


def _keeps(better: polish.Faults, found: polish.Faults, laid, stranded: int, blocks: set[str]) -> bool:
    """Whether a trial's pages are kept: they help, and break no more lines early, strand no more
    ornaments and show every block."""
    return _helps(better, found) and len(better.stray_lines) <= len(found.stray_lines) \
        and len(stranded_scene_breaks(laid)) <= stranded and _blocks(laid) == blocks


def _helps(better: polish.Faults, found: polish.Faults) -> bool:
    return better.score < found.score or better.first_page > found.first_page


def _blocks(document) -> set[str]:
    """The blocks whose text the pages show: a mend that loses one (it never should) is refused."""
    return {line.key for line in polish.lines(document)[0]}


def _mark_before_ornament(document: bytes, keys: list[str]) -> bytes:
    """The document with these blocks marked to start a page."""
    root = etree.fromstring(document)
    wanted = set(keys)
    for element in root.iter():
        if element.get("data-block") in wanted:
            element.set("data-before-ornament", "")
    return html.serialize(root)


def _keep_fonts(document, fonts_dir: Path) -> tuple[FontSource, ...]:
    """The original files of the fonts the merge can combine across documents (plain vector fonts)."""
    kept = []
    for name, data, index in weasy.font_files(document):
        sha = hashlib.sha256(data).hexdigest()
        if (fonts_dir / sha).exists() or keep(fonts_dir / sha, data):
            kept.append(FontSource(name, sha, index))
    return tuple(kept)


def page_firsts(document):
    """For each page, the block and character where its text begins."""
    body, bottoms = polish.lines(document)
    firsts: list = [None] * len(bottoms)
    for line in reversed(body):
        section, block = line.key.rsplit(":", 1)
        firsts[line.page] = (section, int(block), line.start)
    return firsts


def stranded_scene_breaks(document) -> list[str]:
    """The paragraphs (block keys) to move so no scene break opens or ends a page."""
    pages = [[(kind, key, line) for kind, key, _, line, _ in items] for items in weasy.page_bodies(document)]
    lines: dict[str, set] = {}
    for items in pages:
        for kind, key, line in items:
            if kind == "text":
                lines.setdefault(key, set()).add(line)
    to_move = []
    for number, items in enumerate(pages):
        if not items:
            continue
        candidates = []
        if items[0][0] == "break" and number and pages[number - 1]:
            candidates.append(pages[number - 1][-1])  # the text before an ornament that opens a page
        if items[-1][0] == "break" and len(items) > 1:
            candidates.append(items[-2])  # the text before an ornament that ends one
        for kind, key, _ in candidates:
            if kind == "text" and key and len(lines[key]) <= MOST_LINES_MOVED and key not in to_move:
                to_move.append(key)
    return to_move
