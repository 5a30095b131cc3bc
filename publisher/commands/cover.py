"""A source → its full-wrap cover PDF (back, spine, front, bleed), sized from the interior's page count."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .. import readers, themes
from ..errors import Warnings
from ..options import BuildOptions
from ..output import slugify, write_atomic
from ..writers import lay_out
from .build import Output, overrides


def build_cover(source: Path, out_dir: Path = Path("dist"), options: BuildOptions = BuildOptions(),
                stock: str = "white", warn: Warnings | None = None) -> Output:
    """Lay out the interior to count its pages, then write the cover for that spine on `stock`
    (the interior paper: white or cream)."""
    manuscript = readers.read(Path(source), warn, overrides(options))
    layout = lay_out(manuscript, themes.load(options.theme), replace(options, formats=("pdf",), impose=""))
    from ..writers.pdf.wrap_cover import cover_size, write_cover  # WeasyPrint: imported when needed

    data = write_cover(manuscript, options, layout.pages, stock)
    path = Path(out_dir) / f"{slugify(manuscript.slug)}.cover.pdf"
    write_atomic(path, data)
    size = cover_size(options, layout.pages, stock)
    return CoverOutput("cover", path, len(data), layout.pages, size.width, size.height, size.spine)


@dataclass(frozen=True)
class CoverOutput(Output):
    """The cover file, with the sheet it is printed on and its spine, for the interior's `pages`."""

    width_in: float = 0.0
    height_in: float = 0.0
    spine_in: float = 0.0
