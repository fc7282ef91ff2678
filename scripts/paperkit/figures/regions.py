"""Stage 3 of the figure pipeline: region proposals -- which graphic elements make up each caption's figure.

Every text line gets a role: caption, margin (running header, page number), body text, heading, or graphic text
(axis labels, legends, table cells). Body text, headings, margins and other captions are walls; drawings, images and
graphic text are the elements figures are made of. All captions of a page then grow at once, each from its own edge
(figures upward, tables toward their body), taking the nearest free element in its zone, until the whitespace gap
to the next element is too wide or a wall is in the way. A caption therefore never takes an element that lies
closer to another caption, which is what splits stacked or side-by-side figures correctly.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pymupdf

from .graphics import Blob
from .layout import Columns, PageContent, TextLine
from .model import Caption

TABLE_STACK_GAP_PT = 9.0  # blank space between two stacks of rules that ends a table
# running heads (text repeated at one place on many pages) are looked for this far from the page's top and bottom
# (LNCS on US Letter sets its head 12% down), a lone page number closer (a table's 'L' column 10% down is none);
# each must also stand beyond all the page's other text
HEAD_BAND = 0.15
NUMBER_BAND = 0.10
MAX_GAP_FACTOR = 2.8  # whitespace inside one figure, in body-text line heights
HEADING_RE = re.compile(r"^(\d+(\.\d+)*\.?|[A-Z](\.\d+)*\.?|[IVX]+\.)\s+[A-Z]")
EQUATION_NO_RE = re.compile(r"\(\d+[a-z]?\)$")


@dataclass
class Element:
    rect: pymupdf.Rect
    kind: str  # "blob" | "text"
    owner: int = -1
    ruled: bool = False  # a stack of table rules (graphics.ruled_areas)
    size: float = 0.0  # a text element's font size


def margin_keys(pages: list[PageContent]) -> set[tuple[int, str, int]]:
    """Running headers and footers: the same text (digits aside) at the same height on several pages."""
    seen: Counter[tuple[str, int]] = Counter()
    for pc in pages:
        h = pc.rect.height
        keys = {(_margin_text(ln.text), round(ln.rect.y0 / 3)) for ln in pc.lines
                if ln.rect.y1 < pc.rect.y0 + HEAD_BAND * h or ln.rect.y0 > pc.rect.y1 - HEAD_BAND * h}
        seen.update(keys)  # pages, not lines: a table header repeated on one page is no running header
    need = max(3, int(0.25 * len(pages))) if len(pages) > 3 else 2
    keep = {k for k, n in seen.items() if n >= need}
    out = set()
    for pc in pages:
        h = pc.rect.height
        cands = {i for i, ln in enumerate(pc.lines) if (_margin_text(ln.text), round(ln.rect.y0 / 3)) in keep}
        if not cands:
            continue
        # a running head stands above everything else on its page, a foot below: the tick labels of a plot that
        # sits at the top of several pages repeat like heads, with the plot's title and legend around them
        rest = [ln.rect for i, ln in enumerate(pc.lines) if i not in cands and ln.horizontal]
        top = min((r.y0 for r in rest), default=pc.rect.y1)
        bottom = max((r.y1 for r in rest), default=pc.rect.y0)
        for i in cands:
            r = pc.lines[i].rect
            if (r.y1 < pc.rect.y0 + HEAD_BAND * h and r.y1 <= top + 1) or (r.y0 > pc.rect.y1 - HEAD_BAND * h
                                                                       and r.y0 >= bottom - 1):
                out.add((pc.index, pc.lines[i].text, i))
    return out


def _margin_text(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip().lower())


def is_margin_line(pc: PageContent, i: int, margins: set[tuple[int, str, int]]) -> bool:
    """A running header or footer line, or a page number."""
    ln = pc.lines[i]
    return (pc.index, ln.text, i) in margins or _is_page_number(ln, pc)


def _is_page_number(ln: TextLine, pc: PageContent) -> bool:
    h = pc.rect.height
    in_band = ln.rect.y1 < pc.rect.y0 + NUMBER_BAND * h or ln.rect.y0 > pc.rect.y1 - NUMBER_BAND * h
    if not (in_band and re.fullmatch(r"[\divxlcIVXLC\-–— ]{1,8}|page \d+( of \d+)?", ln.text.strip(), re.I)):
        return False
    # a number in a column of cells (one right above or below it) is a table's row that reaches the page's edge
    for o in pc.lines:
        if o is ln or min(o.rect.x1, ln.rect.x1) - max(o.rect.x0, ln.rect.x0) <= 0:
            continue
        if max(o.rect.y0 - ln.rect.y1, ln.rect.y0 - o.rect.y1) < 0.5 * ln.rect.height:
            return False
    # and a page number stands above (or below) all the page's other text but its own row: an axis's tick labels
    # at the top of a plot have the plot's title and legend around them
    top = ln.rect.y1 < pc.rect.y0 + NUMBER_BAND * h
    for o in pc.lines:
        if o is ln or not o.horizontal or min(o.rect.y1, ln.rect.y1) - max(o.rect.y0, ln.rect.y0) > 0:
            continue  # itself, rotated text, or a line on its row (the running head beside it)
        if (o.rect.y0 < ln.rect.y0 - 1) if top else (o.rect.y1 > ln.rect.y1 + 1):
            return False
    return True


def assign_roles(pc: PageContent, caption_lines: set[int], blobs: list[Blob], body_size: float, cols: Columns,
                 margins: set[tuple[int, str, int]]) -> None:
    """Sets TextLine.role for every line of the page."""
    by_block: dict[int, list[TextLine]] = {}
    for ln in pc.lines:
        by_block.setdefault(ln.block, []).append(ln)
    graphic_boxes = [b.rect for b in blobs if b.rect.width > 8 and b.rect.height > 8]
    text_x0 = min(x0 for x0, _ in cols.spans)
    prose = paragraph_lines(pc.lines, body_size)
    free: list[TextLine] = []  # lines outside any graphic that are neither text nor margin nor caption
    for i, ln in enumerate(pc.lines):
        if id(ln) in caption_lines:
            ln.role = "caption"
        elif is_margin_line(pc, i, margins):
            ln.role = "margin"
        elif not ln.horizontal:
            ln.role = "margin" if ln.rect.x1 < text_x0 - 2 else ""
        elif any(_inside(ln.rect, g) for g in graphic_boxes):
            ln.role = ""
        elif _is_heading(ln, body_size, cols):
            ln.role = "heading"
        elif _is_body(ln, by_block[ln.block], body_size, cols) or id(ln) in prose:
            ln.role = "body"
        else:
            ln.role = ""
            free.append(ln)
    _paragraph_ends(free, pc.lines, body_size)
    _heading_continuations(free, pc.lines)


def _paragraph_ends(free: list[TextLine], lines: list[TextLine], body_size: float) -> None:
    """A short line right under a paragraph line, at its left edge and its pitch, ends that paragraph (MuPDF often
    puts it in a block of its own, or a symbol changes its font size): body text, not a figure's label. A line
    with a neighbour on its baseline is a table row instead."""
    body = [ln for ln in lines if ln.role == "body" and ln.horizontal]
    for ln in sorted(free, key=lambda x: x.rect.y0):
        if not ln.horizontal or ln.max_gap_pt > 1.2 * ln.size or abs(ln.size - body_size) > 1.6:
            continue
        above = [b for b in body if 0.7 * b.rect.height <= ln.rect.y0 - b.rect.y0 <= 1.6 * b.rect.height
                 and abs(b.rect.x0 - ln.rect.x0) <= 2 and ln.rect.x1 <= b.rect.x1 + 2]
        if not above:
            continue
        row = [x for x in lines if x is not ln and min(x.rect.y1, ln.rect.y1) - max(x.rect.y0, ln.rect.y0) > 0
               and above[0].rect.x0 - 2 <= x.rect.x0 <= above[0].rect.x1]
        if not row:
            ln.role = "body"
            body.append(ln)


def _heading_continuations(free: list[TextLine], lines: list[TextLine]) -> None:
    """The second line of a heading that wraps ("E  Training corpus sizes for other" / "language models"): right
    under it, in its size and weight, starting at its title."""
    heads = [ln for ln in lines if ln.role == "heading"]
    for ln in sorted(free, key=lambda x: x.rect.y0):
        if ln.role or ln.max_gap_pt > 1.2 * ln.size:
            continue
        for h in heads:
            if abs(h.size - ln.size) <= 0.3 and h.bold == ln.bold and 0 <= ln.rect.y0 - h.rect.y1 <= 0.5 * h.size \
                    and h.rect.x0 - 2 <= ln.rect.x0 <= h.rect.x0 + 40 and ln.rect.x1 <= h.rect.x1 + 40:
                ln.role = "heading"
                heads.append(ln)
                break


PARA_MIN_LINES = 3  # a justified block this tall is a paragraph wherever it starts
PARA_MIN_WIDTH_PT = 90.0


def paragraph_lines(lines: list[TextLine], body_size: float) -> set[int]:
    """Lines of justified paragraphs that need not start at a column's edge: text wrapped beside a figure or a
    table. Three or more body-size lines one under the other at the body's line pitch, with the same left and right
    edges (the last line may end short), and no wide gaps inside: table cells are narrower or gapped. Sub-captions,
    set smaller, are not taken for one."""
    cand = sorted((ln for ln in lines if ln.horizontal and ln.width >= PARA_MIN_WIDTH_PT * 0.3
                   and abs(ln.size - body_size) <= 0.6 and ln.max_gap_pt <= 1.2 * ln.size),
                  key=lambda ln: (ln.rect.y0, ln.rect.x0))
    out: set[int] = set()
    used: set[int] = set()
    for i, first in enumerate(cand):
        if id(first) in used or first.width < PARA_MIN_WIDTH_PT:
            continue
        chain = [first]
        for ln in cand[i + 1:]:
            cur = chain[-1]
            pitch = ln.rect.y0 - cur.rect.y0
            if pitch > 1.7 * cur.size:
                if ln.rect.y0 - cur.rect.y1 > 1.7 * cur.size:
                    break
                continue
            if pitch < 0.9 * cur.size or abs(ln.rect.x0 - first.rect.x0) > 1.5 or ln.rect.x1 > first.rect.x1 + 1.5:
                continue
            if abs(cur.rect.x1 - first.rect.x1) > 1.5:
                break  # only the last line of a paragraph ends short
            chain.append(ln)
        if len(chain) >= PARA_MIN_LINES:
            out.update(id(ln) for ln in chain)
            used.update(id(ln) for ln in chain)
    return out


def _inside(r: pymupdf.Rect, box: pymupdf.Rect) -> bool:
    cx, cy = (r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2
    return box.x0 - 1 <= cx <= box.x1 + 1 and box.y0 - 1 <= cy <= box.y1 + 1


UNNUMBERED_HEADINGS = re.compile(
    r"^(abstract|introduction|related work|background|method(s|ology)?|experiments?|results|discussion|"
    r"conclusions?|acknowledge?ments?|references|bibliography|appendix|keywords|ccs concepts)\b", re.I)


def _is_heading(ln: TextLine, body_size: float, cols: Columns) -> bool:
    """A section heading: numbered ("3.1 Training"), one of the usual unnumbered ones, or a bold larger line that
    starts at a column's edge (a run-in paragraph title). A title centred over a figure is none of these."""
    if len(ln.text) > 90 or ln.size < body_size - 2.5:
        return False
    m = HEADING_RE.match(ln.text)
    if ln.size < body_size - 0.6:  # small capitals ("V. CONCLUSION") are measured at their small size
        title = ln.text[m.end() - 1:] if m else ""
        return (title.isupper() and sum(c.isalpha() for c in title) >= 4 and len(ln.text) <= 60
                and ln.max_gap_pt <= 1.2 * ln.size)
    if m and ln.max_gap_pt <= 1.2 * ln.size:
        title = ln.text[m.end() - 1:]
        if ln.bold or ln.italic or ln.size > body_size + 0.4 or (title.isupper() and len(title) > 3):
            return True
    if (ln.bold or ln.size > body_size + 0.9) and UNNUMBERED_HEADINGS.match(ln.text):
        return True
    at_edge = any(abs(ln.rect.x0 - x0) <= 3 for x0, _ in cols.spans)
    all_bold = ln.bold and len(ln.first_bold_text) >= len(ln.text) - 1
    return at_edge and ((ln.bold and ln.size > body_size + 0.9) or (all_bold and ln.size >= body_size - 0.3))


def _is_body(ln: TextLine, block: list[TextLine], body_size: float, cols: Columns) -> bool:
    """Paragraph text: body size, starting at a column's edge, as wide as the column (or the end of such a
    paragraph). An appendix set a point smaller still counts when its lines fill the column."""
    if ln.max_gap_pt > 1.2 * ln.size or not body_size - 1.6 <= ln.size <= body_size + 0.8:
        return False
    col = cols.column_of(ln.rect)
    if col is None:
        return False
    cw = col[1] - col[0]
    if abs(ln.size - body_size) > 0.8:
        full = [x for x in block if x.width >= 0.85 * cw and abs(x.size - ln.size) < 0.3]
        return len(full) >= 2 and (ln.width >= 0.85 * cw or (ln in block[1:] and block[block.index(ln) - 1] in full))
    if EQUATION_NO_RE.search(ln.text) and ln.rect.x1 > col[1] - 4:
        return True
    if ln.rect.x0 > col[0] + 30:
        return False
    if ln.width >= 0.6 * cw:
        return True
    pos = block.index(ln)
    if pos > 0:
        prev = block[pos - 1]
        return prev.width >= 0.6 * cw and abs(prev.rect.x0 - ln.rect.x0) < 16 and prev.rect.x0 <= col[0] + 30
    return False


def zone_for(cap: Caption, page_caps: list[Caption], pc: PageContent, cols: Columns) -> tuple[float, float]:
    """The horizontal band a caption's figure may occupy: its column, split between side-by-side captions."""
    col = cols.column_of(cap.rect)
    if col is None or len(cols.spans) == 1:
        x0, x1 = cols.spans[0][0], cols.spans[-1][1]
        x0, x1 = min(x0, cap.rect.x0), max(x1, cap.rect.x1)
    else:
        x0, x1 = col
    for other in page_caps:
        if other is cap or other.rect.y1 < cap.rect.y0 - 2 or other.rect.y0 > cap.rect.y1 + 2:
            continue
        if other.rect.x0 >= cap.rect.x1 and other.rect.x0 < x1:
            x1 = (cap.rect.x1 + other.rect.x0) / 2
        elif other.rect.x1 <= cap.rect.x0 and other.rect.x1 > x0:
            x0 = (other.rect.x1 + cap.rect.x0) / 2
    # text running beside the caption (a wrapped figure) narrows the zone to the caption's side
    for ln in pc.lines:
        if ln.role != "body" or ln.rect.y1 < cap.rect.y0 or ln.rect.y0 > cap.rect.y1:
            continue
        if ln.rect.x1 <= cap.rect.x0 and ln.rect.x1 > x0:
            x0 = ln.rect.x1 + 1
        elif ln.rect.x0 >= cap.rect.x1 and ln.rect.x0 < x1:
            x1 = ln.rect.x0 - 1
    # and so do lines justified to one edge beside the caption's first rows and just above (the caption sits
    # level with a paragraph's short last line, the wrapped text's edge shows above it)
    near = [ln.rect for ln in pc.lines if ln.role == "body" and ln.rect.y1 >= cap.rect.y0 - 3 * ln.rect.height
            and ln.rect.y0 <= cap.rect.y1]
    left = [r.x1 for r in near if r.x1 <= cap.rect.x0 and r.x1 > x0]
    right = [r.x0 for r in near if r.x0 >= cap.rect.x1 and r.x0 < x1]
    edge = max(left, default=None)
    if edge is not None and sum(abs(v - edge) <= 2 for v in left) >= 2:
        x0 = edge + 1
    edge = min(right, default=None)
    if edge is not None and sum(abs(v - edge) <= 2 for v in right) >= 2:
        x1 = edge - 1
    return x0, x1


def _h_overlap(r: pymupdf.Rect, x0: float, x1: float) -> float:
    return max(0.0, min(r.x1, x1) - max(r.x0, x0))


def _in_zone(r: pymupdf.Rect, zone: tuple[float, float], kind: str = "blob") -> bool:
    """Whether an element belongs to a zone: text must lie (almost) inside it, drawings may stick out."""
    ov = _h_overlap(r, *zone)
    if kind == "text":
        return ov >= 0.8 * max(r.width, 0.1)
    return ov >= 0.5 * max(r.width, 0.1) or ov >= 0.5 * (zone[1] - zone[0])


@dataclass
class Seed:
    caption: Caption
    direction: str  # "up" | "down"
    zone: tuple[float, float]
    limit: float  # the wall: no element beyond this y


def wall_limit(cap: Caption, direction: str, zone: tuple[float, float], walls: list[pymupdf.Rect],
               page_rect: pymupdf.Rect) -> float:
    """The y of the nearest wall (body text, heading, margin, other caption) in the caption's direction."""
    if direction == "up":
        ys = [w.y1 for w in walls if w.y1 <= cap.rect.y0 + 1 and _h_overlap(w, *zone) > 2]
        return max(ys, default=page_rect.y0)
    ys = [w.y0 for w in walls if w.y0 >= cap.rect.y1 - 1 and _h_overlap(w, *zone) > 2]
    return min(ys, default=page_rect.y1)


def fits(e: Element, seed: Seed) -> bool:
    cap = seed.caption.rect
    if not _in_zone(e.rect, seed.zone, e.kind):
        return False
    r = e.rect
    # a drawing may reach under its caption (a rule touching it, a background larger than the plot): it still
    # counts when most of it lies on the seed's side; the body is cut at the caption later
    if seed.direction == "up":
        beside = e.kind == "blob" and r.y0 < cap.y0 - 10 and (r.y0 + r.y1) / 2 < cap.y0
        return (r.y1 <= cap.y0 + 3 or beside) and r.y0 >= seed.limit - 0.5
    beside = e.kind == "blob" and r.y1 > cap.y1 + 10 and (r.y0 + r.y1) / 2 > cap.y1
    return (r.y0 >= cap.y1 - 3 or beside) and r.y1 <= seed.limit + 0.5


def gap(e: pymupdf.Rect, region: pymupdf.Rect, direction: str) -> float:
    """The whitespace between an element and a region, measured in the direction of growth."""
    if direction == "up":
        return max(0.0, region.y0 - e.y1)
    return max(0.0, e.y0 - region.y1)


def grow(seeds: list[Seed], elements: list[Element], max_gap: float) -> list[pymupdf.Rect | None]:
    """All seeds grow at once, nearest element first, each element to one seed; returns each seed's body box.

    A seed's front only moves away from its caption, so its candidates, sorted by how near their edge is to the
    caption, come up in order of their gap to the front: the next element overall is the head of one of these
    queues. Ties go to the seed whose caption is nearer.
    """
    regions: list[pymupdf.Rect | None] = [None] * len(seeds)
    fronts = [pymupdf.Rect(s.caption.rect) for s in seeds]
    # a table takes one stack of rules, or several close together; one beyond a blank band is the next table
    # (a continued table with no caption on this page), and so is everything inside it
    areas = [e.rect for e in elements if e.ruled]
    area_of = [next((k for k, a in enumerate(areas) if (a + (-1, -1, 1, 1)).contains(e.rect)), -1) for e in elements]
    taken: list[set[int]] = [set() for _ in seeds]
    queues: list[list[int]] = []
    for s in seeds:
        cand = [ei for ei, e in enumerate(elements) if fits(e, s)]
        if s.direction == "up":
            cand.sort(key=lambda ei: -elements[ei].rect.y1)
        else:
            cand.sort(key=lambda ei: elements[ei].rect.y0)
        queues.append(cand)
    heads = [0] * len(seeds)
    while True:
        best: tuple[float, float, int] | None = None
        for si, s in enumerate(seeds):
            q = queues[si]
            while heads[si] < len(q) and elements[q[heads[si]]].owner >= 0:
                heads[si] += 1
            if heads[si] >= len(q):
                continue
            ei = q[heads[si]]
            e = elements[ei]
            g = gap(e.rect, fronts[si], s.direction)
            if g > max_gap:
                continue
            if (s.caption.kind == "table" and taken[si] and area_of[ei] >= 0 and area_of[ei] not in taken[si]
                    and g > TABLE_STACK_GAP_PT):
                continue
            key = (g, gap(e.rect, s.caption.rect, s.direction), si)
            if best is None or key < best:
                best = key
        if best is None:
            return regions
        si = best[2]
        e = elements[queues[si][heads[si]]]
        e.owner = si
        if area_of[queues[si][heads[si]]] >= 0:
            taken[si].add(area_of[queues[si][heads[si]]])
        heads[si] += 1
        regions[si] = pymupdf.Rect(e.rect) if regions[si] is None else regions[si] | e.rect
        fronts[si] |= e.rect


WALL_CLEAR_PT = 1.2  # the white margin stops this short of text beside the body
HUG_PT = 6.0  # a label this close beside a figure's side belongs to it (a rotated axis title)


def absorb(body: pymupdf.Rect, si: int, elements: list[Element], seed: Seed) -> pymupdf.Rect:
    """Takes in free elements that overlap the body (a legend inside a plot, a label over a drawing), and narrow
    labels hugging its left or right side within its height, even where they stick out of the column."""
    changed = True
    while changed:
        changed = False
        for e in elements:
            if e.owner >= 0 or e.rect.intersects(seed.caption.rect):
                continue
            r = e.rect
            if r.intersects(body):
                if abs(r & body) < 0.5 * abs(r) and e.kind == "text":
                    continue
                if not _in_zone(r, seed.zone, e.kind):
                    continue
            else:
                beside = 0 <= body.x0 - r.x1 <= HUG_PT or 0 <= r.x0 - body.x1 <= HUG_PT
                if not (beside and r.width <= 20 and r.y0 >= body.y0 - 2 and r.y1 <= body.y1 + 2):
                    continue
            e.owner = si
            body |= r
            changed = True
    return body


def trim_to_walls(body: pymupdf.Rect, cap: pymupdf.Rect, direction: str) -> pymupdf.Rect:
    """The body cut back so that it never covers its own caption."""
    b = pymupdf.Rect(body)
    if direction == "up":
        b.y1 = min(b.y1, cap.y0)
    elif direction == "down":
        b.y0 = max(b.y0, cap.y1)
    elif direction == "left":
        b.x1 = min(b.x1, cap.x0)
    else:
        b.x0 = max(b.x0, cap.x1)
    return b


def grow_sideways(seed: Seed, si: int, elements: list[Element], walls: list[pymupdf.Rect],
                  max_gap: float, text_area: tuple[float, float]) -> pymupdf.Rect | None:
    """A figure beside its caption (a side caption): free drawings level with the caption, on the nearer side with
    no wall between, and whatever touches them within the gap. Sets seed.direction to "left" or "right"."""
    cap = seed.caption.rect
    best: tuple[float, str, int] | None = None
    for ei, e in enumerate(elements):
        r = e.rect
        if e.owner >= 0 or e.kind != "blob" or r.y1 < cap.y0 or r.y0 > cap.y1 + 2 * max_gap:
            continue
        if r.x0 < text_area[0] - 10 or r.x1 > text_area[1] + 10:
            continue  # the page margin: logos, stamps
        side, dist = ("right", r.x0 - cap.x1) if r.x0 >= cap.x1 - 2 else ("left", cap.x0 - r.x1)
        if dist < -2 or dist > 2 * max_gap or (side == "left" and r.x1 > cap.x0 + 2):
            continue
        lo, hi = (cap.x1, r.x0) if side == "right" else (r.x1, cap.x0)
        if any(w.x0 >= lo - 1 and w.x1 <= hi + 1 and w.y1 > max(r.y0, cap.y0) and w.y0 < min(r.y1, cap.y1)
               for w in walls):
            continue
        if best is None or dist < best[0]:
            best = (dist, side, ei)
    if best is None:
        return None
    seed.direction = best[1]
    taken = [best[2]]
    region = pymupdf.Rect(elements[best[2]].rect)
    elements[best[2]].owner = si
    grown = True
    while grown:
        grown = False
        near = pymupdf.Rect(region.x0 - max_gap, region.y0 - max_gap, region.x1 + max_gap, region.y1 + max_gap)
        for ei, e in enumerate(elements):
            if e.owner >= 0 or not e.rect.intersects(near) or e.rect.intersects(cap):
                continue
            if e.rect.x0 < text_area[0] - 10 or e.rect.x1 > text_area[1] + 10:
                continue
            if (seed.direction == "right" and e.rect.x0 < cap.x1 - 2) or \
                    (seed.direction == "left" and e.rect.x1 > cap.x0 + 2):
                continue
            e.owner = si
            taken.append(ei)
            region |= e.rect
            grown = True
    return region


def pad(body: pymupdf.Rect, walls: list[pymupdf.Rect], margin_pt: float, page_rect: pymupdf.Rect) -> pymupdf.Rect:
    """The body with a little white margin around it, never reaching into a wall (text, caption) beside it."""
    out = pymupdf.Rect(body.x0 - margin_pt, body.y0 - margin_pt, body.x1 + margin_pt, body.y1 + margin_pt)
    probe = pymupdf.Rect(out.x0 - WALL_CLEAR_PT, out.y0 - WALL_CLEAR_PT, out.x1 + WALL_CLEAR_PT, out.y1 + WALL_CLEAR_PT)
    for w in walls:
        if not w.intersects(probe) or w.intersects(body):
            continue
        # a hair of clearance: a render rounds to whole pixels, and a pixel row on the wall's edge holds its ink
        if w.y1 <= body.y0:
            out.y0 = max(out.y0, min(w.y1 + WALL_CLEAR_PT, body.y0))
        elif w.y0 >= body.y1:
            out.y1 = min(out.y1, max(w.y0 - WALL_CLEAR_PT, body.y1))
        elif w.x1 <= body.x0:
            out.x0 = max(out.x0, min(w.x1 + WALL_CLEAR_PT, body.x0))
        elif w.x0 >= body.x1:
            out.x1 = min(out.x1, max(w.x0 - WALL_CLEAR_PT, body.x1))
    return out & page_rect


def cut_table_notes(body: pymupdf.Rect, drawings: list[pymupdf.Rect], blobs: list[pymupdf.Rect],
                    lines: list[TextLine]) -> pymupdf.Rect:
    """A ruled or framed table ends at its bottom rule: the notes under it ("* p < 0.05") are not part of it.

    Rows of cells under the last rule (a table closed by its last row, not by a rule) are the table's own: a row
    with cells that start where cells above the rule start is no note.
    """
    wide = [r for r in drawings + blobs if r.width >= 0.7 * body.width and body.contains(r)]
    if not wide:
        return body
    bottom = max(r.y1 for r in wide)
    if bottom - body.y0 < 0.6 * body.height or body.y1 - bottom < 2:
        return body
    if any(b.y1 > bottom + 1 and b.height > 3 for b in blobs):
        return body  # drawings below the rule: part of the table after all
    inside = [ln for ln in lines if ln.horizontal and body.contains(ln.rect)]
    starts = [ln.rect.x0 for ln in inside if ln.rect.y1 <= bottom]
    under = sorted((ln for ln in inside if ln.rect.y0 >= bottom - 1), key=lambda ln: ln.rect.y0)
    for ln in under:
        row = [x for x in under if min(x.rect.y1, ln.rect.y1) - max(x.rect.y0, ln.rect.y0) > 0.5 * ln.rect.height]
        aligned = [x for x in row if any(abs(x.rect.x0 - s) <= 2 for s in starts)]
        if len(row) >= 3 and len(aligned) >= 2:
            return body
    return pymupdf.Rect(body.x0, body.y0, body.x1, bottom + 1)
