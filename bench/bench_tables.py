#!/usr/bin/env python3
"""Benchmark table cells (tables/tabN.md): ours beside pdfplumber, on hand-transcribed grids, and the time ours take.

For every table a corpus annotates it writes three prediction folders, PRED/<engine>/<slug>/tables/tab<N>.md
(N as the grid files spell it: "A.1" -> "A-1", "IV" stays "IV"), and scores each with ../shared/bench/score_cells.py:
  ours-true     our cells inside the annotated body box (isolates the cell engine)
  plumber-*     pdfplumber inside the same box, with its text strategy and with its ruled-line strategy (a
                benchmark-only dependency: pip install pdfplumber)
  ours-e2e      (with --e2e) our cells inside the boxes smart_extract.py's figure engine finds, as paper_info.py
                writes them
It prints the scores side by side and the milliseconds each engine takes per table (reading the page included;
time it on a quiet machine).

examples:
  python bench/bench_tables.py
  python bench/bench_tables.py --e2e --pred /tmp/cells
  python bench/bench_tables.py --pdfs /work/pool/pdfs --gt bench/corpus2/annotations --grids bench/corpus2/tables
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
SHARED = ROOT.parent / "shared"
SCORE = SHARED / "bench" / "score_cells.py"

import pymupdf  # noqa: E402
from paperkit.facts.tables import TableItem, items_from_manifest, table_markdown  # noqa: E402


def grid_name(number: str) -> str:
    return "tab" + re.sub(r"[^A-Za-z0-9]+", "-", number.strip()).strip("-") + ".md"


def load_truth(gt: Path, pdfs: Path, grids: Path) -> dict[str, list[TableItem]]:
    """slug -> the tables its annotation lists (body box without caption), for papers whose PDF and grids exist."""
    out: dict[str, list[TableItem]] = {}
    for f in sorted(gt.glob("*.json")):
        data = json.loads(f.read_text())
        slug = f.stem
        if not (pdfs / (data.get("pdf") or f"{slug}.pdf")).is_file():
            continue
        items = [TableItem(number=str(it["number"]), page=int(it["page"]), rect=pymupdf.Rect(it["bbox"]),
                           caption=str(it.get("caption") or ""), label=str(it.get("name") or ""))
                 for it in data.get("items", []) if it.get("kind") == "table"]
        items = [it for it in items if (grids / f"{slug}__{grid_name(it.number)[:-3]}.json").is_file()]
        if items:
            out[slug] = items
    return out


def pdf_of(gt: Path, pdfs: Path, slug: str) -> Path:
    data = json.loads((gt / f"{slug}.json").read_text())
    return pdfs / (data.get("pdf") or f"{slug}.pdf")


def run_ours(truth: dict[str, list[TableItem]], gt: Path, pdfs: Path, out: Path) -> tuple[float, int]:
    """Our tabN.md for every true box; (seconds spent in the cell engine, tables)."""
    spent, n = 0.0, 0
    for slug, items in truth.items():
        with pymupdf.open(pdf_of(gt, pdfs, slug)) as doc:
            for it in items:
                page = doc[it.page - 1]
                t = time.perf_counter()
                md = table_markdown(page, it)
                spent += time.perf_counter() - t
                n += 1
                write(out / slug / "tables" / grid_name(it.number), md)
    return spent, n


def run_plumber(truth: dict[str, list[TableItem]], gt: Path, pdfs: Path, out: Path, strategy: str) -> float:
    import pdfplumber

    settings = {"vertical_strategy": strategy, "horizontal_strategy": strategy}
    spent = 0.0
    for slug, items in truth.items():
        with pdfplumber.open(pdf_of(gt, pdfs, slug)) as pdf:
            for it in items:
                t = time.perf_counter()
                page = pdf.pages[it.page - 1]
                box = (max(it.rect.x0, 0), max(it.rect.y0, 0), min(it.rect.x1, page.width),
                       min(it.rect.y1, page.height))
                try:
                    rows = page.crop(box).extract_table(settings) or []
                except Exception:  # noqa: BLE001 -- a library failing on one table counts that table wrong
                    rows = []
                spent += time.perf_counter() - t
                md = "| " + " |\n| ".join(" | ".join((c or "").replace("\n", " ") for c in r) for r in rows) + " |\n"
                write(out / slug / "tables" / grid_name(it.number), md if rows else "no table\n")
    return spent


def run_e2e(truth: dict[str, list[TableItem]], gt: Path, pdfs: Path, out: Path) -> tuple[float, int]:
    """smart_extract.py's boxes (its manifest), then our cells in them, as paper_info.py writes them."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("smart_extract", ROOT / "scripts" / "smart_extract.py")
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    spent, n = 0.0, 0
    for slug in truth:
        pdf = pdf_of(gt, pdfs, slug)
        with tempfile.TemporaryDirectory() as tmp:
            with contextlib.redirect_stdout(io.StringIO()):
                mod.main([str(pdf), tmp, "--quiet", "--dpi", "72"])
            items = items_from_manifest(Path(tmp) / "images" / "figures.yaml") or []
        with pymupdf.open(pdf) as doc:
            for it in items:
                if it.kind != "table" or not 1 <= it.page <= doc.page_count:
                    continue
                t = time.perf_counter()
                md = table_markdown(doc[it.page - 1], it)
                spent += time.perf_counter() - t
                n += 1
                write(out / slug / "tables" / grid_name(it.number), md)
    return spent, n


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def score(grids: Path, pred: Path) -> dict:
    res = subprocess.run([sys.executable, str(SCORE), "--gt", str(grids), "--pred", str(pred), "--json"],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pdfs", type=Path, default=SHARED / "corpus" / "pdfs", help="folder of the PDFs")
    ap.add_argument("--gt", type=Path, default=SHARED / "corpus" / "annotations", help="folder of <slug>.json boxes")
    ap.add_argument("--grids", type=Path, default=SHARED / "corpus" / "tables",
                    help="folder of <slug>__tab<N>.json hand grids")
    ap.add_argument("--pred", type=Path, help="where to write the predictions (default: a temporary folder)")
    ap.add_argument("--e2e", action="store_true", help="also score our cells in smart_extract.py's boxes")
    ap.add_argument("--no-plumber", action="store_true", help="skip pdfplumber")
    ap.add_argument("--only", help="only papers whose slug contains this")
    a = ap.parse_args()
    truth = load_truth(a.gt, a.pdfs, a.grids)
    if a.only:
        truth = {k: v for k, v in truth.items() if a.only in k}
    if not truth:
        raise SystemExit(f"no annotated tables with a PDF in {a.pdfs} and a grid in {a.grids}")
    pred = a.pred or Path(tempfile.mkdtemp(prefix="bench_tables_"))
    results: list[tuple[str, dict, str]] = []
    spent, n = run_ours(truth, a.gt, a.pdfs, pred / "ours-true")
    results.append(("ours-true", score(a.grids, pred / "ours-true"), f"{1000 * spent / max(n, 1):.1f} ms/table"))
    if a.e2e:
        spent_e, n_e = run_e2e(truth, a.gt, a.pdfs, pred / "ours-e2e")
        results.append(("ours-e2e", score(a.grids, pred / "ours-e2e"), f"{1000 * spent_e / max(n_e, 1):.1f} ms/table"))
    if not a.no_plumber:
        for strategy in ("text", "lines"):
            t = run_plumber(truth, a.gt, a.pdfs, pred / f"plumber-{strategy}", strategy)
            results.append((f"plumber-{strategy}-true", score(a.grids, pred / f"plumber-{strategy}"),
                            f"{1000 * t / n:.1f} ms/table"))
    print(f"{len(truth)} papers, {n} tables with grids ({a.grids}); predictions in {pred}")
    print(f"{'engine':22s} {'rows':>6s} {'columns':>8s} {'tables':>7s} {'text':>6s}  time")
    for name, r, t in results:
        print(f"{name:22s} {r['rows']:6.3f} {r['columns']:8.3f} {r['tables']:7.3f} {r['text']:6.3f}  {t}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
