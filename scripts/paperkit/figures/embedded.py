"""Every bitmap embedded in a PDF, once, with the colours a reader sees: soft masks applied, CMYK made RGB.

Stage functions only decide and decode; extract_embedded.py writes the files.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import pymupdf


@dataclass
class EmbeddedImage:
    """One bitmap: where it first appears (page coordinates, as Page.rect gives them) and its decoded pixels."""

    page_index: int
    xref: int
    bbox_pt: pymupdf.Rect
    width_px: int
    height_px: int
    pixmap: pymupdf.Pixmap

    @property
    def page(self) -> int:
        return self.page_index + 1


def _rgb_or_grey(pix: pymupdf.Pixmap) -> pymupdf.Pixmap:
    cs = pix.colorspace
    if cs is None:  # a stencil mask: alpha only -- ink where it is opaque, as the page shows it
        grey = pymupdf.Pixmap(pymupdf.csGRAY, pix.irect, 0)
        grey.clear_with(0)
        return pymupdf.Pixmap(grey, pix)
    if (cs.n == 3 and "RGB" in cs.name.upper()) or (cs.n == 1 and "GRAY" in cs.name.upper()):
        return pix
    return pymupdf.Pixmap(pymupdf.csRGB, pix)  # keeps alpha when there is one


def decode(doc: pymupdf.Document, xref: int, smask: int) -> pymupdf.Pixmap:
    """The image's pixels in grey or RGB, with its soft mask as alpha."""
    pix = pymupdf.Pixmap(doc, xref)
    if smask > 0:
        mask = pymupdf.Pixmap(doc, smask)
        if pix.alpha:
            pix = pymupdf.Pixmap(pix, 0)  # the soft mask replaces whatever alpha decoding gave
        if mask.alpha or mask.n != 1:
            mask = pymupdf.Pixmap(pymupdf.csGRAY, mask) if mask.colorspace else mask
            if mask.alpha:
                mask = pymupdf.Pixmap(mask, 0)
        if (mask.width, mask.height) != (pix.width, pix.height):
            mask = pymupdf.Pixmap(mask, pix.width, pix.height, None)  # masks may have their own resolution
        pix = _rgb_or_grey(pix)
        pix = pymupdf.Pixmap(pix, mask)
    else:
        pix = _rgb_or_grey(pix)
    if pix.alpha and _opaque(pix):
        pix = pymupdf.Pixmap(pix, 0)  # an alpha channel that hides nothing only makes the PNG bigger
    return pix


def _opaque(pix: pymupdf.Pixmap) -> bool:
    a = memoryview(pix.samples)[pix.n - 1::pix.n]
    return a.tobytes().count(255) == len(a)


def digest(pix: pymupdf.Pixmap) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{pix.width}x{pix.height}x{pix.n}:".encode())
    h.update(pix.samples_mv)
    return h.hexdigest()


def _placements(page: pymupdf.Page) -> list[tuple[int, pymupdf.Rect]]:
    """(xref, bbox in page coordinates) of each image the page draws, in reading order; inline images (xref 0)
    have no object of their own and are left out."""
    to_page = page.rotation_matrix
    out = []
    try:
        infos = page.get_image_info(xrefs=True)
    except (RuntimeError, ValueError, pymupdf.mupdf.FzErrorBase):
        infos = []  # matching xrefs decodes every image, and one broken image spoils it: ask image by image below
    for info in infos:
        xref = info.get("xref", 0)
        if xref > 0:
            out.append((xref, pymupdf.Rect(info["bbox"]) * to_page))
    # an image the page lists that get_image_info could not match by content: ask where it is drawn
    drawn = {x for x, _ in out}
    for xref in sorted({x[0] for x in page.get_images(full=True)}):
        if xref not in drawn:
            try:
                rects = page.get_image_rects(xref)
            except (RuntimeError, ValueError, pymupdf.mupdf.FzErrorBase):
                rects = []
            # a broken image still gets its place, so that decoding it is tried, and reported, like any other
            out.append((xref, pymupdf.Rect(rects[0]) * to_page if rects else pymupdf.Rect(page.rect)))
    out.sort(key=lambda t: (round(t[1].y0, 1), round(t[1].x0, 1)))
    return out


def find_images(doc: pymupdf.Document, min_size_px: int, warn: Callable[[str], None],
                on_page: Callable[[int, int], None] | None = None) -> list[EmbeddedImage]:
    """Every bitmap drawn on some page, once: deduplicated by xref and by decoded content, each at the first page
    that shows it; bitmaps narrower or lower than min_size_px pixels (icons, bullets, rules) are skipped.
    An image that cannot be decoded is reported through warn and skipped."""
    seen_xrefs: set[int] = set()
    seen_digests: set[str] = set()
    out: list[EmbeddedImage] = []
    for pi in range(doc.page_count):
        page = doc[pi]
        for xref, bbox in _placements(page):
            if xref in seen_xrefs:
                continue
            seen_xrefs.add(xref)
            w, h = _int_key(doc, xref, "Width"), _int_key(doc, xref, "Height")
            if w <= 0 or h <= 0:
                warn(f"image object {xref} on page {pi + 1} says it is {w}x{h} pixels, which cannot be; skipped")
                continue
            if w < min_size_px or h < min_size_px:
                continue
            try:
                pix = decode(doc, xref, _ref_key(doc, xref, "SMask"))
            except (RuntimeError, ValueError, pymupdf.mupdf.FzErrorBase) as exc:  # one broken image: keep the rest
                warn(f"image object {xref} on page {pi + 1} cannot be decoded ({' '.join(str(exc).split())[:120]}); "
                     "skipped")
                continue
            d = digest(pix)
            if d in seen_digests:
                continue
            seen_digests.add(d)
            out.append(EmbeddedImage(pi, xref, bbox, pix.width, pix.height, pix))
        if on_page:
            on_page(pi + 1, doc.page_count)
    return out


def _int_key(doc: pymupdf.Document, xref: int, key: str) -> int:
    kind, value = doc.xref_get_key(xref, key)
    if kind == "xref":  # an indirect number
        kind, value = "int", doc.xref_object(int(value.split()[0])).strip()
    try:
        return int(float(value))
    except ValueError:
        return 0


def _ref_key(doc: pymupdf.Document, xref: int, key: str) -> int:
    kind, value = doc.xref_get_key(xref, key)
    return int(value.split()[0]) if kind == "xref" else 0


def file_names(images: list[EmbeddedImage]) -> list[str]:
    """img_p{page}_{n}.png, n counting from 1 on each page in reading order."""
    counts: dict[int, int] = {}
    names = []
    for im in images:
        counts[im.page] = counts.get(im.page, 0) + 1
        names.append(f"img_p{im.page}_{counts[im.page]}.png")
    return names
