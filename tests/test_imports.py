"""Every module imports on its own, in a fresh interpreter: an engine's worker (Dask, Celery) imports
`publisher.batch.work` first, not `publisher`, and a cycle hidden by the usual import order hung it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import publisher

PACKAGE = Path(publisher.__file__).parent
OPTIONAL = {"publisher.celery"}  # needs the celery extra


def test_every_module_imports_first():
    modules = sorted(".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
                     for p in PACKAGE.rglob("*.py") if p.name != "__main__.py")
    script = "; ".join(["import subprocess, sys", "bad = []"] + [
        f"r = subprocess.run([sys.executable, '-c', 'import {m}'], capture_output=True, text=True); "
        f"bad += [('{m}', r.stderr.strip().splitlines()[-1])] if r.returncode else []"
        for m in modules if m not in OPTIONAL] + ["print(bad)"])
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
    assert len(modules) > 40
