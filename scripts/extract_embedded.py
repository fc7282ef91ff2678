#!/usr/bin/env python3
"""Save every bitmap embedded in a PDF once, as PNG, with the colours a reader sees."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paperkit import jobs
from paperkit.io import cli
from paperkit.io.pdf import open_pdf

PROG = "extract_embedded.py"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = cli.make_parser(
        PROG,
        "Save every bitmap embedded in the PDF (photos, raster plots, screenshots) once -- deduplicated across pages "
        "-- at its own resolution, with its soft mask (transparency) applied and CMYK or other colour spaces turned "
        "into RGB, as OUTDIR/img_p{page}_{n}.png (page: the first page that shows it; n: reading order on that "
        "page). Icons smaller than --min-size pixels are skipped. OUTDIR/extract_embedded.json lists the files.",
        [
            "python3 scripts/extract_embedded.py paper.pdf paper-notes/deepfm/embedded",
            "python3 scripts/extract_embedded.py paper.pdf out/ --min-size 200 --json",
            "python3 scripts/extract_embedded.py paper.pdf out/ --force",
        ],
    )
    p.add_argument("pdf", help="the PDF file")
    p.add_argument("outdir", help="folder for the PNG files (created if needed)")
    p.add_argument("--min-size", type=int, default=64, metavar="PX",
                   help="skip bitmaps narrower or lower than this many pixels")
    p.add_argument("--force", action="store_true", help="overwrite files in OUTDIR that this tool did not write")
    cli.add_pdf_flags(p)
    a = p.parse_args(argv)
    if a.min_size < 1:
        p.error("--min-size must be at least 1 pixel")
    return a


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    outdir = Path(a.outdir)
    items = jobs.extract_embedded(open_pdf(a.pdf, a.password), Path(a.pdf), outdir, min_size_px=a.min_size,
                                  force=a.force, say=cli.speaker(a.quiet), prog=PROG)
    human = [f"{outdir}: {len(items)} image(s)"]
    human += [f"  p{it['page']:<3} {it['width']:>5}x{it['height']:<5} {it['file']}" for it in items]
    cli.emit({"outdir": str(outdir), "images": items}, a.json, "\n".join(human))
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(PROG, main))
