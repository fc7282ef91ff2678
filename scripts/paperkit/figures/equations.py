"""A figure-engine stage beside captions: numbered display equations and algorithm blocks, found on a page's content.

paper.md scrambles a display formula (sub- and superscripts flattened, fraction parts apart), so each numbered one
is cut to images/eq{N}.png, named by its printed number. Algorithm blocks ("Algorithm 1 ...") are cut the same way
to images/alg{N}.png. Everything here works on the PageContent figures/layout.py read once; nothing re-reads a page.

Equation: a number "(N)" set at a column's right edge, and to its left the equation's ink: the text lines and
drawings (fraction bars, radicals) on the number's row, grown up and down across small gaps, never into prose.
Algorithm: a line starting "Algorithm N" with a rule just above it (algorithmic's ruled style) or a frame around
it; the block runs to the second rule below the caption line (the first closes the caption), or to the frame.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pymupdf

from .layout import Columns, PageContent, TextLine
from .model import Figure
from .naming import number_for_filename

# "(3)", "(12a)", "(A.2)", "(S1)", "(3.14)": at most three digits, so "(2020)" (a year) is never a number
NUMBER = r"(\d{1,3}[a-z]?|[A-Z]\.?\d{1,3}(?:\.\d{1,3})*[a-z]?|\d{1,3}\.\d{1,3}[a-z]?)"
NUMBER_ONLY_RE = re.compile(r"\(\s*" + NUMBER + r"\s*\)")
NUMBER_END_RE = re.compile(r"\(\s*" + NUMBER + r"\s*\)$")
ALGORITHM_RE = re.compile(r"^Algorithm\s*(\d{1,3}|[A-Z]\.?\d{1,3})\b\s*[:.]?\s*(.*)$")
EDGE_PT = 8.0  # a number's right end this close to a column's right edge is set flush right
PAD_PT = 1.5  # white margin around an equation's ink
PROSE_WORD_RE = re.compile(r"[(\[\"'“‘]?[A-Za-z][a-z]+(?:-[a-z]+)*[)\]\"'”’,.;:!?]*")


@dataclass
class Display:
    """A numbered display equation or an algorithm block: its printed number, page and box in page coordinates."""

    kind: str  # "equation" | "algorithm"
    number: str  # as printed: "3", "A.2"
    page_index: int  # 0-based
    rect: pymupdf.Rect  # the ink, without its number (equations) or with its caption (algorithms)
    title: str = ""  # an algorithm's caption after "Algorithm N"

    @property
    def label(self) -> str:
        return f"Equation ({self.number})" if self.kind == "equation" else f"Algorithm {self.number}"

    @property
    def filename(self) -> str:
        return f"{'eq' if self.kind == 'equation' else 'alg'}{number_for_filename(self.number)}.png"

    @property
    def bbox_pt(self) -> list[float]:
        return [round(v, 1) for v in self.rect]


@dataclass
class _Item:
    rect: pymupdf.Rect
    line: TextLine | None  # None for a drawing


def is_prose(text: str) -> bool:
    """Running text, not a formula: at least four words, and words (letters only, with the punctuation of prose,
    and a vowel) half its space-separated tokens or more. 'step_num', 'Rd' or 'sin(pos/10000)' is no word."""
    tokens = text.split()
    words = [t for t in tokens if PROSE_WORD_RE.fullmatch(t) and re.search(r"[aeiouyAEIOUY]", t)]
    return len(words) >= 4 and len(words) >= 0.5 * len(tokens)


def _is_body(ln: TextLine, col: tuple[float, float]) -> bool:
    """A line of the paragraph around a display: prose, or a short line at the column's left edge that starts with
    a word ('where W is ...', 'Here p(y) is', 'defined as follows:') or is a citation ending a sentence ('[11].')."""
    if is_prose(ln.text):
        return True
    if abs(ln.rect.x0 - col[0]) > 3:
        return False
    first = ln.text.split()[0] if ln.text.split() else ""
    if re.fullmatch(r"[A-Z][a-z]{3,}[,.:;]?", first):  # 'Here p(y) and p(x) are ...', not 'Lmulti ='
        return sum(1 for t in ln.text.split() if re.fullmatch(r"[a-z]{2,}[,.:;]?", t)) >= 2
    return bool(re.fullmatch(r"[a-z]{2,}[,.:;]?|\[\d+(?:,\s*\d+)*\][.,;:]?", first) or ln.text.rstrip().endswith(":"))


def _column(rect: pymupdf.Rect, cols: Columns) -> tuple[float, float] | None:
    """The column whose right edge the number sits on."""
    near = [c for c in cols.spans if abs(rect.x1 - c[1]) <= EDGE_PT and rect.x0 > c[0] - 6]
    return min(near, key=lambda c: abs(rect.x1 - c[1])) if near else None


def _inside_any(rect: pymupdf.Rect, boxes: list[pymupdf.Rect]) -> bool:
    c = (rect.tl + rect.br) * 0.5
    return any(b.contains(c) for b in boxes)


def _v_gap(a: pymupdf.Rect, b: pymupdf.Rect) -> float:
    return max(a.y0 - b.y1, b.y0 - a.y1, 0.0)


def _number_width(ln: TextLine, number: str) -> float:
    """Roughly how wide '(N)' and a thin space before it are on a line that holds the equation and its number
    (digits are half an em wide, parentheses a little less)."""
    return 0.4 * ln.size * (len(number) + 2) + 0.3 * ln.size


def find_equations(pc: PageContent, cols: Columns, body_size: float,
                   avoid: list[pymupdf.Rect] | None = None) -> list[Display]:
    """The numbered display equations of one page, in reading order, boxes in page (rotated) coordinates.

    avoid: boxes (unrotated page space) where a "(N)" is no equation number: figure and table bodies, captions.
    """
    avoid = avoid or []
    seeds: list[tuple[TextLine, str, tuple[float, float], pymupdf.Rect]] = []  # number line, number, column, ink seed
    for ln in pc.lines:
        if not ln.horizontal or _inside_any(ln.rect, avoid):
            continue
        col = _column(ln.rect, cols)
        if col is None:
            continue
        text = ln.text.strip()
        m = NUMBER_ONLY_RE.fullmatch(text)
        if m:
            seeds.append((ln, m.group(1), col, pymupdf.Rect()))
            continue
        m = NUMBER_END_RE.search(text)
        # an equation and its number read as one line: it must be set in from the column's left edge (or be set
        # apart from its number by a wide space), and be no sentence ending on an enumeration "(1)"
        if m and (ln.rect.x0 >= col[0] + 15 or ln.max_gap_pt >= 0.5 * ln.size) and not is_prose(text[:m.start()]):
            ink = pymupdf.Rect(ln.rect.x0, ln.rect.y0, ln.rect.x1 - _number_width(ln, m.group(1)), ln.rect.y1)
            if ink.width > 2 * body_size:
                seeds.append((ln, m.group(1), col, ink))
    if not seeds:
        return []
    number_lines = {id(s[0]) for s in seeds}
    items = [_Item(ln.rect, ln) for ln in pc.lines if id(ln) not in number_lines]
    items += [_Item(r, None) for r in pc.drawings if r.height < 4 * body_size and r.width < pc.rect.width * 0.9]
    items = [it for it in items if not _inside_any(it.rect, avoid)]
    prose = [it.rect for it in items if it.line is not None and it.line.horizontal and is_prose(it.line.text)]
    lines = [it for it in items if it.line is not None]

    out: list[Display] = []
    taken: set[int] = set()
    for k, (ln, number, col, ink) in enumerate(seeds):
        right_of_col = min((c[0] for c in cols.spans if c[0] > col[1]), default=pc.rect.x1) - 2
        # a long formula may start a little left of its column, never in the column before
        left_of_col = max(max((c[1] for c in cols.spans if c[1] < col[0]), default=pc.rect.x0) + 2, col[0] - 30)
        num_x0 = (ink.x1 if not ink.is_empty else ln.rect.x0) - 0.5  # never the number
        cy = (ln.rect.y0 + ln.rect.y1) / 2
        half = max(0.35 * ln.rect.height, 0.25 * ln.size)
        row = pymupdf.Rect(col[0], cy - half, num_x0, cy + half)  # the number's row
        others = [s[0].rect for j, s in enumerate(seeds) if j != k and s[2] == col]

        def usable(it: _Item, col: tuple[float, float] = col, right: float = right_of_col, num_x0: float = num_x0,
                   row: pymupdf.Rect = row, others: list[pymupdf.Rect] = others, cy: float = cy,
                   left: float = left_of_col) -> bool:
            r = it.rect
            if id(it) in taken or r.x0 < left or r.x1 > right:
                return False
            if r.x1 > num_x0 and _overlap_y(r, row) > 0.3 * min(r.height, row.height):
                return False  # nothing on the number's row right of where the equation ends
            if it.line is not None and _is_body(it.line, col):
                return False
            # a piece of a prose line (its superscript, an inline fraction) belongs to that line
            if any(_overlap_y(r, p) > 0.5 * max(r.height, 0.1) and p.x0 < r.x1 + 20 and p.x1 > r.x0 - 20
                   and p.x0 >= col[0] - 6 and p.x1 <= right for p in prose):
                return False
            # between two numbers, a line belongs to the nearer one
            mid = (r.y0 + r.y1) / 2
            return all(abs(mid - (o.y0 + o.y1) / 2) >= abs(mid - cy) for o in others)

        gap = 0.6 * body_size
        box = pymupdf.Rect(ink)
        members = [it for it in items if usable(it) and _overlap_y(it.rect, row) > 0]
        if not members and ink.is_empty:
            # an equation too long for its line has its number on the row below: take what ends just above
            members = [it for it in items if usable(it) and 0 <= row.y0 - it.rect.y1 <= gap + 0.6 * ln.size]
        for it in members:
            box |= it.rect
        if box.is_empty:
            continue
        grown = True
        while grown:
            grown = False
            for it in items:
                if it in members or not usable(it):
                    continue
                if _v_gap(it.rect, box) <= gap and it.rect.x1 >= box.x0 - 3 * body_size \
                        and it.rect.x0 <= box.x1 + 3 * body_size:
                    members.append(it)
                    box |= it.rect
                    grown = True
        taken.update(id(it) for it in members)
        rect = pymupdf.Rect(box.x0 - PAD_PT, box.y0 - PAD_PT, box.x1 + PAD_PT, box.y1 + PAD_PT)
        for it in lines:  # no sliver of the text above or below, even where a tall glyph reaches into it
            r = it.rect
            if it in members or r.x1 <= rect.x0 or r.x0 >= rect.x1 or it.line is None or not _is_body(it.line, col):
                continue  # a neighbouring formula's sliver costs less than a cut of this one's ink
            mid = (r.y0 + r.y1) / 2
            if mid <= box.y0 + 0.5 and r.y1 > rect.y0:
                rect.y0 = min(r.y1, box.y0 + 0.5 * box.height)
            elif mid >= box.y1 - 0.5 and r.y0 < rect.y1:
                rect.y1 = max(r.y0, box.y1 - 0.5 * box.height)
        if box.x1 <= num_x0:  # the white margin stops short of the number
            rect.x1 = min(rect.x1, num_x0)
        rect &= pc.rect
        out.append(Display("equation", number, pc.index, rect * pc.to_page))
    return out


def _overlap_y(a: pymupdf.Rect, b: pymupdf.Rect) -> float:
    return min(a.y1, b.y1) - max(a.y0, b.y0)


def find_algorithms(pc: PageContent, cols: Columns, body_size: float,
                    avoid: list[pymupdf.Rect] | None = None) -> list[Display]:
    """Algorithm blocks of one page: a caption line 'Algorithm N ...' under a rule (or inside a frame), down to the
    rule that closes the block. A sentence starting 'Algorithm 1 shows ...' has neither, and is no block."""
    avoid = avoid or []
    out: list[Display] = []
    lines = [ln for ln in pc.lines if ln.horizontal]
    for ln in lines:
        m = ALGORITHM_RE.match(ln.text)
        if not m or _inside_any(ln.rect, avoid):
            continue
        col = cols.column_of(ln.rect) or (ln.rect.x0, ln.rect.x1)
        width = max(col[1] - col[0], ln.rect.width)
        rules = sorted((r for r in pc.drawings if r.height <= 2.5 and r.width >= 0.5 * width
                        and r.x0 <= ln.rect.x0 + 6 and r.x1 >= ln.rect.x0 + 0.5 * width), key=lambda r: r.y0)
        frames = [r for r in pc.drawings if r.height > 2.5 and r.width >= 0.5 * width
                  and r.contains(ln.rect) and r.height > 3 * ln.rect.height]
        top = [r for r in rules if ln.rect.y0 - 1.5 * ln.size <= r.y1 <= ln.rect.y0 + 1]
        if frames:
            box = min(frames, key=lambda r: r.get_area())
        elif top:
            below = [r for r in rules if r.y0 > ln.rect.y1 - 1]
            if len(below) < 2:
                continue
            box = pymupdf.Rect(min(top[-1].x0, below[1].x0), top[-1].y0, max(top[-1].x1, below[1].x1), below[1].y1)
        elif ln.bold and ln.first_bold_text.replace(" ", "").startswith("Algorithm"):
            box = _block_by_gaps(ln, lines, body_size)
        else:
            continue
        # the caption: its line, the rest of its row, the lines down to the rule under it
        under = [r.y0 for r in rules if r.y0 > ln.rect.y1 - 1 and r.y0 < box.y1 - 1]
        end = min(under, default=ln.rect.y1)
        cap = [x for x in lines if x.rect.y0 >= ln.rect.y0 - 1 and (x.rect.y0 + x.rect.y1) / 2 < end + 0.5
               and x.rect.x0 >= box.x0 - 1 and x.rect.x1 <= box.x1 + 1]
        cap.sort(key=lambda x: (round((x.rect.y0 + x.rect.y1) / 6), x.rect.x0))  # rows of 3 pt, left to right
        title = " ".join(x.text for x in cap)
        title = ALGORITHM_RE.match(title).group(2).strip() if ALGORITHM_RE.match(title) else m.group(2).strip()
        out.append(Display("algorithm", m.group(1), pc.index, (box & pc.rect) * pc.to_page, title))
    return out


def _block_by_gaps(caption: pymupdf.Rect | TextLine, lines: list[TextLine], body_size: float) -> pymupdf.Rect:
    """Without rules or a frame: the caption and the lines below it up to the first gap wider than a line."""
    cap = caption.rect if isinstance(caption, TextLine) else caption
    box = pymupdf.Rect(cap)
    for ln in sorted((x for x in lines if x.rect.y0 >= cap.y1 - 1), key=lambda x: x.rect.y0):
        if ln.rect.x1 < box.x0 - 2 or ln.rect.x0 > box.x1 + 2:
            continue
        if ln.rect.y0 - box.y1 > 0.8 * body_size:
            break
        box |= ln.rect
    return box


def unique_files(displays: list[Display]) -> list[str]:
    """File names by rule, unique: a number printed twice (an appendix restarting at 1) keeps both, apart."""
    seen: set[str] = set()
    out = []
    for d in displays:
        name = d.filename
        k = 2
        while name in seen:
            name = d.filename.replace(".png", f"_{k}.png")
            k += 1
        seen.add(name)
        out.append(name)
    return out


def find_displays(pages: list[PageContent], cols: Columns, body_size: float, figures: list[Figure]) -> list[Display]:
    """Every algorithm block and numbered equation of the document, page by page, column by column, top down.

    A "(N)" inside a figure or table body or its caption is no equation number, and an algorithm's own formulas
    are the algorithm's."""
    out: list[Display] = []
    for pc in pages:
        to_unrotated = ~pc.to_page
        avoid = [r * to_unrotated for f in figures if f.caption.page_index == pc.index
                 for r in (f.body, f.caption.rect)]
        algorithms = find_algorithms(pc, cols, body_size, avoid)
        avoid += [a.rect * to_unrotated for a in algorithms]
        found = algorithms + find_equations(pc, cols, body_size, avoid)

        def key(d: Display) -> tuple[int, float]:
            col = next((i for i, (x0, x1) in enumerate(cols.spans) if d.rect.x0 < x1 - 6), 0)
            return col, d.rect.y0

        out += sorted(found, key=key)
    return out
