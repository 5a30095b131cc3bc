"""A theme name → its stylesheets: styles/base/ (the shared design) followed by styles/<name>/.

Themes are plain folders of CSS. Installed, they live in the package (publisher/styles); in a
source checkout, in the project's top-level styles/ folder. A theme's book face is the first
family its print style sheet gives the html element.
"""
from __future__ import annotations

import re
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

    @property
    def book_face(self) -> str:
        """The family the printed text is set in, e.g. "EB Garamond 12"."""
        return book_face(self.print_css)


def book_face(css: str) -> str:
    """The first family of the last `html { font-family: … }` in `css`, a var(--name) looked up in its
    last definition; "serif" when the sheet names none."""
    rules = re.findall(r"(?:^|[}\s])html\s*\{([^}]*)\}", css)
    families = [m[1] for rule in rules for m in [re.search(r"font-family\s*:\s*([^;]+)", rule)] if m]
    value = families[-1].strip() if families else "serif"
    variable = re.fullmatch(r"var\(\s*(--[\w-]+)\s*\)", value)
    if variable:
        definitions = re.findall(re.escape(variable[1]) + r"\s*:\s*([^;}]+)", css)
        value = definitions[-1].strip() if definitions else "serif"
    return value.split(",")[0].strip().strip("'\"")


def load(name: str) -> Theme:
    folder, base = styles_folder() / name, styles_folder() / BASE
    if name == BASE or not (folder / "epub.css").is_file() or not (folder / "print.css").is_file():
        raise OptionError(f"unknown theme {name!r}: use one of {', '.join(available())}")

    def sheet(file: str) -> str:
        return (base / file).read_text("utf-8") + "\n" + (folder / file).read_text("utf-8")

    return Theme(name, sheet("epub.css"), sheet("print.css"))
