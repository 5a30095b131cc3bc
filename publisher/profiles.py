"""A print-on-demand service's rules → page size, margins, PDF finishing, and what it would reject.

Margins are in inches. `home` is our own book design; `ingramspark` raises it to the service's
minimum; `kdp` takes its inside margin (the gutter) from KDP's page-count table, so a KDP build
lays the book out until the page count and the margin agree.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass


from .errors import OptionError
from .options import Trim

KDP_INSIDE = ((150, 0.375), (300, 0.5), (500, 0.625), (700, 0.75), (828, 0.875))
BLEED_IN = 0.125
PAPER_THICKNESS = {"white": 0.002252, "cream": 0.0025}  # inches per page, the services' spine formula


@dataclass(frozen=True)
class Profile:
    name: str
    min_pages: int = 1
    max_pages: int = 10_000
    min_margin: float = 0.0  # every edge
    min_outside_bleed: float = 0.0  # the outside edge when bleeding
    page_count_inside: bool = False  # KDP's inside margin table
    bookmarks: bool = True
    annotations: bool = True
    even_pages: bool = False
    pdf_variant: str | None = None
    cmyk_black: bool = False
    output_intent: str | None = None  # the CMYK ICC profile a PDF/X names as its printing condition


# Artifex's SWOP-based CMYK profile, from Debian's libgs-common (scripts/install-system.sh).
CMYK_PROFILE = "/usr/share/color/icc/ghostscript/default_cmyk.icc"


PROFILES = {
    "home": Profile("home"),
    "kdp": Profile("kdp", min_pages=24, max_pages=828, min_margin=0.25, min_outside_bleed=0.375,
                   page_count_inside=True, bookmarks=False, annotations=False),
    "ingramspark": Profile("ingramspark", min_pages=18, max_pages=1200, min_margin=0.5, even_pages=True,
                           cmyk_black=True, pdf_variant="pdf/x-4", output_intent=CMYK_PROFILE),
}


def profile(name: str) -> Profile:
    if name not in PROFILES:
        raise OptionError(f"unknown profile {name!r}: use {', '.join(PROFILES)}")
    return PROFILES[name]


@dataclass(frozen=True)
class Margins:
    top: float
    bottom: float
    inside: float
    outside: float


def kdp_inside_margin(pages: int) -> float:
    for limit, inside in KDP_INSIDE:
        if pages <= limit:
            return inside
    return KDP_INSIDE[-1][1]


def margins_for(trim: Trim, rules: Profile, pages: int = 0, bleed: bool = False) -> Margins:
    """The margins of the type area (from the trim edge), for the profile and page count."""
    if trim.width_in >= 7:
        base = Margins(0.9, 1.0, 1.0, 0.8)
    else:
        scale = trim.width_in / 6
        base = Margins(0.7 * scale, 0.8 * scale, 0.8 * scale, 0.6 * scale)
    low = rules.min_margin
    # KDP sets the gutter by page count: thin books open flat, thick ones need more.
    inside = kdp_inside_margin(pages) if rules.page_count_inside else max(base.inside, low)
    outside = max(base.outside, low, rules.min_outside_bleed if bleed else 0)
    return Margins(max(base.top, low), max(base.bottom, low), inside, outside)


def check_pdf(data: bytes, rules: Profile, trim: Trim, bleed: bool = False) -> list[str]:
    """What the service would reject in this interior PDF, one sentence each."""
    from pypdf import PdfReader  # only `check --profile` reads a PDF: not for every command's start

    reader = PdfReader(io.BytesIO(data))
    pages = len(reader.pages)
    found = []
    if not rules.min_pages <= pages <= rules.max_pages:
        found.append(f"{pages} pages: {rules.name} prints {rules.min_pages} to {rules.max_pages}")
    if rules.even_pages and pages % 2:
        found.append(f"{pages} pages: {rules.name} needs an even page count")
    width = trim.width_in + (BLEED_IN if bleed else 0)
    height = trim.height_in + (2 * BLEED_IN if bleed else 0)
    for number, page in enumerate(reader.pages, 1):
        box = page.mediabox
        if abs(float(box.width) / 72 - width) > 0.01 or abs(float(box.height) / 72 - height) > 0.01:
            found.append(f"page {number} is {float(box.width) / 72:.3f} x {float(box.height) / 72:.3f} in, "
                         f"not {width:.3f} x {height:.3f} in")
            break
        if not rules.annotations and page.get("/Annots"):
            found.append(f"page {number} has links or annotations, which {rules.name} rejects")
            break
    if not rules.bookmarks and reader.outline:
        found.append(f"the PDF has bookmarks, which {rules.name} rejects")
    for name, embedded in sorted(_fonts(reader).items()):
        if not embedded:
            found.append(f"font {name} is not embedded")
    if rules.pdf_variant and rules.pdf_variant.startswith("pdf/x"):
        rgb = [number for number, page in enumerate(reader.pages, 1) if _uses_rgb(page)]
        if rgb:
            found.append(f"page{'s' if len(rgb) > 1 else ''} {', '.join(map(str, rgb[:10]))}"
                         f"{' …' if len(rgb) > 10 else ''}: RGB colour (an image?), which a {rules.pdf_variant.upper()} "
                         f"with a CMYK output intent may not hold: use a greyscale or CMYK image")
    return found


def _uses_rgb(page) -> bool:
    """Whether the page or a form or image it draws paints in DeviceRGB."""
    def walk(resources, contents, seen) -> bool:
        if contents is None:
            return False
        if re.search(rb"(?<![A-Za-z])(rg|RG)(?![A-Za-z])|/DeviceRGB", contents):
            return True
        forms = (resources or {}).get("/XObject") or {}
        for name in re.findall(rb"/([^\s/\[\]()<>{}%]+)\s+Do\b", contents):  # only what this page draws
            xobject = forms.get("/" + name.decode("latin-1"))
            if xobject is None:
                continue
            xobject = xobject.get_object()
            if id(xobject) in seen:
                continue
            seen.add(id(xobject))
            if xobject.get("/ColorSpace") == "/DeviceRGB":
                return True
            if xobject.get("/Subtype") == "/Form" and walk(xobject.get("/Resources"), xobject.get_data(), seen):
                return True
        return False

    contents = page.get_contents()
    return walk(page.get("/Resources"), contents.get_data() if contents is not None else None, set())


def _fonts(reader) -> dict[str, bool]:
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            name = re.sub(r"^[A-Z]{6}\+", "", str(font.get("/BaseFont", "?"))).lstrip("/")
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            fonts[name] = fonts.get(name, False) or any(k in descriptor for k in ("/FontFile", "/FontFile2",
                                                                                   "/FontFile3"))
    return fonts
