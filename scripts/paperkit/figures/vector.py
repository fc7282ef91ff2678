"""Every cluster of vector drawings on a page, grown by the text that labels it (axis and tick labels, legends).

Page.cluster_drawings groups paths only, so a plot's axis titles and tick labels fall outside its box. Here the
clip-aware drawing boxes of the figure pipeline (layout.read_drawings) are grouped when they touch within the
tolerances, each group takes in the text lines inside it or beside it, and groups that then overlap are merged.
All work is done in MuPDF's unrotated page space; the results are turned into page coordinates (Page.rect's space,
which render_png uses) at the end. Nothing here writes files.
"""
from __future__ import annotations

from dataclasses import dataclass

import pymupdf

from .graphics import merge_touching
from .layout import TextLine, drop_highlights, read_drawings, read_lines

RULE_PT = 3.0  # a group of drawings no thicker than this is a rule or an underline, not a figure
TEXT_ROUNDS = 2  # tick labels touch the axes; axis titles touch the tick labels; nothing further is taken
SIDE_LABEL_PT = 80.0  # a line beside a figure is a label only when short (a legend entry, a tick value)
BLOCK_SLACK_PT = 12.0  # a label's text block may reach about one more line beyond the tolerance
PAD_PT = 1.0  # anti-aliased edges of the outermost strokes stay inside the render


@dataclass
class VectorCluster:
    page_index: int
    bbox_pt: pymupdf.Rect  # page coordinates
    n_paths: int
    n_lines: int  # text lines taken in

    @property
    def page(self) -> int:
        return self.page_index + 1


def _group(boxes: list[pymupdf.Rect], x_tol: float, y_tol: float) -> list[tuple[pymupdf.Rect, int]]:
    """Groups boxes touching within x_tol horizontally and y_tol vertically: stretching y by x_tol/y_tol turns the
    two tolerances into one, so the shared merge does the work."""
    x_tol, y_tol = max(x_tol, 0.01), max(y_tol, 0.01)
    k = x_tol / y_tol
    scaled = [pymupdf.Rect(b.x0, b.y0 * k, b.x1, b.y1 * k) for b in boxes]
    return [(pymupdf.Rect(r.x0, r.y0 / k, r.x1, r.y1 / k), len(m)) for r, m in merge_touching(scaled, x_tol)]


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _labels(box: pymupdf.Rect, line: pymupdf.Rect, block: list[pymupdf.Rect], x_tol: float, y_tol: float) -> bool:
    """Whether a text line belongs to the drawing group in box: inside it, or next to it like a label.

    A line next to the box is taken only when the rows of its whole text block lie close by too: the last line of a
    paragraph or the first line of a caption is not a label (a label may stick out sideways).
    """
    c = pymupdf.Point((line.x0 + line.x1) / 2, (line.y0 + line.y1) / 2)
    if box.contains(c):
        return True
    near = pymupdf.Rect(box.x0 - x_tol, box.y0 - y_tol, box.x1 + x_tol, box.y1 + y_tol)
    if not near.intersects(line):
        return False
    top, bottom = near.y0 - BLOCK_SLACK_PT, near.y1 + BLOCK_SLACK_PT
    if not all(r.y0 >= top and r.y1 <= bottom for r in block):
        return False
    w, h = max(line.width, 0.1), max(line.height, 0.1)
    if _overlap(line.x0, line.x1, box.x0, box.x1) >= 0.8 * w:  # above or below, within the figure's width
        return True
    beside = _overlap(line.y0, line.y1, box.y0, box.y1) >= 0.5 * h
    return beside and line.width <= max(SIDE_LABEL_PT, 0.5 * box.width)


def find_clusters(page: pymupdf.Page, min_size_pt: float, x_tol: float, y_tol: float,
                  lines: list[TextLine] | None = None) -> list[VectorCluster]:
    """The page's drawing clusters with their labels, in reading order (top to bottom, left to right).

    Dropped: single rules and underlines, and clusters whose longer side is under min_size_pt or whose shorter
    side is under a quarter of it.
    """
    lines = read_lines(page) if lines is None else lines
    boxes, fills = read_drawings(page)
    boxes = drop_highlights(boxes, fills, lines)
    groups = [(r, n) for r, n in _group(boxes, x_tol, y_tol) if r.width > RULE_PT and r.height > RULE_PT]
    kept = [ln for ln in lines if ln.text.strip()]
    blocks: dict[int, list[pymupdf.Rect]] = {}
    for ln in kept:
        blocks.setdefault(ln.block, []).append(ln.rect)
    free = [(ln.rect, blocks[ln.block]) for ln in kept]
    grown: list[tuple[pymupdf.Rect, int, int]] = []
    for rect, n in groups:
        box, taken = pymupdf.Rect(rect), 0
        for _ in range(TEXT_ROUNDS):
            hit = [(r, b) for r, b in free if _labels(box, r, b, x_tol, y_tol)]
            if not hit:
                break
            for r, _ in hit:
                box |= r
            taken += len(hit)
            gone = {id(r) for r, _ in hit}
            free = [(r, b) for r, b in free if id(r) not in gone]
        grown.append((box, n, taken))
    merged = _merge_near(grown, x_tol, y_tol)
    to_page = page.rotation_matrix
    out = []
    for box, n, taken in merged:
        if max(box.width, box.height) < min_size_pt or min(box.width, box.height) < min_size_pt / 4:
            continue
        r = (box + (-PAD_PT, -PAD_PT, PAD_PT, PAD_PT)) * to_page
        r &= page.rect
        if r.is_empty:
            continue
        out.append(VectorCluster(page.number, r, n, taken))
    out.sort(key=lambda c: (round(c.bbox_pt.y0), round(c.bbox_pt.x0)))
    return out


def _merge_near(items: list[tuple[pymupdf.Rect, int, int]], x_tol: float,
               y_tol: float) -> list[tuple[pymupdf.Rect, int, int]]:
    """Clusters whose label-grown boxes touch within the tolerances are one figure (panels sharing an axis title,
    diagram parts joined through their labels)."""
    items = list(items)
    changed = True
    while changed:
        changed = False
        out: list[tuple[pymupdf.Rect, int, int]] = []
        for box, n, t in items:
            for k, (b2, n2, t2) in enumerate(out):
                if (box.x0 - x_tol <= b2.x1 and b2.x0 - x_tol <= box.x1 and box.y0 - y_tol <= b2.y1
                        and b2.y0 - y_tol <= box.y1):
                    out[k] = (b2 | box, n + n2, t + t2)
                    changed = True
                    break
            else:
                out.append((box, n, t))
        items = out
    return items


def file_names(clusters: list[VectorCluster]) -> list[str]:
    """vec_p{page}_{n}.png, n counting from 1 on each page in reading order."""
    counts: dict[int, int] = {}
    names = []
    for c in clusters:
        counts[c.page] = counts.get(c.page, 0) + 1
        names.append(f"vec_p{c.page}_{counts[c.page]}.png")
    return names


def parse_pages(spec: str, page_count: int) -> list[int]:
    """'1,3-5' -> [0, 2, 3, 4] (0-based, sorted, unique); ValueError with a sentence for a bad spec."""
    out: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        lo_s, sep, hi_s = part.partition("-")
        try:
            lo = int(lo_s)
            hi = int(hi_s) if sep else lo
        except ValueError:
            raise ValueError(f"--pages {spec!r}: {part!r} is not a page number or a range like 3-5") from None
        if lo > hi:
            raise ValueError(f"--pages {spec!r}: the range {part} runs backwards")
        if lo < 1 or hi > page_count:
            raise ValueError(f"--pages {spec!r}: page {lo if lo < 1 else hi} is out of range; the PDF has "
                             f"{page_count} page(s), numbered from 1")
        out.update(range(lo - 1, hi))
    if not out:
        raise ValueError(f"--pages {spec!r} names no page")
    return sorted(out)
