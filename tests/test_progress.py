"""Pages are reported as the print layout's documents are set: in workers, in this process and
from the cache, the last report giving the book's page count."""
from __future__ import annotations

import pytest

from conftest import SAMPLE, STORIES
from publisher import BuildOptions, build, read, themes
from publisher.progress import Shown, build_progress
from publisher.writers import lay_out


def _assert_counts_up_to(reported: list[int], pages: int) -> None:
    assert reported == sorted(reported), reported
    assert reported[-1] == pages, (reported, pages)
    assert len(set(reported)) > 2, f"pages reported only at the end: {reported}"


def test_a_parallel_build_reports_pages_as_chapters_are_set(tmp_path, parallel_path):
    reported: list[int] = []
    [pdf] = build(SAMPLE, tmp_path, BuildOptions(formats=("pdf",), jobs=2, cache=False), on_pages=reported.append)
    _assert_counts_up_to(reported, pdf.pages)


@pytest.mark.parametrize("jobs", [1, 2])
def test_pages_set_here_or_found_in_the_cache_are_reported(jobs, tmp_path, monkeypatch, parallel_path):
    monkeypatch.setenv("PUBLISHER_CACHE", str(tmp_path / "cache"))
    manuscript, options = read(SAMPLE), BuildOptions(jobs=jobs)
    theme = themes.load(options.theme)
    for _ in ("set", "cached"):
        reported: list[int] = []
        layout = lay_out(manuscript, theme, options, on_pages=reported.append)
        _assert_counts_up_to(reported, layout.pages)


def test_a_whole_document_layout_reports_its_pages():
    reported: list[int] = []
    options = BuildOptions(profile="ingramspark")  # PDF/X: set as one document
    layout = lay_out(read(STORIES[0]), themes.load(options.theme), options, on_pages=reported.append)
    assert reported and reported[-1] == layout.pages and reported == sorted(reported)


def test_progress_off_a_terminal_shows_nothing(capsys):
    with build_progress(enabled=True) as progress:
        progress.stage("laying out pages")
        progress.pages(12)
    assert capsys.readouterr() == ("", "")


def test_progress_on_a_terminal_counts_the_pages():
    import io

    from rich.console import Console
    from rich.progress import Progress, TextColumn

    screen = io.StringIO()
    with Progress(TextColumn("{task.description} {task.fields[count]}"),
                  console=Console(file=screen, force_terminal=True, width=80)) as progress:
        shown = Shown(progress)
        shown.stage("laying out pages")
        shown.pages(12)
        shown.pages(26)
    assert "laying out pages 26 pages" in screen.getvalue()
