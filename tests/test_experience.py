"""The author's view: summary lines, quiet and verbose builds, stats, proof sheets."""
from __future__ import annotations

import re

from click.testing import CliRunner
from PIL import Image

from conftest import SAMPLE
from publisher.cli import main
from publisher.proof_sheets import page_range, spreads


def test_build_ends_with_one_line_per_file(tmp_path):
    result = CliRunner().invoke(main, ["build", str(SAMPLE), "-o", str(tmp_path)])
    lines = result.output.splitlines()
    assert re.fullmatch(rf"{tmp_path}/the-lamplighters-daughter\.epub  \d+ KiB  \d+\.\d s", lines[-2])
    assert re.fullmatch(rf"{tmp_path}/the-lamplighters-daughter\.pdf  \d+ pages  6x9 in  \d+\.\d s", lines[-1])


def test_quiet_prints_nothing_and_verbose_prints_stages(tmp_path):
    quiet = CliRunner().invoke(main, ["build", str(SAMPLE), "-o", str(tmp_path), "-q"])
    assert quiet.exit_code == 0 and quiet.output == ""
    verbose = CliRunner().invoke(main, ["build", str(SAMPLE), "-o", str(tmp_path), "-v"])
    stages = [m[1] for m in re.finditer(r"^ *\d+\.\d s  (.+)$", verbose.output, re.MULTILINE)]
    assert stages == ["reading", "laying out pages", "writing EPUB", "writing PDF"]


def test_stats(tmp_path):
    result = CliRunner().invoke(main, ["stats", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    text = result.output
    from publisher import read

    words = read(SAMPLE).words
    assert f"words          {words:,}" in text and "chapters       4" in text
    assert f"reading time   {round(words / 250)} min (at 250 words a minute)" in text
    row = re.search(r"6x9\s+(\d+)\s+([\d.]+) in\s+([\d.]+) in", text)
    pages = int(row[1])
    assert float(row[2]) == round(pages * 0.002252, 3) and float(row[3]) == round(pages * 0.0025, 3)
    assert re.search(r"5x8\s+≈\s+\d+", text)


def test_stats_exact_lays_out_every_trim():
    result = CliRunner().invoke(main, ["stats", str(SAMPLE), "--exact"])
    assert "≈" not in result.output
    pages = dict(re.findall(r"^  (\S+)\s+(\d+)\s", result.output, re.MULTILINE))
    assert int(pages["5x8"]) > int(pages["6x9"]) >= int(pages["letter"])


def test_spreads_put_page_one_on_the_right():
    assert spreads(1, 6) == [(None, 1), (2, 3), (4, 5), (6, None)]
    assert page_range("3-40", 19) == (3, 19)


def test_proof_writes_spread_sheets_and_a_page(tmp_path):
    result = CliRunner().invoke(main, ["proof", str(SAMPLE), "--pages", "1-12", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output == f"{tmp_path / 'index.html'}  2 sheets\n"
    sheet = Image.open(tmp_path / "sheet-01.png")
    assert sheet.width > sheet.height / 4 and sheet.width > 2 * 6 * 60 * 0.9  # two 6 in pages side by side
    index = (tmp_path / "index.html").read_text()
    assert 'src="sheet-01.png"' in index and 'src="sheet-02.png"' in index and "pages 1–12 of" in index
    bad = CliRunner().invoke(main, ["proof", str(SAMPLE), "--pages", "x"])
    assert bad.exit_code == 1 and bad.output == "error: pages 'x': use a page or a range, such as 1-12\n"
