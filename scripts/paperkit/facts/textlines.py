"""Visual text lines of a page, in reading order: the raw material of metadata, outline and full text.

PyMuPDF's "dict" output is close to what we need, but a visual line is sometimes split into several
PyMuPDF lines (justified words, superscripts) and small-caps headings come out in capitals. This module
rebuilds whole lines with their dominant font, size and style, and orders them column by column.
"""
from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

import pymupdf

# Ligatures expanded (ﬁ -> fi); whitespace kept; text clipped to the page.
T = TypeVar("T")
TEXT_FLAGS = (pymupdf.TEXTFLAGS_DICT & ~pymupdf.TEXT_PRESERVE_LIGATURES & ~pymupdf.TEXT_PRESERVE_IMAGES)

MARK_CHARS = "∗*†‡§¶‖⋆★☆♯♮♭♣♦♠♥♢♡♤♧◇◆○●⊥⊤"
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|medi|-b$|\.b$|cmbx|bx\d|sbx", re.IGNORECASE)
_ITALIC_FONT = re.compile(r"italic|oblique|-it$|ital|cmti|cmmi|-i$", re.IGNORECASE)
# LaTeX's old font encodings print accents as separate spacing characters before (or after) the letter.
_SPACING_ACCENTS = {"´": "\u0301", "¨": "\u0308", "ˆ": "\u0302", "˜": "\u0303", "¸": "\u0327",
                    "ˇ": "\u030c", "˘": "\u0306", "˚": "\u030a", "˝": "\u030b", "˛": "\u0328", "˙": "\u0307"}
_ACCENT_RE = re.compile("([" + "".join(_SPACING_ACCENTS) + r"])\s?([A-Za-zıȷ])")
# the cedilla comes after its letter: 'Franc¸ois' is 'François' (the ogonek, 'J˛edrzej', comes before)
_POSTFIX_ACCENT_RE = re.compile(r"([cCsStT])\s?(¸)")


def fix_accents(text: str) -> str:
    """'D´epartement' -> 'Département'; leaves a lone accent that precedes no letter alone."""
    if not any(c in text for c in _SPACING_ACCENTS):
        return text

    def repl(m: re.Match[str]) -> str:
        base = {"ı": "i", "ȷ": "j"}.get(m.group(2), m.group(2))
        return unicodedata.normalize("NFC", base + _SPACING_ACCENTS[m.group(1)])

    text = _POSTFIX_ACCENT_RE.sub(lambda m: unicodedata.normalize("NFC", m.group(1) + _SPACING_ACCENTS[m.group(2)]),
                                  text)
    return _ACCENT_RE.sub(repl, text)


_SPACES = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """One-line text: accents fixed, odd spaces made plain, runs of spaces collapsed."""
    text = fix_accents(text).replace("\u00a0", " ").replace("\u2009", " ").replace("\u200b", "")
    text = text.replace("\ufffd", "")
    return _SPACES.sub(" ", text).strip()


@functools.cache
def _bold_font(font: str) -> bool:
    return bool(_BOLD_FONT.search(font))


@functools.cache
def _italic_font(font: str) -> bool:
    return bool(_ITALIC_FONT.search(font))


def is_bold_span(span: dict) -> bool:
    return bool(span["flags"] & pymupdf.TEXT_FONT_BOLD) or _bold_font(span["font"])


def is_italic_span(span: dict) -> bool:
    return bool(span["flags"] & pymupdf.TEXT_FONT_ITALIC) or _italic_font(span["font"])


@dataclass
class Line:
    """One visual line of text on a page."""

    page_index: int  # 0-based
    text: str
    rect: pymupdf.Rect
    size: float  # dominant font size (by characters), small caps counted at the capitals' size
    font: str  # dominant font name
    bold: bool
    italic: bool
    block: int  # PyMuPDF block number of the first piece
    horizontal: bool = True
    spans: list[dict] = field(default_factory=list, repr=False)
    cells: list[str] = field(default_factory=list)  # pieces separated by wide gaps (author grids)
    smallcaps: bool = False  # set in small capitals (a heading style), text rebuilt in mixed case

    @property
    def x0(self) -> float:
        return self.rect.x0

    @property
    def y0(self) -> float:
        return self.rect.y0

    @property
    def height(self) -> float:
        return max(self.rect.height, self.size * 0.8)

    def text_without_marks(self, max_ratio: float = 0.8) -> str:
        """The line's text with superscript-sized spans (footnote marks, affiliation numbers) and wide gaps (a
        cell break, a space span wider than a normal space: 'Ruifang Ge\u2003Raymond J. Mooney') replaced by '|'."""
        out = []
        for s in self.spans:
            wide_space = ("cell_break" not in s and not s["text"].strip() and "bbox" in s
                          and s["bbox"][2] - s["bbox"][0] > self.size * 0.6)
            if s.get("cell_break") or wide_space or _is_mark_span(s, self.size, max_ratio):
                out.append("|")
            else:
                out.append(s["text"])
        text = clean_text("".join(out).replace("|", " | "))
        return re.sub(r"\|(?:\s*\|)+", "|", text)

    def text_dropping_marks(self) -> str:
        """The line's text without footnote marks set small after a word ('train.1' -> 'train.')."""
        kept = []
        for i, s in enumerate(self.spans):
            nxt = self.spans[i + 1]["text"] if i + 1 < len(self.spans) else " "
            if _is_mark_span(s, self.size, 0.8) and (not nxt or nxt[0] in " ,.;:)"):
                continue
            kept.append(s)
        if kept and len(kept) == len(self.spans):
            return self.text  # nothing dropped (most lines): the text as read
        return clean_text(_smallcaps_text(kept)[0]) if kept else ""

    def style(self) -> tuple[float, bool]:
        return (round(self.size * 2) / 2, self.bold)


_SMALL_MARKS = re.compile(r"[\d,\s" + re.escape(MARK_CHARS) + r"a-e]+")
_SPACE_COMMA = re.compile(r"[\s,]")
_TWO_LETTERS = re.compile(r"[A-Za-z]{2}")
_GREEK_MARKS = re.compile(r"[α-ωΑ-Ω]{1,3}")
_LETTER_MARKS = re.compile(r"(?:[A-Za-z\d]|[" + re.escape(MARK_CHARS) + r"])+")
_ONLY_MARKS = re.compile(r"[" + re.escape(MARK_CHARS) + r"\s,]+")


def _is_mark_span(span: dict, line_size: float, max_ratio: float) -> bool:
    """A footnote or affiliation mark: small digits, letters a-e or symbols; or a symbol like * at any size."""
    t = span["text"].strip()
    if not t:
        return False
    small = span["size"] < line_size * max_ratio or bool(span["flags"] & pymupdf.TEXT_FONT_SUPERSCRIPT)
    if small:  # (most spans are not: they skip to the last test)
        if _SMALL_MARKS.fullmatch(t):
            return True
        core = _SPACE_COMMA.sub("", t)
        symbols = len(core) <= 4 and not _TWO_LETTERS.search(core) and not core.isalpha()
        if symbols or _GREEK_MARKS.fullmatch(core):
            return True  # Greek letters or symbols as affiliation marks: "α,τ∗", "♠"
        tagged = "," in t or is_italic_span(span) or bool(span["flags"] & pymupdf.TEXT_FONT_SUPERSCRIPT)
        if tagged and len(core) <= 6 and _LETTER_MARKS.fullmatch(core) and not _TWO_LETTERS.search(t.replace(" ", "")):
            return True  # letters as affiliation marks: "∗,H,M"
    return bool(_ONLY_MARKS.fullmatch(t)) and any(c in MARK_CHARS for c in t)


def _smallcaps_text(spans: list[dict]) -> tuple[str, float]:
    """Joins spans; where a line is set in small caps (capitals at size S, other letters as smaller capitals),
    lowercases the smaller capitals so 'AN IMAGE IS WORTH' reads 'An Image is Worth'. Returns (text, size)."""
    if len({s["size"] for s in spans}) < 2:
        return "".join(s["text"] for s in spans), 0.0  # one size: no small capitals (most lines)
    alpha = [s for s in spans if any(c.isalpha() for c in s["text"])]
    sizes = sorted({round(s["size"], 1) for s in alpha})
    if len(sizes) >= 2:
        big, small = sizes[-1], sizes[-2]
        smalls = [s for s in alpha if round(s["size"], 1) == small]
        bigs = [s for s in alpha if round(s["size"], 1) == big]
        letters_small = "".join(c for s in smalls for c in s["text"] if c.isalpha())
        if (0.6 <= small / big <= 0.9 and letters_small and letters_small.isupper() and bigs
                and all(c.isupper() for s in bigs for c in s["text"] if c.isalpha())):
            parts = []
            for s in spans:
                t = s["text"]
                if round(s["size"], 1) == small and any(c.isalpha() for c in t):
                    t = t.lower()
                parts.append(t)
            return "".join(parts), big
    return "".join(s["text"] for s in spans), 0.0


def _dominant(spans: list[dict]) -> tuple[float, str, bool, bool]:
    if len(spans) == 1:  # most lines of most papers: the one span's style
        s = spans[0]
        return round(s["size"], 1), s["font"], is_bold_span(s), is_italic_span(s)
    weight: Counter[tuple[float, str, bool, bool]] = Counter()
    for s in spans:
        n = len(s["text"].strip())
        if n:
            weight[(round(s["size"], 1), s["font"], is_bold_span(s), is_italic_span(s))] += n
    if not weight:
        s = spans[0]
        return round(s["size"], 1), s["font"], is_bold_span(s), is_italic_span(s)
    return weight.most_common(1)[0][0]


def _kept(page: pymupdf.Page, what: str, compute: Callable[[pymupdf.Page], T]) -> T:
    """compute(page), kept with the page's document under `what` so each page's is worked out once per open
    document (the lines, their words, their sizes); a page without a document is worked out each time."""
    if page.parent is None:
        return compute(page)
    cache = page.parent.__dict__.setdefault("_aipr_" + what, {})
    if page.number not in cache:
        cache[page.number] = compute(page)
    return cache[page.number]


def page_lines(page: pymupdf.Page, textpage: pymupdf.TextPage | None = None) -> list[Line]:
    """The page's visual lines: PyMuPDF lines on the same baseline of one block are merged, left to right.

    Read once per page of an open document: metadata, the outline and paper.md all ask for page 1's lines, and a
    page's text is the costliest thing paper_info reads (the lines are kept with the document, as paper_info keeps
    every page's anyway). Callers must not change the lines they get."""
    if textpage is not None:
        return _read_lines(page, textpage)
    return _kept(page, "page_lines", lambda p: _read_lines(p, None))


def page_vocabulary(page: pymupdf.Page) -> set[str]:
    """vocabulary() of the page's lines, kept with the document like the lines (metadata asks for the first pages',
    paper_info for every page's). Callers must not change the set they get."""
    return _kept(page, "page_vocabulary", lambda p: vocabulary(ln.text for ln in page_lines(p)))


def page_text(page: pymupdf.Page) -> str:
    """The page's text, a line a line, from the lines already read (ligatures expanded, accents fixed)."""
    return "\n".join(ln.text for ln in page_lines(page))


def _read_lines(page: pymupdf.Page, textpage: pymupdf.TextPage | None) -> list[Line]:
    d = page.get_text("dict", flags=TEXT_FLAGS, textpage=textpage)
    raw: list[tuple[int, dict]] = []
    for bno, b in enumerate(d["blocks"]):
        if b.get("type", 0) != 0:
            continue
        for ln in b["lines"]:
            if any(s["text"].strip() for s in ln["spans"]):
                raw.append((bno, ln))
    # each line's baseline once; raw runs block by block, so a block's lines are a run of raw
    bases = [_baseline(ln) if abs(ln["dir"][0]) >= 0.99 else 0.0 for _, ln in raw]
    lines: list[Line] = []
    used = [False] * len(raw)
    for i, (bno, ln) in enumerate(raw):
        if used[i]:
            continue
        used[i] = True
        horizontal = abs(ln["dir"][0]) > 0.99 and abs(ln["dir"][1]) < 0.01
        group = [ln]
        if horizontal:
            base = bases[i]
            for j in range(i + 1, len(raw)):
                bj, lj = raw[j]
                if bj != bno:
                    break
                if used[j] or abs(lj["dir"][0]) < 0.99:
                    continue
                if abs(bases[j] - base) <= 2.0:
                    group.append(lj)
                    used[j] = True
        lines.append(_make_line(page.number, bno, group, horizontal))
    return lines


def _baseline(ln: dict) -> float:
    """Baseline of the line's largest span (superscripts sit higher and must not move the line)."""
    s = max(ln["spans"], key=lambda s: (s["size"], len(s["text"].strip())))
    return s["origin"][1]


def _make_line(page_index: int, bno: int, group: list[dict], horizontal: bool) -> Line:
    """One visual line from PyMuPDF lines on one baseline; a wide gap between them (an author grid, a table row)
    becomes a separator span marked "cell_break", so cells can be told apart later."""
    group.sort(key=lambda ln: ln["bbox"][0])
    spans: list[dict] = []
    box: tuple[float, float, float, float] | None = None  # the union of the pieces' boxes (empty ones add nothing)
    size_ref = max(s["size"] for ln in group for s in ln["spans"])
    prev_x1 = None
    breaks = False
    for ln in group:
        lspans = [s for s in ln["spans"] if s["text"]]
        if prev_x1 is not None and lspans:
            gap = ln["bbox"][0] - prev_x1
            spans.append({**lspans[0], "text": " ", "cell_break": gap > size_ref * 0.9})
            breaks = breaks or gap > size_ref * 0.9
        spans.extend(lspans)
        x0, y0, x1, y1 = ln["bbox"]
        if x0 < x1 and y0 < y1:
            box = (x0, y0, x1, y1) if box is None else (min(box[0], x0), min(box[1], y0), max(box[2], x1),
                                                         max(box[3], y1))
        prev_x1 = x1
    text, caps_size = _smallcaps_text(spans)
    text = clean_text(text)
    if breaks:
        cells: list[str] = []
        cell: list[dict] = []
        for sp in spans:
            if sp.get("cell_break"):
                cells.append(clean_text(_smallcaps_text(cell)[0]))
                cell = []
            else:
                cell.append(sp)
        cells.append(clean_text(_smallcaps_text(cell)[0]))
    else:
        cells = [text]
    size, font, bold, italic = _dominant(spans)
    if caps_size:
        size = caps_size
    return Line(page_index=page_index, text=text, rect=pymupdf.Rect(box or (0.0, 0.0, 0.0, 0.0)), size=size,
                font=font, bold=bold, italic=italic, block=bno, horizontal=horizontal, spans=spans,
                cells=[c for c in cells if c], smallcaps=bool(caps_size))


def reading_order(lines: Iterable[Line], page_width: float) -> list[Line]:
    """Horizontal lines in reading order: top to bottom; where the page has two columns, the left column's
    lines before the right column's, band by band between lines that span both columns."""
    hs = [ln for ln in lines if ln.horizontal]
    mid = page_width / 2
    slack = page_width * 0.03
    hs.sort(key=lambda ln: (ln.rect.y0, ln.rect.x0))
    out: list[Line] = []
    band: list[Line] = []

    def flush() -> None:
        left = [ln for ln in band if ln.rect.x1 <= mid + slack]
        right = [ln for ln in band if ln.rect.x1 > mid + slack]
        out.extend(sorted(left, key=lambda ln: (ln.rect.y0, ln.rect.x0)))
        out.extend(sorted(right, key=lambda ln: (ln.rect.y0, ln.rect.x0)))
        band.clear()

    for ln in hs:
        spanning = ln.rect.x0 < mid - slack and ln.rect.x1 > mid + slack
        if spanning:
            flush()
            out.append(ln)
        else:
            band.append(ln)
    flush()
    return out


def body_font_size(doc: pymupdf.Document, max_pages: int = 8) -> float:
    """The most common font size by characters over the first pages: the body text size."""
    count: Counter[float] = Counter()
    for i in range(min(max_pages, doc.page_count)):
        count.update(_page_sizes(doc[i]))  # page by page, in order: ties go to the size met first, as in one count
    return count.most_common(1)[0][0] if count else 10.0


def _page_sizes(page: pymupdf.Page) -> Counter[float]:
    """Characters per font size (to the half point) on the page, kept with the document (metadata counts the first
    four pages, paper_info the first eight)."""
    def count(p: pymupdf.Page) -> Counter[float]:
        out: Counter[float] = Counter()
        for ln in page_lines(p):
            for s in ln.spans:
                out[round(s["size"] * 2) / 2] += len(s["text"].strip())
        return out

    return _kept(page, "page_sizes", count)


WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’]*")


def vocabulary(texts: Iterable[str]) -> set[str]:
    """Lowercase words of the texts, for deciding whether a line-end hyphen is a word break."""
    vocab: set[str] = set()
    for t in texts:
        for w in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)*", t):
            w = w.lower()
            vocab.add(w)
            parts = w.split("-")
            vocab.update(f"{x}-{y}" for x, y in itertools.pairwise(parts))
    return vocab


def keep_hyphen(a: str, b: str, vocab: set[str]) -> bool:
    """Whether 'a-' at a line end followed by 'b' is a hyphenated compound ('high-order'), not a word broken in two
    ('repre-sentation'): decided by how the document spells it elsewhere, capitals and acronyms keeping it."""
    joined, hyphened = (a + b).lower(), f"{a}-{b}".lower()
    if joined in vocab:
        return False
    return hyphened in vocab or b[:1].isupper() or (len(a) > 1 and a.isupper())


def join_hyphenated(left: str, right: str, vocab: set[str]) -> str:
    """Joins two lines where the first ends with a hyphen: 'repre-' + 'sentation' -> 'representation',
    but 'high-' + 'order' -> 'high-order' when the document spells it with a hyphen elsewhere."""
    m = re.search(r"([A-Za-z]+)-$", left)
    n = re.match(r"([A-Za-z]+)", right)
    if not m or not n:
        return left + right if left.endswith("-") else left + " " + right
    return (left if keep_hyphen(m.group(1), n.group(1), vocab) else left[:-1]) + right


@dataclass
class Margins:
    """What to cut from a page: running heads and feet, page numbers, margin stamps (points from each edge)."""

    left: float = 0.0
    top: float = 0.0
    right: float = 0.0
    bottom: float = 0.0
    dropped: list[pymupdf.Rect] = field(default_factory=list)

    def keeps(self, rect: pymupdf.Rect, page_rect: pymupdf.Rect) -> bool:
        """Whether a line's box is kept: not mostly over a dropped head, and its centre inside the margins.
        (Plain arithmetic: this runs for every line, several times.)"""
        x0, y0, x1, y1 = rect.x0, rect.y0, rect.x1, rect.y1
        if self.dropped and x0 < x1 and y0 < y1:
            half = 0.5 * max((x1 - x0) * (y1 - y0), 0.01)
            for r in self.dropped:
                if (r.x0 < r.x1 and r.y0 < r.y1 and x0 < r.x1 and r.x0 < x1 and y0 < r.y1 and r.y0 < y1
                        and (min(x1, r.x1) - max(x0, r.x0)) * (min(y1, r.y1) - max(y0, r.y0)) > half):
                    return False
        cx, cy = x0 + (x1 - x0) * 0.5, y0 + (y1 - y0) * 0.5
        return (page_rect.x0 + self.left <= cx < page_rect.x1 - self.right
                and page_rect.y0 + self.top <= cy < page_rect.y1 - self.bottom)


_PAGE_NUMBER = re.compile(r"^\W*(?:page\s+)?(?:\d{1,4}|[ivxlc]{1,6})(?:\s*(?:of|/)\s*\d{1,4})?\W*$", re.IGNORECASE)


def page_margins(pages: list[list[Line]], rects: list[pymupdf.Rect]) -> list[Margins]:
    """Per page, the running heads/feet (text repeated at the same place on many pages, digits aside), page numbers
    and rotated margin stamps (the arXiv id), and the margins that cut them off."""
    n = len(pages)
    key_pages: dict[str, set[int]] = {}
    band_lines: list[list[tuple[Line, str]]] = []
    for i, (lines, pr) in enumerate(zip(pages, rects, strict=True)):
        here = []
        for ln in lines:
            if not ln.horizontal:
                continue
            top = ln.rect.y1 < pr.y0 + pr.height * 0.11
            bottom = ln.rect.y0 > pr.y1 - pr.height * 0.11
            if top or bottom:
                # where and what, digits aside: the same head at the same place on many pages is a running head
                xc = round((ln.rect.x0 + ln.rect.x1) / 2 / 24)
                key = ("t" if top else "b") + f"{xc}:" + re.sub(r"\d+", "#", ln.text.lower())
                here.append((ln, key))
                key_pages.setdefault(key, set()).add(i)
        band_lines.append(here)
    need = max(2, int(0.3 * n + 0.5))
    out = []
    for i, (lines, pr) in enumerate(zip(pages, rects, strict=True)):
        m = Margins()
        cands = [(ln, key) for ln, key in band_lines[i] if n >= 3 and len(key_pages[key]) >= need]
        numbers = [(ln, key) for ln, key in band_lines[i] if _PAGE_NUMBER.match(ln.text)]
        if len(numbers) == 1 and n < 3:
            cands += numbers  # a short document's page number; in longer ones page numbers repeat like heads
        ids = {id(ln) for ln, _ in cands}
        kept = [ln for ln in lines if ln.horizontal and id(ln) not in ids]
        body_top = min((ln.rect.y0 for ln in kept), default=pr.y1)
        body_bottom = max((ln.rect.y1 for ln in kept), default=pr.y0)
        for ln, key in cands:
            # only text outside everything else on the page: a number inside a figure near the top is content
            if key.startswith("t") and ln.rect.y1 <= body_top + 1:
                m.dropped.append(ln.rect)
                m.top = max(m.top, ln.rect.y1 - pr.y0 + 0.5)
            elif key.startswith("b") and ln.rect.y0 >= body_bottom - 1:
                m.dropped.append(ln.rect)
                m.bottom = max(m.bottom, pr.y1 - ln.rect.y0 + 0.5)
        body_left = min((ln.rect.x0 for ln in kept), default=pr.x1)
        body_right = max((ln.rect.x1 for ln in kept), default=pr.x0)
        for ln in lines:
            if ln.horizontal:
                continue
            # a stamp in the margin (arXiv's), not an axis label inside a figure
            if ln.rect.x1 < pr.x0 + pr.width * 0.12 and ln.rect.x1 <= body_left - 1:
                m.dropped.append(ln.rect)
                m.left = max(m.left, ln.rect.x1 - pr.x0 + 0.5)
            elif ln.rect.x0 > pr.x1 - pr.width * 0.12 and ln.rect.x0 >= body_right + 1:
                m.dropped.append(ln.rect)
                m.right = max(m.right, pr.x1 - ln.rect.x0 + 0.5)
        out.append(m)
    return out
