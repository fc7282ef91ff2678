"""Stage 1 of the figure pipeline: find the captions ("Figure 3:", "Fig. 3.", "TABLE IV", "Table S2") on each page.

A caption is told from an in-text mention ("as Figure 3 shows", "... reported in Table 6. In this table") by its
punctuation after the number, a bold label, a font size that differs from the body text, and where it stands in its
text block. Each figure or table number keeps its best candidate, as each is captioned once.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pymupdf

from .layout import PageContent, TextLine
from .model import Caption

CAPTION_RE = re.compile(
    r"^\s*(?P<label>Figure|Fig\.?|FIGURE|FIG\.?|Table|TABLE|Tab\.|TAB\.|Supplementary\s+Figure|Extended\s+Data\s+Fig\.?)"
    r"\s*(?P<num>(?:[A-Z]\.?)?\d+(?:\.\d+)*|[IVXL]+)(?![\w])\s*(?P<punct>[:.|\u2014\u2013]|-\s)?\s*(?P<rest>.*)$"
)
SENTENCE_END = (".", ":", "!", "?", ")")
MIN_SCORE = 2.0


@dataclass
class Candidate:
    caption: Caption
    score: float
    lines: list[TextLine]


def _label_kind(label: str) -> str:
    return "table" if label.lower().startswith("tab") else "figure"


def _score(line: TextLine, m: re.Match[str], prev: TextLine | None, body_size: float) -> float | None:
    punct = m.group("punct")
    label_bold = line.bold and len(line.first_bold_text) >= len(m.group("label"))
    alone = not m.group("rest").strip()  # IEEE: "TABLE IV" on its own line, the title on the next
    if not punct and not label_bold and not alone:
        return None  # "Figure 3 shows ..." is a mention
    score = 0.0
    if alone and not punct and not label_bold:
        score += 2.0 if m.group("label").isupper() else 1.0
    if punct:
        score += 2.0 if punct.strip() in (":", "|", "\u2014", "\u2013", "-") else 1.0
    if label_bold:
        score += 2.0
    if abs(line.size - body_size) >= 0.4:
        score += 1.5
    if prev is None:
        score += 1.0
    elif (abs(prev.size - line.size) < 0.3 and not prev.text.rstrip().endswith(SENTENCE_END)
          and not prev.text.startswith("(") and _runs_into(prev, line)):
        score -= 2.0  # the sentence of the previous line runs on into "Table 6." : a mention
    if m.group("rest") and m.group("rest")[0].islower() and punct and punct.strip() == ".":
        score -= 1.0
    return score


def _runs_into(prev: TextLine, line: TextLine) -> bool:
    """prev is the line before line in one paragraph: right above it, starting at its left edge (or indented). The
    last row of a table that MuPDF put in the caption's block is not."""
    return (-2 <= line.rect.y0 - prev.rect.y1 <= 0.8 * line.size
            and line.rect.x0 - 4 <= prev.rect.x0 <= line.rect.x0 + 20)


def _extent(start: TextLine, pc: PageContent, first_line_centered: bool,
            col: tuple[float, float] | None) -> list[TextLine]:
    """The caption's lines: the label line and the lines below it that keep its size and alignment.

    It stops at a table's first row: a line with wide gaps between cells, or one under a rule.
    """
    page_lines = pc.lines
    lines = [start]
    while True:
        cur = lines[-1]
        below = [ln for ln in page_lines if ln.horizontal and ln.rect.y0 > cur.rect.y0 + 1 and ln not in lines
                 and min(ln.rect.x1, cur.rect.x1) - max(ln.rect.x0, cur.rect.x0) > 0.3 * min(ln.width, cur.width)]
        same = [ln for ln in below if abs(ln.size - start.size) <= 0.4]
        if not same:
            break
        nxt = min(same, key=lambda ln: (ln.rect.y0, ln.rect.x0))
        between = [ln for ln in below if ln.rect.y0 < nxt.rect.y0 and ln not in same]
        small = [ln for ln in between if ln.size < start.size - 0.4 and ln.rect.y1 <= nxt.rect.y1]
        if len(small) != len(between):
            break  # a line of another size stands between: the caption ended
        allowed = (1.8 if small else 0.8) * max(cur.size, 6)
        if nxt.rect.y0 - cur.rect.y1 > allowed:
            break
        if CAPTION_RE.match(nxt.text) or nxt.max_gap_pt > 1.2 * nxt.size:
            break
        if any(d.height < 3 and d.y0 >= cur.rect.y1 - 1 and d.y1 <= nxt.rect.y0 + 1
               and min(d.x1, nxt.rect.x1) - max(d.x0, nxt.rect.x0) > 0 for d in pc.drawings):
            break
        if first_line_centered:  # centred lines, or a block whose full first line only looks centred
            if abs((nxt.rect.x0 + nxt.rect.x1) / 2 - (start.rect.x0 + start.rect.x1) / 2) > 4 \
                    and abs(nxt.rect.x0 - start.rect.x0) > 2:
                break
        elif nxt.rect.x0 < start.rect.x0 - 4 or nxt.rect.x0 > start.rect.x0 + 20:
            break
        lines += small
        lines.append(nxt)
    labels = [ln.rect.x0 for ln in page_lines if ln is not start and ln.horizontal and CAPTION_RE.match(ln.text)
              and ln.rect.x0 > start.rect.x1 and abs(ln.rect.y0 - start.rect.y0) < 60]
    right = min([*labels, col[1] + 3 if col else float("inf")])
    out = []
    for ln in lines:  # each row with the pieces of it that MuPDF set apart to its right
        out.append(ln)
        out += _row_rest(ln, page_lines, start.size, right)
    return out


def _title_below(label: TextLine, page_lines: list[TextLine]) -> TextLine | None:
    """The title line under a label that stands alone ("TABLE IV" / "RESULTS ON ..."), set in any size: the
    nearest line right below, centred under the label."""
    cx = (label.rect.x0 + label.rect.x1) / 2
    below = [ln for ln in page_lines if ln.horizontal and 0 <= ln.rect.y0 - label.rect.y1 + 1 <= 0.8 * label.size
             and abs((ln.rect.x0 + ln.rect.x1) / 2 - cx) <= 6 and not CAPTION_RE.match(ln.text)]
    return min(below, key=lambda ln: ln.rect.y0, default=None)


def _row_rest(head: TextLine, page_lines: list[TextLine], size: float, right: float) -> list[TextLine]:
    """Lines on head's baseline just to its right ("Figure 1:" | "Model discovery is ..."), never another caption
    nor past right (the column's edge, or where a caption beside this one starts)."""
    rest: list[TextLine] = []
    edge = head.rect.x1
    for ln in sorted(page_lines, key=lambda x: x.rect.x0):
        if ln is head or not ln.horizontal or ln.rect.x0 < edge - 1 or abs(ln.size - size) > 0.4:
            continue
        if ln.rect.x1 > right:
            break
        overlap = min(ln.rect.y1, head.rect.y1) - max(ln.rect.y0, head.rect.y0)
        if overlap < 0.6 * min(ln.rect.height, head.rect.height):
            continue
        if ln.rect.x0 - edge > 1.5 * size or CAPTION_RE.match(ln.text):
            break
        rest.append(ln)
        edge = ln.rect.x1
    return rest


def join_lines(texts: list[str]) -> str:
    """Joins caption lines, undoing end-of-line hyphenation ("evalu-" + "ation")."""
    out = ""
    for t in texts:
        t = t.strip()
        if not out:
            out = t
        elif out.endswith("-") and t[:1].islower() and len(out) > 1 and out[-2].isalpha():
            out = out[:-1] + t
        else:
            out += " " + t
    return " ".join(out.split())


def page_candidates(pc: PageContent, body_size: float, column_spans: list[tuple[float, float]]) -> list[Candidate]:
    by_block: dict[int, list[TextLine]] = {}
    for ln in pc.lines:
        by_block.setdefault(ln.block, []).append(ln)
    out = []
    for ln in pc.lines:
        if not ln.horizontal:
            continue
        m = CAPTION_RE.match(ln.text)
        if not m:
            continue
        block = by_block[ln.block]
        pos = block.index(ln)
        prev = block[pos - 1] if pos > 0 else None
        score = _score(ln, m, prev, body_size)
        if score is None:
            continue
        col = next(((x0, x1) for x0, x1 in column_spans if ln.rect.x0 >= x0 - 6 and ln.rect.x1 <= x1 + 6), None)
        centered = False
        if col is not None:
            centered = abs((ln.rect.x0 + ln.rect.x1) / 2 - (col[0] + col[1]) / 2) < 4 and ln.rect.x0 > col[0] + 8
        lines = _extent(ln, pc, centered, col)
        if len(lines) == 1 and not m.group("rest").strip():
            title = _title_below(ln, pc.lines)
            if title is not None:
                lines += _extent(title, pc, True, col)
        rect = pymupdf.Rect(lines[0].rect)
        for x in lines[1:]:
            rect |= x.rect
        kind = _label_kind(m.group("label"))
        cap = Caption(kind=kind, number=m.group("num"), page_index=pc.index, rect=rect,
                      text=join_lines([x.text for x in lines]))
        out.append(Candidate(cap, score, lines))
    return out


def select(cands: list[Candidate]) -> list[Candidate]:
    """Keeps, for each (kind, number), the best candidate that scores as a caption.

    When a number has several, the one set in the paper's usual caption size wins over a higher score: a
    "Figure 1." inside a screenshot of another paper is not this paper's Figure 1.
    """
    good = [c for c in cands if c.score >= MIN_SCORE]
    sizes = Counter(round(c.lines[0].size * 2) / 2 for c in good)
    usual = sizes.most_common(1)[0][0] if sizes else 0.0
    best: dict[tuple[str, str], Candidate] = {}
    for c in good:
        key = (c.caption.kind, c.caption.number.upper())
        rank = (abs(round(c.lines[0].size * 2) / 2 - usual) < 0.6, c.score)
        old = best.get(key)
        if old is None or rank > (abs(round(old.lines[0].size * 2) / 2 - usual) < 0.6, old.score):
            best[key] = c
    return sorted(best.values(), key=lambda c: (c.caption.page_index, c.caption.rect.y0, c.caption.rect.x0))
