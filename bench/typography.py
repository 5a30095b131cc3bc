"""Benchmark: build books cold and print the typographic faults of their pages (issue 19).

    python bench/typography.py [--books pride-and-prejudice moby-dick sample] [--flags "--no-polish"]

Each book is built as a whole process (`publisher build BOOK -f pdf --no-cache -q` plus --flags,
into a temporary folder), timed, and its PDF audited by `publisher.page_audit`. The corpus books
come from ../shared/corpus and are skipped with a message when absent; `sample` is our own
books/the-lamplighters-daughter. Not part of the test suite: it prints figures, it asserts nothing.
"""
from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's publisher, as the builds (run from ROOT) use

from publisher.page_audit import audit_pages  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
BOOKS = {"pride-and-prejudice": CORPUS / "pride-and-prejudice", "moby-dick": CORPUS / "moby-dick",
         "sample": ROOT / "books" / "the-lamplighters-daughter"}


def measure(book: Path, flags: list[str]) -> dict[str, str]:
    """One cold build of `book` and the rows of its table."""
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "publisher", "build", str(book), "-o", out, "-f", "pdf", "--no-cache", "-q",
                   *flags]
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT)
        seconds = time.perf_counter() - start
        pdf = next(Path(out).glob("*.pdf"))
        audit, size = audit_pages(pdf), pdf.stat().st_size
    counts = audit.counts()
    ends = counts["hyphenated_page_ends"]
    return {
        "pages": f"{counts['pages']}",
        "spreads with running text on both pages": f"{counts['text_spreads']}",
        "of them unbalanced": f"{counts['unbalanced_spreads']}"
                              + (f" ({100 * counts['unbalanced_spreads'] / counts['text_spreads']:.0f} %)"
                                 if counts["text_spreads"] else ""),
        "pages ending in a hyphen (rectos / versos)": f"{ends} ({counts['hyphenated_rectos']} / "
                                                      f"{counts['hyphenated_versos']}), "
                                                      f"{100 * ends / counts['pages']:.1f} % of pages",
        "runs of ≥3 hyphenated lines": f"{counts['ladders']}",
        "chapter last pages under 3 lines": f"{counts['short_last_pages']}",
        "paragraphs ending in a short single word": f"{counts['short_last_lines']}",
        "lines broken early (a paragraph going on below a short line)": f"{counts['stray_breaks']}",
        "cold build": f"{seconds:.1f} s",
        "PDF": f"{size / 1024:,.0f} KiB",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--books", nargs="+", default=list(BOOKS), choices=list(BOOKS))
    parser.add_argument("--flags", default="", help='extra build options, e.g. --flags "--no-polish --trim 5x8"')
    args = parser.parse_args(argv)
    flags = shlex.split(args.flags)
    for name in args.books:
        book = BOOKS[name]
        if not book.is_dir():
            print(f"{name}: skipped, {book} is not here (the corpus is ../shared/corpus beside the checkout)\n")
            continue
        rows = measure(book, flags)
        print(f"### {name}" + (f" ({args.flags})" if flags else ""))
        print("\n| | |\n| --- | ---: |")
        for label, value in rows.items():
            print(f"| {label} | {value} |")
        print()


if __name__ == "__main__":
    main()
