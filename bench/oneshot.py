"""Benchmark: issue 18's targets: one-shot stories against what a user would otherwise run, the corpus
EPUBs cold and after a one-word edit against pandoc, and time and memory per 1,000 words.

    python bench/oneshot.py [--runs 3] [--books moby-dick-opening pride-and-prejudice ...] [--no-single]

One-shots: generated stories of 2,000 and 5,000 words (bench/batch.py's original filler text), each as
a .txt story and as the book folder `publisher import` makes of it. Each run measures, one after
another: our cold EPUB+PDF build and our cold EPUB-only build (`--no-cache`), and the anchors:
`pandoc -s` to HTML then `weasyprint -s bench/plain.css` (what a user would otherwise run; the .txt is
read as Markdown), one WeasyPrint render of our own print HTML and CSS, and pandoc's EPUB. The order
turns each run, so a busy minute falls on all of them. The fixed cost per build is the CPU of a cold
EPUB+PDF build of a one-word story, and, as a cross-check, the intercept of CPU against words over
the one-shots and the corpus books' cold builds (the growth rows). CPU is user+sys of the whole
process tree, wall and CPU are medians of the runs with their range, memory the largest peak (all
from bench/run.py's `measure`). Prints tables and a line per target; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from batch import fit, write_story
from run import (
    BOOKS,
    CORPUS,
    Measured,
    chapter_files,
    combine,
    compile_package,
    edit_one_word,
    measure,
    pandoc_command,
    pdf_pages,
    single_render,
)

PUBLISHER = [sys.executable, "-m", "publisher"]
WEASYPRINT = str(Path(sys.executable).with_name("weasyprint"))  # the command a user runs
PLAIN_CSS = Path(__file__).with_name("plain.css")
STORIES = (2000, 5000)
ONE_WORD = "Title: One Word\nAuthor: Bench Writer\n\nWord.\n"
HELP_RUNS = 3  # `publisher --help` samples per run

COLD = "publisher epub+pdf, cold"
EPUB = "publisher epub, cold"
PLAIN = "pandoc -s + weasyprint plain.css"
SINGLE = "weasyprint single (our HTML+CSS)"
PANDOC_EPUB = "pandoc epub"
REBUILD = "publisher epub, one word changed"


@dataclass
class Row:
    """One thing measured: commands run one after another, whose figures add up."""
    source: str
    words: int
    what: str
    steps: list[list[str]]
    out: Path
    results: list[Measured] = field(default_factory=list)

    def run(self) -> None:
        parts = [measure(step) for step in self.steps]
        self.results.append(Measured(sum(p.wall for p in parts), max(p.largest for p in parts),
                                     max(p.tree for p in parts), sum(p.cpu for p in parts)))

    @property
    def median(self) -> Measured:
        return combine(self.results)

    def spread(self, figure: str = "wall") -> str:
        values = [getattr(r, figure) for r in self.results]
        median = statistics.median(values)
        return f"{median:.2f} ({min(values):.2f}–{max(values):.2f})" if len(values) > 1 else f"{median:.2f}"

    def pages(self) -> int:
        return pdf_pages(self.out) if self.out.suffix == ".pdf" else 0


def ratio(ours: Row, anchor: Row, figure: str = "wall") -> tuple[float, str]:
    """The median of the run-by-run ratios (each pair measured in the same minute), and as text with its range."""
    values = [getattr(a, figure) / getattr(b, figure) for a, b in zip(ours.results, anchor.results)]
    median = statistics.median(values)
    return median, f"{median:.2f} ({min(values):.2f}–{max(values):.2f})" if len(values) > 1 else f"{median:.2f}"


EXTRA: list[str] = []  # --flags: options for every one of our builds


def build(source: Path, out: Path, *options: str) -> list[str]:
    return [*PUBLISHER, "build", str(source), "-o", str(out), "-q", *options, *EXTRA]


def make_stories(work: Path) -> dict[str, tuple[Path, int]]:
    """label → (source, words): each generated story as .txt and as an imported book folder."""
    sources = {}
    for words in STORIES:
        story = work / f"story-{words // 1000}k.txt"
        write_story(story, words, words)
        folder = work / story.stem
        subprocess.run([*PUBLISHER, "import", str(story), "-o", str(folder)], check=True, capture_output=True)
        count = len(story.read_text().split())
        sources[story.name], sources[f"{folder.name}/"] = (story, count), (folder, count)
    return sources


def oneshot_rows(label: str, source: Path, words: int, work: Path) -> dict[str, Row]:
    here = work / f"oneshot-{label.replace('.', '-').strip('/')}"
    here.mkdir()
    out = here / "out"
    if source.is_dir():
        inputs, reader = chapter_files(source), ()
    else:
        inputs, reader = [source], ("-f", "markdown")
    html = here / "plain.html"
    steps = {
        COLD: ([build(source, out, "--no-cache")], out / f"{source.stem}.pdf"),
        EPUB: ([build(source, out, "--no-cache", "-f", "epub")], out / f"{source.stem}.epub"),
        PLAIN: ([pandoc_command(inputs, html, source.stem, *reader, "-s"),
                 [WEASYPRINT, str(html), str(here / "plain.pdf"), "-s", str(PLAIN_CSS)]], here / "plain.pdf"),
        SINGLE: ([single_render(source, here, here / "single.pdf")], here / "single.pdf"),
        PANDOC_EPUB: ([pandoc_command(inputs, here / "pandoc.epub", source.stem, *reader)], here / "pandoc.epub"),
    }
    return {what: Row(label, words, what, commands, path) for what, (commands, path) in steps.items()}


def interleaved(rows: list[Row], count: int, between: Callable[[int], None] = lambda run: None) -> None:
    """Each row once a run, the order turned by one each run."""
    for run in range(count):
        between(run)
        for row in rows[run % len(rows):] + rows[:run % len(rows)]:
            row.run()


def epub_rows(name: str, work: Path, count: int) -> dict[str, Row]:
    """Cold EPUB, pandoc's EPUB and a cached rebuild after a one-word edit, in turn each run."""
    book, out, cache = work / name, work / f"out-{name}", work / f"cache-{name}"
    shutil.copytree(CORPUS / name, book)
    words = sum(len(p.read_text().split()) for p in chapter_files(book))
    measure(build(book, out, "-f", "epub", "--cache-dir", str(cache)))  # fills the cache
    rows = {
        EPUB: Row(name, words, EPUB, [build(book, out, "-f", "epub", "--no-cache")], out / f"{name}.epub"),
        PANDOC_EPUB: Row(name, words, PANDOC_EPUB, [pandoc_command(chapter_files(book), work / "pandoc.epub", name)],
                         work / "pandoc.epub"),
        REBUILD: Row(name, words, REBUILD, [build(book, out, "-f", "epub", "--cache-dir", str(cache))],
                     out / f"{name}.epub"),
    }
    for run in range(count):
        rows[EPUB].run()
        rows[PANDOC_EPUB].run()
        edit_one_word(book, run)
        rows[REBUILD].run()
    return rows


def growth_rows(name: str, work: Path, count: int, single: bool) -> dict[str, Row]:
    """A corpus book's cold EPUB+PDF build, and (once, as the memory and size anchor) the single render."""
    source, here = CORPUS / name, work / f"growth-{name}"
    here.mkdir()
    words = sum(len(p.read_text().split()) for p in chapter_files(source))
    rows = {COLD: Row(name, words, COLD, [build(source, here, "--no-cache")], here / f"{name}.pdf")}
    if single:
        rows[SINGLE] = Row(name, words, SINGLE, [single_render(source, here, here / "single.pdf")], here / "single.pdf")
    for run in range(count):
        rows[COLD].run()
        if run == 0 and single:
            rows[SINGLE].run()
    return rows


def verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--books", nargs="*", default=BOOKS, help="corpus books for the EPUB and growth rows")
    parser.add_argument("--no-growth", action="store_true", help="skip the corpus books' cold EPUB+PDF builds")
    parser.add_argument("--no-single", action="store_true", help="no single render of the corpus books")
    parser.add_argument("--flags", default="", help="options for every one of our builds, e.g. --flags=--no-polish")
    args = parser.parse_args()
    compile_package()
    EXTRA.extend(shlex.split(args.flags))
    books = [name for name in args.books if (CORPUS / name).is_dir()]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        os.environ["PUBLISHER_CACHE"] = str(work / "cache")  # nothing of ours outside the temporary folder
        sources = make_stories(work)
        oneshots = {label: oneshot_rows(label, path, words, work) for label, (path, words) in sources.items()}
        (work / "one-word.txt").write_text(ONE_WORD)
        one_word = Row("one-word.txt", 1, COLD, [build(work / "one-word.txt", work / "out-one-word", "--no-cache")],
                       work / "out-one-word" / "one-word.pdf")
        help_row = Row("", 0, "publisher --help", [[*PUBLISHER, "--help"]], Path("-"))
        measure(one_word.steps[0])  # warm the file cache once, unmeasured
        every = [row for rows in oneshots.values() for row in rows.values()] + [one_word] + [help_row] * HELP_RUNS
        interleaved(every, args.runs)
        print("one-shots measured", file=sys.stderr, flush=True)
        epubs = {}
        for name in books:
            epubs[name] = epub_rows(name, work, args.runs)
            print(f"EPUB rows: {name}", file=sys.stderr, flush=True)
        growth = {}
        for name in [] if args.no_growth else books:
            count = 1 if name.startswith("war-and-peace") else args.runs
            growth[name] = growth_rows(name, work, count, not args.no_single)
            print(f"growth: {name}", file=sys.stderr, flush=True)
        report(args.runs, oneshots, one_word, help_row, epubs, growth)


def report(runs: int, oneshots: dict[str, dict[str, Row]], one_word: Row, help_row: Row,
           epubs: dict[str, dict[str, Row]], growth: dict[str, dict[str, Row]]) -> None:
    targets: list[tuple[str, str, bool]] = []  # (target, measured, met)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end; {runs} runs, in turn")
    print("\n### One-shots\n")
    print("| source | words | build | wall s, median (range) | CPU s, median (range) | peak RSS MiB (largest / tree) "
          "| pages | size KiB |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for rows in oneshots.values():
        for row in rows.values():
            m = row.median
            print(f"| {row.source} | {row.words:,} | {row.what} | {row.spread()} | {row.spread('cpu')} | "
                  f"{m.largest} / {m.tree} | {row.pages() or ''} | {row.out.stat().st_size / 1024:,.0f} |")
    print("\nRatios are medians of the run-by-run ratios (range); targets from issue 18.\n")
    print("| source | EPUB+PDF / pandoc+weasyprint (≤ 1.0) | EPUB+PDF / single render (≤ 0.8) | "
          "EPUB / pandoc EPUB (≤ 1.0) | PDF size / single (≤ 1.15) | EPUB+PDF peak RSS MiB, largest / tree (≤ 120) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    found: dict[str, list[tuple[str, float]]] = {"plain": [], "single": [], "epub": [], "size": [], "rss": []}
    for label, rows in oneshots.items():
        plain, single, epub = ratio(rows[COLD], rows[PLAIN]), ratio(rows[COLD], rows[SINGLE]), \
            ratio(rows[EPUB], rows[PANDOC_EPUB])
        size = rows[COLD].out.stat().st_size / rows[SINGLE].out.stat().st_size
        m = rows[COLD].median
        print(f"| {label} | {plain[1]} | {single[1]} | {epub[1]} | {size:.2f} | {m.largest} / {m.tree} |")
        for key, value in (("plain", plain[0]), ("single", single[0]), ("epub", epub[0]), ("size", size),
                           ("rss", m.largest)):
            found[key].append((label, value))

    def each(key: str, limit: float, unit: str = "×") -> tuple[str, bool]:
        text = ", ".join(f"{label} {value:.2f}{unit}" if unit == "×" else f"{label} {value:.0f} {unit}"
                         for label, value in found[key])
        return text, all(value <= limit for _, value in found[key])

    targets.append(("one-shot cold EPUB+PDF ≤ 1.0× pandoc -s + weasyprint (plain CSS)", *each("plain", 1.0)))
    targets.append(("one-shot cold EPUB+PDF ≤ 0.8× a single render of our HTML and CSS", *each("single", 0.8)))
    targets.append(("one-shot EPUB-only ≤ 1.0× pandoc's EPUB", *each("epub", 1.0)))
    targets.append(("one-shot PDF size ≤ 1.15× the single render's", *each("size", 1.15)))
    trees = ", ".join(f"{label} {rows[COLD].median.tree}" for label, rows in oneshots.items())
    text, met = each("rss", 120, "MiB")
    targets.append(("one-shot builds ≤ 120 MiB (largest process)", f"{text}; whole tree {trees} MiB", met))

    points = [(rows[COLD].words / 1000, rows[COLD].median.cpu) for rows in oneshots.values()]
    points += [(rows[COLD].words / 1000, rows[COLD].median.cpu) for rows in growth.values()]
    intercept, slope = fit(points)
    print(f"\nFixed cost per build: a one-word story's cold EPUB+PDF build takes {one_word.spread('cpu')} CPU-s "
          f"(wall {one_word.spread()} s, peak RSS {one_word.median.largest} / {one_word.median.tree} MiB); "
          f"CPU against words over {len(points)} builds (one-shots and corpus books) fits "
          f"{intercept:.2f} CPU-s + {slope:.3f} CPU-s per 1,000 words.")
    targets.append(("fixed cost per build ≤ 1.0 CPU-s (the one-word story; the fit's intercept beside it)",
                    f"{one_word.median.cpu:.2f} CPU-s (intercept {intercept:.2f})", one_word.median.cpu <= 1.0))
    help_wall = help_row.median.wall
    print(f"`publisher --help`: {help_row.spread()} s wall over {len(help_row.results)} runs.")
    targets.append(("`publisher --help` ≤ 0.3 s", f"{help_wall:.2f} s", help_wall <= 0.3))

    if epubs:
        print("\n### Corpus EPUBs\n")
        print("| book | words | cold EPUB s | pandoc EPUB s | cold / pandoc | one-word rebuild s | rebuild / cold | "
              "peak RSS MiB cold (largest / tree) | rebuild (largest / tree) | pandoc |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, rows in epubs.items():
            cold, pandoc, rebuild = rows[EPUB], rows[PANDOC_EPUB], rows[REBUILD]
            print(f"| {name} | {cold.words:,} | {cold.spread()} | {pandoc.spread()} | {ratio(cold, pandoc)[1]} | "
                  f"{rebuild.spread()} | {ratio(rebuild, cold)[1]} | {cold.median.largest} / {cold.median.tree} | "
                  f"{rebuild.median.largest} / {rebuild.median.tree} | {pandoc.median.largest} |")
        if "war-and-peace" in epubs:
            value = ratio(epubs["war-and-peace"][EPUB], epubs["war-and-peace"][PANDOC_EPUB])[0]
            targets.append(("War and Peace EPUB ≤ 0.25× pandoc's time, cold", f"{value:.2f}×", value <= 0.25))
        rebuilds = [(name, ratio(rows[REBUILD], rows[EPUB])[0]) for name, rows in epubs.items()]
        targets.append(("EPUB rebuild after a one-word edit ≤ 0.2× the cold EPUB",
                        ", ".join(f"{name} {value:.2f}×" for name, value in rebuilds),
                        all(value <= 0.2 for _, value in rebuilds)))

    if growth:
        print("\n### Growth: cold EPUB+PDF build per 1,000 words\n")
        print("| source | words | wall s | s / 1k words | CPU s | CPU s / 1k words | peak RSS MiB (largest / tree) | "
              "MiB / 1k words (largest / tree) | single render: s, peak MiB | PDF size / single |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        lines = [rows[COLD] for label, rows in oneshots.items() if label.endswith(".txt")]
        lines += [rows[COLD] for rows in growth.values()]
        lines.sort(key=lambda row: row.words)
        for row in lines:
            m, k = row.median, row.words / 1000
            single = growth.get(row.source, oneshots.get(row.source, {})).get(SINGLE)
            anchor = (f"{single.median.wall:.2f}, {single.median.largest}", f"{row.out.stat().st_size / single.out.stat().st_size:.2f}") \
                if single else ("", "")
            print(f"| {row.source} | {row.words:,} | {row.spread()} | {m.wall / k:.3f} | {m.cpu:.2f} | {m.cpu / k:.3f} | "
                  f"{m.largest} / {m.tree} | {m.largest / k:.2f} / {m.tree / k:.2f} | {anchor[0]} | {anchor[1]} |")
        for figure, name in (("wall", "time"), ("largest", "peak memory (largest process)")):
            per_k = [(row.source, getattr(row.median, figure) / row.words * 1000) for row in lines]
            rises = [(a, b) for a, b in pairwise(per_k) if b[1] > a[1] * 1.05]
            targets.append((f"growth: {name} per 1,000 words flat or falling (no step up by more than 5 %)",
                            " → ".join(f"{value:.3f}" for _, value in per_k)
                            + "".join(f"; rises {a[0]} → {b[0]}" for a, b in rises), not rises))
        if "war-and-peace" in growth:
            rows = growth["war-and-peace"]
            m = rows[COLD].median
            targets.append(("War and Peace PDF ≤ 160 MiB in every process (EPUB+PDF build)",
                            f"largest process {m.largest} MiB", m.largest <= 160))
            if SINGLE in rows:
                peak = rows[SINGLE].median.largest
                targets.append(("War and Peace whole tree ≤ 0.6× the single render's peak",
                                f"{m.tree} MiB vs {peak} MiB = {m.tree / peak:.2f}×", m.tree <= 0.6 * peak))
                size = rows[COLD].out.stat().st_size / rows[SINGLE].out.stat().st_size
                targets.append(("War and Peace PDF size ≤ 1.15× the single render's", f"{size:.2f}×", size <= 1.15))

    print("\n### Against issue 18's targets\n")
    print("| target | measured | met? |")
    print("| --- | --- | --- |")
    for target, measured, met in targets:
        print(f"| {target} | {measured} | {verdict(met)} |")


if __name__ == "__main__":
    main()
