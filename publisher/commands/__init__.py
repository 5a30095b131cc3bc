"""One library function per command, each in its own module; `publisher.cli` is a thin table over
them, and `publisher` exports them. This package imports none of them itself: `publisher build`
does not load the batch engines, the preview server or the proof sheets.
"""
