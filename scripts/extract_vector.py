#!/usr/bin/env python3
"""Render every cluster of vector drawings in a PDF, with its labels, as PNG."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paperkit import jobs
from paperkit.io import cli
from paperkit.io.pdf import open_pdf

PROG = "extract_vector.py"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = cli.make_parser(
        PROG,
        "Render every cluster of vector drawings (plots, diagrams, drawn tables) with the text inside it and the "
        "labels beside it (axis titles, tick labels, legends) to OUTDIR/vec_p{page}_{n}.png, without the reader's "
        "annotations (n: reading order on the page). Single rules, underlines and clusters under --min-size are "
        "skipped. Raise the tolerances when one figure comes out in pieces; lower them when two figures merge. "
        "OUTDIR/extract_vector.json lists the files with their boxes.",
        [
            "python3 scripts/extract_vector.py paper.pdf paper-notes/attention/vector",
            "python3 scripts/extract_vector.py paper.pdf out/ --pages 3-5 --x-tolerance 10 --y-tolerance 10",
            "python3 scripts/extract_vector.py paper.pdf out/ --dpi 300 --min-size 100 --json",
        ],
    )
    p.add_argument("pdf", help="the PDF file")
    p.add_argument("outdir", help="folder for the PNG files (created if needed)")
    p.add_argument("--dpi", type=int, default=200, help="render resolution (72-600)")
    p.add_argument("--min-size", type=float, default=72.0, metavar="PT",
                   help="skip clusters whose longer side is under PT points (or shorter side under PT/4)")
    p.add_argument("--x-tolerance", type=float, default=8.0, metavar="PT",
                   help="drawings and labels this close side by side belong together")
    p.add_argument("--y-tolerance", type=float, default=8.0, metavar="PT",
                   help="drawings and labels this close one above the other belong together")
    p.add_argument("--pages", help="pages to read, e.g. 1,3-5 (default: all)")
    p.add_argument("--force", action="store_true", help="overwrite files in OUTDIR that this tool did not write")
    cli.add_pdf_flags(p)
    a = p.parse_args(argv)
    cli.check_dpi(p, a.dpi)
    if a.min_size < 0 or a.x_tolerance < 0 or a.y_tolerance < 0:
        p.error("--min-size and the tolerances cannot be negative")
    return a


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    outdir = Path(a.outdir)
    listed = jobs.extract_vector(open_pdf(a.pdf, a.password), Path(a.pdf), outdir, pages=a.pages, dpi=a.dpi,
                                 min_size_pt=a.min_size, x_tolerance_pt=a.x_tolerance, y_tolerance_pt=a.y_tolerance,
                                 force=a.force, say=cli.speaker(a.quiet), prog=PROG)
    human = [f"{outdir}: {len(listed)} drawing cluster(s)"]
    human += [f"  p{it['page']:<3} {it['bbox']!s:<34} {it['file']}" for it in listed]
    cli.emit({"outdir": str(outdir), "images": listed}, a.json, "\n".join(human))
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(PROG, main))
