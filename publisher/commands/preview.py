"""A book source → a live preview on 127.0.0.1: the book as HTML styled like the EPUB, a switch
to the print layout (WeasyPrint's pages as images), and a page that reloads itself when a file
of the book changes.

A watcher thread (watchfiles) bumps a version number on every change; the page asks for
/version twice a second and reloads when it moves. The book is read again on the next request,
so an edit that breaks the book shows its problems in the page instead of stopping the server.
"""
from __future__ import annotations

import html as html_module
import io
import mimetypes
import threading
from importlib import resources
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from lxml import etree

from .. import html, readers, themes
from ..errors import ManuscriptError, PublisherError
from ..manuscript import Manuscript
from ..options import BuildOptions
from .build import overrides, render


def _template(name: str) -> str:
    return resources.files("publisher").joinpath(f"templates/{name}").read_text("utf-8")


RELOAD_SCRIPT = _template("preview.js")  # the page polls /version and reloads when it moves
TOOLBAR_CSS = _template("preview.css")


@dataclass
class PreviewState:
    """What the server shows: the source, its version, and renders cached per version."""

    source: Path
    options: BuildOptions
    version: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    cache: dict = field(default_factory=dict)

    def bump(self) -> None:
        with self.lock:
            self.version += 1
            self.cache.clear()

    def cached(self, key: str, make):
        with self.lock:
            version = self.version
            if key in self.cache:
                return self.cache[key]
        value = make()
        with self.lock:
            if version == self.version:
                self.cache[key] = value
        return value

    def manuscript(self) -> Manuscript:
        return self.cached("manuscript", lambda: readers.read(self.source, overrides=overrides(self.options),
                                                                  cache=self.options.cache_root()))


def _page(title: str, body: str, css: str, here: str) -> bytes:
    links = " ".join(f'<a href="{href}" class="{"here" if name == here else ""}">{name}</a>'
                     for name, href in (("Ebook", "/"), ("Print", "/print")))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><title>{html_module.escape(title)} — preview</title>
<style>{css}{TOOLBAR_CSS}</style></head>
<body><div class="preview-bar"><strong>{html_module.escape(title)}</strong> {links}
<span id="preview-version"></span></div>
{body}
<script>{RELOAD_SCRIPT}</script></body></html>""".encode("utf-8")


def _problems(error: PublisherError) -> str:
    lines = [str(p) for p in error.problems] if isinstance(error, ManuscriptError) else [str(error)]
    return '<div class="preview-problems">' + "<br/>".join(html_module.escape(line) for line in lines) + "</div>"


def ebook_page(state: PreviewState) -> bytes:
    theme = themes.load(state.options.theme)
    try:
        manuscript = state.manuscript()
    except PublisherError as error:
        return _page(str(state.source), _problems(error), theme.epub_css, "Ebook")
    sections = html.front_sections(manuscript) + html.front_matter_sections(manuscript) + \
        html.body_sections(manuscript)
    parts = [etree.tostring(section.element, encoding="unicode", method="html") for section in sections]
    body = '<main class="preview-book">' + "\n".join(parts) + "</main>"
    return _page(manuscript.metadata.title, body, theme.epub_css, "Ebook")


def print_page(state: PreviewState) -> bytes:
    theme = themes.load(state.options.theme)
    try:
        manuscript = state.manuscript()
        count = len(state.cached("print", lambda: _print_pages(manuscript, state.options)))
    except PublisherError as error:
        return _page(str(state.source), _problems(error), theme.epub_css, "Print")
    images = "".join(f'<img src="/print/page-{n}.png" alt="Page {n}" loading="lazy"/>' for n in range(1, count + 1))
    return _page(manuscript.metadata.title, f'<div class="print-pages">{images}</div>', "", "Print")


def _print_pages(manuscript: Manuscript, options: BuildOptions) -> list[bytes]:
    from ..proof_sheets import rasterise

    pdf = render(manuscript, BuildOptions(formats=("pdf",), trim=options.trim, theme=options.theme))["pdf"]
    from pypdf import PdfReader

    count = len(PdfReader(io.BytesIO(pdf)).pages)
    images = rasterise(pdf, 1, count, 50)
    out = []
    for number in range(1, count + 1):
        buffer = io.BytesIO()
        images[number].save(buffer, format="PNG")
        out.append(buffer.getvalue())
    return out


def make_handler(state: PreviewState):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet: the terminal belongs to the author
            pass

        def send(self, body: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/version":
                return self.send(str(state.version).encode(), "text/plain")
            if path == "/":
                return self.send(ebook_page(state), "text/html; charset=utf-8")
            if path == "/print":
                return self.send(print_page(state), "text/html; charset=utf-8")
            if path.startswith("/print/page-") and path.endswith(".png"):
                try:
                    number = int(path[len("/print/page-"):-4])
                    pages = state.cached("print", lambda: _print_pages(state.manuscript(), state.options))
                    return self.send(pages[number - 1], "image/png")
                except (ValueError, IndexError, PublisherError):
                    return self.send(b"no such page", "text/plain", HTTPStatus.NOT_FOUND)
            try:  # an image of the book: only the manuscript's own resources are served
                resource = state.manuscript().resource(path.lstrip("/"))
            except PublisherError:
                resource = None
            if resource is not None:
                return self.send(resource.data, resource.media_type)
            self.send(b"not found", "text/plain", HTTPStatus.NOT_FOUND)

    return Handler


def watch(state: PreviewState, stop: threading.Event) -> None:
    """Bump the version whenever a file of the book changes, until `stop` is set."""
    from watchfiles import watch as watch_files

    folder = state.source if state.source.is_dir() else state.source.parent
    for _changes in watch_files(folder, stop_event=stop, debounce=200, step=50):
        state.bump()


@dataclass
class Preview:
    server: ThreadingHTTPServer
    state: PreviewState
    stop: threading.Event
    threads: list[threading.Thread]

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        for thread in self.threads:
            thread.join(timeout=5)


def start_preview(source: Path, options: BuildOptions = BuildOptions(), port: int = 8000) -> Preview:
    """Serve the book on 127.0.0.1:port (0 picks a free port) in background threads."""
    mimetypes.add_type("image/svg+xml", ".svg")
    state = PreviewState(Path(source), options)
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(state))
    server.daemon_threads = True
    stop = threading.Event()
    threads = [threading.Thread(target=server.serve_forever, daemon=True),
               threading.Thread(target=watch, args=(state, stop), daemon=True)]
    for thread in threads:
        thread.start()
    return Preview(server, state, stop, threads)
