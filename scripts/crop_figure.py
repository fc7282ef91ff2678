#!/usr/bin/env python3
"""Render one region of a PDF page, given in points, to PNG: the hand fix for a crop the extractor got wrong."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pymupdf
from paperkit.figures.render import clip_rect, render_png
from paperkit.io import cli, fsutil
from paperkit.io.errors import OutputError, UserError
from paperkit.io.pdf import open_pdf, page_index, was_repaired

PROG = "crop_figure.py"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = cli.make_parser(
        PROG,
        "Render the region X0 Y0 X1 Y1 of page PAGE to the PNG file OUT, without the reader's annotations. "
        "Coordinates are PDF points in the page as it is displayed (as PyMuPDF's Page.rect and the figures.yaml "
        "bbox give them): (0, 0) is the top left, a US Letter page is 612 x 792, A4 is 595 x 842, and a page shown "
        "rotated is measured as shown.",
        [
            "python3 scripts/crop_figure.py paper.pdf 4 108 70 504 240 "
            "paper-notes/attention/images/fig2_method_multi-head-attention.png --force",
            "python3 scripts/crop_figure.py paper.pdf 1 72 400 300 560 crop.png --dpi 300 --json",
        ],
    )
    p.add_argument("pdf", help="the PDF file")
    p.add_argument("page", type=int, help="page number, from 1")
    for name, edge in (("x0", "left"), ("y0", "top"), ("x1", "right"), ("y1", "bottom")):
        p.add_argument(name, type=float, help=f"{edge} edge, in points")
    p.add_argument("out", help="the PNG file to write (its folder is created if needed)")
    p.add_argument("--dpi", type=int, default=200, help="render resolution (72-600)")
    p.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    cli.add_pdf_flags(p, quiet=False)
    a = p.parse_args(argv)
    cli.check_dpi(p, a.dpi)
    return a


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    out = Path(a.out)
    if out.suffix.lower() != ".png":
        raise UserError(f"{out}: the output must be a .png file")
    if a.x1 <= a.x0 or a.y1 <= a.y0:
        raise UserError(f"the region ({a.x0:g}, {a.y0:g}, {a.x1:g}, {a.y1:g}) is empty: x1 must exceed x0 and y1 "
                        "must exceed y0 (the order is X0 Y0 X1 Y1, top left then bottom right)")
    if out.is_dir():
        raise OutputError(f"{out} is a folder; give the PNG file's path")
    doc = open_pdf(a.pdf, a.password)
    if was_repaired(doc):
        cli.progress(cli.repaired_warning(PROG, a.pdf, "check the crop"))
    page = doc[page_index(doc, a.page)]
    asked = pymupdf.Rect(a.x0, a.y0, a.x1, a.y1)
    rect = clip_rect(page, asked)
    if rect != asked:
        cli.progress(f"{PROG}: note: the region reaches past page {a.page} "
                     f"({page.rect.width:g} x {page.rect.height:g} pt); cut to "
                     f"({rect.x0:g}, {rect.y0:g}, {rect.x1:g}, {rect.y1:g})")
    png, (w, h) = render_png(page, rect, a.dpi)
    same = out.is_file() and out.read_bytes() == png  # a re-run with the same arguments changes nothing
    if out.exists() and not same and not a.force:
        raise OutputError(f"{out} already exists; pass --force to overwrite it")
    if not same:
        fsutil.atomic_write_bytes(out, png, overwrite=True)
    data = {"file": str(out), "page": a.page, "bbox": [round(v, 2) for v in rect], "dpi": a.dpi,
            "width": w, "height": h}
    cli.emit(data, a.json, f"{out}: page {a.page}, {w}x{h} px at {a.dpi} dpi")
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(PROG, main))
