"""A reference in a manuscript (an image path) → the file's bytes, never from outside the book.

This is the one place that decides what a manuscript may read: paths inside the book folder,
nothing absolute, no ``..`` or symlink that leaves it, no URL of any scheme (nothing is fetched).
"""
from __future__ import annotations

import io
import re
from pathlib import Path, PurePosixPath

from lxml import etree

from ..errors import Problem
from ..manuscript import Resource

MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".svg": "image/svg+xml", ".webp": "image/webp"}
_SIGNATURES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff", "image/gif": b"GIF8",
               "image/webp": b"RIFF"}


def resolve_inside(root: Path, reference: str) -> tuple[str, Path]:
    """The normalised name and real path of `reference` inside `root`, or a Problem saying why not."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", reference):
        scheme = reference.split(":", 1)[0].lower()
        if scheme in ("http", "https"):
            raise Problem(f"image {reference!r} is on the web; publisher never downloads: save it in images/")
        raise Problem(f"image {reference!r}: {scheme}: references are not allowed; use a path inside the book")
    posix = PurePosixPath(reference.replace("\\", "/"))
    if posix.is_absolute():
        raise Problem(f"image {reference!r} is an absolute path; use a path inside the book folder")
    parts: list[str] = []
    for part in posix.parts:
        if part == "..":
            if not parts:
                raise Problem(f"image {reference!r} points outside the book folder")
            parts.pop()
        elif part != ".":
            parts.append(part)
    name = "/".join(parts)
    path = root / name
    real_root = root.resolve()
    if not path.exists():
        raise Problem(f"image {reference!r} not found")
    if not path.resolve().is_relative_to(real_root):
        raise Problem(f"image {reference!r} is a link that leaves the book folder")
    return name, path


def load_image(root: Path, reference: str) -> Resource:
    """Read and check one image referenced from the book."""
    name, path = resolve_inside(root, reference)
    return checked_image(name, path.read_bytes(), reference)


def checked_image(name: str, data: bytes, reference: str | None = None) -> Resource:
    """An image's bytes, checked like any image of the book (also one carried in from an EPUB)."""
    reference = reference or name
    media_type = MEDIA_TYPES.get(PurePosixPath(name).suffix.lower())
    if media_type is None:
        kinds = ", ".join(sorted({k.lstrip(".") for k in MEDIA_TYPES}))
        raise Problem(f"image {reference!r} has an unsupported type; use {kinds}")
    if media_type == "image/svg+xml":
        _check_svg(reference, data)
    else:
        _check_raster(reference, media_type, data)
    return Resource(name=name, media_type=media_type, data=data)


def _check_raster(reference: str, media_type: str, data: bytes) -> None:
    if not data.startswith(_SIGNATURES[media_type]):
        raise Problem(f"image {reference!r} is not a valid {media_type.split('/')[1].upper()} file")
    from PIL import Image  # Pillow comes with WeasyPrint

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception:  # Pillow raises many kinds for a broken file
        raise Problem(f"image {reference!r} is corrupt or cut short: open it and save it again") from None


def _check_svg(reference: str, data: bytes) -> None:
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        raise Problem(f"image {reference!r} is not valid SVG: {error}") from None
    for element in root.iter():
        tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
        if tag in ("script", "foreignObject"):
            raise Problem(f"image {reference!r} contains <{tag}>, which ebooks may not run; remove it")
        for attribute, value in element.attrib.items():
            local = etree.QName(attribute).localname
            if local.startswith("on"):
                raise Problem(f"image {reference!r} has an event handler ({local}); remove it")
            if local == "href" and not value.startswith("#"):
                raise Problem(f"image {reference!r} refers to {value!r}; an SVG must be self-contained")
