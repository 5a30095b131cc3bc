"""A plain install in a fresh virtualenv finds its themes and templates and builds a book."""
from __future__ import annotations

import os
import site
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

from conftest import ROOT


def test_fresh_virtualenv_install_builds_a_book(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(wheels), str(ROOT)], check=True, capture_output=True)
    wheel = next(wheels.glob("publisher-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "publisher/styles/classic/epub.css" in names and "publisher/styles/base/print.css" in names
    assert "publisher/templates/new-chapter.md" in names

    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    # Our dependencies come from this environment (no network needed); publisher itself from the wheel.
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    deps = {sysconfig.get_path("purelib"), *site.getsitepackages()}
    Path(purelib, "deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    # A user's shell has no PYTHONPATH pointing into this checkout (running the tests from a worktree sets one).
    clean = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    new = subprocess.run([str(env / "bin" / "publisher"), "new", "novel", "--title", "Fresh"], cwd=work,
                         capture_output=True, text=True, env=clean)
    assert new.returncode == 0, new.stderr
    done = subprocess.run([str(env / "bin" / "publisher"), "build", "novel", "-o", "out"], cwd=work,
                          capture_output=True, text=True, env=clean)
    assert done.returncode == 0, done.stderr
    located = subprocess.run([str(python), "-c", "import publisher.themes as t; print(t.styles_folder())"],
                             cwd=work, capture_output=True, text=True, check=True, env=clean).stdout
    assert str(ROOT) not in located, "the installed package must carry its own styles"
    assert (work / "out" / "novel.epub").exists() and (work / "out" / "novel.pdf").exists()
