#!/usr/bin/env python3
"""Check corpus2's files against each other and against the PDFs: run after editing an annotation or a grid.

Checks, per paper: the annotation names a PDF whose SHA-256 matches sources.tsv; every item has a kind, a number, a
page inside the PDF and a box inside the page; the box holds ink (rendered without annotations) and does not overlap
its own caption box; no two items share kind and number. Per grid: its key names an annotated table, its rows are
rectangular. PDFs absent from --pdfs are skipped with a note (run get_pdfs.py to bring them). Exit 1 on any problem.

examples:
  python bench/corpus2/check_corpus.py
  python bench/corpus2/check_corpus.py --pdfs /work/pool/pdfs
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

import pymupdf

HERE = Path(__file__).resolve().parent


def table_key(slug: str, number: str) -> str:
    return f"{slug}__tab{number.replace('.', '-')}"


def check_paper(ann: dict, slug: str, pdf: Path, sha: str) -> list[str]:
    problems = []
    seen = set()
    for it in ann["items"]:
        tag = f"{slug} {it.get('name')}"
        if it.get("kind") not in ("figure", "table") or not str(it.get("number", "")).strip():
            problems.append(f"{tag}: kind or number missing")
        if (it.get("kind"), str(it.get("number")).lower()) in seen:
            problems.append(f"{tag}: kind and number used twice")
        seen.add((it.get("kind"), str(it.get("number")).lower()))
    if not pdf.exists():
        return problems + [f"{slug}: SKIPPED page checks, {pdf} absent (run get_pdfs.py)"]
    if hashlib.sha256(pdf.read_bytes()).hexdigest() != sha:
        return problems + [f"{slug}: {pdf} is not the PDF recorded in sources.tsv"]
    doc = pymupdf.open(pdf)
    for it in ann["items"]:
        tag = f"{slug} {it['name']}"
        if not 1 <= it["page"] <= doc.page_count:
            problems.append(f"{tag}: page {it['page']} outside the PDF")
            continue
        page = doc[it["page"] - 1]
        box = pymupdf.Rect(it["bbox"])
        if box.is_empty or not page.rect.contains(box):
            problems.append(f"{tag}: box {it['bbox']} empty or outside the page")
            continue
        pix = page.get_pixmap(dpi=50, colorspace=pymupdf.csGRAY, annots=False, clip=box)
        if min(pix.samples, default=255) >= 240:
            problems.append(f"{tag}: box holds no ink")
        cap = it.get("caption_bbox")
        if cap and (box & pymupdf.Rect(cap)).get_area() > 0.05 * pymupdf.Rect(cap).get_area():
            problems.append(f"{tag}: box overlaps its caption")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pdfs", type=Path, default=Path("/work/pool/pdfs"), help="PDF folder (default: %(default)s)")
    a = ap.parse_args()
    with (HERE / "sources.tsv").open(newline="") as fh:
        sources = {r["slug"]: r for r in csv.DictReader(fh, delimiter="\t")}
    problems, tables = [], set()
    for slug, src in sources.items():
        path = HERE / "annotations" / f"{slug}.json"
        if not path.exists():
            problems.append(f"{slug}: no annotation file")
            continue
        ann = json.loads(path.read_text())
        if ann.get("sha256") != src["sha256"]:
            problems.append(f"{slug}: annotation sha256 differs from sources.tsv")
        tables |= {table_key(slug, str(it["number"])) for it in ann["items"] if it["kind"] == "table"}
        problems += check_paper(ann, slug, a.pdfs / f"{slug}.pdf", src["sha256"])
    grids = sorted((HERE / "tables").glob("*.json"))
    for g in grids:
        d = json.loads(g.read_text())
        if g.stem not in tables or d.get("key") != g.stem:
            problems.append(f"{g.name}: names no annotated table (or its key differs)")
        if len({len(r) for r in d["rows"]}) > 1:
            problems.append(f"{g.name}: rows of unequal length")
    real = [p for p in problems if "SKIPPED" not in p]
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(sources)} papers, {len(tables)} tables, {len(grids)} grid files: "
          f"{len(real)} problem(s), {len(problems) - len(real)} paper(s) skipped", file=sys.stderr)
    return 1 if real else 0


if __name__ == "__main__":
    sys.exit(main())
