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


def _merge_touching(rects: list[pymupdf.Rect], tol: float) -> list[tuple[pymupdf.Rect, list[int]]]:
    """Groups rectangles that touch within tol; returns each group's box and member indices."""
    order = sorted(range(len(rects)), key=lambda i: (rects[i].y0, rects[i].x0))
    groups: list[tuple[pymupdf.Rect, list[int]]] = []
    for i in order:
        r = rects[i]
        grown = pymupdf.Rect(r.x0 - tol, r.y0 - tol, r.x1 + tol, r.y1 + tol)
        hit = [g for g in groups if g[0].intersects(grown)]
        if not hit:
            groups.append((pymupdf.Rect(r), [i]))
            continue
        box, members = pymupdf.Rect(r), [i]
        for g in hit:
            box |= g[0]
            members += g[1]
        groups = [g for g in groups if all(g is not h for h in hit)]
        groups.append((box, members))
    # a merged box may now touch an earlier group: settle until nothing changes
    changed = True
    while changed:
        changed = False
        out: list[tuple[pymupdf.Rect, list[int]]] = []
        for box, members in groups:
            for k, (b2, m2) in enumerate(out):
                if b2.intersects(pymupdf.Rect(box.x0 - tol, box.y0 - tol, box.x1 + tol, box.y1 + tol)):
                    out[k] = (b2 | box, m2 + members)
                    changed = True
                    break
            else:
                out.append((box, members))
        groups = out
    return groups


def is_rule(r: pymupdf.Rect) -> bool:
    return r.height <= 2.0 and r.width >= 20


def _same_span(a: pymupdf.Rect, b: pymupdf.Rect) -> bool:
    overlap = min(a.x1, b.x1) - max(a.x0, b.x0)
    return overlap >= 0.85 * max(a.width, b.width)


def ruled_areas(drawings: list[pymupdf.Rect], separators: list[pymupdf.Rect]) -> list[pymupdf.Rect]:
    """Boxes spanned by two or more horizontal rules of about the same extent, one above the other.

    A stack never reaches across a separator (a caption) lying between two of its rules.
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
            if used[j] or not _same_span(s, r) or s.y0 - stack[-1].y1 > 400:
                continue
            top = stack[-1].y1
            if any(c.y0 >= top - 1 and c.y1 <= s.y0 + 1 and min(c.x1, s.x1) - max(c.x0, s.x0) > 0
                   for c in separators):
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
               separators: list[pymupdf.Rect]) -> list[Blob]:
    rects = list(drawings) + list(images)
    groups = _merge_touching(rects, TOUCH_PT)
    n_draw = len(drawings)
    blobs = [Blob(box, sum(1 for m in members if m < n_draw), sum(1 for m in members if m >= n_draw))
             for box, members in groups]
    for area in ruled_areas(drawings, separators):
        blobs.append(Blob(area, 0, 0, ruled=True))
    return blobs
