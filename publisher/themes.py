"""A theme name → its stylesheets: styles/base/ (the shared design) followed by styles/<name>/.

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


BASE = "base"  # the design every theme starts from; a theme's own sheets come after it


def available() -> list[str]:
    return sorted(p.name for p in styles_folder().iterdir() if (p / "epub.css").is_file() and p.name != BASE)


@dataclass(frozen=True)
class Theme:
    name: str
    epub_css: str
    print_css: str


def load(name: str) -> Theme:
    folder, base = styles_folder() / name, styles_folder() / BASE
    if name == BASE or not (folder / "epub.css").is_file() or not (folder / "print.css").is_file():
        raise OptionError(f"unknown theme {name!r}: use one of {', '.join(available())}")

    def sheet(file: str) -> str:
        return (base / file).read_text("utf-8") + "\n" + (folder / file).read_text("utf-8")

    return Theme(name, sheet("epub.css"), sheet("print.css"))
