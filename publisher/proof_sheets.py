"""A PDF → proof sheets to look at: page spreads as a printed book shows them, in PNG contact
sheets, with a small HTML page that shows them in order.

Page 1 is a recto, alone on the right of the first spread; then 2–3, 4–5 and so on. Pages are
rasterised by poppler's pdftoppm (installed with the project's Debian packages).
"""
from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

from .errors import OptionError, PublisherError

SPREADS_PER_SHEET = 4
GAP, BACKGROUND = 24, (92, 92, 92)


def page_range(text: str | None, count: int) -> tuple[int, int]:
    """'1-12' or '5' → (first, last), 1-based and clamped to the book."""
    if not text:
        return 1, count
    match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", text)
    if not match:
        raise OptionError(f"pages {text!r}: use a page or a range, such as 1-12")
    first, last = int(match[1]), int(match[2] or match[1])
    if first < 1 or first > last or first > count:
        raise OptionError(f"pages {text!r}: the book has pages 1 to {count}")
    return first, min(last, count)


def spreads(first: int, last: int) -> list[tuple[int | None, int | None]]:
    """(left, right) page numbers of the spreads showing pages first..last."""
    out = []
    page = first
    if page % 2:  # an odd page is a recto: it stands on the right
        out.append((page - 1 if page > 1 and page - 1 >= first else None, page))
        page += 1
    while page <= last:
        out.append((page, page + 1 if page + 1 <= last else None))
        page += 2
    return out


def rasterise(pdf: bytes, first: int, last: int, dpi: int) -> dict[int, Image.Image]:
    if shutil.which("pdftoppm") is None:
        raise PublisherError("pdftoppm not found: install poppler-utils (scripts/install-system.sh)")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "book.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(first), "-l", str(last), str(source),
                        str(Path(folder) / "p")], check=True, capture_output=True)
        pages = {}
        for png in Path(folder).glob("p-*.png"):
            with Image.open(png) as image:
                pages[int(png.stem.split("-")[-1])] = image.convert("RGB")
        return pages


def proof_sheets(pdf: bytes, pages: str | None = None, dpi: int = 60) -> dict[str, bytes]:
    """{file name: bytes}: sheet-01.png… and index.html."""
    from pypdf import PdfReader  # not for every command's start

    count = len(PdfReader(io.BytesIO(pdf)).pages)
    first, last = page_range(pages, count)
    images = rasterise(pdf, first, last, dpi)
    width, height = next(iter(images.values())).size
    pairs = spreads(first, last)
    files: dict[str, bytes] = {}
    captions = []
    for number, start in enumerate(range(0, len(pairs), SPREADS_PER_SHEET), 1):
        chunk = pairs[start:start + SPREADS_PER_SHEET]
        sheet = Image.new("RGB", (2 * width + 2 * GAP, len(chunk) * (height + GAP) + GAP), BACKGROUND)
        draw = ImageDraw.Draw(sheet)
        for row, (left, right) in enumerate(chunk):
            top = GAP + row * (height + GAP)
            for column, page in enumerate((left, right)):
                if page and page in images:
                    sheet.paste(images[page], (GAP + column * width, top))
            draw.line([(GAP + width, top), (GAP + width, top + height)], fill=(160, 160, 160), width=1)
        buffer = io.BytesIO()
        sheet.save(buffer, format="PNG", optimize=True)
        name = f"sheet-{number:02d}.png"
        files[name] = buffer.getvalue()
        shown = [p for pair in chunk for p in pair if p]
        captions.append((name, f"pages {min(shown)}–{max(shown)}"))
    body = "\n".join(f'<figure><img src="{name}" alt="Spreads, {html.escape(text)}"/>'
                     f"<figcaption>{html.escape(text)}</figcaption></figure>" for name, text in captions)
    files["index.html"] = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><title>Proof, pages {first}–{last}</title>
<style>body{{background:#333;color:#eee;font-family:sans-serif;text-align:center}}
img{{max-width:100%;box-shadow:0 2px 12px #000}}figure{{margin:2em auto}}</style></head>
<body><h1>Proof: pages {first}–{last} of {count}</h1>
{body}
</body></html>
""".encode("utf-8")
    return files
