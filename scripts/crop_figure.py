#!/usr/bin/env python3
"""Render one region of a PDF page, given in points, to PNG: the hand fix for a crop the extractor got wrong."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paperkit import jobs
from paperkit.io import cli
from paperkit.io.pdf import open_pdf

PROG = "crop_figure.py"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = cli.make_parser(
        PROG,
        "Render the region X0 Y0 X1 Y1 of page PAGE to the PNG file OUT, without the reader's annotations. "
        "Coordinates are PDF points in the page as it is displayed (as PyMuPDF's Page.rect and the manifest's "
        "bbox give them): (0, 0) is the top left, a US Letter page is 612 x 792, A4 is 595 x 842, and a page shown "
        "rotated is measured as shown. When OUT is a file the figure manifest beside it lists, its entry takes the "
        "new page, box, size and hash and is marked hand_fixed: smart_extract.py and prepare_paper.py then keep the "
        "crop. Find the box with look_page.py.",
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
    doc = open_pdf(a.pdf, a.password)
    data = jobs.crop_figure(doc, Path(a.pdf), a.page, (a.x0, a.y0, a.x1, a.y1), Path(a.out), dpi=a.dpi,
                            force=a.force, say=cli.progress, prog=PROG)
    cli.emit(data, a.json, f"{data['file']}: page {a.page}, {data['width']}x{data['height']} px at {a.dpi} dpi")
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(PROG, main))
