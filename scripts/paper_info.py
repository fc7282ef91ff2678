#!/usr/bin/env python3
"""Read a paper's facts off its PDF, so the note's header and experiment numbers come from the paper, not memory.

Writes next to the note: paper.yaml (title, authors, venue, year, arXiv id, DOI, abstract, keywords, outline,
figure/table list, counts), paper.md (full text in reading order with a marker per page) and tables/tab{N}.md
(each captioned table's cells). source.yaml (from fetch_paper.py, the arXiv API) wins over what the PDF says.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import yaml
from paperkit.facts.fulltext import convert
from paperkit.facts.metadata import front_matter, read_metadata
from paperkit.facts.outline import build_outline, count_references
from paperkit.facts.tables import (
    TableItem,
    extract_cells,
    is_ours,
    items_from_figure_engine,
    items_from_manifest,
    text_lines,
    to_markdown,
)
from paperkit.facts.textlines import body_font_size, page_lines, page_margins, vocabulary
from paperkit.io import cli, fsutil
from paperkit.io.errors import OutputError, UserError
from paperkit.io.pdf import has_text_layer, open_pdf, was_repaired

PROG = "paper_info.py"
GENERATOR = "ai-paper-reader paper_info"
MANIFEST = Path("images") / "figures.yaml"
SOURCE_YAML = "source.yaml"
SOURCE_KEYS = ("title", "authors", "abstract", "categories", "published", "updated", "arxiv_id", "version", "doi")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = cli.make_parser(
        PROG,
        "Read the paper's title, authors, affiliations, venue, year, arXiv id, DOI, abstract, keywords, section "
        "outline, figure/table list and counts off the PDF into DIR/paper.yaml; the full text in reading order "
        "(one <!-- page N --> marker per page) into DIR/paper.md; each captioned table's cells into "
        "DIR/tables/tab{N}.md. Fields in DIR/source.yaml (arXiv API, from fetch_paper.py) win over the PDF's. "
        "A scanned PDF without a text layer gets a paper.yaml with its page count and exit code 1.",
        [
            "python scripts/paper_info.py paper-notes/attention-is-all-you-need/paper.pdf",
            "python scripts/paper_info.py paper.pdf --out notes/attention --json",
            "python scripts/paper_info.py paper-notes/bert/paper.pdf --force --layout",
        ],
    )
    p.add_argument("pdf", help="the paper's PDF file")
    p.add_argument("--out", metavar="DIR", help="the note folder to write into (default: the PDF's folder)")
    p.add_argument("--force", action="store_true",
                   help="overwrite paper.yaml, paper.md and tables/*.md even when this tool did not write them")
    p.add_argument("--password", help="password of an encrypted PDF")
    p.add_argument("--layout", action="store_true",
                   help="use pymupdf4llm's ONNX layout model for paper.md (better reading order on unusual "
                        "layouts, about 0.4 s a page instead of 0.05 s)")
    p.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    cli.add_json_flag(p)
    return p.parse_args(argv)


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so the abstract reads as text in paper.yaml."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(data: dict[str, Any]) -> str:
    head = "# written by paper_info.py from the PDF; fields listed under from_source_yaml come from source.yaml\n"
    return head + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def _ours_yaml(path: Path) -> bool:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and data.get("generator") == GENERATOR


def _ours_md(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as fh:
            return "written by paper_info.py" in fh.readline()
    except (OSError, UnicodeDecodeError):
        return False


def read_source_yaml(folder: Path) -> dict[str, Any]:
    path = folder / SOURCE_YAML
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UserError(f"{path} is not valid YAML ({type(exc).__name__}); fix or delete it") from None
    return data if isinstance(data, dict) else {}


def apply_source(info: dict[str, Any], source: dict[str, Any]) -> list[str]:
    """source.yaml's fields replace the PDF's; returns the names of the fields it gave."""
    taken = []
    for key in SOURCE_KEYS:
        value = source.get(key)
        if value in (None, "", []):
            continue
        target = {"version": "arxiv_version"}.get(key, key)
        if key == "version":
            value = str(value) if str(value).startswith("v") else f"v{value}"
        if key == "authors":
            value = [str(a.get("name", a)) if isinstance(a, dict) else str(a) for a in value]
        info[target] = value
        taken.append(target)
    if "published" in taken and not info.get("year"):
        info["year"] = int(str(info["published"])[:4]) if str(info["published"])[:4].isdigit() else info["year"]
    return taken


def load_items(folder: Path, doc: Any) -> tuple[list[TableItem], list[dict[str, Any]], str]:
    """(figures and tables with their boxes, the manifest's figure/table list for paper.yaml, where from)."""
    manifest_path = folder / MANIFEST
    items = items_from_manifest(manifest_path)
    if items is not None:
        listed = [{"label": it.name, "kind": it.kind, "number": it.number, "page": it.page, "file": it.file,
                   "caption": it.caption} for it in items]
        return items, listed, str(MANIFEST)
    try:
        items = items_from_figure_engine(doc)
    except Exception as exc:  # noqa: BLE001 -- the figure engine failing must not cost the paper's facts; say so
        cli.progress(f"{PROG}: warning: the figure engine failed on this PDF ({type(exc).__name__}: {exc}); "
                     "run smart_extract.py first so images/figures.yaml lists the tables")
        return [], [], "none (the figure engine failed: tables skipped)"
    if items is None:
        return [], [], "none (paperkit.pipeline is not available: tables skipped)"
    return items, [], "figure engine (no images/figures.yaml yet)"


def _pointer(it: TableItem) -> str:
    if it.kind == "table":
        return f"[{it.name}: cells in tables/{it.filename}]"
    return f"[{it.name}: {it.file}]" if it.file else f"[{it.name}]"


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    t0 = time.perf_counter()
    say = cli.speaker(a.quiet)
    pdf = Path(a.pdf)
    doc = open_pdf(pdf, a.password)
    # the folder the user named, symbolic links not followed: a linked PDF must not send output to its target
    folder = Path(a.out) if a.out else Path(os.path.abspath(pdf)).parent
    fsutil.ensure_dir(folder)
    if was_repaired(doc):
        say(cli.repaired_warning(PROG, pdf, "check the results"))
    source = read_source_yaml(folder)

    yaml_path, md_path, tables_dir = folder / "paper.yaml", folder / "paper.md", folder / "tables"
    _check_overwrite([yaml_path], a.force, _ours_yaml)

    if not has_text_layer(doc):
        info: dict[str, Any] = {"generator": GENERATOR, "pdf": pdf.name, "text_layer": False,
                                "title": (doc.metadata or {}).get("title") or "", "pages": doc.page_count}
        info["from_source_yaml"] = apply_source(info, source)
        fsutil.atomic_write_text(yaml_path, dump_yaml(info), overwrite=True)
        raise UserError(f"{pdf} has no text layer (a scanned paper): nothing to read; wrote {yaml_path} with the "
                        "page count only. Run OCR first (e.g. ocrmypdf in.pdf out.pdf) and run this again")

    _check_overwrite([md_path], a.force, _ours_md)
    pages = [page_lines(p) for p in doc]
    rects = [p.rect for p in doc]
    margins = page_margins(pages, rects)
    body = body_font_size(doc)
    vocab = vocabulary(ln.text for lines in pages for ln in lines)
    meta = read_metadata(doc)
    say(f"{PROG}: read the first page: \"{meta['title'][:70]}\"")

    items, listed, table_source = load_items(folder, doc)
    tables = [it for it in items if it.kind == "table" and 1 <= it.page <= doc.page_count]
    skip: dict[int, list[Any]] = {}
    for it in items:
        skip.setdefault(it.page - 1, []).append(it.rect)
    title_rects, _ = front_matter(doc)
    outline = build_outline(doc, pages, margins, body, skip)
    references = count_references(pages, margins, rects, outline)

    # tables first: pymupdf4llm un-rotates rotated pages of the document it reads
    table_files: dict[str, str] = {}
    for t in tables:
        page = doc[t.page - 1]
        rows = extract_cells(page, t.rect)
        table_files[t.filename] = to_markdown(t, rows, [] if rows else text_lines(page, t.rect))
    if not tables and table_source.startswith("none (paperkit"):
        say(f"{PROG}: note: tables skipped: no images/figures.yaml and the figure engine is not available")

    def on_page(done: int, total: int) -> None:
        if total >= 20 and (done % 20 == 0 or done == total):
            say(f"{PROG}: text of {done}/{total} pages")

    regions = [(it.page - 1, it.rect, _pointer(it)) for it in items]
    text = convert(doc, pages, margins, outline, title_rects, vocab, layout=a.layout, regions=regions,
                   title=meta["title"], progress=on_page)

    info = {"generator": GENERATOR, "pdf": pdf.name, **meta}
    taken = apply_source(info, source)
    info.update({
        "keywords": meta["keywords"],
        "pages": doc.page_count,
        "words": text.word_count(),
        "references": references,
        "outline": [h.as_dict() for h in outline],
        "figures": listed,
        "tables": [{"number": t.number, "page": t.page, "file": f"tables/{t.filename}",
                    "caption": t.caption} for t in tables if t.filename in table_files],
        "tables_from": table_source,
        "text_engine": text.engine,
        "from_source_yaml": taken,
    })

    # everything is computed: check every clash, then write (paper.yaml last, it indexes the rest)
    stale = []
    if tables_dir.is_dir():
        for f in sorted(tables_dir.glob("tab*.md")):
            if f.name in table_files:
                if not is_ours(f) and not a.force:
                    raise OutputError(f"{f} exists and was not written by {PROG}; pass --force to overwrite it")
            elif is_ours(f):
                stale.append(f)
    fsutil.atomic_write_text(md_path, text.markdown(pdf.name), overwrite=True)
    for name, content in table_files.items():
        fsutil.atomic_write_text(tables_dir / name, content, overwrite=True)
    for f in stale:
        f.unlink()
    fsutil.atomic_write_text(yaml_path, dump_yaml(info), overwrite=True)

    seconds = time.perf_counter() - t0
    result = {
        "folder": str(folder), "paper_yaml": str(yaml_path), "paper_md": str(md_path),
        "tables": [str(tables_dir / n) for n in table_files],
        "title": info["title"], "authors": info["authors"], "venue": info["venue"], "year": info["year"],
        "arxiv_id": info["arxiv_id"], "arxiv_version": info["arxiv_version"], "doi": info["doi"],
        "pages": doc.page_count, "words": info["words"], "references": references,
        "sections": sum(1 for h in outline if h.level == 1), "from_source_yaml": taken,
        "seconds": round(seconds, 2),
    }
    authors = ", ".join(info["authors"][:6]) + (" et al." if len(info["authors"]) > 6 else "")
    where = " ".join(x for x in (info["venue"] or "", str(info["year"] or "")) if x)
    arxiv = f"arXiv:{info['arxiv_id']}{info['arxiv_version'] or ''}" if info["arxiv_id"] else "no arXiv id"
    human = (f"{info['title']}\n{authors}\n{where + ' · ' if where else ''}{arxiv} · {doc.page_count} pages · "
             f"{info['words']} words · {references} references · {result['sections']} sections · "
             f"{len(table_files)} tables\n{yaml_path}\n{md_path}\n"
             + "".join(f"{tables_dir / n}\n" for n in table_files))
    say(f"{PROG}: done in {seconds:.1f} s")
    cli.emit(result, a.json, human)
    return 0


def _check_overwrite(paths: list[Path], force: bool, ours: Any) -> None:
    for p in paths:
        if p.exists() and not force and not ours(p):
            raise OutputError(f"{p} exists and was not written by {PROG}; pass --force to overwrite it")


if __name__ == "__main__":
    sys.exit(cli.run(PROG, main))
