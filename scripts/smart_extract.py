#!/usr/bin/env python3
"""Find every captioned figure and table of a paper, cut each out whole, name it by rule, and write a manifest."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paperkit import jobs
from paperkit.figures import manifest
from paperkit.io import cli
from paperkit.io.pdf import open_pdf

PROG = "smart_extract.py"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = cli.make_parser(
        PROG,
        "Find every captioned figure and table (\"Figure 3:\", \"Fig. 3.\", \"TABLE IV\", \"Table S2\"), cut out its "
        "whole body (drawings, images and their labels, without caption or body text), render it without the "
        "reader's annotations to OUTDIR/images/fig{N}_{type}_{description}.png (tables: tab{N}_...), and write "
        "OUTDIR/images/figures.yaml, the manifest the note is written from.",
        [
            "python3 scripts/smart_extract.py paper-notes/attention-is-all-you-need/paper.pdf",
            "python3 scripts/smart_extract.py paper.pdf notes/ --dpi 300 --json",
            "python3 scripts/smart_extract.py paper.pdf notes/ --include-uncaptioned --force",
        ],
    )
    p.add_argument("pdf", help="the paper's PDF file")
    p.add_argument("outdir", nargs="?",
                   help="the note folder; images/ is created inside it (default: the PDF's folder)")
    p.add_argument("--dpi", type=int, default=200, help="render resolution of the figure images (72-600)")
    p.add_argument("--include-uncaptioned", action="store_true",
                   help="also keep large graphics that no caption claims, as images/extra_p{page}_{n}.png")
    p.add_argument("--force", action="store_true", help="overwrite files in images/ that this tool did not write")
    cli.add_pdf_flags(p)
    a = p.parse_args(argv)
    cli.check_dpi(p, a.dpi)
    return a


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    pdf_path = Path(a.pdf)
    doc = open_pdf(pdf_path, a.password)
    # the folder as the user named it: following a symlinked PDF would write beside its target
    outdir = Path(a.outdir) if a.outdir else Path(os.path.abspath(pdf_path)).parent
    data = jobs.extract_figures(doc, pdf_path, outdir, dpi=a.dpi, include_uncaptioned=a.include_uncaptioned,
                                force=a.force, say=cli.speaker(a.quiet), prog=PROG)
    images_dir = outdir / manifest.IMAGES_DIR
    n_fig, n_tab = len(data["figures"]), len(data["tables"])
    human = [f"{images_dir}: {n_fig} figure(s), {n_tab} table(s)"
             + (f", {len(data.get('uncaptioned', []))} uncaptioned" if data.get("uncaptioned") else "")]
    for item in data["figures"] + data["tables"]:
        human.append(f"  p{item['page']:<3} {item['label']:<12} {item['file']}")
    human.append(f"manifest: {images_dir / manifest.MANIFEST_NAME}")
    cli.emit(data, a.json, "\n".join(human))
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(PROG, main))
