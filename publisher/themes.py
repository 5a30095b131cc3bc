"""A theme name → its stylesheets (styles/<name>/epub.css and print.css).

Themes are plain folders of CSS. Installed, they live in the package (publisher/styles); in a
source checkout, in the project's top-level styles/ folder.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import OptionError

_PACKAGE = Path(__file__).resolve().parent


def styles_folder() -> Path:
    for candidate in (_PACKAGE / "styles", _PACKAGE.parent / "styles"):
        if candidate.is_dir():
            return candidate
    raise OptionError("publisher's styles folder is missing: reinstall publisher")


def available() -> list[str]:
    return sorted(p.name for p in styles_folder().iterdir() if (p / "epub.css").is_file())


@dataclass(frozen=True)
class Theme:
    name: str
    epub_css: str
    print_css: str


def load(name: str) -> Theme:
    folder = styles_folder() / name
    if not (folder / "epub.css").is_file() or not (folder / "print.css").is_file():
        raise OptionError(f"unknown theme {name!r}: use one of {', '.join(available())}")
    return Theme(name, (folder / "epub.css").read_text("utf-8"), (folder / "print.css").read_text("utf-8"))
