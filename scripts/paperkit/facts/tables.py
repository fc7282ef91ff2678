"""Captioned tables as Markdown cells, so the note quotes experiment numbers exactly.

Where each table is comes from the figure manifest (images/figures.yaml, items of kind table: page, bbox,
number, caption) or, without one, from the figure engine (paperkit.pipeline.find_figures). The cells come from
the text layer inside the table's body box (paperkit.facts.cells): rows from baselines, columns from x-alignment
across rows, rules as hints. ``table_markdown(page, item)`` is the whole tables/tabN.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymupdf

from ..figures.naming import number_for_filename
from ..io import yamlio
from . import record
from .cells import Cells, read_cells

GENERATOR = "ai-paper-reader paper_info"


@dataclass
class TableItem:
    """A captioned figure or table: kind, number as printed, 1-based page, body box in points, caption, file."""

    number: str
    page: int
    rect: pymupdf.Rect
    caption: str = ""
    label: str = ""
    kind: str = "table"  # "table" | "figure"
    file: str = ""  # the rendered image, relative to the note folder (from the manifest)

    @property
    def filename(self) -> str:
        """tables/tabN.md with N as the caption prints it, so a note's "Table IV" finds tabIV.md ('A.1' -> 'A-1')."""
        n = re.sub(r"[^A-Za-z0-9]+", "-", self.number.strip().rstrip(".:")).strip("-")
        return f"tab{n or '0'}.md"

    @property
    def name(self) -> str:
        return self.label or f"{'Table' if self.kind == 'table' else 'Figure'} {self.number}"


def items_from_manifest(manifest: Path | dict[str, Any] | None) -> list[TableItem] | None:
    """The figures and tables a figures.yaml lists (page order), or None when there is no readable manifest
    (manifest: its path, or its data as yamlio.load_mapping read it)."""
    data = manifest if isinstance(manifest, dict) or manifest is None else yamlio.load_mapping(manifest)
    if data is None:
        return None
    out = []
    for key in ("figures", "tables", "items"):
        for it in data.get(key) or []:
            if not isinstance(it, dict):
                continue
            kind = str(it.get("kind") or ("table" if key == "tables" else "figure"))
            try:
                rect = pymupdf.Rect([float(v) for v in it["bbox"]])
                page = int(it["page"])
            except (KeyError, TypeError, ValueError):
                continue
            number = str(it.get("number") or "").strip() or _number_from_label(str(it.get("label") or ""))
            if not number or rect.is_empty or kind not in ("table", "figure"):
                continue
            out.append(TableItem(number=number, page=page, rect=rect, caption=str(it.get("caption") or ""),
                                 label=str(it.get("label") or ""), kind=kind, file=str(it.get("file") or "")))
    return _unique(out)


def _number_from_label(label: str) -> str:
    m = re.search(r"(?:table|tab\.?|figure|fig\.?)\s*([A-Z]?[\dIVX]+(?:\.\d+)*)", label, re.IGNORECASE)
    return m.group(1) if m else ""


def items_from_figure_engine(doc: pymupdf.Document) -> list[TableItem] | None:
    """The figures and tables the figure engine finds, or None when that module is not available."""
    try:
        from ..figures.pipeline import find_figures
    except ImportError:
        return None
    out = []
    for f in find_figures(doc):
        out.append(TableItem(number=str(f.number), page=int(f.page), rect=pymupdf.Rect(f.body),
                             caption=f.caption.text, label=f.caption.label, kind=f.kind, file=f.file or ""))
    return _unique(out)


def _unique(items: list[TableItem]) -> list[TableItem]:
    seen: set[tuple[str, str]] = set()
    out = []
    for it in sorted(items, key=lambda t: (t.page, t.rect.y0)):
        key = (it.kind, number_for_filename(it.number))
        if key in seen:
            continue  # a paper's typo gives two tables one number: the first keeps the name
        seen.add(key)
        out.append(it)
    return out


def extract_cells(page: pymupdf.Page, rect: pymupdf.Rect) -> list[list[str]]:
    """The table's rows of cell texts inside rect (header first), or [] when it has no grid."""
    cells = read_cells(page, rect)
    return cells.rows if cells.kind == "grid" else []


def text_lines(page: pymupdf.Page, rect: pymupdf.Rect) -> list[str]:
    """A table without a grid: its rows (a free-text table) or its text line by line."""
    return read_cells(page, rect).items


def table_markdown(page: pymupdf.Page, item: TableItem, bboxlog: list | None = None) -> str:
    """The whole tables/tabN.md for one table: where it is, its caption, then its cells (``bboxlog``: the page's
    ``get_bboxlog()`` when several tables share the page)."""
    return render(item, read_cells(page, item.rect, bboxlog))


def render(item: TableItem, cells: Cells) -> str:
    first = f"<!-- written by paper_info.py: {item.name}, page {item.page}, cells read from the PDF"
    return record.stamped(first, "\n" + _body(item, cells))


def _body(item: TableItem, cells: Cells) -> str:
    head = _head(item)
    if cells.kind == "grid":
        return head + _pipe_table(cells.rows, cells.header)
    if cells.kind == "text":
        body = "\n".join("- " + re.sub(r"\s+", " ", t).strip() for t in cells.items)
        return head + "A free-text table (prompts, examples or settings set as paragraphs): its rows, one item " \
            "each.\n\n" + body + "\n"
    lines = "\n".join(cells.items) if cells.items else "(no text found inside the table's box)"
    return head + f"No grid: {cells.reason}. The table's text line by line:\n\n```text\n{lines}\n```\n"


def _head(item: TableItem) -> str:
    label = item.name
    head = f"# {label} (page {item.page})\n\n"
    if item.caption:
        head += re.sub(r"\s+", " ", item.caption).strip() + "\n\n"
    return head


def _pipe_table(rows: list[list[str]], header: int) -> str:
    """A Markdown pipe table; a table printed without a header gets an empty header row."""
    width = max(len(r) for r in rows)
    norm = [[_escape(c) for c in r] + [""] * (width - len(r)) for r in rows]
    if header == 0:
        norm.insert(0, [""] * width)
    lines = ["| " + " | ".join(norm[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(r) + " |" for r in norm[1:]]
    note = f"\n(The first {header} rows are the header.)\n" if header > 1 else ""
    return "\n".join(lines) + "\n" + note


def to_markdown(item: TableItem, rows: list[list[str]], fallback: list[str]) -> str:
    """tables/tabN.md from extract_cells' rows, or from text_lines' rows when there is no grid (the older
    two-step interface; table_markdown also knows how many header rows there are and which boxes are prose)."""
    if rows:
        return render(item, Cells("grid", rows=rows, header=1))
    return render(item, Cells("none", reason="no rows and columns line up", items=fallback))


def _escape(cell: str) -> str:
    return cell.replace("|", "\\|")


def is_ours(path: Path) -> bool:
    """Whether a tables/*.md file was written by paper_info.py (so a re-run may replace it)."""
    try:
        with path.open(encoding="utf-8") as fh:
            return fh.readline().startswith("<!-- written by paper_info.py")
    except (OSError, UnicodeDecodeError):
        return False
