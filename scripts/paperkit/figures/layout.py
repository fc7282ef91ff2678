"""Stage 0 of the figure pipeline: read a page once (text lines, drawings, images) and describe its layout.

Everything later stages need comes from one pass over the page: PageContent holds the text lines with their fonts,
the drawing paths' boxes and the image boxes, all in page coordinates (points, PyMuPDF's rotated page space).
"""
from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

import pymupdf

TEXT_FLAGS = pymupdf.TEXT_PRESERVE_LIGATURES | pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP
MAX_PATHS = 3_000  # beyond this a page's paths are merged on a coarse grid first (bounded time)
SECTION_NUMBER_RE = re.compile(r"(\d+(\.\d+)*|[A-Z](\.\d+)*|[IVX]+)\.?")  # a heading's number set apart


@dataclass(eq=False)  # a line is itself: identity, not field-by-field comparison (fast "in" and index())
class TextLine:
    rect: pymupdf.Rect
    text: str
    size: float  # the font size of most of its characters
    bold: bool  # its first span is bold (caption labels, headings)
    first_bold_text: str  # the text of its leading bold spans
    horizontal: bool
    block: int
    index_in_block: int
    max_gap_pt: float = 0.0  # widest space between two spans: table rows have wide ones
    italic: bool = False
    role: str = ""  # set by later stages: "caption", "body", "heading", "margin", "" (graphic text)

    @property
    def width(self) -> float:
        return self.rect.width


@dataclass
class PageContent:
    index: int  # 0-based page number
    rect: pymupdf.Rect
    lines: list[TextLine]
    drawings: list[pymupdf.Rect]  # one box per visible drawing path (or per merged grid cell on huge pages)
    images: list[pymupdf.Rect]
    to_page: pymupdf.Matrix = field(default_factory=pymupdf.Matrix)  # unrotated -> page (rotated) coordinates


def _is_bold(span: dict) -> bool:
    return bool(span["flags"] & 16) or bool(re.search(r"bold|black|heavy|semibold|\.B$|-B$|CMBX|TB$", span["font"],
                                                      re.IGNORECASE))


def _is_italic(span: dict) -> bool:
    return bool(span["flags"] & 2) or bool(re.search(r"italic|oblique|-It$|CMTI|TI$", span["font"], re.IGNORECASE))


@dataclass
class _RawLine:
    spans: list[dict]
    block: int
    index: int
    horizontal: bool
    box: list[float]  # x0, y0, x1, y1 of its glyphs (a plain list: this runs for every line of every page)


def _raw_lines(page: pymupdf.Page) -> list[_RawLine]:
    out = []
    data = page.get_text("dict", flags=TEXT_FLAGS)
    for bno, block in enumerate(data["blocks"]):
        if block.get("type", 0) != 0:
            continue
        for lno, line in enumerate(block["lines"]):
            spans = [s for s in line["spans"] if s["text"].strip()]
            if not spans:
                continue
            dx, dy = line["dir"]
            # MuPDF's line box includes blank spans; keep the part with glyphs
            boxes = [s["bbox"] for s in spans]
            box = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                   max(b[3] for b in boxes)]
            out.append(_RawLine(spans, bno, lno, abs(dy) < 0.05 and dx > 0, box))
    return out


def _join_fragments(raw: list[_RawLine]) -> list[_RawLine]:
    """Rejoins pieces of one visual line that MuPDF split ("4.1.2" | "Evaluation Metrics. We use ...").

    Pieces join when they share the baseline and the space between them is no wider than a word space; table
    cells, with their wide gaps, stay apart.
    """
    rows = sorted((r for r in raw if r.horizontal), key=lambda r: (r.box[1], r.box[0]))
    merged: list[_RawLine] = []
    for r in rows:
        size = max(s["size"] for s in r.spans)
        b = r.box
        for m in reversed(merged[-6:]):
            mb = m.box
            h = min(mb[3] - mb[1], b[3] - b[1])
            overlap = min(mb[3], b[3]) - max(mb[1], b[1])
            gap = b[0] - mb[2]
            if overlap < 0.6 * h or not -1 <= gap <= 2.0 * size:
                continue
            number_only = bool(SECTION_NUMBER_RE.fullmatch("".join(s["text"] for s in m.spans).strip()))
            if gap <= (2.0 if number_only else 0.8) * size:
                m.spans += r.spans
                m.box = [min(mb[0], b[0]), min(mb[1], b[1]), max(mb[2], b[2]), max(mb[3], b[3])]
                break
        else:
            merged.append(_RawLine(list(r.spans), r.block, r.index, True, list(b)))
    return merged + [r for r in raw if not r.horizontal]


def read_lines(page: pymupdf.Page) -> list[TextLine]:
    """Visual text lines with their font facts, in MuPDF's block order; empty lines dropped."""
    out: list[TextLine] = []
    for r in sorted(_join_fragments(_raw_lines(page)), key=lambda r: (r.block, r.index)):
        spans = r.spans
        text = spans[0]["text"]
        for a, b in itertools.pairwise(spans):  # pieces that touch are one word ("M" + "ETHODOLOGY")
            gap = b["bbox"][0] - a["bbox"][2]
            sep = " " if gap > 0.15 * b["size"] and not text.endswith(" ") and not b["text"].startswith(" ") else ""
            text += sep + b["text"]
        text = " ".join(text.split())
        sizes: Counter[float] = Counter()
        for sp in spans:
            sizes[round(sp["size"], 1)] += len(sp["text"].strip())
        bold_prefix = ""
        for sp in spans:
            if not _is_bold(sp):
                break
            bold_prefix += sp["text"]
        gaps = [b["bbox"][0] - a["bbox"][2] for a, b in itertools.pairwise(spans)]
        out.append(TextLine(
            rect=pymupdf.Rect(r.box), text=text, size=sizes.most_common(1)[0][0], bold=_is_bold(spans[0]),
            first_bold_text=bold_prefix.strip(), horizontal=r.horizontal, block=r.block, index_in_block=r.index,
            max_gap_pt=max(gaps, default=0.0), italic=_is_italic(spans[0]),
        ))
    return out


def _visible(path: dict, page_area: float) -> bool:
    x0, y0, x1, y1 = path["rect"]
    if (x1 - x0) * (y1 - y0) > 0.6 * page_area:
        return False  # page backgrounds and frames
    fill = path.get("fill")
    kind = path.get("type")
    if kind == "f" and fill is not None and min(fill) > 0.97:
        return False  # white fills: masks and backgrounds, no ink
    no_fill = path.get("fill_opacity", 1.0) == 0
    no_stroke = path.get("stroke_opacity", 1.0) == 0
    if kind == "f" and no_fill:
        return False
    if kind == "fs" and no_fill and no_stroke:
        return False  # a frame with a transparent fill still shows its stroke
    return not (kind == "s" and no_stroke)


Box = tuple[float, float, float, float]


def read_drawings(page: pymupdf.Page) -> tuple[list[pymupdf.Rect], list[bool]]:
    """A box per visible drawing path, cut to its clip path, and whether the path is only filled.

    Plots often draw whole bars or heat-map cells and let a clip path hide what lies outside the axes: without the
    clip, a figure's box would run over its caption. Plain tuples keep this fast on pages with 100,000 paths; past
    MAX_PATHS, paths are merged on a coarse grid first.
    """
    pr = page.rect * page.derotation_matrix
    page_box: Box = (pr.x0, pr.y0, pr.x1, pr.y1)
    page_area = pr.width * pr.height
    boxes: list[Box] = []
    fills: list[bool] = []
    clips: list[tuple[int, Box]] = []  # (nesting level, clip in force)
    for p in page.get_cdrawings(extended=True):
        level = p.get("level", 0)
        while clips and clips[-1][0] >= level:
            clips.pop()
        cur = clips[-1][1] if clips else page_box
        kind = p.get("type")
        if kind == "clip":
            sc = p.get("scissor") or p["rect"]
            clips.append((level, (max(cur[0], sc[0]), max(cur[1], sc[1]), min(cur[2], sc[2]), min(cur[3], sc[3]))))
            continue
        if kind == "group":
            clips.append((level, cur))
            continue
        if not _visible(p, page_area):
            continue
        x0, y0, x1, y1 = p["rect"]
        w = (p.get("width") or 0) / 2
        if w and (x1 - x0 < 2 * w or y1 - y0 < 2 * w):  # a stroked line has the stroke's thickness
            x0, y0, x1, y1 = x0 - w, y0 - w, x1 + w, y1 + w
        x0, y0, x1, y1 = max(x0, cur[0]), max(y0, cur[1]), min(x1, cur[2]), min(y1, cur[3])
        if x1 < x0 or y1 < y0 or (x1 - x0) + (y1 - y0) <= 0:
            continue
        boxes.append((x0, y0, x1, y1))
        fills.append(kind == "f")
    if len(boxes) > MAX_PATHS:
        boxes = _coarsen(boxes, cell=4.0)
        fills = [False] * len(boxes)
    return [pymupdf.Rect(b) for b in boxes], fills


def _coarsen(boxes: list[Box], cell: float) -> list[Box]:
    """Merges boxes whose centres share a grid cell, so later stages stay fast on pages with 100k paths."""
    cells: dict[tuple[int, int], Box] = {}
    for b in boxes:
        key = (int((b[0] + b[2]) / 2 / cell), int((b[1] + b[3]) / 2 / cell))
        c = cells.get(key)
        cells[key] = b if c is None else (min(c[0], b[0]), min(c[1], b[1]), max(c[2], b[2]), max(c[3], b[3]))
    return list(cells.values())


def drop_highlights(boxes: list[pymupdf.Rect], fills: list[bool], lines: list[TextLine]) -> list[pymupdf.Rect]:
    """Removes filled boxes that sit on one line of text and no wider: a reader's highlights baked into the page."""
    rows: dict[int, list[TextLine]] = {}
    for ln in lines:
        if ln.horizontal and ln.width >= 20:
            for k in range(int(ln.rect.y0 // 20), int(ln.rect.y1 // 20) + 1):
                rows.setdefault(k, []).append(ln)
    out = []
    for r, fill in zip(boxes, fills, strict=True):
        if fill and r.height <= 20:
            cands = rows.get(int(r.y0 // 20), []) + rows.get(int(r.y1 // 20), [])
            if any(r.x0 >= ln.rect.x0 - 3 and r.x1 <= ln.rect.x1 + 3 and r.y0 >= ln.rect.y0 - 3
                   and r.y1 <= ln.rect.y1 + 3 and r.height <= 1.6 * ln.rect.height for ln in cands):
                continue
        out.append(r)
    return out


def read_images(page: pymupdf.Page, area: pymupdf.Rect) -> tuple[list[pymupdf.Rect], list[pymupdf.Rect]]:
    """The boxes of the page's images, and apart from them the hairlines: a one-pixel image stretched into a rule
    or a frame's side, as some tools draw a table's lines."""
    out, lines = [], []
    for info in page.get_image_info():
        r = pymupdf.Rect(info["bbox"]) & area
        if r.is_empty or max(r.width, r.height) < 2:
            continue
        if min(r.width, r.height) < 2:
            lines.append(r)
            continue
        if abs(r) > 0.9 * abs(area):
            continue  # a full-page background or scan is not a figure by itself
        out.append(r)
    return out, lines


def read_page(page: pymupdf.Page) -> PageContent:
    """The page's text, drawings and images in one pass.

    MuPDF reports text, paths and images of a rotated page in its unrotated space, so the analysis works there;
    to_page turns its results into the rotated page coordinates that Page.rect, renders and the manifest use.
    """
    lines = read_lines(page)
    boxes, fills = read_drawings(page)
    unrotated = page.rect * page.derotation_matrix
    images, hairlines = read_images(page, unrotated)
    return PageContent(index=page.number, rect=unrotated, lines=lines,
                       drawings=drop_highlights(boxes, fills, lines) + hairlines, images=images,
                       to_page=page.rotation_matrix)


def body_font_size(pages: list[PageContent]) -> float:
    """The size of most characters in the document: the body text."""
    sizes: Counter[float] = Counter()
    for pc in pages:
        for ln in pc.lines:
            if ln.horizontal:
                sizes[round(ln.size * 2) / 2] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


@dataclass
class Columns:
    """The text columns of a page, from where body-text lines start and end."""

    spans: list[tuple[float, float]]  # (x0, x1) of each column, left to right

    def column_of(self, rect: pymupdf.Rect) -> tuple[float, float] | None:
        """The column that holds rect, or None when rect crosses a gutter."""
        for x0, x1 in self.spans:
            if rect.x0 >= x0 - 6 and rect.x1 <= x1 + 6:
                return (x0, x1)
        return None


def find_columns(lines: list[TextLine], page_rect: pymupdf.Rect, body_size: float) -> Columns:
    """One or two columns, found from the left and right edges of body-size lines."""
    body = [ln for ln in lines if ln.horizontal and abs(ln.size - body_size) <= 1.0 and ln.width > 40]
    if not body:
        return Columns([(page_rect.x0 + 50, page_rect.x1 - 50)])
    mid = (page_rect.x0 + page_rect.x1) / 2
    left = [ln for ln in body if ln.rect.x1 < mid + 10]
    right = [ln for ln in body if ln.rect.x0 > mid - 10]
    crossing = [ln for ln in body if ln.rect.x0 < mid - 10 and ln.rect.x1 > mid + 10]
    text_x0 = _mode([ln.rect.x0 for ln in body])
    text_x1 = _mode([ln.rect.x1 for ln in body])
    n = len(body)
    if len(left) >= 0.2 * n and len(right) >= 0.2 * n and len(crossing) < 0.35 * n:
        lx0, lx1 = _mode([ln.rect.x0 for ln in left]), max(_mode([ln.rect.x1 for ln in left]), 0)
        rx0, rx1 = _mode([ln.rect.x0 for ln in right]), _mode([ln.rect.x1 for ln in right])
        if lx1 < rx0:
            return Columns([(lx0, lx1), (rx0, rx1)])
    return Columns([(min(text_x0, text_x1 - 100), text_x1)])


def _mode(values: list[float]) -> float:
    c = Counter(round(v) for v in values)
    return float(c.most_common(1)[0][0])
