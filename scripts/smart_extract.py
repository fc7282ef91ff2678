#!/usr/bin/env python3
"""Find every captioned figure and table of a paper, cut each out whole, name it by rule, and write a manifest."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paperkit.figures import manifest, pipeline
from paperkit.figures.render import render_pngs
from paperkit.io import cli, fsutil
from paperkit.io.errors import OutputError
from paperkit.io.pdf import open_pdf, was_repaired

PROG = "smart_extract.py"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = cli.make_parser(
        PROG,
        "Find every captioned figure and table (\"Figure 3:\", \"Fig. 3.\", \"TABLE IV\", \"Table S2\"), cut out its "
        "whole body (drawings, images and their labels, without caption or body text), render it without the "
        "reader's annotations to OUTDIR/images/fig{N}_{type}_{description}.png (tables: tab{N}_...), and write "
        "OUTDIR/images/figures.yaml, the manifest the note is written from.",
        [
            "python scripts/smart_extract.py paper-notes/attention-is-all-you-need/paper.pdf",
            "python scripts/smart_extract.py paper.pdf notes/ --dpi 300 --json",
            "python scripts/smart_extract.py paper.pdf notes/ --include-uncaptioned --force",
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
    doc = open_pdf(a.pdf, a.password)
    pdf_path = Path(a.pdf)
    # the folder as the user named it: following a symlinked PDF would write beside its target
    outdir = Path(a.outdir) if a.outdir else Path(os.path.abspath(pdf_path)).parent
    images_dir = outdir / manifest.IMAGES_DIR
    say = cli.speaker(a.quiet)
    if was_repaired(doc):
        say(cli.repaired_warning(PROG, pdf_path, "check the figures"))

    big = doc.page_count >= 20

    def on_page(done: int, total: int) -> None:
        if big and (done % 25 == 0 or done == total):
            say(f"{PROG}: read {done}/{total} pages")

    analysis = pipeline.analyse(doc, on_page)
    if analysis.unreadable:
        say(f"{PROG}: warning: page(s) {', '.join(map(str, analysis.unreadable))} cannot be read (damaged); "
            "their figures are missing")
    if not analysis.has_text:
        say(f"{PROG}: note: {pdf_path} has no text layer (a scanned paper?): no captions can be found"
            + ("" if a.include_uncaptioned else "; --include-uncaptioned saves its large images"))
    extras = analysis.uncaptioned if a.include_uncaptioned else []
    if a.include_uncaptioned and not analysis.has_text:
        extras = [(i, doc[i].rect) for i in range(doc.page_count)]  # a scan: each page is one picture
    planned = manifest.plan(analysis.figures, extras)

    owned = manifest.previous_outputs(images_dir)
    if owned is None and not a.force:
        raise OutputError(f"{images_dir / manifest.MANIFEST_NAME} exists and was not written by {PROG}; "
                          "pass --force to replace it")
    overwrite = set(owned or set()) | {manifest.MANIFEST_NAME}
    if a.force:
        overwrite |= {p.name for p in planned}

    names = [p.name for p in planned]
    clashes = [n for n in names if (images_dir / n).exists() and n not in overwrite]
    if clashes:
        raise OutputError(f"{images_dir / clashes[0]} exists and was not written by {PROG}; "
                          "pass --force to overwrite it")
    fsutil.ensure_dir(outdir)
    sizes: dict[str, tuple[int, int]] = {}
    with fsutil.staging_dir(images_dir) as stage:
        by_page: dict[int, list[manifest.Planned]] = {}
        for item in planned:
            by_page.setdefault(item.page_index, []).append(item)
        done = 0
        for pno, items in by_page.items():  # one interpretation of a page serves all its figures
            for item, (png, size) in zip(items, render_pngs(doc[pno], [i.rect for i in items], a.dpi), strict=True):
                (stage / item.name).write_bytes(png)
                sizes[item.name] = size
            done += len(items)
            if big and done // 25 > (done - len(items)) // 25:
                say(f"{PROG}: rendered {done}/{len(planned)} images")
        data = manifest.build(pdf_path.name, doc.page_count, a.dpi, planned, sizes)
        (stage / manifest.MANIFEST_NAME).write_text(manifest.dump(data), encoding="utf-8")
        fsutil.publish(stage, images_dir, [*names, manifest.MANIFEST_NAME], overwrite=overwrite | set(names))

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
