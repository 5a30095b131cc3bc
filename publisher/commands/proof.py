"""A source → proof sheets: its PDF pages as spreads in PNG contact sheets, and a page to view them."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .. import readers
from ..errors import Warnings
from ..options import BuildOptions
from ..output import slugify, write_atomic
from ..proof_sheets import proof_sheets
from .build import overrides, render


@dataclass(frozen=True)
class Proof:
    index: Path  # the HTML page that shows the sheets
    sheets: int


def proof(source: Path, out_dir: Path | None = None, options: BuildOptions = BuildOptions(),
          pages: str | None = None, dpi: int = 60, warn: Warnings | None = None) -> Proof:
    """Write the sheets for `pages` ("1-12"; all by default) into `out_dir` (dist/<slug>-proof)."""
    manuscript = readers.read(Path(source), warn, overrides(options))
    pdf = render(manuscript, replace(options, formats=("pdf",), impose=""))["pdf"]
    files = proof_sheets(pdf, pages, dpi)
    folder = Path(out_dir) if out_dir else Path("dist") / f"{slugify(manuscript.slug)}-proof"
    for name, data in files.items():
        write_atomic(folder / name, data)
    return Proof(folder / "index.html", sum(1 for name in files if name.endswith(".png")))
