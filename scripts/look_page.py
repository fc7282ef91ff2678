#!/usr/bin/env python3
"""Look at a page without writing code: render it (or a region) with rulers and a grid in PDF points, the note's
figure and table boxes drawn on it, and list its text lines, rules and images with their coordinates."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paperkit import jobs
from paperkit.io import cli
from paperkit.io.pdf import open_pdf

PROG = "look_page.py"
MAX_RULES = 40  # a page of plots can hold hundreds of short flat strokes; the text output stays readable


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = cli.make_parser(
        PROG,
        "Render page PAGE of PDF (or the region --clip X0 Y0 X1 Y1 of it) to OUT.png with rulers labelled in PDF "
        "points along the top and left edges; --grid adds lines across the picture at every tick. When the PDF is a "
        "note folder's paper.pdf, the boxes the figure manifest (images/) lists on the page are outlined and labelled"
        " (hand-fixed ones in magenta). Coordinates are those of the page as displayed, the ones crop_figure.py "
        "takes: (0, 0) is the top left. Prints what is in the region; --json lists every text line (text, bbox, font "
        "size), rule (thin horizontal or vertical drawing: table rules, frames) and image with coordinates. The loop "
        "for a bad crop: look, re-crop with crop_figure.py, look again.",
        [
            "python3 scripts/look_page.py paper-notes/attention/paper.pdf 4 --grid",
            "python3 scripts/look_page.py paper-notes/attention/paper.pdf 8 --clip 100 80 510 330 --grid --json",
            "python3 scripts/look_page.py paper.pdf 1 first.png --dpi 100",
        ],
    )
    p.add_argument("pdf", help="the PDF file")
    p.add_argument("page", type=int, help="page number, from 1")
    p.add_argument("out", nargs="?",
                   help="the PNG to write (default: look_p{PAGE}.png beside the PDF, with the region in the name "
                        "under --clip)")
    p.add_argument("--clip", nargs=4, type=float, metavar=("X0", "Y0", "X1", "Y1"),
                   help="only this region of the page, in points")
    p.add_argument("--grid", action="store_true", help="draw grid lines across the picture, not only rulers")
    p.add_argument("--dpi", type=int, default=150, help="render resolution (72-600)")
    p.add_argument("--no-boxes", action="store_true", help="do not draw the figure manifest's boxes")
    p.add_argument("--force", action="store_true", help="overwrite OUT even if this tool did not write it")
    cli.add_pdf_flags(p, quiet=False)
    a = p.parse_args(argv)
    cli.check_dpi(p, a.dpi)
    return a


def _human(r: dict) -> str:
    w, h = r["page_size_pt"]
    out = [f"{r['png']}: page {r['page']} of {r['pages']} ({w:g} x {h:g} pt), region {tuple(r['region'])}, "
           f"{r['dpi']} dpi, {r['size_px'][0]}x{r['size_px'][1]} px; labels every {r['ticks_pt']} pt"
           + (f", grid lines every {r['grid_pt']} pt" if r["grid_pt"] else "")]
    for b in r["boxes"]:
        out.append(f"  box   {b['label']:<14} {b['bbox']}" + ("  hand fixed" if b["hand_fixed"] else "")
                   + (f"  {b['file']}" if b["file"] else ""))
    for rule in r["rules"][:MAX_RULES]:
        where = (f"y={rule['y']:<6} x {rule['x0']}-{rule['x1']}" if rule["dir"] == "h"
                 else f"x={rule['x']:<6} y {rule['y0']}-{rule['y1']}")
        out.append(f"  rule  {rule['dir']} {where}  ({rule['width_pt']} pt)")
    if len(r["rules"]) > MAX_RULES:
        out.append(f"  ... {len(r['rules']) - MAX_RULES} more rule(s): --clip a region, or --json for all")
    for im in r["images"]:
        out.append(f"  image {im['bbox']}  {im['width_px']}x{im['height_px']} px")
    out.append(f"  {len(r['lines'])} text line(s) in the region (--json lists each with its bbox and font size)")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    doc = open_pdf(a.pdf, a.password)
    r = jobs.look_page(doc, Path(a.pdf), a.page, out=Path(a.out) if a.out else None,
                       clip=tuple(a.clip) if a.clip else None, dpi=a.dpi, grid=a.grid, boxes=not a.no_boxes,
                       force=a.force, say=cli.progress, prog=PROG)
    cli.emit(r, a.json, _human(r))
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(PROG, main))
