"""A table's cells from the PDF's text layer: rows from baselines, columns from x-alignment across rows.

One read of the table's box (characters with their baselines and sizes; the thin paths that are rules) and plain
geometry after that, in the table's own frame (a sideways table is read bottom to top):

1. characters -> lines: characters grouped by baseline; sub- and superscripts join the line they sit on, so
   "1.0 · 10^20" stays one value; a label set between two rows (a multirow cell) joins the upper one;
2. lines -> chunks: a chunk is a run of words closer than a column gap, so "23.75 ± 0.2 (+2.4%)" is one cell;
   running text at the box's top or bottom (a paragraph the box took in) is dropped;
3. chunks -> columns: x-ranges where no chunk has ink separate columns for sure; inside a range, a place where
   most lines have ink on both sides and few chunks cross is a boundary too, and the chunks that cross it are
   spanned cells, written once in their leftmost column; a tight table splits where no word crosses;
4. lines -> rows: one row per printed line, except a header whose cells wrap onto a second line (one header row,
   or two when the upper one has spanned cells), cells wrapped onto a second line, and the lines between the
   rules of a fully ruled table; a row-group label goes to its group's top row;
5. columns holding only a value's tail (a "± 0.2" or "(+2.4%)" column, a column of marks) join the column on their
   left; a column only the header fills joins its neighbour.

A box whose lines are paragraphs (prompts, examples) is a list of rows, not a grid; a box that yields no grid says
why (``Cells.reason``).
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pymupdf

from .textlines import clean_text, is_bold_span

_FLAGS = pymupdf.TEXTFLAGS_RAWDICT & ~pymupdf.TEXT_PRESERVE_LIGATURES & ~pymupdf.TEXT_PRESERVE_IMAGES
# a value's tail: its spread, its bracketed change, its marks
_TAIL = re.compile(r"^(?:[±∓]\s*\S.*|\([^()]*\d[^()]*\)\S?|[†‡*∗§¶⋆♯♮♭⋄◦•]+|[↑↓]+)$")
_NUMERIC = re.compile(r"^[-+±~<>≈≤≥(\[$−–]*\.?\d")
_PLAIN = re.compile(r"^[-+−–]?\s*[\d.,]+\s*%?$")  # a plain number, not a label such as ">2" or "2nd"


@dataclass
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    bold: bool = False
    base: float = 0.0  # the baseline of the line the word was read on


@dataclass
class Chunk:
    """A run of words on one line that belongs to one cell."""

    words: list[Word]

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def text(self) -> str:
        return clean_text(" ".join(w.text for w in self.words))

    @property
    def bold(self) -> bool:
        return all(w.bold for w in self.words)


@dataclass
class TextLine:
    baseline: float
    y0: float
    y1: float
    words: list[Word] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)


@dataclass
class Cells:
    """What the engine made of a table's box.

    kind "grid": ``rows`` (the first ``header`` of them the header); "text": ``items`` (the rows of a free-text
    table, one string each); "none": ``reason`` says why there is no grid and ``items`` holds the text lines."""

    kind: str
    rows: list[list[str]] = field(default_factory=list)
    header: int = 0
    items: list[str] = field(default_factory=list)
    reason: str = ""


def read_cells(page: pymupdf.Page, rect: pymupdf.Rect, bboxlog: list | None = None) -> Cells:
    """The cells of the table whose body (caption excluded) is ``rect`` on ``page``. ``bboxlog`` is
    ``page.get_bboxlog()`` when the caller has it already (several tables on one page read the page's paths once)."""
    rect = pymupdf.Rect(rect)
    if page.rotation:  # boxes are in the rotated page's coordinates, MuPDF's text in the unrotated page's
        rect = rect * page.derotation_matrix
    clip = (rect + (-3, -2, 3, 2)) & (page.rect * page.derotation_matrix)
    words, size, rotated, turn = _words(page, clip, rect)
    if len(words) < 2:
        return Cells("none", reason="the box holds almost no text (an image of a table, or an empty box)",
                     items=[w.text for w in words])
    rules, images = _rules_and_images(page.get_bboxlog() if bboxlog is None else bboxlog, clip, turn)
    lines = _lines(words, size)
    gap = 0.6 * size
    for ln in lines:
        ln.chunks = _chunks(ln.words, gap)
    if rotated:
        lines = _place_rotated(lines, rotated)
    lines = _trim_prose(lines, pymupdf.Rect(_turned(rect, turn)))
    if _is_free_text(lines, size):
        return Cells("text", items=_records(lines, rules, size) or _paragraphs(lines, rules, size))
    cols = _columns(lines, size)
    if len(cols) < 2:
        if len(lines) >= 2 and all(len(ln.chunks) == 1 for ln in lines):
            return Cells("text", items=_paragraphs(lines, rules, size))
        return Cells("none", reason="no columns line up across the rows", items=_line_texts(lines))
    header_n = _header_count(lines, rules, size)
    grid, spanning = _assign(lines, cols, header_n, rules)
    grid = _drop_header_only_columns(grid, cols, header_n, images)
    grid = _merge_tail_columns(grid)
    grid = _merge_sparse_text_columns(grid, header_n)
    rows, header = _rows(lines, grid, rules, size, header_n, spanning)
    rows = [r for r in rows if any(c for c in r)]
    used = [j for j in range(len(rows[0])) if any(r[j] for r in rows)] if rows else []
    rows = [[r[j] for j in used] for r in rows]
    if len(rows) < 2 or len(used) < 2:
        return Cells("none", reason="fewer than two rows or columns of cells", items=_line_texts(lines))
    return Cells("grid", rows=rows, header=min(header, len(rows) - 1))


# --- 1. characters -> words and lines ---------------------------------------------------------------------------


def _words(page: pymupdf.Page, clip: pymupdf.Rect,
           rect: pymupdf.Rect) -> tuple[list[Word], float, list[Word], int]:
    """Words, the table's main font size, the words of lines running across the others (a header printed
    vertically), and how the table is turned on the page (see _turned: all boxes are in the table's frame)."""
    raw = page.get_text("rawdict", clip=clip, flags=_FLAGS)
    lines = [ln for block in raw.get("blocks", []) for ln in block.get("lines", [])]
    turn = _turn(lines)
    box = (rect.x0, rect.y0, rect.x1, rect.y1)
    chars: list[tuple[float, float, float, float, str, float, float, bool]] = []  # x0 y0 x1 y1 c size base bold
    rotated: list[Word] = []
    for line in lines:
        if _direction(line) != turn:
            text = clean_text("".join(ch["c"] for sp in line["spans"] for ch in sp["chars"]))
            b = pymupdf.Rect(line["bbox"])
            if text and rect.contains(pymupdf.Point((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2)):
                rotated.append(Word(*_turned(b, turn), text))
            continue
        for sp in line["spans"]:
            bold = is_bold_span(sp)
            size_sp = sp["size"]
            for ch in sp["chars"]:  # plain arithmetic: this runs for every character of every table
                bx0, by0, bx1, by1 = ch["bbox"]
                if turn == 1:
                    x0, y0, x1, y1, base = -by1, bx0, -by0, bx1, ch["origin"][0]
                elif turn == 2:
                    x0, y0, x1, y1, base = by0, -bx1, by1, -bx0, -ch["origin"][0]
                else:
                    x0, y0, x1, y1, base = bx0, by0, bx1, by1, ch["origin"][1]
                if y1 - y0 <= 0 or not _mostly_inside(bx0, by0, bx1, by1, box, turn):
                    continue  # a caption's descenders just above the box are not cells
                chars.append((x0, y0, x1, y1, ch["c"], size_sp, base, bold))
    if not chars:
        return [], 0.0, rotated, turn
    sizes = [c[5] for c in chars if not c[4].isspace()]
    size = _median(sizes) if sizes else 10.0
    # group characters into baseline rows; small characters (scripts) join the row they sit in
    bands = _bands(chars, size)
    words: list[Word] = []
    for band in bands:
        base = _median(b[6] for b in band)
        run: list[tuple] = []
        for c in _reading_order(band):
            glued = run and run[-1][4] == "%" and (c[4].isdigit() or c[4] in "-+−")  # "54.85%72.51%": bold overflow
            if run and (glued or c[4].isspace() or c[0] - run[-1][2] > 0.22 * max(c[5], run[-1][5])):
                words.append(_word(run, base))
                run = []
            if not c[4].isspace():
                run.append(c)
        if run:
            words.append(_word(run, base))
    return words, size, rotated, turn


def _direction(line: dict) -> int:
    """0: left to right; 1: bottom to top (turned a quarter left); 2: top to bottom (turned right); -1 other."""
    dx, dy = line["dir"]
    if abs(dy) < 0.05 and dx > 0:
        return 0
    if abs(dx) < 0.05:
        return 1 if dy < 0 else 2
    return -1


def _turn(lines: list[dict]) -> int:
    """How the box's text runs, by most characters (a sideways table on a landscape page runs bottom to top)."""
    count = [0, 0, 0]
    for ln in lines:
        d = _direction(ln)
        if d >= 0:
            count[d] += sum(len(sp["chars"]) for sp in ln["spans"])
    return max(range(3), key=lambda d: (count[d], d == 0))


def _turned(r: pymupdf.Rect, turn: int) -> tuple[float, float, float, float]:
    """A page rectangle in the frame where the table's text runs left to right, top to bottom."""
    if turn == 1:
        return (-r.y1, r.x0, -r.y0, r.x1)
    if turn == 2:
        return (r.y0, -r.x1, r.y1, -r.x0)
    return (r.x0, r.y0, r.x1, r.y1)


def _mostly_inside(x0: float, y0: float, x1: float, y1: float, box: tuple[float, float, float, float],
                   turn: int) -> bool:
    """Most of a glyph's height inside the box, its centre across: a caption's descenders just above are out.
    (The glyph x0..y1 and the box are in page coordinates.)"""
    bx0, by0, bx1, by1 = box
    if turn:  # the glyph's height runs along x
        h, inside = max(0, x1 - x0), min(x1, bx1) - max(x0, bx0)
        across = by0 - 1 <= (y0 + y1) / 2 <= by1 + 1
    else:
        h, inside = max(0, y1 - y0), min(y1, by1) - max(y0, by0)
        across = bx0 - 1 <= (x0 + x1) / 2 <= bx1 + 1
    return h > 0 and inside >= 0.6 * h and across


def _reading_order(band: list[tuple]) -> list[tuple]:
    """A band's characters left to right, a stacked subscript and superscript ("AP^test_50") one after the other
    instead of interleaved, a ligature's zero-wide second letter before the next letter."""
    sz = max(c[5] for c in band)
    base = _median(c[6] for c in band if c[5] >= 0.85 * sz)
    units: list[tuple[float, int, float, list[tuple]]] = []  # x0, level rank (sub before sup), x1, characters
    levels: dict[int, list[tuple]] = {0: [], -1: [], 1: []}
    for c in band:
        levels[_level(c, sz, base)].append(c)
    for rank, level in enumerate((0, -1, 1)):
        mine = sorted(levels[level], key=lambda c: (round(c[0], 1), c[2]))
        for c in mine:  # scripts: runs of adjacent characters stay together
            last = units[-1][3] if units and units[-1][1] == rank else None
            if level and last and 0 <= c[0] - last[-1][2] < 0.15 * sz:
                last.append(c)
            else:
                units.append((round(c[0], 1), rank, c[2], [c]))
    return [c for *_, u in sorted(units, key=lambda u: u[:3]) for c in u]


def _level(c: tuple, sz: float, base: float) -> int:
    if c[5] >= 0.85 * sz:
        return 0
    return 1 if (c[1] + c[3]) / 2 < base - 0.35 * sz else -1


def _bands(chars: list[tuple], size: float) -> list[list[tuple]]:
    """Characters grouped by baseline; a band of smaller characters inside a bigger band's line (sub- and
    superscripts, "FPS^V100") joins that band."""
    bands: list[list[tuple]] = []
    for c in sorted(chars, key=lambda c: c[6]):
        if bands and abs(c[6] - bands[-1][0][6]) <= 0.3 * size:
            bands[-1].append(c)
        else:
            bands.append([c])
    ink = [[c for c in b if not c[4].isspace()] or b for b in bands]  # a space set at a script's size misleads
    info = [(_median(c[6] for c in b), _median(c[5] for c in b), _median((c[1] + c[3]) / 2 for c in b)) for b in ink]
    out: list[list[tuple]] = [b for b in bands]
    for k, b in enumerate(bands):
        _, sz, yc = info[k]
        best = None
        for m, (base_m, sz_m, _) in enumerate(info):
            if m != k and sz < 0.85 * sz_m and base_m - 0.95 * sz_m <= yc <= base_m + 0.35 * sz_m:
                d = abs(yc - (base_m - 0.3 * sz_m))
                if best is None or d < best[0]:
                    best = (d, m)
        if best is not None:
            out[best[1]] = out[best[1]] + b
            out[k] = []
    return [b for b in out if b]


def _median(values: Iterable[float]) -> float:
    v = sorted(values)
    return v[len(v) // 2] if v else 0.0


def _word(run: list[tuple], base: float) -> Word:
    return Word(min(c[0] for c in run), min(c[1] for c in run), max(c[2] for c in run), max(c[3] for c in run),
                "".join(c[4] for c in run), bold=sum(c[7] for c in run) * 2 > len(run), base=base)


def _lines(words: list[Word], size: float) -> list[TextLine]:
    """Words grouped by the baseline their characters were grouped on."""
    by_base: dict[float, list[Word]] = {}
    for w in words:
        by_base.setdefault(w.base, []).append(w)
    out = []
    for base in sorted(by_base):
        ws = sorted(by_base[base], key=lambda w: w.x0)
        ln = TextLine(base, min(w.y0 for w in ws), max(w.y1 for w in ws))
        ln.words = ws
        out.append(ln)
    # lines whose baselines are closer than a fifth of the size are one line (a word set a hair lower); a line
    # less than a line below another, with its words beside that line's words, is a label set between two rows
    # (a multirow cell): it joins the upper row
    mid = (min(w.x0 for w in words) + max(w.x1 for w in words)) / 2  # a section label is centred, not a row's
    merged: list[TextLine] = []
    for ln in out:
        beside = ln.baseline - merged[-1].baseline < 0.75 * size and not _x_overlap(merged[-1], ln) and (
            ln.words[-1].x1 < mid or ln.words[0].x0 > mid) if merged else False
        if merged and (ln.baseline - merged[-1].baseline < 0.2 * size or beside):
            prev = merged[-1]
            prev.words = sorted(prev.words + ln.words, key=lambda w: w.x0)
            prev.y0, prev.y1 = min(prev.y0, ln.y0), max(prev.y1, ln.y1)
        else:
            merged.append(ln)
    return merged


def _x_overlap(a: TextLine, b: TextLine) -> bool:
    return any(min(u.x1, v.x1) - max(u.x0, v.x0) > -1 for u in a.words for v in b.words)


def _place_rotated(lines: list[TextLine], rotated: list[Word]) -> list[TextLine]:
    """Text printed vertically: above the first line it is a header line of its own (column names set
    vertically); beside the rows it is a row-group label, written in the top row it spans."""
    top = [w for w in rotated if not lines or (w.y0 + w.y1) / 2 < lines[0].y0]
    for w in rotated:
        if w in top:
            continue
        ln = next((ln for ln in lines if ln.y1 > w.y0), lines[-1])
        ln.words = sorted([*ln.words, w], key=lambda v: v.x0)
        ln.chunks = sorted([*ln.chunks, Chunk([w])], key=lambda c: c.x0)
    if not top:
        return lines
    ws = sorted(top, key=lambda w: w.x0)
    head = TextLine(min(w.y1 for w in ws), min(w.y0 for w in ws), max(w.y1 for w in ws))
    head.chunks = [Chunk([w]) for w in ws]
    head.words = ws
    return [head, *lines]


def _trim_prose(lines: list[TextLine], rect: pymupdf.Rect) -> list[TextLine]:
    """Lines of running text at the top or bottom of a table's box (a paragraph the box took in) are not cells:
    one run of many words as wide as the box, or three times as wide as a cell, above or below lines that are
    not."""
    cell = _median(c.x1 - c.x0 for ln in lines if len(ln.chunks) > 1 for c in ln.chunks)

    def prose(ln: TextLine) -> bool:
        if len(ln.chunks) != 1:
            return False
        n, width = len(ln.chunks[0].words), ln.chunks[0].x1 - ln.chunks[0].x0
        return (n >= 8 and width >= 0.75 * rect.width) or (n >= 6 and cell > 0 and width >= 3 * cell)
    def goes_on(above: TextLine, ln: TextLine) -> bool:  # the paragraph's next line, however short
        end = above.chunks[-1].text
        return abs(ln.chunks[0].x0 - above.chunks[0].x0) < 2 and not end.endswith((".", ":")) and (
            len(ln.chunks) == 1 or end.endswith("-"))

    a, b = 0, len(lines)
    while a < b and (prose(lines[a]) or (a and goes_on(lines[a - 1], lines[a]))):
        a += 1
    while b > a and (prose(lines[b - 1]) or (b < len(lines) and goes_on(lines[b - 1], lines[b]))):
        b -= 1
    keep = lines[a:b]
    if (a or b < len(lines)) and sum(len(ln.chunks) >= 2 for ln in keep) >= 3:
        return keep
    return lines


def _chunks(words: list[Word], gap: float) -> list[Chunk]:
    out: list[Chunk] = []
    for w in words:
        if out and w.x0 - out[-1].x1 <= gap:
            out[-1].words.append(w)
        else:
            out.append(Chunk([w]))
    return out


# --- 2. free text ------------------------------------------------------------------------------------------------


def _is_free_text(lines: list[TextLine], size: float) -> bool:
    """Paragraph rows: most lines are long runs of words in one or two chunks."""
    if len(lines) < 2:
        return False
    long = 0
    for ln in lines:
        words = [w for c in ln.chunks for w in c.words]
        widest = max(len(c.words) for c in ln.chunks)
        if widest >= 8 and len(ln.chunks) <= 2 and sum(1 for w in words if _NUMERIC.match(w.text)) < 0.3 * len(words):
            long += 1
    return long >= max(2, 0.5 * len(lines))


def _paragraphs(lines: list[TextLine], rules: list[pymupdf.Rect], size: float) -> list[str]:
    """A free-text table's rows: in each column of text (justified lines' wide spaces do not split it), lines
    joined into paragraphs; a row ends at a rule, a wider gap, or a line of one token (a list of names or code,
    or a paragraph's last word); columns side by side are written "left | right"."""
    cols = _columns(lines, size)
    pitch = _median([b.baseline - a.baseline for a, b in itertools.pairwise(lines)] or [size * 1.2])
    bands: list[list[list[str]]] = []  # row -> column -> lines
    prev: TextLine | None = None
    closed, before = True, ""
    for ln in lines:
        parts: list[list[str]] = [[] for _ in cols]
        gaps = sorted(b.x0 - a.x1 for a, b in itertools.pairwise(ln.words))
        if not gaps or gaps[-1] <= max(size, 2.5 * gaps[len(gaps) // 2]):
            parts[0] = [c.text for c in ln.chunks]  # one run of words (a justified line across the table)
        for c in ln.chunks if parts[0] == [] else []:  # into the column it overlaps most: no word is lost
            parts[max(range(len(cols)), key=lambda k: min(cols[k][1], c.x1) - max(cols[k][0], c.x0))].append(c.text)
        texts = [" ".join(p) for p in parts]
        text = " ".join(texts).strip()
        one = " " not in text
        # a token alone ends a paragraph ("event.") or is an item of a list of names
        tail = one and " " in before and not before.endswith((".", ":", "!", "?"))
        if closed or (one and not tail) or prev is None or ln.baseline - prev.baseline > pitch * 1.35 or any(
                prev.y1 - 1 <= r.y0 <= ln.y0 + 1 for r in rules):
            bands.append([[] for _ in cols])
        for j, t in enumerate(texts):
            if t:
                bands[-1][j].append(t)
        closed, prev, before = one, ln, text
    return [" | ".join(p for p in (_join_wrapped(col) for col in band) if p) for band in bands]


def _records(lines: list[TextLine], rules: list[pymupdf.Rect], size: float) -> list[str]:
    """A free-text table with columns (a label, then paragraphs side by side): one item per label, each column's
    lines joined into its paragraph and named by its header."""
    saved = [list(ln.chunks) for ln in lines]
    cols = _columns(lines, size)
    if len(cols) < 2:
        for ln, ch in zip(lines, saved, strict=True):
            ln.chunks = ch
        return []
    header_n = _header_count(lines, rules, size) if len(lines) > 2 else 0
    grid, _ = _assign(lines, cols, header_n)
    head = [_join_wrapped([c.text for i in range(header_n) for c in grid[i][j]]) for j in range(len(cols))]
    starts = [i for i in range(header_n, len(lines)) if grid[i][0]]
    if len(starts) < 2 or starts[0] != header_n or len(starts) * 2 > len(lines) - header_n:
        for ln, ch in zip(lines, saved, strict=True):
            ln.chunks = ch
        return []
    out = []
    for a, b in itertools.pairwise([*starts, len(lines)]):
        parts = []
        for j in range(len(cols)):
            text = _join_wrapped([c.text for i in range(a, b) for c in grid[i][j]])
            if text:
                parts.append(f"{head[j]}: {text}" if j and head[j] else text)
        out.append(" — ".join(parts))
    return out


def _join_wrapped(parts: list[str], prose: bool = True) -> str:
    """Lines of one paragraph or cell as one string; a word broken at a line's end is joined (in prose without
    its hyphen, in a cell with it: "XLNet-Large-" + "wikibooks")."""
    s = ""
    for p in parts:
        broken = s.endswith("-") and p[:1].islower()
        s = (s[:-1] if prose else s) + p if broken else (s + " " + p).strip()
    return s


def _line_texts(lines: list[TextLine]) -> list[str]:
    return [clean_text("   ".join(c.text for c in ln.chunks)) for ln in lines]


# --- 3. columns --------------------------------------------------------------------------------------------------


def _columns(lines: list[TextLine], size: float) -> list[tuple[float, float]]:
    """Column x-ranges. Splits chunks that straddle a column boundary at a word gap (tight tables). A line of
    one text chunk (a section label across the table) does not decide columns, unless it stands left or right of
    all of them (a row-group label set half a line off its rows)."""
    multi = [ln for ln in lines if not _lone_label(ln)]
    use = multi if len(multi) >= 2 else lines
    clusters = _union([(c.x0, c.x1) for ln in use for c in ln.chunks])
    out: list[tuple[float, float]] = []
    for lo, hi in clusters:
        out.extend(_split_cluster(use, lo, hi, size))
    if use is multi and out:
        lone = [ln.chunks[0] for ln in lines if _lone_label(ln)]
        out = _union([(c.x0, c.x1) for c in lone if c.x1 < out[0][0]]) + out
        out += _union([(c.x0, c.x1) for c in lone if c.x0 > out[-1][1]])
    return out


def _lone_label(ln: TextLine) -> bool:
    """A line of one text chunk: a section label, not a row set so tight that it is one chunk of values."""
    if len(ln.chunks) != 1 or _NUMERIC.match(ln.chunks[0].text):
        return False
    words = ln.chunks[0].words
    return sum(bool(_NUMERIC.match(w.text)) for w in words) * 2 < len(words)


def _union(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + 0.5:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _split_cluster(lines: list[TextLine], lo: float, hi: float, size: float) -> list[tuple[float, float]]:
    """One union of overlapping chunks as columns: split where most lines leave a gap and few chunks cross it."""
    members = [(i, c) for i, ln in enumerate(lines) for c in ln.chunks if c.x0 >= lo - 0.5 and c.x1 <= hi + 0.5]
    if len(members) < 3:
        return [(lo, hi)]
    spans = [(i, c.x0, c.x1, c) for i, c in members]  # the extents once: the loop below runs for every edge
    edges = sorted({x1 for _, _, x1, _ in spans} | {x0 for _, x0, _, _ in spans})
    best: tuple[float, float, float] | None = None  # score, gap left, gap right
    for k in range(len(edges) - 1):
        x = (edges[k] + edges[k + 1]) / 2
        if edges[k + 1] - edges[k] < 0.25 * size:
            continue
        left = {i for i, _, x1, _ in spans if x1 <= x}
        right = {i for i, x0, _, _ in spans if x0 >= x}
        both = len(left & right)
        if both < 2:
            continue
        # a crossing chunk with a word gap at the boundary is two cells set tight, not a spanned cell
        cross = [c for _, x0, x1, c in spans if x0 < x < x1 and not _gap_near(c, edges[k], edges[k + 1], size)]
        if len(cross) > both:
            continue
        score = both - len(cross)
        if best is None or score > best[0]:
            best = (score, edges[k], edges[k + 1])
    if best is None:
        return _split_by_words(lines, members, lo, hi, size)
    _, gl, gr = best
    x = (gl + gr) / 2
    for ln in lines:  # split the tight chunks at their gap
        new: list[Chunk] = []
        for c in ln.chunks:
            if c.x0 < x < c.x1 and c.x0 >= lo - 0.5 and c.x1 <= hi + 0.5 and _gap_near(c, gl, gr, size):
                k = _gap_index(c, gl, gr)
                new.extend([Chunk(c.words[:k]), Chunk(c.words[k:])])
            else:
                new.append(c)
        ln.chunks = new
    left_hi = max((c.x1 for _, c in members if c.x1 <= x), default=gl)
    right_lo = min((c.x0 for _, c in members if c.x0 >= x), default=gr)
    return _split_cluster(lines, lo, left_hi, size) + _split_cluster(lines, right_lo, hi, size)


def _split_by_words(lines: list[TextLine], members: list[tuple[int, Chunk]], lo: float, hi: float,
                    size: float) -> list[tuple[float, float]]:
    """A tight table: most lines have words on both sides of x with a gap wider than a word space and hardly any
    word crosses x (a bold value may overflow), so x is a column boundary even where the chunks run across it."""
    per_line: dict[int, list[Word]] = {}
    for i, c in members:
        per_line.setdefault(i, []).extend(c.words)
    n = len(per_line)
    cands = sorted({round((a.x1 + b.x0) / 2) for ws in per_line.values()
                    for a, b in itertools.pairwise(sorted(ws, key=lambda w: w.x0)) if b.x0 - a.x1 >= 0.25 * size})
    best: tuple[int, float] | None = None
    # (x0, x1, numeric) per word, in the lines' order: this loop runs for every candidate x
    boxes = [[(w.x0, w.x1, bool(_NUMERIC.match(w.text))) for w in ws] for ws in per_line.values()]
    for x in cands:
        both = cross = 0
        xl, xr = x - 0.5, x + 0.5
        for ws in boxes:
            # one pass: the words running over x, the nearest word ending left of it and the nearest starting right
            over = over_values = False
            left = right = None
            for w in ws:
                a, b, numeric = w
                if a < xl and b > xr:
                    over_values = numeric if not over else over_values and numeric
                    over = True
                if b <= xr and (left is None or b > left[1]):
                    left = w
                if a >= xl and (right is None or a < right[0]):
                    right = w
            if over:  # only a value running over (a bold number set wider) may cross
                cross += 1 if over_values else n
                continue
            if left is not None and right is not None:
                values = left[2] and right[2]
                if right[0] - left[1] >= (0.25 if values else 0.3) * size:
                    both += 1
                elif values:
                    cross += 1  # two values set close (bold ones are wider): neither for nor against
        if both >= max(2, 0.75 * (n - cross)) and cross <= 0.5 * n and (best is None or both - 2 * cross > best[0]):
            best = (both - 2 * cross, x)
    if best is None:
        return [(lo, hi)]
    x = best[1]
    for ln in lines:
        new: list[Chunk] = []
        for c in ln.chunks:
            left = [w for w in c.words if (w.x0 + w.x1) / 2 < x]
            if c.x0 >= lo - 0.5 and c.x1 <= hi + 0.5 and 0 < len(left) < len(c.words):
                new.extend([Chunk(left), Chunk(c.words[len(left):])])
            else:
                new.append(c)
        ln.chunks = new
    words = [w for ws in per_line.values() for w in ws]
    left_hi = max(w.x1 for w in words if (w.x0 + w.x1) / 2 < x)
    right_lo = min(w.x0 for w in words if (w.x0 + w.x1) / 2 >= x)
    return _split_cluster(lines, lo, left_hi, size) + _split_cluster(lines, right_lo, hi, size)


def _gap_index(c: Chunk, gl: float, gr: float) -> int:
    """Index of the word after the word gap that best meets the column gap [gl, gr]."""
    def miss(k: int) -> float:
        a, b = c.words[k - 1].x1, c.words[k].x0
        return -(min(b, gr) - max(a, gl)) if min(b, gr) > max(a, gl) else max(a - gr, gl - b)
    return min(range(1, len(c.words)), key=miss)


def _gap_near(c: Chunk, gl: float, gr: float, size: float) -> bool:
    """Whether the chunk has a word gap wider than a word space where the column gap [gl, gr] is."""
    if len(c.words) < 2:
        return False
    k = _gap_index(c, gl, gr)
    a, b = c.words[k - 1].x1, c.words[k].x0
    # a label set tight against its first value ("(YOLOR-CSP)50.81%") splits at a narrower gap
    label_value = bool(re.search(r"[A-Za-z]", c.words[k - 1].text) and re.match(r"[-+−–]?\d", c.words[k].text))
    return b - a >= (0.15 if label_value else 0.45) * size and a <= gr + 0.5 * size and b >= gl - 0.5 * size


def _assign(lines: list[TextLine], cols: list[tuple[float, float]], header_n: int,
            rules: list[pymupdf.Rect] | None = None) -> tuple[list[list[list[Chunk]]], set[int]]:
    """Each line's chunks into columns; a chunk over several columns goes to the leftmost it covers (and its
    line is one with a spanned cell), as does a header cell over a rule under several columns (a cmidrule); a
    section label of the body across columns goes to the first column."""
    grid = []
    spanning: set[int] = set()
    for i, ln in enumerate(lines):
        row: list[list[Chunk]] = [[] for _ in cols]
        under = [r for r in rules or [] if i < header_n and ln.y1 - 1 <= r.y0 <= ln.y1 + 0.8 * (ln.y1 - ln.y0)
                 and r.width < 0.8 * (cols[-1][1] - cols[0][0])]
        for c in ln.chunks:
            xc = (c.x0 + c.x1) / 2
            span = next((r for r in under if r.x0 <= xc <= r.x1), None)
            a0, a1 = (min(c.x0, span.x0), max(c.x1, span.x1)) if span else (c.x0, c.x1)
            hits = [j for j, (a, b) in enumerate(cols) if min(b, a1) - max(a, a0) > 0.5]
            if i >= header_n and _lone_label(ln) and len(hits) != 1:
                j = 0
            elif hits:
                j = hits[0]
                if len(hits) > 1:
                    spanning.add(i)
            else:
                xc = (c.x0 + c.x1) / 2
                j = min(range(len(cols)), key=lambda k: min(abs(xc - cols[k][0]), abs(xc - cols[k][1])))
            row[j].append(c)
        grid.append(row)
    return grid, spanning


def _drop_header_only_columns(grid: list[list[list[Chunk]]], cols: list[tuple[float, float]], header_n: int,
                              images: list[pymupdf.Rect]) -> list[list[list[Chunk]]]:
    """A column only the header fills, inside the table, is a header cell centred over a group of columns
    ("S" over four values): it joins the nearest column that has values; not a column of images."""
    body = [j for j in range(len(cols)) if any(r[j] for r in grid[header_n:])]
    if not body or header_n == 0:
        return grid
    lost = [j for j in range(len(cols)) if j not in body and body[0] < j < body[-1]
            and not any(im.x0 < cols[j][1] and im.x1 > cols[j][0] for im in images)]
    if not lost:
        return grid
    for r in grid[:header_n]:
        for j in lost:
            for c in r[j]:
                xc = (c.x0 + c.x1) / 2
                k = min(body, key=lambda k: 0 if cols[k][0] <= xc <= cols[k][1]
                        else min(abs(xc - cols[k][0]), abs(xc - cols[k][1])))
                r[k].append(c)
            r[j] = []
    return [[r[j] for j in range(len(cols)) if j not in lost] for r in grid]


def _join_left(grid: list[list[list[Chunk]]], j: int) -> None:
    """Column j's chunks join column j - 1's, row by row, and column j is gone."""
    for r in grid:
        r[j - 1] = r[j - 1] + r[j]
        del r[j]


def _merge_sparse_text_columns(grid: list[list[list[Chunk]]], header_n: int) -> list[list[list[Chunk]]]:
    """A column with a word or two in a row or two of the body, each beside a label, is the rest of that label
    set with a wide space ("MIR-MRC   (F-Net)"), not a column."""
    j = 1
    while grid and j < len(grid[0]):
        filled = [i for i, r in enumerate(grid) if r[j]]
        body = len(grid) - header_n
        if filled and all(i >= header_n and grid[i][j - 1] for i in filled) and len(filled) <= max(1, 0.15 * body) \
                and not any(_NUMERIC.match(c.text) for i in filled for c in grid[i][j]):
            _join_left(grid, j)
        else:
            j += 1
    return grid


def _merge_tail_columns(grid: list[list[list[Chunk]]]) -> list[list[list[Chunk]]]:
    """A column holding only values' tails (± spreads, bracketed changes, marks) joins the column on its left."""
    if not grid:
        return grid
    j = 1
    while j < len(grid[0]):
        cells = [r[j] for r in grid if r[j]]
        tails = [cs for cs in cells if all(_TAIL.match(c.text) for c in cs)]
        if cells and len(tails) == len(cells):
            _join_left(grid, j)
        else:
            j += 1
    return grid


# --- 4. rows -----------------------------------------------------------------------------------------------------


def _rules_and_images(bboxlog: list, clip: pymupdf.Rect,
                      turn: int = 0) -> tuple[list[pymupdf.Rect], list[pymupdf.Rect]]:
    """Rules inside the box (thin filled or stroked paths across the text's lines) and images, in the table's
    frame."""
    rules, images = [], []
    cx0, cy0, cx1, cy1 = clip.x0 - 3, clip.y0 - 3, clip.x1 + 3, clip.y1 + 3
    for kind, (x0, y0, x1, y1) in bboxlog:  # plain numbers first: a plot has tens of thousands
        if x1 < cx0 or x0 > cx1 or y1 < cy0 or y0 > cy1:
            continue
        r = pymupdf.Rect(x0, y0, x1, y1)
        if "image" in kind:
            images.append(pymupdf.Rect(_turned(r & clip, turn)))
        if "path" not in kind or not (r.width < 2.5 or r.height < 2.5):
            continue
        t = pymupdf.Rect(_turned(r, turn))
        if t.height <= 2.0 and t.width >= 8:
            rules.append(t)
    return rules, images


def _header_count(lines: list[TextLine], rules: list[pymupdf.Rect], size: float) -> int:
    """How many lines the header has: the lines above the first rule with text on both sides, else the lines
    before the first line holding a number in a cell other than the first."""
    if len(lines) < 2:
        return 0
    x0 = min(w.x0 for ln in lines for w in ln.words)
    x1 = max(w.x1 for ln in lines for w in ln.words)
    full = [r for r in rules if r.width >= 0.8 * (x1 - x0)]  # not a cmidrule under a spanned header cell
    for r in sorted(full, key=lambda r: r.y0):
        above = [ln for ln in lines if ln.y1 <= r.y0 + 1]
        below = [ln for ln in lines if ln.y0 >= r.y1 - 1]
        if above and below:
            if len(above) <= 4:
                return len(above)
            break
    for i, ln in enumerate(lines):
        if any(_NUMERIC.match(c.text) for c in ln.chunks[1:]):
            return min(i, 3)
    # no value anywhere: a header is set off by a rule under it; many lines above the first rule are no header
    inner = [r for r in full if lines[0].y1 <= r.y0 + 1 and r.y1 - 1 <= lines[-1].y0]
    return 0 if inner and len(lines) > 4 and inner[0].y0 > lines[4].y1 else 1


def _rows(lines: list[TextLine], grid: list[list[list[Chunk]]], rules: list[pymupdf.Rect], size: float,
          header_n: int, spanning: set[int]) -> tuple[list[list[str]], int]:
    """Lines into rows: a line half a line off its neighbour with cells in other columns joins it, the lines of a
    wrapped header join into one header row, and a fully ruled table's lines between two rules are one row."""
    groups: list[list[int]] = []
    for i, ln in enumerate(lines):
        if groups:
            prev = lines[groups[-1][-1]]
            cols_prev = {j for g in groups[-1] for j, cs in enumerate(grid[g]) if cs}
            cols_now = {j for j, cs in enumerate(grid[i]) if cs}
            close = ln.baseline - prev.baseline < 0.75 * size
            if close and not cols_prev & cols_now:
                groups[-1].append(i)
                continue
        groups.append([i])
    # header: the groups inside the header lines
    head = [g for g in groups if g[0] < header_n]
    body = [g for g in groups if g[0] >= header_n]
    numeric = [sum(bool(_NUMERIC.match(c.text)) for c in lines[g[0]].chunks) * 2 > len(lines[g[0]].chunks)
               for g in head]
    if len(head) > 1 and not any(i in spanning for g in head for i in g) and not any(numeric[1:]) \
            and not _rule_between(lines[head[0][-1]], lines[head[-1][0]], rules):
        head = [[i for g in head for i in g]]
    merged: list[list[int]] = []
    for g in head:  # a header label set between two header lines ("Dataset" beside "4-shot" over "AUC")
        cols = {j for i in g for j, cs in enumerate(grid[i]) if cs}
        if merged and not cols & {j for i in merged[-1] for j, cs in enumerate(grid[i]) if cs}:
            merged[-1] = merged[-1] + g
        else:
            merged.append(g)
    head = merged
    # ruled rows: rules between (nearly) every row of the body; lines between two rules are one row
    body = _banded_rows(body, lines, rules, grid)
    body = _wrapped_rows(body, grid)
    cells = [cs for g in body for i in g for cs in grid[i] if cs]
    marks = sum(all(c.bold for c in cs) for cs in cells) * 3 < len(cells)  # bold marks a few cells, not all
    rows = [_row_text(grid, g, False) for g in head] + [_row_text(grid, g, marks) for g in body]
    x0 = min(w.x0 for ln in lines for w in ln.words)
    x1 = max(w.x1 for ln in lines for w in ln.words)
    full = [r for r in rules if r.x0 <= x0 + 0.1 * (x1 - x0) and r.x1 >= x1 - 0.1 * (x1 - x0)]
    cuts = [k for k in range(1, len(body)) if _rule_between(lines[body[k - 1][-1]], lines[body[k][0]], full)]
    _labels_to_top(rows, len(head), [len(head) + k for k in cuts])
    return rows, len(head)


def _labels_to_top(rows: list[list[str]], start: int, cuts: list[int]) -> None:
    """A label spanning the rows of a group (between two rules) is written in the group's top row: a multirow
    label is printed at the group's middle."""
    if not rows:
        return
    bounds = [start, *cuts, len(rows)]
    for j in range(len(rows[0])):
        body = [r[j] for r in rows[start:]]
        filled = [c for c in body if c]
        plain = sum(bool(_PLAIN.match(c.replace("*", ""))) for c in filled)
        if not filled or plain * 3 > len(filled) or len(filled) * 2 >= len(body):
            continue  # values, or labels on most rows
        if len(bounds) > 2:
            for a, b in itertools.pairwise(bounds):
                at = [i for i in range(a, b) if rows[i][j]]
                words = not any(_NUMERIC.match(rows[i][j]) for i in at)
                lines_of_one = len(at) > 1 and words and len(at) < b - a  # a label on two lines beside a group
                if at and (at[0] > a or lines_of_one) and at == list(range(at[0], at[0] + len(at))):
                    text = " ".join(rows[i][j] for i in at)  # a label on two lines is one label
                    for i in at:
                        rows[i][j] = ""
                    rows[a][j] = text
            continue
        at = [i for i in range(start, len(rows)) if rows[i][j]]
        if at[0] == start:
            continue  # labels already in their groups' top rows
        # no rules between the groups: each label sits in the middle of its group; the first group starts at the
        # table's first body row
        end = len(rows) - 1
        for k in range(len(at) - 1, -1, -1):
            r = at[k]
            top = start if k == 0 else max(at[k - 1] + 1, min(2 * r - end, r))
            if top != r:
                rows[top][j], rows[r][j] = rows[r][j], ""
            end = top - 1


def _rule_between(a: TextLine, b: TextLine, rules: list[pymupdf.Rect]) -> bool:
    return any(a.y1 - 1 <= r.y0 <= b.y0 + 1 for r in rules)


def _banded_rows(body: list[list[int]], lines: list[TextLine], rules: list[pymupdf.Rect],
                 grid: list[list[list[Chunk]]]) -> list[list[int]]:
    """In a table whose rows are set apart by rules or by wider gaps, the lines of one band are one row (cells of
    several lines), unless they stack values in one column (each line a row, as in a booktabs table with rules
    between groups) or a cell's next line starts a new item instead of going on ("Opinions" under "The first
    complaint")."""
    if len(body) < 3:
        return body
    gaps = [lines[h[0]].baseline - lines[g[-1]].baseline for g, h in itertools.pairwise(body)]
    pitch = _median(gaps)

    def apart(g: list[int], h: list[int]) -> bool:
        return _rule_between(lines[g[-1]], lines[h[0]], rules) or \
            lines[h[0]].baseline - lines[g[-1]].baseline > 1.35 * pitch

    if sum(apart(g, h) for g, h in itertools.pairwise(body)) < 2:
        return body
    out: list[list[int]] = [body[0]]
    for g in body[1:]:
        if apart(out[-1], g) or (len(out[-1]) == 1 and _lone_label(lines[out[-1][0]]) and grid[out[-1][0]][0]):
            out.append(g)  # a section label ("Text-to-image generation") is a row of its own
            continue
        have = {j for i in out[-1] for j, cs in enumerate(grid[i]) if any(_NUMERIC.match(c.text) for c in cs)}
        now = {j for i in g for j, cs in enumerate(grid[i]) if any(_NUMERIC.match(c.text) for c in cs)}
        label = any(grid[i][0] for i in g)
        if have & now or (now and label) or not _aligned(out[-1], g, grid) or (
                not now and not have and not _cells_go_on(out[-1], g, grid)):
            out.append(g)
        else:
            out[-1] = out[-1] + g
    return out


def _cells_go_on(row: list[int], g: list[int], grid: list[list[list[Chunk]]]) -> bool:
    """Whether every cell the line g shares with the row above continues that cell's text."""
    for j in range(len(grid[0])):
        above = [c.text for i in row for c in grid[i][j]]
        now = [c.text for i in g for c in grid[i][j]]
        if above and now:
            a, b = above[-1], now[0]
            if not (a.endswith("-") or (not a.endswith((".", "!", "?", ":", "”", '"'))
                                        and (b[:1].islower() or b[:1] in "([" or a.endswith(",")))):
                return False
    return True


def _wrapped_rows(body: list[list[int]], grid: list[list[list[Chunk]]]) -> list[list[int]]:
    """A line with no row label and no value, whose words continue some of the cells of the row above, is that
    row's cells wrapped onto a second line (a table of examples)."""
    def filled(g: list[int]) -> set[int]:
        return {j for i in g for j, cs in enumerate(grid[i]) if cs}

    out: list[list[int]] = []
    for g in body:
        cols = filled(g)
        # a value on the second line only goes on a cell that ends in an operator ("110 M - 2*512*768 + ... =")
        values = any(_NUMERIC.match(c.text) and not (out and _open_end(out[-1], j, grid))
                     for i in g for j, cs in enumerate(grid[i]) for c in cs)
        # only some of the row's cells go on: a row of a label group fills all the cells beside the label
        wrapped = out and not values and 0 in filled(out[-1]) and _aligned(out[-1], g, grid) and (
            (0 not in cols and cols < filled(out[-1]) - {0})
            or (0 not in cols and all(_open_end(out[-1], j, grid) for j in cols))
            or (cols == {0} and len(filled(out[-1])) > 1 and _continues(out[-1], g, grid)))
        if wrapped:
            out[-1] = out[-1] + g
        else:
            out.append(g)
    return out


def _open_end(row: list[int], j: int, grid: list[list[list[Chunk]]]) -> bool:
    above = [c.text for i in row for c in grid[i][j]]
    return bool(above) and above[-1].rstrip()[-1:] in "=+-−×*/,("


def _aligned(row: list[int], g: list[int], grid: list[list[list[Chunk]]]) -> bool:
    """Whether each cell the line g shares with the row above starts where that cell's text starts, or is
    centred on it: a cell's wrapped line is aligned as the cell is, a section label centred over columns is not."""
    for j in range(len(grid[0])):
        above = [c for i in row for c in grid[i][j]]
        now = [c for i in g for c in grid[i][j]]
        if above and now:
            a, b = above[-1], now[0]
            if abs(a.x0 - b.x0) > 2 and abs((a.x0 + a.x1) - (b.x0 + b.x1)) > 4 and abs(a.x1 - b.x1) > 2:
                return False
    return True


def _continues(prev: list[int], g: list[int], grid: list[list[list[Chunk]]]) -> bool:
    """Whether a row label's line goes on from the label above ("XLNet-Large-" / "wikibooks", "(Best of 3)")."""
    above = " ".join(c.text for i in prev for c in grid[i][0])
    text = " ".join(c.text for i in g for c in grid[i][0])
    return bool(above) and (above[-1] in "-,/&+(" or text[:1].islower() or text[:1] in "([")


def _row_text(grid: list[list[list[Chunk]]], group: list[int], marks: bool) -> list[str]:
    """A row's cell texts; with marks, a cell printed in bold is written **bold**."""
    out = []
    for j in range(len(grid[0])):
        chunks = [c for i in group for c in grid[i][j]]
        text = _join_wrapped([c.text for c in chunks], prose=False)
        if marks and text and all(c.bold for c in chunks):
            text = "**" + text.replace("*", "\\*") + "**"  # a printed asterisk stays an asterisk
        out.append(text)
    return out
