"""Rendering a page region to PNG, without the reader's highlights and other annotations."""
from __future__ import annotations

import pymupdf

from ..io.errors import UserError

MAX_PIXELS = 60_000_000


def clip_rect(page: pymupdf.Page, rect: pymupdf.Rect) -> pymupdf.Rect:
    """rect clipped to the visible page; an empty result is the user's error.

    Clipped in Python floats: MuPDF's own intersection works in 32-bit floats, so a box well inside the page with a
    coordinate like 70.3 would come back as 70.30000305 and look cut."""
    pr = page.rect
    r = pymupdf.Rect(max(rect[0], pr.x0), max(rect[1], pr.y0), min(rect[2], pr.x1), min(rect[3], pr.y1))
    where = f"page {page.number + 1} (page box {tuple(round(v, 1) for v in page.rect)})"
    if r.x1 <= r.x0 or r.y1 <= r.y0:
        raise UserError(f"the region {tuple(round(v, 1) for v in rect)} lies outside {where}")
    if r.width < 1 or r.height < 1:
        raise UserError(f"the region {tuple(round(v, 1) for v in rect)} is under 1 pt wide or high on {where}")
    return r


def reaches_past(page: pymupdf.Page, rect: pymupdf.Rect, tolerance_pt: float = 0.01) -> bool:
    """Whether rect sticks out of the visible page by more than rounding."""
    pr = page.rect
    return (rect[0] < pr.x0 - tolerance_pt or rect[1] < pr.y0 - tolerance_pt
            or rect[2] > pr.x1 + tolerance_pt or rect[3] > pr.y1 + tolerance_pt)


def render_png(page: pymupdf.Page, rect: pymupdf.Rect, dpi: int) -> tuple[bytes, tuple[int, int]]:
    """PNG bytes of rect (page coordinates, as Page.rect gives them) at dpi, and its pixel size."""
    return render_pngs(page, [rect], dpi)[0]


def render_pngs(page: pymupdf.Page, rects: list[pymupdf.Rect], dpi: int) -> list[tuple[bytes, tuple[int, int]]]:
    """Several regions of one page: the page's content is interpreted once (a display list without annotations,
    as Page.get_pixmap(annots=False) makes) and each region is rendered from it."""
    clips = [clip_rect(page, r) for r in rects]
    scale = dpi / 72
    for r in clips:
        if r.width * scale * r.height * scale > MAX_PIXELS:
            raise UserError(f"a {dpi}-dpi render of {r.width:.0f}x{r.height:.0f} pt is too large; lower --dpi")
    dl = page.get_displaylist(annots=False)
    out = []
    for r in clips:
        pix = dl.get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False, clip=r)
        pix.set_dpi(dpi, dpi)  # viewers show the figure at its size on paper
        out.append((pix.tobytes("png"), (pix.width, pix.height)))
    return out
