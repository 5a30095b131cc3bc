"""The live preview in a real browser (Debian's chromium through Playwright): an edit shows up."""
from __future__ import annotations

import shutil
import time

import pytest

from conftest import SAMPLE
from publisher import start_preview

CHROMIUM = shutil.which("chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture
def book(tmp_path):
    folder = tmp_path / "book"
    shutil.copytree(SAMPLE, folder)
    return folder


@pytest.fixture
def browser():
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (scripts/install-ace.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def test_preview_shows_the_book_and_reloads_after_an_edit(book, browser):
    server = start_preview(book, port=0)
    try:
        page = browser.new_page()
        page.goto(server.url)
        assert page.locator("section.chapter h1").first.inner_text() == "The Last Lamp"
        assert page.locator("img[src='images/lamp.svg']").evaluate("img => img.naturalWidth") > 0
        assert page.locator("section.titlepage h1").inner_text() == "The Lamplighter’s Daughter"
        chapter = book / "chapters" / "1-the-last-lamp.md"
        chapter.write_text(chapter.read_text().replace("The men from the electric company",
                                                       "The surveyors from the electric company"))
        # No reload by us: the page notices the change itself.
        page.wait_for_function("document.body.innerText.includes('The surveyors from the electric company')",
                               timeout=15000)
        assert "The men from the electric company" not in page.inner_text("body")
        page.screenshot(path=str(book.parent / "preview.png"))
    finally:
        server.close()


def test_preview_print_view_and_problems(book, browser):
    server = start_preview(book, port=0)
    try:
        page = browser.new_page()
        page.goto(server.url + "print")
        images = page.locator(".print-pages img")
        assert images.count() >= 15
        assert images.first.evaluate("img => img.decode().then(() => img.naturalWidth)") > 100
        (book / "book.toml").write_text('title = "Broken"\nsumary = "typo"\n')
        page.goto(server.url)
        deadline = time.time() + 15
        while "unknown key 'sumary'" not in page.inner_text("body") and time.time() < deadline:
            time.sleep(0.3)
            page.reload()
        assert "book.toml:2: unknown key 'sumary' (did you mean 'summary'?)" in page.inner_text("body")
    finally:
        server.close()
