"""Captioned tables as Markdown cells, so the note quotes experiment numbers exactly.

Where each table is comes from the figure manifest (images/figures.yaml, items of kind table: page, bbox,
number, caption) or, without one, from the figure engine (paperkit.pipeline.find_figures). The cells come from
PyMuPDF's table finder inside the table's body box: ruled lines first, then text alignment for booktabs-style
tables that have only horizontal rules, then plain text alignment.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import pymupdf
import yaml

from ..figures.naming import number_for_filename

GENERATOR = "ai-paper-reader paper_info"
_STRATEGIES = (
    {"vertical_strategy": "lines", "horizontal_strategy": "lines"},
    {"vertical_strategy": "text", "horizontal_strategy": "lines"},
    {"vertical_strategy": "text", "horizontal_strategy": "text"},
)


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
        return f"tab{number_for_filename(self.number)}.md"

    @property
    def name(self) -> str:
        return self.label or f"{'Table' if self.kind == 'table' else 'Figure'} {self.number}"


def items_from_manifest(path: Path) -> list[TableItem] | None:
    """The figures and tables a figures.yaml lists (page order), or None when there is no readable manifest."""
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(data, dict):
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
    """The table's rows of cell texts inside rect.

    PyMuPDF's table finder gives the columns (ruled lines first, then text alignment for booktabs tables);
    rows are the text lines, since booktabs tables have no rules between rows; each word goes to the column
    its centre falls in, so numbers are never cut ("23.75" stays whole)."""
    clip = (pymupdf.Rect(rect) + (-3, -2, 3, 2)) & page.rect
    words = [w for w in page.get_text("words", clip=clip) if w[4].strip() and _mostly_inside(w, rect)]
    if len(words) < 2:
        return []
    best: list[list[str]] = []
    best_score = 0.0
    ruled = _has_vertical_rules(page, clip)
    for settings in _STRATEGIES:
        if settings["vertical_strategy"] == "lines" and not ruled:
            continue  # booktabs: no vertical rules to find, and each try reads the whole table's characters
        if best_score >= 0.85:
            break
        try:
            found = page.find_tables(clip=clip, use_layout=False, **settings)
        except (ValueError, RuntimeError, IndexError):
            continue
        for t in found.tables:
            bounds = _column_bounds(t)
            if len(bounds) < 2:
                continue
            rows = _grid(words, bounds)
            if len(rows) < 2:
                continue
            cells = [c for r in rows for c in r]
            filled = sum(1 for c in cells if c) / len(cells)
            tb = pymupdf.Rect(t.bbox)
            inside = sum(1 for w in words if tb.contains(pymupdf.Point((w[0] + w[2]) / 2, (w[1] + w[3]) / 2)))
            score = (inside / len(words)) * (0.5 + 0.5 * filled)
            if score > best_score + 0.02:
                best, best_score = rows, score
    return best if best_score >= 0.4 else []


def _mostly_inside(word: tuple, rect: pymupdf.Rect) -> bool:
    """Whether most of a word's height is inside rect: a caption's descenders just above the box are not cells."""
    h = word[3] - word[1]
    inside = min(word[3], rect.y1) - max(word[1], rect.y0)
    return h <= 0 or inside >= 0.6 * h


def _has_vertical_rules(page: pymupdf.Page, clip: pymupdf.Rect) -> bool:
    for kind, bbox in page.get_bboxlog():
        if "path" not in kind:
            continue
        r = pymupdf.Rect(bbox)
        if r.width < 2.5 and r.height > 6 and r.intersects(clip):
            return True
    return False


def _column_bounds(table: object) -> list[tuple[float, float]]:
    """Column x-intervals of a found table: between consecutive distinct cell edges."""
    edges: list[float] = []
    for row in table.rows:
        for c in row.cells:
            if c is not None:
                edges.extend((c[0], c[2]))
    edges.sort()
    merged: list[float] = []
    for x in edges:
        if not merged or x - merged[-1] > 2.0:
            merged.append(x)
    return [(a, b) for a, b in itertools.pairwise(merged) if b - a > 2.0]


def _grid(words: list[tuple], bounds: list[tuple[float, float]]) -> list[list[str]]:
    """Words into rows (text lines; sub- and superscripts stay on their line) and columns (by centre)."""
    heights = sorted(w[3] - w[1] for w in words)
    tol = heights[len(heights) // 2] * 0.45
    lines: list[list[tuple]] = []
    for w in sorted(words, key=lambda w: ((w[1] + w[3]) / 2, w[0])):
        yc = (w[1] + w[3]) / 2
        if lines and abs(yc - sum((v[1] + v[3]) / 2 for v in lines[-1]) / len(lines[-1])) <= tol:
            lines[-1].append(w)
        else:
            lines.append([w])
    rows = []
    for line in lines:
        cells: list[list[tuple]] = [[] for _ in bounds]
        for w in sorted(line, key=lambda w: w[0]):
            xc = (w[0] + w[2]) / 2
            j = min(range(len(bounds)), key=lambda k: 0 if bounds[k][0] <= xc <= bounds[k][1]
                    else min(abs(xc - bounds[k][0]), abs(xc - bounds[k][1])))
            cells[j].append(w)
        rows.append([" ".join(w[4] for w in c) for c in cells])
    used = [j for j in range(len(bounds)) if any(r[j] for r in rows)]
    return [[r[j] for j in used] for r in rows if any(r)]


def text_lines(page: pymupdf.Page, rect: pymupdf.Rect) -> list[str]:
    """The table's text line by line, for tables whose cells cannot be told apart."""
    clip = (pymupdf.Rect(rect) + (-2, -2, 2, 2)) & page.rect
    return [ln for ln in page.get_text("text", clip=clip, sort=True).splitlines() if ln.strip()]


def to_markdown(item: TableItem, rows: list[list[str]], fallback: list[str]) -> str:
    """tables/tabN.md: where the table is, its caption, then its cells as a Markdown table."""
    label = item.name
    head = f"<!-- written by paper_info.py: {label}, page {item.page}, cells read from the PDF -->\n\n"
    head += f"# {label} (page {item.page})\n\n"
    if item.caption:
        head += re.sub(r"\s+", " ", item.caption).strip() + "\n\n"
    if rows:
        width = max(len(r) for r in rows)
        norm = [[_escape(c) for c in r] + [""] * (width - len(r)) for r in rows]
        lines = ["| " + " | ".join(norm[0]) + " |", "|" + "---|" * width]
        lines += ["| " + " | ".join(r) + " |" for r in norm[1:]]
        return head + "\n".join(lines) + "\n"
    body = "\n".join(fallback) if fallback else "(no text found inside the table's box)"
    return head + "The cells could not be told apart; the table's text line by line:\n\n```text\n" + body + "\n```\n"


def _escape(cell: str) -> str:
    return cell.replace("|", "\\|")


def is_ours(path: Path) -> bool:
    """Whether a tables/*.md file was written by paper_info.py (so a re-run may replace it)."""
    try:
        with path.open(encoding="utf-8") as fh:
            return fh.readline().startswith("<!-- written by paper_info.py")
    except (OSError, UnicodeDecodeError):
        return False
