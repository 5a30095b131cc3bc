"""Benchmark: build the corpus books and print time, memory, pages and size beside the anchors.

    python bench/run.py [--runs 3] [--books moby-dick-opening pride-and-prejudice ...]

For each book: our EPUB and PDF builds (`publisher build -f ...`, a whole process each), then the
anchors measured in the same run: pandoc's EPUB of the same chapters, and WeasyPrint rendering the
same book as one HTML document with the same CSS. Wall time is the median of --runs; memory is the
peak resident set of the largest process and of the whole process tree, sampled from /proc.
Not part of the test suite: it prints figures, it asserts nothing.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
BOOKS = ["moby-dick-opening", "pride-and-prejudice", "moby-dick", "war-and-peace", "war-and-peace-parts"]
PARTS = {"war-and-peace-parts": "war-and-peace"}  # a book in parts, and the same text flat: their cold builds compared


def chapter_files(book: Path) -> list[Path]:
    """The chapter files in reading order, in part folders or not."""
    from publisher.readers.folder import natural_key

    def walk(folder: Path) -> list[Path]:
        found = []
        for entry in sorted(folder.iterdir(), key=natural_key):
            if entry.is_dir():
                found += walk(entry)
            elif entry.suffix == ".md" and entry.name != "_part.md":
                found.append(entry)
        return found

    return walk(book / "chapters")


def _tree(pid: int) -> list[int]:
    pids, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            pids.append(child)
            frontier.append(child)
    return pids


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Measured(NamedTuple):
    wall: float  # seconds
    largest: int  # peak RSS of the largest process, MiB
    tree: int  # peak RSS of the whole process tree, MiB
    cpu: float  # user + system seconds of the process and every descendant


# Orphans of a measured process (a fork server outliving its parent for a moment) come to us, so
# that reaping them adds their CPU, and their workers', to RUSAGE_CHILDREN: without this a build's
# workers are missed (1.1 CPU-s counted of 4.7 for a cold EPUB and PDF of moby-dick-opening).
PR_SET_CHILD_SUBREAPER = 36
ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _children() -> set[int]:
    pids = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            pids.update(map(int, (task / "children").read_text().split()))
        except OSError:
            pass
    return pids


def _reap_orphans(keep: set[int], patience: float = 60.0) -> None:
    """Wait for every child of ours not in `keep`: the measured process's descendants left to us."""
    deadline = time.monotonic() + patience
    while (orphans := _children() - keep) and time.monotonic() < deadline:
        for pid in orphans:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        time.sleep(0.01)


def compile_package() -> None:
    """Write publisher's bytecode before measuring, as an installed copy has it (pip writes it, and
    Python on the first import). Without it, where PYTHONDONTWRITEBYTECODE is set, as on the machine
    these benchmarks ran on, each build compiles every module changed since the bytecode was last
    written: 20-40 ms of a 0.3 s EPUB rebuild."""
    import compileall

    compileall.compile_dir(str(ROOT / "publisher"), quiet=1)


def measure(command: list[str], cwd: Path | None = None, allow_failure: bool = False) -> Measured:
    """Wall time, peak RSS (sampled from /proc every 20 ms) and CPU of one command's process tree."""
    others, before = _children(), resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    largest = tree = 0
    while process.poll() is None:
        sizes = [_rss_kib(pid) for pid in _tree(process.pid)]
        largest, tree = max(largest, max(sizes, default=0)), max(tree, sum(sizes))
        time.sleep(0.02)
    wall = time.perf_counter() - started
    _reap_orphans(others)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode and not allow_failure:
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()[-2000:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return Measured(wall, largest // 1024, tree // 1024, cpu)


def runs(command: list[str], count: int) -> Measured:
    return combine([measure(command) for _ in range(count)])


def combine(results: list[Measured]) -> Measured:
    """Median wall and CPU, the largest peaks."""
    return Measured(statistics.median(r.wall for r in results), max(r.largest for r in results),
                    max(r.tree for r in results), statistics.median(r.cpu for r in results))


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def single_document(book: Path, work: Path) -> tuple[Path, list[Path]]:
    """The book as one HTML file and the CSS our PDF writer uses, for the WeasyPrint anchor."""
    from publisher import BuildOptions, read, themes
    from publisher.profiles import margins_for, profile
    from publisher.writers.pdf.documents import book_document, page_css

    options = BuildOptions()
    manuscript = read(book)
    theme = themes.load(options.theme)
    html = work / "book.html"
    html.write_bytes(book_document(manuscript, options.moment().year).xhtml)
    css = [work / "print.css", work / "page.css"]
    css[0].write_text(theme.print_css)
    css[1].write_text(page_css(options, margins_for(options.trim_size, profile(options.profile))))
    return html, css


def single_render(book: Path, work: Path, out: Path) -> list[str]:
    """The command for the WeasyPrint anchor: `book` as one document with our print CSS, into `out`."""
    html, css = single_document(book, work)
    command = [sys.executable, "-m", "weasyprint", str(html), str(out)]
    for sheet in css:
        command += ["-s", str(sheet)]
    return command


def pandoc_command(sources: list[Path], out: Path, title: str, *options: str) -> list[str]:
    """The command for the pandoc anchors: the same files into `out`, an EPUB or HTML by its suffix."""
    return ["pandoc", *options, *map(str, sources), "-o", str(out), "--metadata", f"title={title}",
            "--metadata", "lang=en"]


def edit_one_word(book: Path, run: int) -> None:
    """Change one word in the middle chapter: a different word each run, so each rebuild has work to do."""
    chapters = chapter_files(book)
    chapter = chapters[len(chapters) // 2]
    words = chapter.read_text().split(" ")
    candidates = [i for i, w in enumerate(words) if w.isalpha() and w.islower() and len(w) > 3]
    index = candidates[(run * 7919) % len(candidates)]
    words[index] = words[index][::-1]
    chapter.write_text(" ".join(words))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--books", nargs="*", default=BOOKS)
    args = parser.parse_args()
    compile_package()
    python = sys.executable
    rows = []
    for name in args.books:
        source = CORPUS / name
        words = sum(len(p.read_text().split()) for p in chapter_files(source))
        count = 1 if name.startswith("war-and-peace") else args.runs
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder)
            book = work / name
            shutil.copytree(source, book)
            os.environ["PUBLISHER_CACHE"] = str(work / "cache")
            build = [python, "-m", "publisher", "build", str(book), "-o", str(work), "-q"]

            def row(what: str, result: Measured, out: Path) -> None:
                pages = pdf_pages(out) if out.suffix == ".pdf" else 0
                rows.append((name, words, what, *result[:3], pages, out.stat().st_size))

            row("publisher epub", runs(build + ["-f", "epub"], count), work / f"{name}.epub")
            row("publisher pdf, cold (--no-cache)", runs(build + ["-f", "pdf", "--no-cache"], count),
                work / f"{name}.pdf")
            measure(build + ["-f", "pdf"])  # fills the cache
            row("publisher pdf, nothing changed", runs(build + ["-f", "pdf"], count), work / f"{name}.pdf")
            edits = []
            for run in range(count):
                edit_one_word(book, run)
                edits.append(measure(build + ["-f", "pdf"]))
            row("publisher pdf, one word changed", combine(edits), work / f"{name}.pdf")
            wall, largest, tree, _ = runs(pandoc_command(chapter_files(source), work / "pandoc.epub", name), count)
            rows.append((name, words, "pandoc epub", wall, largest, tree, 0, (work / "pandoc.epub").stat().st_size))
            single = work / "single.pdf"
            row("weasyprint single", runs(single_render(source, work, single), count), single)
        print(f"measured {name}", file=sys.stderr, flush=True)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print("| book | words | build | wall s | s / 1k words | peak RSS MiB (largest / tree) | pages | size KiB |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for name, words, what, wall, largest, tree, pages, size in rows:
        print(f"| {name} | {words:,} | {what} | {wall:.2f} | {wall / words * 1000:.3f} | {largest} / {tree} | "
              f"{pages or ''} | {size / 1024:,.0f} |")
    print()
    print("| book | PDF cold / single render | size / single | one-word rebuild / cold build | EPUB / pandoc |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in args.books:
        got = {what: (wall, size) for book, _, what, wall, _, _, _, size in rows if book == name}
        cold, single = got["publisher pdf, cold (--no-cache)"], got["weasyprint single"]
        edited, epub, pandoc = got["publisher pdf, one word changed"], got["publisher epub"], got["pandoc epub"]
        print(f"| {name} | {cold[0] / single[0]:.2f} | {cold[1] / single[1]:.2f} | {edited[0] / cold[0]:.2f} | "
              f"{epub[0] / pandoc[0]:.2f} |")
    for parts, flat in PARTS.items():
        if parts in args.books and flat in args.books:
            compare_parts(parts, flat, args.runs)


def compare_parts(parts: str, flat: str, count: int) -> None:
    """The same text in parts and flat: cold PDF builds taken in turn, so both meet the same machine."""
    python, walls = sys.executable, {parts: [], flat: []}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(count):
            for name in (flat, parts):
                command = [python, "-m", "publisher", "build", str(CORPUS / name), "-o", folder, "-q", "-f", "pdf",
                           "--no-cache"]
                walls[name].append(measure(command)[0])
        pages = {name: pdf_pages(Path(folder) / f"{name}.pdf") for name in walls}
    medians = {name: statistics.median(values) for name, values in walls.items()}
    print(f"\n{parts} against {flat}, PDF cold, {count} builds of each in turn: "
          f"{medians[parts]:.2f} s ({pages[parts]} pages) against {medians[flat]:.2f} s ({pages[flat]} pages): "
          f"{medians[parts] / medians[flat]:.3f}x (target: within 5 %); all runs "
          + ", ".join(f"{name} {' '.join(f'{w:.1f}' for w in values)}" for name, values in walls.items()))


if __name__ == "__main__":
    main()
