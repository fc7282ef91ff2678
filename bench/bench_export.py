#!/usr/bin/env python3
"""How long export_note.py takes on a 20-figure note: prints the times, never fails on a slow machine.

The note: the test suite's note text with 20 figures and ~45 formulas. Its figures are half pages of a real paper
rendered at 200 dpi when the corpus (../shared/corpus) is there, else figures drawn with PyMuPDF.

    python bench/bench_export.py            # 5 runs of each export in-process, plus one full command line
    python bench/bench_export.py --runs 20
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))

import pymupdf  # noqa: E402
from conftest import CORPUS_PDFS  # noqa: E402
from paperkit.note.export import export_note  # noqa: E402
from test_export_note import count_formulas, make_note  # noqa: E402

N_FIGURES = 20


def real_figures(note: Path) -> bool:
    """Replaces the drawn figures by half pages of a real paper at 200 dpi (realistic PNG sizes)."""
    pdf = CORPUS_PDFS / "attention.pdf"
    if not pdf.is_file():
        return False
    pngs = sorted((note / "images").glob("*.png"))
    with pymupdf.open(pdf) as doc:
        for i, png in enumerate(pngs):
            page = doc[i % len(doc)]
            r = page.rect
            clip = pymupdf.Rect(r.x0 + 50, r.y0 + 60, r.x1 - 50, r.y0 + r.height / 2) if i % 2 == 0 else \
                pymupdf.Rect(r.x0 + 50, r.y0 + r.height / 2, r.x1 - 50, r.y1 - 60)
            page.get_pixmap(dpi=200, clip=clip, annots=False).save(str(png))
    return True


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="runs of each export")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        root = Path(tmp)
        note = make_note(root / "notes", n_figures=N_FIGURES)
        source = "half pages of attention.pdf at 200 dpi" if real_figures(note) else "drawn with PyMuPDF"
        images_mb = sum(p.stat().st_size for p in (note / "images").glob("*.png")) / 1e6
        n_formulas = count_formulas((note / "README.md").read_text(encoding="utf-8"))
        print(f"note: {N_FIGURES} figures ({source}, {images_mb:.1f} MB of PNG), {n_formulas} formulas")

        rows = []
        for fmt in ("html", "zip", "obsidian"):
            out = root / ("vault" if fmt == "obsidian" else f"out.{fmt}")
            times = timed(lambda fmt=fmt, out=out: export_note(note, fmt, out, force=True), args.runs)
            rows.append((f"{fmt} (in-process)", times))
        cmd = [sys.executable, str(ROOT / "scripts" / "export_note.py"), str(note), "--to", "html",
               "--out", str(root / "cli.html"), "--force"]
        cli_times = timed(lambda: subprocess.run(cmd, check=True, capture_output=True), max(1, args.runs // 2))
        rows.append(("html (whole command line)", cli_times))
        html_mb = (root / "cli.html").stat().st_size / 1e6
        for name, times in rows:
            print(f"{name:28s} median {statistics.median(times) * 1000:7.1f} ms   "
                  f"min {min(times) * 1000:7.1f} ms   max {max(times) * 1000:7.1f} ms   ({len(times)} runs)")
        print(f"html file: {html_mb:.1f} MB; target: one export under 1 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
