"""Stage 2 of the figure pipeline: graphic elements -- drawings and images grouped into blobs, table rules into areas.

A blob is a group of drawing paths and images that touch (within a small tolerance). A ruled area is a stack of
horizontal rules of the same width (a booktabs table's top, middle and bottom rules): the text between them belongs
to the table, not to the body of the page.
"""
from __future__ import annotations

from dataclasses import dataclass

import pymupdf

TOUCH_PT = 3.0


@dataclass
class Blob:
    rect: pymupdf.Rect
    n_paths: int
    n_images: int
    ruled: bool = False  # a stack of rules with the text between them (a table)


def _touch(a: tuple[float, ...], b: tuple[float, ...], tol: float) -> bool:
    return a[0] - tol <= b[2] and b[0] - tol <= a[2] and a[1] - tol <= b[3] and b[1] - tol <= a[3]


def merge_touching(rects: list[pymupdf.Rect], tol: float) -> list[tuple[pymupdf.Rect, list[int]]]:
    """Groups rectangles that touch within tol (a group's box takes in whatever touches it); returns each group's
    box and member indices. Plain tuples: this runs over every path of every page."""
    boxes = [(r.x0, r.y0, r.x1, r.y1) for r in rects]
    order = sorted(range(len(boxes)), key=lambda i: (boxes[i][1], boxes[i][0]))
    groups: list[tuple[tuple[float, float, float, float], list[int]]] = []
    for i in order:
        b = boxes[i]
        hit = [k for k, g in enumerate(groups) if _touch(g[0], b, tol)]
        if not hit:
            groups.append((b, [i]))
            continue
        box, members = b, [i]
        for k in hit:
            g = groups[k]
            box = (min(box[0], g[0][0]), min(box[1], g[0][1]), max(box[2], g[0][2]), max(box[3], g[0][3]))
            members += g[1]
        hit_set = set(hit)
        groups = [g for k, g in enumerate(groups) if k not in hit_set]
        groups.append((box, members))
    changed = True  # a grown box may now touch an earlier group: settle until nothing changes
    while changed:
        changed = False
        out: list[tuple[tuple[float, float, float, float], list[int]]] = []
        for box, members in groups:
            for k, (b2, m2) in enumerate(out):
                if _touch(b2, box, tol):
                    out[k] = ((min(box[0], b2[0]), min(box[1], b2[1]), max(box[2], b2[2]), max(box[3], b2[3])),
                              m2 + members)
                    changed = True
                    break
            else:
                out.append((box, members))
        groups = out
    return [(pymupdf.Rect(box), members) for box, members in groups]


def is_rule(r: pymupdf.Rect) -> bool:
    return r.height <= 2.0 and r.width >= 20


def _same_span(a: pymupdf.Rect, b: pymupdf.Rect) -> bool:
    """Rules of one table start and end at about the same x (a plot's axis under a table does not)."""
    tol = max(3.0, 0.03 * max(a.width, b.width))
    return abs(a.x0 - b.x0) <= tol and abs(a.x1 - b.x1) <= tol


MAX_RULE_GAP_PT = 700.0  # a table of paragraphs can run a page between its header rule and its bottom rule
BLANK_BAND_PT = 9.0  # rules this far apart with no text between close one table and open the next


def ruled_areas(drawings: list[pymupdf.Rect], separators: list[pymupdf.Rect],
                texts: list[pymupdf.Rect] | None = None) -> list[pymupdf.Rect]:
    """Boxes spanned by two or more horizontal rules of about the same extent, one above the other.

    A stack never reaches across a separator (a caption) lying between two of its rules, nor across a blank band
    (two tables stacked in a column, the first one continued from the page before without a caption here).
    """
    rules = sorted((r for r in drawings if is_rule(r)), key=lambda r: r.y0)
    used = [False] * len(rules)
    areas = []
    for i, r in enumerate(rules):
        if used[i]:
            continue
        stack = [r]
        for j in range(i + 1, len(rules)):
            s = rules[j]
            if used[j] or not _same_span(s, r) or s.y0 - stack[-1].y1 > MAX_RULE_GAP_PT:
                continue
            top = stack[-1].y1
            if any(c.y0 >= top - 1 and c.y1 <= s.y0 + 1 and min(c.x1, s.x1) - max(c.x0, s.x0) > 0
                   for c in separators):
                break
            if texts is not None and s.y0 - top > BLANK_BAND_PT and not any(
                    t.y1 > top and t.y0 < s.y0 and min(t.x1, s.x1) - max(t.x0, s.x0) > 0 for t in texts):
                break
            stack.append(s)
            used[j] = True
        if len(stack) >= 2:
            box = pymupdf.Rect(stack[0])
            for s in stack[1:]:
                box |= s
            if box.height > 4 and box.width >= 60:
                areas.append(box)
    return areas


def find_blobs(drawings: list[pymupdf.Rect], images: list[pymupdf.Rect],
               separators: list[pymupdf.Rect], texts: list[pymupdf.Rect] | None = None) -> list[Blob]:
    rects = list(drawings) + list(images)
    groups = merge_touching(rects, TOUCH_PT)
    n_draw = len(drawings)
    blobs = [Blob(box, sum(1 for m in members if m < n_draw), sum(1 for m in members if m >= n_draw))
             for box, members in groups]
    for area in ruled_areas(drawings, separators, texts):
        blobs.append(Blob(area, 0, 0, ruled=True))
    return blobs
