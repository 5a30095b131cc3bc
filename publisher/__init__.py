"""publisher: turn a manuscript into a store-ready EPUB and a print-ready PDF.

    from publisher import read, render, BuildOptions
    manuscript = read(Path("books/the-lamplighters-daughter"))
    files = render(manuscript, BuildOptions(trim="5.5x8.5"))   # {"epub": bytes, "pdf": bytes}
"""
__version__ = "0.1.0"

from .build import Output, build, render  # noqa: E402
from .errors import ManuscriptError, OptionError, Problem, PublisherError  # noqa: E402
from .manuscript import Chapter, FrontMatter, Manuscript, Metadata  # noqa: E402
from .options import BuildOptions  # noqa: E402
from .readers import read  # noqa: E402
from .writers import write_epub, write_pdf  # noqa: E402

__all__ = [
    "BuildOptions", "Chapter", "FrontMatter", "ManuscriptError", "Manuscript", "Metadata", "OptionError",
    "Output", "Problem", "PublisherError", "build", "read", "render", "write_epub", "write_pdf",
]
