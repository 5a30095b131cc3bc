"""Catalogues of works built on an engine: `build_work` is the one call every engine runs."""
from .work import BuildReport, OutputFile, WorkSpec, build_work

__all__ = ["BuildReport", "OutputFile", "WorkSpec", "build_work"]
